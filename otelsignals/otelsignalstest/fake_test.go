package otelsignalstest_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// fakeTB is a testing.TB that records failures instead of failing the test,
// and keeps the functions registered with Cleanup until cleanup runs them.
// Like testing.T, its Fatalf ends the calling goroutine with
// runtime.Goexit: call code that may fail through run.
type fakeTB struct {
	testing.TB // the real test, for the methods not overridden here

	mu       sync.Mutex
	errors   []string
	fatals   []string
	cleanups []func()
}

func newFakeTB(t *testing.T) *fakeTB { return &fakeTB{TB: t} }

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// cleanup runs the registered functions, last first, as testing.T does.
func (f *fakeTB) cleanup() {
	f.mu.Lock()
	fns := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

// run calls fn with f on a new goroutine and waits for it to end, and
// reports whether fn returned (false: it ended with runtime.Goexit, as
// Fatalf does).
func (f *fakeTB) run(fn func(tb testing.TB)) (returned bool) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
		returned = true
	}()
	<-done
	return returned
}

// messages returns what was reported with Errorf and with Fatalf.
func (f *fakeTB) messages() (errors, fatals []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...), append([]string(nil), f.fatals...)
}
