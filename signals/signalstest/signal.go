package signalstest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

// Signal is a test double for code under test that takes a
// [signals.Signal]: it records every emission and asserts what was emitted.
//
// It is a real signal too: each emission is recorded, then delivered to the
// listeners of the signal it wraps, so code that subscribes to the signal it
// emits on, or tests that add a [Recorder] or a [Spy], see every emission as
// they would in production. [NewSignal] wraps a new [signals.SyncSignal];
// [Wrap] wraps the signal of your choice, for example an
// [signals.AsyncSignal] configured as in production. Every method of
// [signals.Signal] behaves as the wrapped signal's, so the code under test
// cannot tell the double from it.
//
// An emission is recorded when Emit is called, before its listeners run, and
// whatever its context: [Signal.Emissions] lists the payloads in the order
// of the Emit calls, even when a listener emits again.
//
// The zero value wraps a new SyncSignal with no listeners and is ready to
// use. A Signal must not be copied after first use. All its methods are safe
// for concurrent use.
type Signal[T any] struct {
	emitted Recorder[T]
	wrapped signals.Signal[T] // the signal Wrap was given; nil: own
	own     signals.SyncSignal[T]
}

// Compile-time check that the double is a signal.
var _ signals.Signal[int] = (*Signal[int])(nil)

// NewSignal returns a double that records every emission and delivers it to
// the listeners of a new [signals.SyncSignal].
func NewSignal[T any]() *Signal[T] {
	return new(Signal[T])
}

// Wrap returns a double that records every emission and delivers it through
// sig, which keeps its listeners. The caller still owns sig: close an
// AsyncSignal when done with it. A nil sig panics.
func Wrap[T any](sig signals.Signal[T]) *Signal[T] {
	if sig == nil {
		panic("signalstest: Wrap of a nil signal")
	}
	if v := reflect.ValueOf(sig); v.Kind() == reflect.Pointer && v.IsNil() {
		panic("signalstest: Wrap of a nil " + v.Type().String())
	}
	return &Signal[T]{wrapped: sig}
}

// target returns the signal s delivers through.
func (s *Signal[T]) target() signals.Signal[T] {
	if s.wrapped != nil {
		return s.wrapped
	}
	return &s.own
}

// Emit records payload as an emission, then emits it on the wrapped signal:
// see [signals.Signal]'s Emit.
func (s *Signal[T]) Emit(ctx context.Context, payload T) {
	s.emitted.Record(ctx, payload)
	s.target().Emit(ctx, payload)
}

// AddListener adds a listener to the wrapped signal: see
// [signals.Signal]'s AddListener.
func (s *Signal[T]) AddListener(handler signals.SignalListener[T], key ...string) int {
	return s.target().AddListener(handler, key...)
}

// AddListenerWithErr adds a listener that can fail to the wrapped signal:
// see [signals.Signal]'s AddListenerWithErr.
func (s *Signal[T]) AddListenerWithErr(handler signals.SignalListenerErr[T], key ...string) int {
	return s.target().AddListenerWithErr(handler, key...)
}

// AddOnce adds a one-time listener to the wrapped signal: see
// [signals.Signal]'s AddOnce.
func (s *Signal[T]) AddOnce(handler signals.Listener[T]) int {
	return s.target().AddOnce(handler)
}

// AddOnceWithKey adds a keyed one-time listener to the wrapped signal: see
// [signals.Signal]'s AddOnceWithKey.
func (s *Signal[T]) AddOnceWithKey(handler signals.Listener[T], key string) int {
	return s.target().AddOnceWithKey(handler, key)
}

// AddOnceWithErr adds a one-time listener that can fail to the wrapped
// signal: see [signals.Signal]'s AddOnceWithErr.
func (s *Signal[T]) AddOnceWithErr(handler signals.SignalListenerErr[T]) int {
	return s.target().AddOnceWithErr(handler)
}

// AddOnceWithErrAndKey adds a keyed one-time listener that can fail to the
// wrapped signal: see [signals.Signal]'s AddOnceWithErrAndKey.
func (s *Signal[T]) AddOnceWithErrAndKey(handler signals.SignalListenerErr[T], key string) int {
	return s.target().AddOnceWithErrAndKey(handler, key)
}

// RemoveListener removes a listener of the wrapped signal: see
// [signals.Signal]'s RemoveListener.
func (s *Signal[T]) RemoveListener(key string) int {
	return s.target().RemoveListener(key)
}

