package signals

import (
	"context"
	"time"
)

// NewMultiCollector returns a [MetricsCollector] that passes every operation
// to each of cs, in order, so that several collectors observe one signal:
// OpenTelemetry instrumentation beside a collector of your own, for example.
// Nil collectors are ignored. It is modelled on [log/slog.NewMultiHandler].
// A collector of cs that is a [ShareCollector] is shown only the share of
// emissions its [Share] says, as it would be alone; the returned collector
// itself has no Share: it is shown every emission.
//
// Each collector's EmitStart receives the context the one before it
// returned, and the listeners receive the last one's. Each collector's
// observer receives only the calls its own [EmitObserver.Observe] asks for
// (and durations only if it asks for them). An emission that more than one
// collector observes allocates one combined observer; one that at most one
// observes allocates nothing more than that collector does.
//
// The returned collector is safe for concurrent use if the collectors in cs
// are.
func NewMultiCollector(cs ...MetricsCollector) MetricsCollector {
	m := &multiCollector{}
	for _, c := range cs {
		if c != nil {
			m.cs = append(m.cs, c)
			m.shares = append(m.shares, shareOf(c))
		}
	}
	return m
}

// multiCollector is the collector NewMultiCollector returns.
type multiCollector struct {
	cs     []MetricsCollector // immutable
	shares []*Share           // the Share of each of cs (see shareOf)
}

var _ MetricsCollector = (*multiCollector)(nil)

// EmitStart starts the emission in every collector, and returns the observers
// that asked to observe it: nil if none did, the observer itself if one did,
// and a multiObserver otherwise. For a delivery, each collector is given the
// observer it returned for the enqueue.
func (m *multiCollector) EmitStart(ctx context.Context, e Emission) (context.Context, EmitObserver) {
	enq := m.enqueued(e)
	var (
		one   EmitObserver
		oneAt int
		many  *multiObserver
	)
	for i, c := range m.cs {
		if e.Op != OpDeliver && !m.shares[i].draw() {
			continue // not shown to c, as observer.shows decides
		}
		ei := e
		if enq != nil {
			ei.Enqueued = enq.parts[i].eo
		}
		lctx, eo := c.EmitStart(ctx, ei)
		if lctx != nil {
			ctx = lctx
		}
		switch {
		case eo == nil:
		case one == nil && many == nil:
			one, oneAt = eo, i
		default:
			if many == nil {
				many = &multiObserver{m: m, parts: make([]observerPart, len(m.cs))}
				many.add(oneAt, one)
			}
			many.add(i, eo)
		}
	}
	if many != nil {
		return ctx, many
	}
	return ctx, one
}

// enqueued returns the observer m returned for the enqueue of e, a delivery,
// if it was a multiObserver, and nil otherwise: then each collector is given
// e.Enqueued as it is, and recognizes its own.
func (m *multiCollector) enqueued(e Emission) *multiObserver {
	if enq, ok := e.Enqueued.(*multiObserver); ok && enq.m == m {
		return enq
	}
	return nil
}

// ListenerChanged passes the change to every collector.
func (m *multiCollector) ListenerChanged(l ListenerInfo, c Change) {
	for _, col := range m.cs {
		col.ListenerChanged(l, c)
	}
}

// Dropped passes the dropped emission to every collector.
func (m *multiCollector) Dropped(ctx context.Context, signal string, reason error) {
	for _, col := range m.cs {
		col.Dropped(ctx, signal, reason)
	}
}

// multiObserver is the observer of an emission that several collectors of a
// multiCollector observe. It is immutable once EmitStart has returned it.
type multiObserver struct {
	m     *multiCollector
	parts []observerPart // by the index of the collector in m.cs; eo nil if it observes nothing
	flags Observe        // the union of the parts' flags
}

// observerPart is one collector's observer of the emission, and what it asked
// for.
type observerPart struct {
	eo    EmitObserver
	flags Observe
}

// add records eo, the observer of collector i.
func (o *multiObserver) add(i int, eo EmitObserver) {
	f := eo.Observe()
	o.parts[i] = observerPart{eo: eo, flags: f}
	o.flags |= f
}

// Observe returns what any of the observers asks for.
func (o *multiObserver) Observe() Observe { return o.flags }

// ListenerStart calls ListenerStart of the observers that ask for it, each
// with the context the one before returned.
func (o *multiObserver) ListenerStart(ctx context.Context, l ListenerInfo) context.Context {
	for _, p := range o.parts {
		if p.flags&ObserveListenerStart != 0 {
			if c := p.eo.ListenerStart(ctx, l); c != nil {
				ctx = c
			}
		}
	}
	return ctx
}

// ListenerEnd reports the call to every observer for a failure, and to those
// that ask for every call otherwise, with its duration if they ask for it.
func (o *multiObserver) ListenerEnd(ctx context.Context, l ListenerInfo, d time.Duration, err error) {
	for _, p := range o.parts {
		if p.eo != nil && (err != nil || p.flags&ObserveListeners != 0) {
			p.eo.ListenerEnd(ctx, l, p.duration(d), err)
		}
	}
}

// EmitEnd reports the end of the emission to the observers that ask for it.
func (o *multiObserver) EmitEnd(ctx context.Context, e Emission, r EmitResult) {
	enq := o.m.enqueued(e)
	for i, p := range o.parts {
		if p.flags&ObserveEnd != 0 {
			pe, pr := e, r
			if enq != nil {
				pe.Enqueued = enq.parts[i].eo
			}
			pr.Duration = p.duration(r.Duration)
			p.eo.EmitEnd(ctx, pe, pr)
		}
	}
}

// duration returns d if the part asks for durations, and zero otherwise.
func (p *observerPart) duration(d time.Duration) time.Duration {
	if p.flags&ObserveDurations == 0 {
		return 0
	}
	return d
}
