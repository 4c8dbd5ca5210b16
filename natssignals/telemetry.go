package natssignals

import (
	"context"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/internal/timing"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
)

// telemetry is what a publisher and a subscriber share: the tracer, the
// sampler, the duration selection and the meter, all set up once.
type telemetry struct {
	tracer   trace.Tracer
	sampler  sampling.Sampler
	spanName string
	subject  string // recorded as the signal name for the sampler
	op       string // semconv.OperationPublish or semconv.OperationProcess

	threshold uint64 // a message is timed when timing.Mix(seq) < threshold
	all       bool   // every message is timed
	budget    int64  // messages timed per second whatever the rate; 0: none
	seq       atomic.Uint64
	window    timing.Budget // the duration budget's window

	meter metric.Meter
	reg   metric.Registration
}

func (t *telemetry) init(cfg *config, subject, op string) {
	*t = telemetry{
		tracer: cfg.tracerProvider.Tracer(ScopeName,
			trace.WithInstrumentationVersion(Version),
			trace.WithSchemaURL(semconv.SchemaURL)),
		sampler:  cfg.sampler,
		spanName: semconv.SpanName(op, subject),
		subject:  subject,
		op:       op,
		meter: cfg.meterProvider.Meter(ScopeName,
			metric.WithInstrumentationVersion(Version),
			metric.WithSchemaURL(semconv.SchemaURL)),
	}
	t.all = cfg.rate >= 1
	if !t.all {
		t.threshold = timing.Threshold(cfg.rate)
	}
	switch {
	case cfg.budget == 0:
		t.budget = DefaultDurationBudget
	case cfg.budget > 0:
		t.budget = int64(cfg.budget)
	}
}

// traced reports whether the sampler wants a span for a message in ctx.
func (t *telemetry) traced(ctx context.Context) bool {
	return t.sampler.ShouldSample(sampling.Parameters{Ctx: ctx, Signal: t.subject, Operation: t.op})
}

// timed reports whether the next message's duration is recorded: every
// message up to the duration budget of each second, and the sampled
// fraction of the others, as otelsignals decides for emissions (package
// internal/timing, which both share).
func (t *telemetry) timed() bool {
	if t.all {
		return true
	}
	if t.threshold == 0 && t.budget == 0 {
		return false
	}
	n := t.seq.Add(1)
	return timing.Mix(n) < t.threshold || (t.budget > 0 && t.window.Take(t.budget, n))
}

// unregister removes the observable callback, if one was registered.
func (t *telemetry) unregister() {
	if t.reg != nil {
		if err := t.reg.Unregister(); err != nil {
			otel.Handle(err)
		}
	}
}

// byType counts failures by error.type. The error types an application
// meets are few, so the map stays small.
type byType struct {
	m sync.Map // string -> *atomic.Int64
}

func (b *byType) add(errType string) {
	v, ok := b.m.Load(errType)
	if !ok {
		v, _ = b.m.LoadOrStore(errType, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

func (b *byType) each(f func(errType string, n int64)) {
	b.m.Range(func(k, v any) bool {
		f(k.(string), v.(*atomic.Int64).Load())
		return true
	})
}

// observe reports b through o, one data point per error.type, with base.
func (b *byType) observe(o metric.Observer, inst metric.Int64Observable, base []attribute.KeyValue) {
	b.each(func(errType string, n int64) {
		o.ObserveInt64(inst, n, metric.WithAttributeSet(attribute.NewSet(append(base[:len(base):len(base)], semconv.ErrorTypeKey.String(errType))...)))
	})
}

// durations records a histogram with one set of attributes for success
// and one per error.type, computed once each.
type durations struct {
	hist   metric.Float64Histogram
	base   []attribute.KeyValue
	ok     []metric.RecordOption
	byType sync.Map // string -> []metric.RecordOption
}

func newDurations(meter metric.Meter, name, unit, desc string, base []attribute.KeyValue) *durations {
	h, err := meter.Float64Histogram(name, metric.WithUnit(unit), metric.WithDescription(desc),
		metric.WithExplicitBucketBoundaries(semconv.MessagingDurationBuckets()...))
	if err != nil {
		otel.Handle(err)
	}
	return &durations{hist: h, base: base, ok: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(base...))}}
}

func (d *durations) record(ctx context.Context, seconds float64, err error) {
	if d.hist == nil {
		return
	}
	if err == nil {
		d.hist.Record(ctx, seconds, d.ok...)
		return
	}
	t := semconv.ErrorTypeOf(err)
	opts, ok := d.byType.Load(t)
	if !ok {
		kvs := append(d.base[:len(d.base):len(d.base)], semconv.ErrorTypeKey.String(t))
		opts, _ = d.byType.LoadOrStore(t, []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kvs...))})
	}
	d.hist.Record(ctx, seconds, opts.([]metric.RecordOption)...)
}

// setError marks span as failed with err.
func setError(span trace.Span, err error) {
	span.SetStatus(codes.Error, err.Error())
	span.SetAttributes(semconv.ErrorType(err))
}

// serverAttrs returns server.address and server.port of the server nc is
// connected to, or nothing while it is not connected.
func serverAttrs(nc *nats.Conn) []attribute.KeyValue {
	host, port, err := net.SplitHostPort(nc.ConnectedAddr())
	if err != nil {
		return nil
	}
	p, _ := strconv.Atoi(port) // a port of a connected TCP address
	return []attribute.KeyValue{semconv.ServerAddressKey.String(host), semconv.ServerPortKey.Int(p)}
}

// observableCounter creates an Int64ObservableCounter, passing an error to
// otel.Handle; it returns nil if the instrument could not be created.
func observableCounter(m metric.Meter, name, unit, desc string) metric.Int64ObservableCounter {
	i, err := m.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	if err != nil {
		otel.Handle(err)
		return nil
	}
	return i
}

// observableGauge creates an Int64ObservableUpDownCounter, passing an
// error to otel.Handle; it returns nil if the instrument could not be
// created.
func observableGauge(m metric.Meter, name, unit, desc string) metric.Int64ObservableUpDownCounter {
	i, err := m.Int64ObservableUpDownCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	if err != nil {
		otel.Handle(err)
		return nil
	}
	return i
}

// observables returns the instruments of list that could be created.
func observables(list ...metric.Observable) []metric.Observable {
	out := make([]metric.Observable, 0, len(list))
	for _, o := range list {
		if o != nil {
			out = append(out, o)
		}
	}
	return out
}
