package signalstest

import (
	"context"
	"sync"

	"github.com/signalkit/sdk/signals"
)

// Spy is a listener that counts its calls and keeps the last payload only,
// for listeners that receive more emissions than a test wants to keep. Use
// [Recorder] to keep every payload, or to wait for calls.
//
//	spy := signalstest.NewSpy[Order]()
//	sig.AddListener(spy.Listener())
//
// The zero value is a Spy that has not been called, ready to use. A Spy must
// not be copied after first use. All its methods are safe for concurrent
// use.
type Spy[T any] struct {
	mu    sync.Mutex
	calls int
	last  T
}

// NewSpy returns a Spy that has not been called.
func NewSpy[T any]() *Spy[T] {
	return new(Spy[T])
}

// Listener returns the listener that s observes: each call counts, and its
// payload becomes the last payload. Every call of Listener returns a
// listener of the same Spy.
func (s *Spy[T]) Listener() signals.Listener[T] {
	return s.call
}

func (s *Spy[T]) call(_ context.Context, payload T) {
	s.mu.Lock()
	s.calls++
	s.last = payload
	s.mu.Unlock()
}

// CallCount returns the number of calls of s's listener so far.
func (s *Spy[T]) CallCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// WasCalled reports whether s's listener has been called.
func (s *Spy[T]) WasCalled() bool {
	return s.CallCount() > 0
}

// LastPayload returns the payload of the last call of s's listener, and
// true; or the zero value of T and false if it has not been called. With
// several goroutines calling the listener, the last call is the last to
// take the Spy's lock.
func (s *Spy[T]) LastPayload() (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.calls > 0
}
