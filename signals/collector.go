package signals

import (
	"context"
	"time"
)

// MetricsCollector receives every operation of the signals it is attached to
// with [BaseSignal.SetCollector]: emissions, listener calls, listener changes
// and dropped emissions. It is how package otelsignals maps signals to
// OpenTelemetry; implement it to feed another monitoring system.
//
// A collector is not generic, so one implementation serves signals of every
// payload type. Every method may be called concurrently from many goroutines,
// including from inside listeners, and must not block. Methods of an emission
// run on the goroutine that runs that part of the emission: EmitStart and
// EmitEnd on the emitting goroutine (for a delivery of an enqueued emission,
// on a pool worker), ListenerStart and ListenerEnd on the goroutine that calls
// the listener.
//
// Embed [NopCollector] in an implementation to keep it compiling when methods
// are added to this interface.
type MetricsCollector interface {
	// EmitStart is called when an emission starts, before any listener runs.
	// It returns the context the listeners receive (ctx itself, or a context
	// derived from it, for example carrying a span) and the further calls the
	// collector wants for this emission.
	EmitStart(ctx context.Context, e Emission) (context.Context, Observe)

	// EmitEnd is called after the last listener of an emission has returned,
	// if EmitStart asked for it with ObserveEnd. ctx is the context EmitStart
	// returned.
	EmitEnd(ctx context.Context, e Emission, r EmitResult)

	// ListenerStart is called before each listener call if EmitStart asked
	// for it with ObserveListenerSpans. It returns the context that listener
	// receives. It is part of the listener's call: RemoveListener waits for
	// it, so it must not remove listeners itself.
	ListenerStart(ctx context.Context, l ListenerInfo) context.Context

	// ListenerEnd is called after a listener call that failed (err is the
	// listener's error, or a [*PanicError]), and after every call if
	// EmitStart asked for it with ObserveListeners. d is the call's duration
	// if EmitStart asked for ObserveDurations, and zero otherwise.
	ListenerEnd(ctx context.Context, l ListenerInfo, d time.Duration, err error)

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

// EmitStart returns ctx and asks for nothing more.
func (NopCollector) EmitStart(ctx context.Context, _ Emission) (context.Context, Observe) {
	return ctx, 0
}

// EmitEnd does nothing.
func (NopCollector) EmitEnd(context.Context, Emission, EmitResult) {}

// ListenerStart returns ctx.
func (NopCollector) ListenerStart(ctx context.Context, _ ListenerInfo) context.Context {
	return ctx
}

// ListenerEnd does nothing.
func (NopCollector) ListenerEnd(context.Context, ListenerInfo, time.Duration, error) {}

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
type Emission struct {
	Signal    string    // the signal's name (see [BaseSignal.Name])
	Kind      Kind      // the signal's kind
	Op        Operation // what started the emission
	Listeners int       // listeners registered when the emission started
	// QueueWait is, for OpDeliver, how long the emission waited in the
	// queue. It is measured only if EmitStart of the OpEnqueue asked for
	// ObserveDurations or the signal keeps stats; otherwise it is zero.
	QueueWait time.Duration
}

// Observe is the set of further calls a collector wants for one emission, as
// returned by [MetricsCollector.EmitStart]. The zero value asks for nothing,
// so that an emission costs the collector one call.
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
	// ObserveListenerSpans asks for ListenerStart before every listener call.
	ObserveListenerSpans
)

// EmitResult is the outcome of an emission, passed to
// [MetricsCollector.EmitEnd].
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
