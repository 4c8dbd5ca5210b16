package signals

import (
	"context"
	"time"
)

// MetricsCollector receives every operation of the signals it is attached to
// with [BaseSignal.SetCollector]: emissions, listener changes and dropped
// emissions. It is how package otelsignals maps signals to OpenTelemetry;
// implement it to feed another monitoring system. Attach several with
// [NewMultiCollector].
//
// A collector is not generic, so one implementation serves signals of every
// payload type. Every method may be called concurrently from many goroutines,
// including from inside listeners, and must not block. EmitStart runs on the
// goroutine that starts the emission (for a delivery of an enqueued emission,
// on a pool worker).
//
// What a collector observes of one emission beyond its start, it observes
// through the [EmitObserver] EmitStart returns: the listener calls and the end
// of the emission. Per-emission state (a span, whether the emission is timed)
// lives in the observer, not in the context.
//
// Embed [NopCollector] in an implementation to keep it compiling when methods
// are added to this interface.
type MetricsCollector interface {
	// EmitStart is called when an emission starts, before any listener runs.
	// It returns the context the listeners receive (ctx itself, or a context
	// derived from it, for example carrying a span) and the observer of this
	// emission, or nil to observe nothing more of it: the emission then
	// takes the signal's fast path (as far as stats, listener metrics and the
	// circuit breaker allow), and its failures are not reported to the
	// collector. Return a shared, preallocated observer for emissions that
	// need no state of their own, so that they allocate nothing.
	EmitStart(ctx context.Context, e Emission) (context.Context, EmitObserver)

	// ListenerChanged is called when a listener is added, removed, dropped by
	// Reset, fired as a one-time listener, or disabled or re-enabled by the
	// circuit breaker.
	ListenerChanged(l ListenerInfo, c Change)

	// Dropped is called for every enqueued emission that is dropped: refused
	// because the queue was full under [OverflowDrop], or discarded when a
	// shutdown ran out of time. reason is [ErrQueueFull] or [ErrClosed].
	Dropped(ctx context.Context, signal string, reason error)
}

// NopCollector is a [MetricsCollector] that does nothing. Embed it in a
// collector to implement only some methods.
type NopCollector struct{}

var _ MetricsCollector = NopCollector{}

// EmitStart returns ctx and no observer.
func (NopCollector) EmitStart(ctx context.Context, _ Emission) (context.Context, EmitObserver) {
	return ctx, nil
}

// ListenerChanged does nothing.
func (NopCollector) ListenerChanged(ListenerInfo, Change) {}

// Dropped does nothing.
func (NopCollector) Dropped(context.Context, string, error) {}

// Kind tells synchronous and asynchronous signals apart.
type Kind uint8

// Signal kinds.
const (
	KindSync  Kind = iota + 1 // a SyncSignal (or a BaseSignal)
	KindAsync                 // an AsyncSignal
)

// String returns "sync" or "async".
func (k Kind) String() string {
	switch k {
	case KindSync:
		return "sync"
	case KindAsync:
		return "async"
	}
	return "unknown"
}

// Operation says what started an emission.
type Operation uint8

// Operations.
const (
	// OpEmit is Emit on either signal type.
	OpEmit Operation = iota + 1
	// OpTryEmit is [SyncSignal.TryEmit].
	OpTryEmit
	// OpEnqueue is the publisher side of [AsyncSignal.Enqueue]: it ends when
	// the emission has been queued, or refused.
	OpEnqueue
	// OpDeliver is the delivery of an enqueued emission by a pool worker.
	OpDeliver
)

// String returns the operation's name: "emit", "try_emit", "enqueue" or
// "deliver".
func (o Operation) String() string {
	switch o {
	case OpEmit:
		return "emit"
	case OpTryEmit:
		return "try_emit"
	case OpEnqueue:
		return "enqueue"
	case OpDeliver:
		return "deliver"
	}
	return "unknown"
}

