package signals

import (
	"context"
	"sync/atomic"
	"time"
)

// SignalListener is a function that is called when a signal is emitted. It
// receives the emission's context and payload.
type SignalListener[T any] func(context.Context, T)

// Listener is the v1.4 name of [SignalListener]. It is an alias: both names
// denote the same type.
type Listener[T any] = SignalListener[T]

// SignalListenerErr is a listener that can fail. [SyncSignal.TryEmit] stops at
// the first listener that returns a non-nil error and returns that error; Emit
// records the error (see [ListenerMetadata]) and passes it to the signal's
// error handler.
type SignalListenerErr[T any] func(context.Context, T) error

// ErrorHandler receives the errors and panics (as [*PanicError]) of listeners
// whose failures are not returned to a caller: those of Emit, of
// [AsyncSignal.Enqueue] deliveries, and the panics of [SyncSignal.TryEmit]
// are returned instead. key is the listener's key, "" for an unkeyed listener.
//
// An ErrorHandler may be called concurrently from several goroutines and runs
// on the goroutine that ran the listener, before the next listener starts:
// keep it short and do not block in it. It is isolated like a listener: if it
// panics or calls runtime.Goexit, that is logged and counted in
// [Stats.HandlerPanics], and the emission goes on.
type ErrorHandler func(ctx context.Context, key string, err error)

// entry is one registered listener. Its immutable fields are set before the
// entry is published; the atomic ones change while emissions run. It is kept
// to 48 bytes, so that a listener costs less than 100 bytes with its slot in
// the listener list and, if keyed, its entry in the key index.
type entry[T any] struct {
	// fn is the listener, nil for an error-aware listener; errFn is the
	// error-aware listener, nil for a plain one.
	fn    SignalListener[T]
	errFn SignalListenerErr[T]
	key   string // "" for an unkeyed listener

	// state holds the state bits below and, above them, the number of calls
	// of the listener in progress (see callUnit). An emission adds a call
	// and reads the bits in one atomic operation before it calls the
	// listener, and takes the call away when the listener has returned, so
	// that RemoveListener and Reset can wait for the calls in progress.
	state atomic.Uint32
	// added is when the listener was added, in seconds since addedEpoch.
	added uint32
	// stats is allocated the first time there is something to record: an
	// error, a panic, or a call while listener metrics are enabled. Keeping it
	// out of line keeps an entry small.
	stats atomic.Pointer[listenerStats]
}

// addedEpoch is the origin of entry.added: 2024-01-01T00:00:00Z, from which
// 32 bits of seconds reach the year 2160.
const addedEpoch = 1704067200

// once reports whether e is a one-time listener.
func (e *entry[T]) once() bool { return e.state.Load()&stateOnce != 0 }

// Bits of entry.state.
const (
	// stateRemoved: removed by RemoveListener or Reset, or a once-listener
	// that has been claimed by an emission.
	stateRemoved uint32 = 1 << iota
	// stateDisabled: disabled by the circuit breaker.
	stateDisabled
	// stateOnce: a one-time listener. Folding it into state lets emission
	// decide with one load whether a listener is callable as it is.
	stateOnce
	// stateWaited: a RemoveListener or Reset waits for the calls in
	// progress to end; an emission that ends a call wakes it. Only set on a
	// removed entry.
	stateWaited

	// stateBits are the bits above; a listener may be called as it is when
	// they are all zero.
	stateBits = stateRemoved | stateDisabled | stateOnce | stateWaited
	// callUnit is one call in progress in entry.state: the bits above
	// stateBits count them. 2^28 calls of one listener at once are more
	// goroutines or more nesting than a process can hold.
	callUnit = stateBits + 1
)

// calls returns the number of calls in progress recorded in state st.
func calls(st uint32) uint32 { return st / callUnit }

// enter counts a call of e as in progress and returns e's state, the call
// included. The caller may call e if the state bits are zero; otherwise it
// calls admit, which decides and takes the call back if e may not be called.
func (e *entry[T]) enter() uint32 { return e.state.Add(callUnit) }

// admit decides whether an emission that has entered a call of e, whose state
// st has some state bits set, may call it: only if e is a one-time listener and
// this emission is the first to claim it, in which case admit unlinks it from
// the signal. Otherwise it takes the call back and reports false.
func (s *BaseSignal[T]) admit(e *entry[T], st uint32) bool {
	for st&stateBits == stateOnce {
		if e.state.CompareAndSwap(st, st|stateRemoved) {
			s.unlink(e)
			return true
		}
		st = e.state.Load() // another call entered or left meanwhile
	}
	s.leave(e)
	return false
}

// leave ends a call of e that enter counted, and wakes the RemoveListener or
// Reset waiting for it, if any.
func (s *BaseSignal[T]) leave(e *entry[T]) {
	if e.state.Add(^(callUnit-1))&stateWaited != 0 { // -callUnit
		s.removals.wake()
	}
}

// listenerStats holds what is recorded about one listener.
type listenerStats struct {
	calls      atomic.Int64
	lastCalled atomic.Int64 // Unix nanoseconds
	errors     atomic.Int64
	lastErr    atomic.Pointer[errorBox]
	// failStreak counts consecutive failures for the circuit breaker.
	failStreak atomic.Int32
}

// errorBox lets an error of any dynamic type live in an atomic.Pointer.
type errorBox struct{ err error }

// statsOrNew returns e's stats, allocating them on first use.
func (e *entry[T]) statsOrNew() *listenerStats {
	if st := e.stats.Load(); st != nil {
		return st
	}
	st := new(listenerStats)
	if e.stats.CompareAndSwap(nil, st) {
		return st
	}
	return e.stats.Load()
}

// recordError counts a failure of e and remembers it as the last error.
func (e *entry[T]) recordError(err error) *listenerStats {
	st := e.statsOrNew()
	st.errors.Add(1)
	st.lastErr.Store(&errorBox{err})
	return st
}

// metadata builds the public view of e.
func (e *entry[T]) metadata() *ListenerMetadata {
	m := &ListenerMetadata{
		Key:          e.key,
		AddedAt:      time.Unix(addedEpoch+int64(e.added), 0),
		IsOnce:       e.once(),
		IsErrorAware: e.errFn != nil,
	}
	if st := e.stats.Load(); st != nil {
		m.CallCount = st.calls.Load()
		m.ErrorCount = st.errors.Load()
		if b := st.lastErr.Load(); b != nil {
			m.LastError = b.err
		}
		if t := st.lastCalled.Load(); t != 0 {
			m.LastCalled = time.Unix(0, t)
		}
	}
	return m
}
