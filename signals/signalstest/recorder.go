package signalstest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// Recorder is a listener that records every payload it receives, in arrival
// order. Its [Recorder.Record] method is the listener:
//
//	rec := signalstest.NewRecorder[Order]()
//	sig.AddListener(rec.Record)
//
// The zero value is an empty Recorder, ready to use. A Recorder must not be
// copied after first use. All its methods are safe for concurrent use.
type Recorder[T any] struct {
	mu     sync.Mutex
	events []T
	// arrived is closed, and set to nil, when an event arrives; WaitFor
	// makes it when it has to wait. A channel rather than a sync.Cond, so
	// that a waiter can give up when its timer fires.
	arrived chan struct{}
}

// NewRecorder returns an empty Recorder.
func NewRecorder[T any]() *Recorder[T] {
	return new(Recorder[T])
}

// Record records payload. It has the type of a [signals.Listener], and
// ignores ctx.
func (r *Recorder[T]) Record(_ context.Context, payload T) {
	r.mu.Lock()
	r.events = append(r.events, payload)
	if r.arrived != nil {
		close(r.arrived)
		r.arrived = nil
	}
	r.mu.Unlock()
}

// Events returns the payloads recorded so far, in arrival order, in a new
// slice the caller owns.
func (r *Recorder[T]) Events() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Len returns the number of payloads recorded so far.
func (r *Recorder[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// WaitFor waits until at least n payloads have been recorded, or timeout
// has passed, and returns the payloads recorded (as [Recorder.Events] does,
// so possibly more than n). If fewer than n have arrived by then, it fails
// the test with [testing.TB.Fatalf], listing those that did: call it from
// the goroutine running the test. A timeout of zero or less checks once
// without waiting. A negative n panics.
//
// WaitFor suits listeners that run on other goroutines: those of
// [signals.AsyncSignal.Enqueue], or of code under test that emits from a
// goroutine of its own.
func (r *Recorder[T]) WaitFor(tb testing.TB, n int, timeout time.Duration) []T {
	tb.Helper()
	if n < 0 {
		panic("signalstest: Recorder.WaitFor with a negative count")
	}
	events, ok := r.waitFor(n, timeout)
	if !ok {
		tb.Fatalf("signalstest: got %s after waiting %v, want at least %d%s",
			plural(len(events), "event"), timeout, n, listPayloads(events))
	}
	return events
}

// waitFor waits until at least n payloads have been recorded or timeout has
// passed, and returns the payloads recorded and whether there are n.
func (r *Recorder[T]) waitFor(n int, timeout time.Duration) ([]T, bool) {
	var expired <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		expired = timer.C
	}
	for {
		r.mu.Lock()
		if len(r.events) >= n || expired == nil {
			events := slices.Clone(r.events)
			r.mu.Unlock()
			return events, len(events) >= n
		}
		if r.arrived == nil {
			r.arrived = make(chan struct{})
		}
		arrived := r.arrived
		r.mu.Unlock()

		select {
		case <-arrived:
		case <-expired:
			expired = nil // look once more, then give up
		}
	}
}
