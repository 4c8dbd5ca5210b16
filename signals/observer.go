package signals

import (
	"context"
	"time"
)

// EmitObserver observes one emission for a [MetricsCollector]: the collector's
// EmitStart returns it, and the signal calls it for the emission's listener
// calls and its end, as [EmitObserver.Observe] asks. It is how a collector
// keeps per-emission state (a span, whether the emission is timed) without
// hiding it in the listeners' context.
//
// An observer may be shared by many emissions at once: one that holds no
// per-emission state (counting only, for example) can be preallocated, so
// that observed emissions allocate nothing. ListenerStart and ListenerEnd of
// one emission may run concurrently, on the goroutines that call its
// listeners (an [AsyncSignal] calls them on several); EmitEnd runs once, after
// the last listener call of the emission has returned. No method may block.
//
// Embed [NopObserver] in an implementation to keep it compiling when methods
// are added to this interface.
type EmitObserver interface {
	// Observe returns the calls the observer wants beyond the failed
	// listener calls, which it always receives. It is called once per
	// emission, right after EmitStart, and must return the same value for
	// the emission every time.
	Observe() Observe

	// ListenerStart is called before each listener call if Observe asks for
	// ObserveListenerStart. It returns the context that listener receives. It
	// is part of the listener's call: RemoveListener waits for it, so it
	// must not remove listeners itself.
	ListenerStart(ctx context.Context, l ListenerInfo) context.Context

	// ListenerEnd is called after a listener call that failed (err is the
	// listener's error, or a [*PanicError]), and after every call if Observe
	// asks for ObserveListeners. ctx is the context the listener received.
	// d is the call's duration if Observe asks for ObserveDurations, and zero
	// otherwise.
	ListenerEnd(ctx context.Context, l ListenerInfo, d time.Duration, err error)

	// EmitEnd is called after the last listener of the emission has
	// returned, if Observe asks for ObserveEnd. ctx is the context
	// EmitStart returned.
	EmitEnd(ctx context.Context, e Emission, r EmitResult)
}

// NopObserver is an [EmitObserver] that asks for nothing and does nothing.
// Embed it in an observer to implement only some methods.
type NopObserver struct{}

var _ EmitObserver = NopObserver{}

// Observe returns 0: only failed listener calls are reported.
func (NopObserver) Observe() Observe { return 0 }

// ListenerStart returns ctx.
func (NopObserver) ListenerStart(ctx context.Context, _ ListenerInfo) context.Context {
	return ctx
}

// ListenerEnd does nothing.
func (NopObserver) ListenerEnd(context.Context, ListenerInfo, time.Duration, error) {}

// EmitEnd does nothing.
func (NopObserver) EmitEnd(context.Context, Emission, EmitResult) {}

// watch is one emission's observation by the signal's collector: what its
// EmitStart returned, and what the end of the emission reports. Every path
// starts an observed emission with watch.begin and ends it with watch.end.
type watch struct {
	eo    EmitObserver // nil: the collector observes nothing more of the emission
	flags Observe      // eo.Observe(); 0 if eo is nil
	info  Emission
	start time.Duration // when the emission started, on monotime, if timed; 0 otherwise
	wait  time.Duration // a delivery's queue wait, if measured
}

// begin starts the observation of emission info by collector c and returns the
// context the listeners receive: ctx, or the one EmitStart returned. q is what
// a delivery knows of its enqueue, nil for other emissions.
func (w *watch) begin(ctx context.Context, c MetricsCollector, info Emission, q *enqueued) context.Context {
	w.info, w.wait = info, q.waited()
	lctx, eo := c.EmitStart(ctx, info)
	if lctx != nil {
		ctx = lctx
	}
	if eo != nil {
		w.eo, w.flags = eo, eo.Observe()
		if w.flags&ObserveDurations != 0 {
			w.start = monotime()
		}
	}
	return ctx
}

// end reports the end of the emission, which made calls listener calls and
// returns err: it counts it in stats, if not nil, and calls the observer's
// EmitEnd if it asked for it. ctx is the context begin returned.
func (w *watch) end(ctx context.Context, stats *counters, calls int, err error) {
	if stats != nil {
		stats.emitted(calls)
	}
	if w.flags&ObserveEnd == 0 {
		return
	}
	var d time.Duration
	if w.start != 0 {
		d = monotime() - w.start
	}
	w.eo.EmitEnd(ctx, w.info, EmitResult{Calls: calls, Duration: d, Err: err, QueueWait: w.wait})
}

// enqueued is what the delivery of an enqueued emission knows of its enqueue:
// how long it waited in the queue (if measured), and the observer the
// enqueue's EmitStart returned.
type enqueued struct {
	wait time.Duration
	by   EmitObserver
}

// waited returns q's queue wait; 0 if q is nil.
func (q *enqueued) waited() time.Duration {
	if q == nil {
		return 0
	}
	return q.wait
}

// statsOf returns c, the signal's counters, if o counts emissions in the
// stats, and nil otherwise.
func (o *observer) statsOf(c *counters) *counters {
	if o != nil && o.stats {
		return c
	}
	return nil
}
