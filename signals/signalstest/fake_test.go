package signalstest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fakeTB is a testing.TB that records the failures reported to it instead of
// failing the test. Like testing.T, its Fatalf and FailNow end the calling
// goroutine with runtime.Goexit: run the code under test with run, on a
// goroutine of its own.
type fakeTB struct {
	testing.TB // the real test, for the methods not overridden here

	mu     sync.Mutex
	errors []string // messages of Errorf and Error
	fatals []string // messages of Fatalf and Fatal
}

func newFakeTB(t *testing.T) *fakeTB { return &fakeTB{TB: t} }

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

func (f *fakeTB) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) FailNow() { f.Fatalf("FailNow") }

func (f *fakeTB) Fail() { f.Errorf("Fail") }

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.errors)+len(f.fatals) > 0
}

// messages returns what was reported with Errorf and with Fatalf.
func (f *fakeTB) messages() (errors, fatals []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...), append([]string(nil), f.fatals...)
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

// outcome is what a call reported to a fakeTB.
type outcome struct {
	returned bool     // the call returned rather than ended its goroutine
	errors   []string // Errorf messages
	fatals   []string // Fatalf messages
}

// report runs fn with a new fakeTB and returns what it reported.
func report(t *testing.T, fn func(tb testing.TB)) outcome {
	t.Helper()
	f := newFakeTB(t)
	returned := f.run(fn)
	errs, fatals := f.messages()
	return outcome{returned: returned, errors: errs, fatals: fatals}
}

// wantMessage fails t unless msgs holds exactly one message, which contains
// every string of want.
func wantMessage(t *testing.T, kind string, msgs []string, want ...string) {
	t.Helper()
	if len(msgs) != 1 {
		t.Fatalf("%d %s messages, want 1: %q", len(msgs), kind, msgs)
	}
	for _, w := range want {
		if !strings.Contains(msgs[0], w) {
			t.Errorf("%s message does not contain %q:\n%s", kind, w, msgs[0])
		}
	}
}

// TestFakeTB checks the fake itself: Fatalf ends the goroutine, Errorf
// does not, and both are recorded.
func TestFakeTB(t *testing.T) {
	got := report(t, func(tb testing.TB) {
		tb.Errorf("e%d", 1)
		tb.Error("e2")
		tb.Fail()
		if !tb.Failed() {
			panic("Failed is false after Errorf")
		}
		tb.Fatalf("f%d", 1)
		panic("Fatalf returned")
	})
	if got.returned {
		t.Error("the call returned after Fatalf")
	}
	if want := []string{"e1", "e2", "Fail"}; strings.Join(got.errors, ",") != strings.Join(want, ",") {
		t.Errorf("errors %q, want %q", got.errors, want)
	}
	if len(got.fatals) != 1 || got.fatals[0] != "f1" {
		t.Errorf("fatals %q, want [f1]", got.fatals)
	}
	for _, end := range []func(testing.TB){
		func(tb testing.TB) { tb.Fatal("x") },
		func(tb testing.TB) { tb.FailNow() },
	} {
		if got := report(t, end); got.returned || len(got.fatals) != 1 {
			t.Errorf("Fatal/FailNow: returned %v, fatals %q", got.returned, got.fatals)
		}
	}
	if got := report(t, func(tb testing.TB) {}); !got.returned || len(got.errors)+len(got.fatals) != 0 {
		t.Errorf("a call that reports nothing: %+v", got)
	}
}
