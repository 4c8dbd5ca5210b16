package signals_test

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a listener factory that records, in order, which listeners were
// called with which payload. It is safe for concurrent use.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.calls = append(r.calls, s)
	r.mu.Unlock()
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// listener returns a listener that records name.
func (r *recorder) listener(name string) func(context.Context, int) {
	return func(context.Context, int) { r.add(name) }
}

// failing returns an error-aware listener that records name and returns err.
func (r *recorder) failing(name string, err error) func(context.Context, int) error {
	return func(context.Context, int) error { r.add(name); return err }
}

// panicking returns a listener that records name and panics with v.
func (r *recorder) panicking(name string, v any) func(context.Context, int) {
	return func(context.Context, int) { r.add(name); panic(v) }
}

// handlerLog collects what an error handler receives.
type handlerLog struct {
	mu   sync.Mutex
	keys []string
	errs []error
}

func (h *handlerLog) handle(_ context.Context, key string, err error) {
	h.mu.Lock()
	h.keys = append(h.keys, key)
	h.errs = append(h.errs, err)
	h.mu.Unlock()
}

func (h *handlerLog) get() ([]string, []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.keys...), append([]error(nil), h.errs...)
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// hang is how long the tests of faults wait for something that must happen
// before they report a hang. It bounds liveness, not speed: a correct run takes
// milliseconds.
const hang = 20 * time.Second

// await waits for ch to be closed or to deliver, and fails t if it has not
// after hang.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hang):
		t.Fatalf("hang: %s has not happened after %v", what, hang)
		panic("unreachable")
	}
}

// quietLog discards what package signals logs with log/slog until t ends:
// tests of failures that are logged by design.
func quietLog(t *testing.T) {
	old := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	t.Cleanup(func() { slog.SetDefault(old) })
}

// goexited runs f on a goroutine of its own and reports whether that
// goroutine exited without f returning (runtime.Goexit). It fails t if f has
// not ended after hang.
func goexited(t *testing.T, f func()) bool {
	t.Helper()
	done := make(chan bool, 1)
	go func() {
		returned := false
		defer func() { done <- !returned }()
		f()
		returned = true
	}()
	return await(t, done, "the goroutine's end")
}

// waitUntil polls cond until it holds, and fails t if it does not after hang.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("hang: %s has not happened after %v", what, hang)
		}
		time.Sleep(time.Millisecond)
	}
}

// blockedIn reports whether a goroutine is blocked (neither running nor
// runnable) with fn, a function of package signals such as
// "(*BaseSignal[...]).RemoveListener", on its stack.
func blockedIn(fn string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		if strings.Contains(header, "[running]") || strings.Contains(header, "[runnable]") {
			continue
		}
		if strings.Contains(g, "github.com/signalkit/sdk/signals."+fn+"(") {
			return true
		}
	}
	return false
}