// Reset removes every listener of the wrapped signal: see
// [signals.Signal]'s Reset. The recorded emissions stay.
func (s *Signal[T]) Reset() {
	s.target().Reset()
}

// Len returns the number of listeners of the wrapped signal: see
// [signals.Signal]'s Len. [Signal.EmitCount] counts emissions.
func (s *Signal[T]) Len() int {
	return s.target().Len()
}

// IsEmpty reports whether the wrapped signal has no listeners: see
// [signals.Signal]'s IsEmpty.
func (s *Signal[T]) IsEmpty() bool {
	return s.target().IsEmpty()
}

// Keys returns the keys of the wrapped signal's keyed listeners: see
// [signals.Signal]'s Keys.
func (s *Signal[T]) Keys() []string {
	return s.target().Keys()
}

// HasKey reports whether the wrapped signal has a listener with the given
// key: see [signals.Signal]'s HasKey.
func (s *Signal[T]) HasKey(key string) bool {
	return s.target().HasKey(key)
}

// Metadata describes the wrapped signal's listener with the given key: see
// [signals.Signal]'s Metadata.
func (s *Signal[T]) Metadata(key string) *signals.ListenerMetadata {
	return s.target().Metadata(key)
}

// Emissions returns the payloads of the emissions so far, in the order of
// the Emit calls, in a new slice the caller owns.
func (s *Signal[T]) Emissions() []T {
	return s.emitted.Events()
}

// EmitCount returns the number of emissions so far.
func (s *Signal[T]) EmitCount() int {
	return s.emitted.Len()
}

// WaitForEmissions waits until at least n emissions have been made, or
// timeout has passed, and returns their payloads, for code under test that
// emits from a goroutine of its own. If fewer than n have been made by
// then, it fails the test with [testing.TB.Fatalf], listing those that
// were: call it from the goroutine running the test. A timeout of zero or
// less checks once without waiting. A negative n panics.
func (s *Signal[T]) WaitForEmissions(tb testing.TB, n int, timeout time.Duration) []T {
	tb.Helper()
	if n < 0 {
		panic("signalstest: Signal.WaitForEmissions with a negative count")
	}
	emissions, ok := s.emitted.waitFor(n, timeout)
	if !ok {
		tb.Fatalf("signalstest: got %s after waiting %v, want at least %d%s",
			plural(len(emissions), "emission"), timeout, n, listPayloads(emissions))
	}
	return emissions
}

// AssertEmitted reports whether exactly n emissions have been made. If not,
// it fails the test with [testing.TB.Errorf], saying how many were made and
// listing their payloads. A negative n panics.
func (s *Signal[T]) AssertEmitted(tb testing.TB, n int) bool {
	tb.Helper()
	if n < 0 {
		panic("signalstest: Signal.AssertEmitted with a negative count")
	}
	emissions := s.Emissions()
	if len(emissions) == n {
		return true
	}
	tb.Errorf("signalstest: got %s, want %d%s", plural(len(emissions), "emission"), n, listPayloads(emissions))
	return false
}

// AssertEmittedWith reports whether some emission's payload satisfies
// match. If none does, it fails the test with [testing.TB.Errorf], listing
// the payloads emitted. match is called on the goroutine of the caller, once
// per payload at most, in emission order; a nil match panics.
func (s *Signal[T]) AssertEmittedWith(tb testing.TB, match func(T) bool) bool {
	tb.Helper()
	if match == nil {
		panic("signalstest: Signal.AssertEmittedWith with a nil predicate")
	}
	emissions := s.Emissions()
	for _, p := range emissions {
		if match(p) {
			return true
		}
	}
	if len(emissions) == 0 {
		tb.Errorf("signalstest: got no emission, want one that matches")
	} else {
		tb.Errorf("signalstest: got %s, none of which matches%s",
			plural(len(emissions), "emission"), listPayloads(emissions))
	}
	return false
}

// AssertNotEmitted reports whether no emission has been made. If one has,
// it fails the test with [testing.TB.Errorf], listing the payloads emitted.
func (s *Signal[T]) AssertNotEmitted(tb testing.TB) bool {
	tb.Helper()
	emissions := s.Emissions()
	if len(emissions) == 0 {
		return true
	}
	tb.Errorf("signalstest: got %s, want none%s", plural(len(emissions), "emission"), listPayloads(emissions))
	return false
}