// Emission describes an emission to a [MetricsCollector].
//
// It is passed by value on every observed emission, so it holds only what
// fits in the registers of a call with the receiver and the context (nine
// words on amd64): a larger Emission is copied through memory, which measured
// 15 ns more per observed emission (BenchmarkSyncEmit, impl=metrics-untimed,
// in otelsignals/test). The signal's kind is the collector's to know (see
// [BaseSignal.Kind]); a delivery's queue wait is in its [EmitResult].
type Emission struct {
	Signal    string    // the signal's name (see [BaseSignal.Name])
	Op        Operation // what started the emission
	Listeners int       // listeners registered when the emission started
	// Enqueued is, for OpDeliver, the observer that EmitStart returned for
	// the OpEnqueue of the emission, nil if it returned none: how a
	// collector carries what it decided at the enqueue (a span, timing) to
	// the delivery. A collector attached beside others ([NewMultiCollector])
	// may be given another collector's observer here, and must check that it
	// is its own.
	Enqueued EmitObserver
}

// Observe is the set of further calls an [EmitObserver] wants for its
// emission, as returned by [EmitObserver.Observe]. The zero value asks only for
// failed listener calls.
type Observe uint8

// Observe flags.
const (
	// ObserveEnd asks for EmitEnd.
	ObserveEnd Observe = 1 << iota
	// ObserveListeners asks for ListenerEnd after every listener call, not
	// only after failed ones.
	ObserveListeners
	// ObserveDurations asks for the emission's and every listener call's
	// duration to be measured (two clock reads per call), and for an
	// enqueued emission, for its time in the queue.
	ObserveDurations
	// ObserveListenerStart asks for ListenerStart before every listener
	// call (to start a span for each call, for example).
	ObserveListenerStart
)

// EmitResult is the outcome of an emission, passed to
// [EmitObserver.EmitEnd].
type EmitResult struct {
	// Calls is the number of listener calls the emission made.
	Calls int
	// Duration is the emission's duration if ObserveDurations was asked for,
	// and zero otherwise.
	Duration time.Duration
	// Err is what TryEmit returned, or for OpEnqueue why the emission was not
	// queued ([ErrQueueFull], [ErrClosed] or the context's error). It is nil
	// for Emit and for deliveries: their listener failures are reported by
	// ListenerEnd.
	Err error
	// QueueWait is, for OpDeliver, how long the emission waited in the
	// queue. It is measured only if the observer of the OpEnqueue asked for
	// ObserveDurations or the signal keeps stats; otherwise it is zero.
	QueueWait time.Duration

	// _ pads EmitResult to 48 bytes, a multiple of 16: a struct of 40 is
	// copied with overlapping 16-byte moves, and the second of the two
	// copies of an EmitEnd argument then waits for the first to reach the
	// cache (a failed store-to-load forwarding), which measured 5-7 ns per
	// counted emission (BenchmarkSyncEmit, listeners=1, impl=metrics, in
	// otelsignals/test).
	_ uintptr
}

// ListenerInfo identifies a listener to a [MetricsCollector].
type ListenerInfo struct {
	Signal     string // the signal's name
	Key        string // the listener's key, "" if it has none
	Once       bool   // added with AddOnce*
	ErrorAware bool   // added with *WithErr
}

// Change is what happened to a listener, reported by
// [MetricsCollector.ListenerChanged].
type Change uint8

// Listener changes.
const (
	ChangeAdd       Change = iota + 1 // added
	ChangeRemove                      // removed by RemoveListener
	ChangeReset                       // removed by Reset
	ChangeOnceFired                   // a one-time listener was claimed by an emission and removed
	ChangeDisable                     // disabled by the circuit breaker
	ChangeEnable                      // re-enabled after the circuit breaker disabled it
)

// String returns the change's name: "add", "remove", "reset", "once_fired",
// "disable" or "enable".
func (c Change) String() string {
	switch c {
	case ChangeAdd:
		return "add"
	case ChangeRemove:
		return "remove"
	case ChangeReset:
		return "reset"
	case ChangeOnceFired:
		return "once_fired"
	case ChangeDisable:
		return "disable"
	case ChangeEnable:
		return "enable"
	}
	return "unknown"
}
