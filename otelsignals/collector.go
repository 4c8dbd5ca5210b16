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

// The methods below implement signals.MetricsCollector, and those of
// observer signals.EmitObserver. The core calls them on the goroutines that
// run the emission, concurrently; each loads the effective settings once and
// takes no lock.

// observer is the signals.EmitObserver of an emission of an instrumentation:
// what EmitStart decided for it. Emissions that are not traced share the
// instrumentation's preallocated observers (see shared), so that they
// allocate nothing; a traced emission has one of its own, which holds its
// span.
type observer struct {
	c     *instrumentation
	flags signals.Observe
	// timed: durations are measured (for OpEnqueue: its delivery's too).
	timed bool
	// span is the emission's span; nil if it is not traced.
	span trace.Span
}

// shared are an instrumentation's observers of emissions that are not
// traced, allocated with it.
type shared struct {
	counting observer // metrics, untimed: count the calls and the failures
	timed    observer // metrics, timed
	enqueue  observer // metrics, a timed enqueue: its delivery is timed
}

// init sets the shared observers of c.
func (s *shared) init(c *instrumentation) {
	s.counting = observer{c: c, flags: signals.ObserveEnd}
	s.timed = observer{c: c, flags: timedFlags, timed: true}
	s.enqueue = observer{c: c, flags: signals.ObserveEnd | signals.ObserveDurations, timed: true}
}

// timedFlags ask for the durations of the emission and of each call.
const timedFlags = signals.ObserveEnd | signals.ObserveDurations | signals.ObserveListeners

// EmitStart counts the emission, decides whether it is timed (its rate, or
// the duration budget) and traced, and starts its span if it is. It returns
// no observer if neither metrics nor tracing need one.
func (c *instrumentation) EmitStart(ctx context.Context, e signals.Emission) (context.Context, signals.EmitObserver) {
	ef := c.eff.Load()
	if e.Op == signals.OpDeliver {
		return c.deliverStart(ctx, &e, ef)
	}
	timed := false
	if ef.metrics {
		n := uint64(c.counts.emissions.Add(1)) // #nosec G115 -- a sequence number for the hash and the budget: wrapping is harmless
		timed = ef.timeAll || timing.Mix(n) < ef.threshold || (ef.budget > 0 && c.budget.Take(ef.budget, n))
	}
	if ef.sampling {
		op := opIndex(e.Op)
		p := sampling.Parameters{Ctx: ctx, Signal: c.recorded, Operation: operationNames[op]}
		// A sampler that does not thin is asked here rather than
		// through sampleThinned: a call less measured 2-3 ns less per
		// emission (BenchmarkSyncEmit, impl=tracing-unsampled, in
		// otelsignals/test, one paired run).
		if ef.thinner == nil && ef.sampler.ShouldSample(p) || ef.thinner != nil && c.sampleThinned(ef, p) {
			return c.startEmission(ctx, &e, op, ef, timed)
		}
	}
	switch {
	case !ef.metrics:
		return ctx, nil
	case e.Op == signals.OpEnqueue:
		if timed {
			return ctx, &c.shared.enqueue // tells the delivery that it is timed
		}
		return ctx, nil // an untimed enqueue has no calls to count
	case timed:
		return ctx, &c.shared.timed
	}
	return ctx, &c.shared.counting
}

// sampleThinned decides whether an emission is traced when a sampler thins
// the emissions (ef.thinner): the signal drew this one with the thinner's
// share, so the thinned sampler decides it, and the share is set to what the
// thinner says now. If the settings changed meanwhile, the share is set again
// from them: either this load of c.eff sees the change, or the change's own
// applyShare comes after this Set.
func (c *instrumentation) sampleThinned(ef *effective, p sampling.Parameters) bool {
	sampled := ef.thinned.ShouldSample(p)
	c.share.Set(ef.thinner.Share())
	if c.eff.Load() != ef {
		c.applyShare()
	}
	return sampled
}

// deliverStart is EmitStart for the delivery of an enqueued emission: it is
// timed and traced exactly when its enqueue was (and metrics or tracing are
// still on), as the enqueue's observer, e.Enqueued, tells.
func (c *instrumentation) deliverStart(ctx context.Context, e *signals.Emission, ef *effective) (context.Context, signals.EmitObserver) {
	enq, ok := e.Enqueued.(*observer)
	if !ok || enq.c != c {
		enq = nil // the enqueue was neither timed nor traced (by c)
	}
	timed := ef.metrics && enq != nil && enq.timed
	if ef.tracing && enq != nil && enq.span != nil {
		// A child of the enqueue span (in ctx), so that the trace stays
		// whole, and linked to it, as the messaging conventions ask of a
		// process span: the enqueue span's context is the emission's
		// creation context.
		link := trace.WithLinks(trace.Link{SpanContext: enq.span.SpanContext()})
		return c.startEmission(ctx, e, signals.OpDeliver, ef, timed, link)
	}
	switch {
	case timed:
		return ctx, &c.shared.timed
	case ef.metrics:
		return ctx, &c.shared.counting
	}
	return ctx, nil
}

// Observe returns what the emission's instrumentation asked for.
func (o *observer) Observe() signals.Observe { return o.flags }

// EmitEnd counts the listener calls, records the duration of a timed
// emission (and a timed delivery's queue wait), and ends the emission's span.
func (o *observer) EmitEnd(ctx context.Context, e signals.Emission, r signals.EmitResult) {
	c := o.c
	if ef := c.eff.Load(); ef.metrics {
		if r.Calls > 0 {
			c.counts.calls.Add(int64(r.Calls))
		}
		if o.timed && e.Op == signals.OpDeliver && r.QueueWait > 0 {
			c.metrics.queueWait.Record(ctx, r.QueueWait.Seconds(), c.metrics.nameRec...)
		}
		if r.Duration > 0 && (e.Op != signals.OpEnqueue || r.Err != nil) {
			c.recordEmission(ctx, &e, r)
		}
	}
	if o.span != nil {
		if r.Err != nil {
			setError(o.span, r.Err)
		}
		o.span.End()
	}
}

// recordEmission records the duration of a timed emission: for a delivery,
// from its enqueue (queue wait included) until its last listener returned.
// An enqueue is recorded only if it failed, and a delivery records it.
func (c *instrumentation) recordEmission(ctx context.Context, e *signals.Emission, r signals.EmitResult) {
	d := r.Duration
	if e.Op == signals.OpDeliver {
		d += r.QueueWait
	}
	opts := c.metrics.nameKindRec
	if r.Err != nil {
		opts = c.metrics.forError(r.Err).rec
	}
	c.metrics.emissionDur.Record(ctx, d.Seconds(), opts...)
}

// ListenerStart starts the span of a listener call.
func (o *observer) ListenerStart(ctx context.Context, l signals.ListenerInfo) context.Context {
	return o.c.startListener(ctx, &l)
}

// ListenerEnd counts a failed call, records the duration of a timed one,
// and ends the call's span.
func (o *observer) ListenerEnd(ctx context.Context, _ signals.ListenerInfo, d time.Duration, err error) {
	c := o.c
	if ef := c.eff.Load(); ef.metrics && (err != nil || d > 0) {
		c.recordListener(ctx, d, err)
	}
	o.endListener(ctx, err)
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
