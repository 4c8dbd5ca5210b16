package otelsignals

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/internal/timing"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

// The methods below implement signals.MetricsCollector. The core calls them
// on the goroutines that run the emission, concurrently; each loads the
// effective settings once and takes no lock.

// EmitStart counts the emission, decides whether it is timed (its rate, or
// the duration budget) and traced, and starts its span if it is.
func (c *instrumentation) EmitStart(ctx context.Context, e signals.Emission) (context.Context, signals.Observe) {
	ef := c.eff.Load()
	if e.Op == signals.OpDeliver {
		return c.deliverStart(ctx, &e, ef)
	}
	var flags signals.Observe
	timed := false
	if ef.metrics {
		n := uint64(c.counts.emissions.Add(1)) // #nosec G115 -- a sequence number for the hash and the budget: wrapping is harmless
		timed = ef.timeAll || timing.Mix(n) < ef.threshold || (ef.budget > 0 && c.budget.Take(ef.budget, n))
		switch {
		case timed:
			flags = signals.ObserveEnd | signals.ObserveDurations | signals.ObserveListeners
		case e.Op != signals.OpEnqueue:
			flags = signals.ObserveEnd // to count the listener calls
		}
	}
	if ef.tracing {
		op := opIndex(e.Op)
		p := sampling.Parameters{Ctx: ctx, Signal: c.recorded, Operation: operationNames[op]}
		if ef.sampler.ShouldSample(p) {
			flags |= signals.ObserveEnd
			if ef.listenerSpans {
				flags |= signals.ObserveListenerSpans | signals.ObserveListeners
			}
			return c.startEmission(ctx, &e, op, timed), flags
		}
	}
	if timed && e.Op == signals.OpEnqueue {
		// Tell the delivery that it is timed.
		return &emitCtx{Context: ctx, inst: c, op: e.Op, timed: true}, flags
	}
	return c.hideOuter(ctx), flags
}

// deliverStart is EmitStart for the delivery of an enqueued emission: it is
// timed and traced exactly when its enqueue was (and metrics or tracing are
// still on), as the context returned for the enqueue tells.
func (c *instrumentation) deliverStart(ctx context.Context, e *signals.Emission, ef *effective) (context.Context, signals.Observe) {
	var flags signals.Observe
	if ef.metrics {
		flags = signals.ObserveEnd
	}
	m, ok := ctx.(*emitCtx)
	if !ok || m.inst != c || m.op != signals.OpEnqueue {
		return ctx, flags // the enqueue was neither timed nor traced
	}
	if ef.metrics && m.timed {
		flags |= signals.ObserveDurations | signals.ObserveListeners
		if e.QueueWait > 0 {
			c.metrics.queueWait.Record(ctx, e.QueueWait.Seconds(), c.metrics.nameRec...)
		}
	}
	if ef.tracing && m.span != nil {
		flags |= signals.ObserveEnd
		if ef.listenerSpans {
			flags |= signals.ObserveListenerSpans | signals.ObserveListeners
		}
		// A child of the enqueue span, so that the trace stays whole, and
		// linked to it, as the messaging conventions ask of a process span:
		// the enqueue span's context is the emission's creation context.
		link := trace.WithLinks(trace.Link{SpanContext: m.span.SpanContext()})
		return c.startEmission(m, e, signals.OpDeliver, m.timed, link), flags
	}
	return m.Context, flags
}

// hideOuter returns ctx, or if ctx is a context of an emission or listener
// span of this instrumentation, ctx behind a plainCtx: an inner emission
// that is not traced must not end them.
func (c *instrumentation) hideOuter(ctx context.Context) context.Context {
	switch x := ctx.(type) {
	case *emitCtx:
		if x.inst == c {
			return plainCtx{ctx}
		}
	case *listenerCtx:
		if x.inst == c {
			return plainCtx{ctx}
		}
	}
	return ctx
}

// EmitEnd counts the listener calls, records the duration of a timed
// emission, and ends the emission's span.
func (c *instrumentation) EmitEnd(ctx context.Context, e signals.Emission, r signals.EmitResult) {
	if ef := c.eff.Load(); ef.metrics {
		if r.Calls > 0 {
			c.counts.calls.Add(int64(r.Calls))
		}
		if r.Duration > 0 && (e.Op != signals.OpEnqueue || r.Err != nil) {
			c.recordEmission(ctx, &e, r)
		}
	}
	if ec, ok := ctx.(*emitCtx); ok && ec.inst == c && ec.op == e.Op && ec.span != nil {
		endEmission(ec, r.Err)
	}
}

// recordEmission records the duration of a timed emission: for a delivery,
// from its enqueue (queue wait included) until its last listener returned.
// An enqueue is recorded only if it failed, and a delivery records it.
func (c *instrumentation) recordEmission(ctx context.Context, e *signals.Emission, r signals.EmitResult) {
	d := r.Duration
	if e.Op == signals.OpDeliver {
		d += e.QueueWait
	}
	opts := c.metrics.nameKindRec
	if r.Err != nil {
		opts = c.metrics.forError(r.Err).rec
	}
	c.metrics.emissionDur.Record(ctx, d.Seconds(), opts...)
}

// ListenerStart starts the span of a listener call.
func (c *instrumentation) ListenerStart(ctx context.Context, l signals.ListenerInfo) context.Context {
	return c.startListener(ctx, &l)
}

// ListenerEnd counts a failed call, records the duration of a timed one,
// and ends the call's span.
func (c *instrumentation) ListenerEnd(ctx context.Context, _ signals.ListenerInfo, d time.Duration, err error) {
	if ef := c.eff.Load(); ef.metrics && (err != nil || d > 0) {
		c.recordListener(ctx, d, err)
	}
	c.endListener(ctx, err)
}

// recordListener counts a failed call and records a measured duration d.
func (c *instrumentation) recordListener(ctx context.Context, d time.Duration, err error) {
	m := &c.metrics
	if err == nil {
		m.listenerDur.Record(ctx, d.Seconds(), m.nameKindRec...)
		return
	}
	eo := m.forError(err)
	m.errors.Add(ctx, 1, eo.add...)
	if d > 0 {
		m.listenerDur.Record(ctx, d.Seconds(), eo.rec...)
	}
}

// ListenerChanged counts a change to the signal's listeners.
func (c *instrumentation) ListenerChanged(_ signals.ListenerInfo, ch signals.Change) {
	if !c.eff.Load().metrics || int(ch) >= len(c.metrics.changeAdd) {
		return
	}
	if opts := c.metrics.changeAdd[ch]; opts != nil {
		c.metrics.changes.Add(context.Background(), 1, opts...)
	}
}

// Dropped counts a dropped enqueued emission by reason.
func (c *instrumentation) Dropped(_ context.Context, _ string, reason error) {
	if !c.eff.Load().metrics {
		return
	}
	if errors.Is(reason, signals.ErrQueueFull) {
		c.counts.droppedFull.Add(1)
	} else {
		c.counts.droppedClosed.Add(1)
	}
}
