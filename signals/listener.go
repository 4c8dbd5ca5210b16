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

// entry is one registered listener as a view holds it: by value, so that an
// emission reads the functions it calls from the view's array, one listener
// after the other, without following a pointer per listener. Copying a view
// copies its entries; what the copies share lives in the handle.
//
// An entry is 24 bytes. With the list's spare capacity, an unkeyed listener
// costs about 30 bytes (docs/performance.md, "Allocations, GC and memory").
type entry[T any] struct {
	// fn is the listener, nil for an error-aware listener; errFn is the
	// error-aware listener, nil for a plain one.
	fn    SignalListener[T]
	errFn SignalListenerErr[T]
	// h is the listener's handle, or nil for a listener that needs none: an
	// unkeyed listener that is not a one-time listener, while the circuit
	// breaker is off. Such a listener is removed only by Reset, which the
	// view's generation (view.gen) stands for.
	h *handle
}

// plain reports whether x is a plain listener: one without a handle that is
// not error-aware (an unkeyed listener, not a one-time listener, while the
// circuit breaker is off). Only Reset removes it, and calling it needs no
// step but the call.
func (x *entry[T]) plain() bool { return x.h == nil && x.errFn == nil }

// handle is what every copy of a listener's entry refers to: its key, its
// state, and what is recorded about it. Keyed and one-time listeners have
// one, and every listener while the circuit breaker is on (it disables
// listeners one by one). It is 32 bytes.
//
// A view's generation is a handle too: it stands for the listeners without a
// handle, which only Reset removes, all at once (see view.gen).
type handle struct {
	key string // "" for an unkeyed listener, and for a generation
	// state holds the state bits below and, above them, the calls in
	// progress that emissions count here because no call slot was free
	// (see calls.go).
	state atomic.Uint32
	// added is when the listener was added, in seconds since addedEpoch.
	added uint32
	// stats is allocated the first time there is something to record: an
	// error, a panic, or a call while listener metrics are enabled.
	stats atomic.Pointer[listenerStats]
}

// addedEpoch is the origin of handle.added: 2024-01-01T00:00:00Z, from which
// 32 bits of seconds reach the year 2160.
const addedEpoch = 1704067200

// Bits of handle.state.
const (
	// stateRemoved: removed by RemoveListener or Reset, or a once-listener
	// that an emission has claimed. On a generation: Reset has removed its
	// listeners.
	stateRemoved uint32 = 1 << iota
	// stateDisabled: disabled by the circuit breaker.
	stateDisabled
	// stateOnce: a one-time listener.
	stateOnce
	// stateWaited: a RemoveListener or Reset waits for calls of this
	// listener (or generation) to end; an emission that ends one wakes it.
	// Only set once stateRemoved is.
	stateWaited
	// stateKeyed: a keyed listener, which RemoveListener removes on its
	// own; emissions announce each call of it in their call slot. Set
	// before the handle is published, never changed.
	stateKeyed
	// stateErrAware: an error-aware listener. Set before the handle is
	// published, never changed.
	stateErrAware

	// stateBlocks are the bits that stop a call as it is: a listener with
	// none of them set may be called; otherwise admit decides.
	stateBlocks = stateRemoved | stateDisabled | stateOnce
	// callUnit is one call in progress counted in handle.state: the bits
	// above the state bits count them. 2^26 calls at once are more
	// goroutines or more nesting than a process can hold.
	callUnit = stateErrAware << 1
)

// countedCalls returns the number of calls in progress counted in state st.
func countedCalls(st uint32) uint32 { return st / callUnit }

// newHandle returns the handle of a listener being added, with the given
// immutable state bits.
func newHandle(key string, bits uint32) *handle {
	h := &handle{key: key, added: uint32(time.Now().Unix() - addedEpoch)} // #nosec G115 -- fits until the year 2160
	h.state.Store(bits)
	return h
}

// once reports whether h is a one-time listener.
func (h *handle) once() bool { return h.state.Load()&stateOnce != 0 }

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

// statsOrNew returns h's stats, allocating them on first use.
func (h *handle) statsOrNew() *listenerStats {
	if st := h.stats.Load(); st != nil {
		return st
	}
	st := new(listenerStats)
	if h.stats.CompareAndSwap(nil, st) {
		return st
	}
	return h.stats.Load()
}

// recordError counts a failure of h and remembers it as the last error.
func (h *handle) recordError(err error) *listenerStats {
	st := h.statsOrNew()
	st.errors.Add(1)
	st.lastErr.Store(&errorBox{err})
	return st
}

// metadata builds the public view of the keyed listener h.
func (h *handle) metadata() *ListenerMetadata {
	st := h.state.Load()
	m := &ListenerMetadata{
		Key:          h.key,
		AddedAt:      time.Unix(addedEpoch+int64(h.added), 0),
		IsOnce:       st&stateOnce != 0,
		IsErrorAware: st&stateErrAware != 0,
		Disabled:     st&stateDisabled != 0,
	}
	if st := h.stats.Load(); st != nil {
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
