package test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signals/signalstest"
)

// attrs returns the attributes of span s by key.
func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value)
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// byName returns the ended spans named name.
func (e *env) byName(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range e.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// one returns the only ended span named name.
func (e *env) one(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	spans := e.byName(name)
	if len(spans) != 1 {
		t.Fatalf("%d spans named %q, want 1 (ended: %q)", len(spans), name, e.SpanNames())
	}
	return spans[0]
}

func TestEmissionSpan(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders"})
	svc := attribute.String("service", "shop")
	err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSampler(sampling.Always()), otelsignals.WithAttributes(svc))...)
	if err != nil {
		t.Fatal(err)
	}
	var seen signalstest.Recorder[trace.SpanContext]
	for range 2 {
		sig.AddListener(func(ctx context.Context, _ int) { seen.Record(ctx, trace.SpanContextFromContext(ctx)) })
	}
	sig.Emit(context.Background(), 1)

	s := e.one(t, "emit orders")
	if s.SpanKind() != trace.SpanKindProducer {
		t.Errorf("kind = %v, want producer", s.SpanKind())
	}
	if s.InstrumentationScope().Name != otelsignals.ScopeName || s.InstrumentationScope().Version != otelsignals.Version {
		t.Errorf("scope = %+v", s.InstrumentationScope())
	}
	want := map[attribute.Key]attribute.Value{
		semconv.MessagingSystemKey:          attribute.StringValue(semconv.MessagingSystemValue),
		semconv.MessagingDestinationNameKey: attribute.StringValue("orders"),
		semconv.MessagingOperationTypeKey:   attribute.StringValue("send"),
		semconv.MessagingOperationNameKey:   attribute.StringValue(semconv.OperationEmit),
		semconv.SignalKindKey:               attribute.StringValue("sync"),
		semconv.ListenerCountKey:            attribute.IntValue(2),
		"service":                           attribute.StringValue("shop"),
	}
	got := attrs(s)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attribute %s = %v, want %v", k, got[k].String(), v.String())
		}
	}
	if len(got) != len(want) {
		t.Errorf("attributes = %v, want %v", got, want)
	}
	if s.Status().Code != codes.Unset {
		t.Errorf("status = %v, want unset", s.Status())
	}
	for _, sc := range seen.Events() {
		if !sc.Equal(s.SpanContext()) {
			t.Errorf("listener context carries span %v, want the emission span %v", sc.SpanID(), s.SpanContext().SpanID())
		}
	}
}

func TestListenerSpans(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders", ErrorHandler: ignore})
	err := otelsignals.Instrument(sig, e.Options(
		otelsignals.WithSampler(sampling.Always()),
		otelsignals.WithListenerSpans(true),
		otelsignals.WithListenerKeyAttribute(true),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	var seen signalstest.Recorder[trace.SpanContext]
	sig.AddListener(func(ctx context.Context, _ int) { seen.Record(ctx, trace.SpanContextFromContext(ctx)) }, "audit")
	sig.AddListenerWithErr(func(context.Context, int) error { return &boomError{} })
	sig.AddListener(func(context.Context, int) { panic("p") })
	sig.Emit(context.Background(), 1)

	emission := e.one(t, "emit orders")
	listeners := e.byName("process orders")
	if len(listeners) != 3 {
		t.Fatalf("%d listener spans, want 3", len(listeners))
	}
	for _, l := range listeners {
		if l.Parent().SpanID() != emission.SpanContext().SpanID() || l.SpanContext().TraceID() != emission.SpanContext().TraceID() {
			t.Errorf("listener span's parent = %v, want the emission span", l.Parent().SpanID())
		}
		if l.SpanKind() != trace.SpanKindConsumer {
			t.Errorf("listener span kind = %v, want consumer", l.SpanKind())
		}
		if a := attrs(l); a[semconv.MessagingOperationTypeKey].AsString() != "process" ||
			a[semconv.MessagingOperationNameKey].AsString() != semconv.OperationProcess {
			t.Errorf("listener span attributes = %v", a)
		}
	}
	keyed, failed, panicked := listeners[0], listeners[1], listeners[2]
	if k := attrs(keyed)[semconv.ListenerKeyKey]; k.AsString() != "audit" {
		t.Errorf("listener key = %q, want audit", k.AsString())
	}
	if sc := seen.Events(); len(sc) != 1 || !sc[0].Equal(keyed.SpanContext()) {
		t.Errorf("listener context carries %v, want its own span %v", sc, keyed.SpanContext())
	}
	if _, ok := attrs(failed)[semconv.ListenerKeyKey]; ok {
		t.Error("an unkeyed listener's span has a key")
	}
	if failed.Status().Code != codes.Error || attrs(failed)[semconv.ErrorTypeKey].AsString() != semconv.ErrorTypeOf(&boomError{}) {
		t.Errorf("failed listener span: status %v, attributes %v", failed.Status(), attrs(failed))
	}
	if panicked.Status().Code != codes.Error || attrs(panicked)[semconv.ErrorTypeKey].AsString() != semconv.ErrorTypePanic {
		t.Errorf("panicked listener span: status %v, attributes %v", panicked.Status(), attrs(panicked))
	}
	if ev := panicked.Events(); len(ev) != 1 || ev[0].Name != "exception" {
		t.Errorf("panicked listener span events = %v, want one exception", ev)
	}
	if emission.Status().Code != codes.Unset {
		t.Errorf("emission status = %v, want unset: Emit itself did not fail", emission.Status())
	}
}

func TestTryEmitFailureSpan(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "t"})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSampler(sampling.Always()))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListenerWithErr(func(context.Context, int) error { return &boomError{} })
	if err := sig.TryEmit(context.Background(), 1); err == nil {
		t.Fatal("TryEmit did not fail")
	}
	s := e.one(t, "try_emit t")
	if s.Status().Code != codes.Error || s.Status().Description != "boom" {
		t.Errorf("status = %v, want Error boom", s.Status())
	}
	if got := attrs(s)[semconv.ErrorTypeKey].AsString(); got != semconv.ErrorTypeOf(&boomError{}) {
		t.Errorf("error.type = %q", got)
	}
	// Without listener spans, the failure is an event of the emission span.
	if ev := s.Events(); len(ev) != 1 || ev[0].Name != "exception" {
		t.Errorf("events = %v, want one exception", ev)
	}
}

func TestEnqueueDelivery(t *testing.T) {
	for _, listenerSpans := range []bool{false, true} {
		name := "no listener spans"
		if listenerSpans {
			name = "listener spans"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "jobs", ErrorHandler: ignore})
			defer sig.Close()
			err := otelsignals.Instrument(sig, e.Options(
				otelsignals.WithSampler(sampling.Always()),
				otelsignals.WithListenerSpans(listenerSpans),
			)...)
			if err != nil {
				t.Fatal(err)
			}
			var seen signalstest.Recorder[trace.SpanContext]
			sig.AddListener(func(ctx context.Context, _ int) { seen.Record(ctx, trace.SpanContextFromContext(ctx)) })
			sig.AddListenerWithErr(func(context.Context, int) error { return &boomError{} })
			if err := sig.Enqueue(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			if err := sig.Close(); err != nil {
				t.Fatal(err)
			}
			enqueue := e.one(t, "enqueue jobs")
			if enqueue.SpanKind() != trace.SpanKindProducer || attrs(enqueue)[semconv.MessagingOperationNameKey].AsString() != "enqueue" {
				t.Errorf("enqueue span: kind %v, attributes %v", enqueue.SpanKind(), attrs(enqueue))
			}
			process := e.byName("process jobs")
			var delivery sdktrace.ReadOnlySpan
			for _, s := range process {
				if s.Parent().SpanID() == enqueue.SpanContext().SpanID() {
					delivery = s
				}
			}
			if delivery == nil {
				t.Fatalf("no process span is a child of the enqueue span")
			}
			if delivery.SpanContext().TraceID() != enqueue.SpanContext().TraceID() {
				t.Error("the delivery is in another trace")
			}
			if delivery.SpanKind() != trace.SpanKindConsumer || attrs(delivery)[semconv.ListenerCountKey].AsInt64() != 2 {
				t.Errorf("delivery span: kind %v, attributes %v", delivery.SpanKind(), attrs(delivery))
			}
			// The messaging conventions: a process span links to the
			// message's creation context, here the enqueue span.
			if links := delivery.Links(); len(links) != 1 || !links[0].SpanContext.Equal(enqueue.SpanContext()) {
				t.Errorf("delivery links = %v, want one link to the enqueue span %v", links, enqueue.SpanContext())
			}
			for _, s := range e.spans.Ended() {
				if s != delivery && len(s.Links()) != 0 {
					t.Errorf("span %q has links %v; only the delivery span links", s.Name(), s.Links())
				}
			}
			sc := seen.Events()
			if len(sc) != 1 {
				t.Fatalf("listener called %d times", len(sc))
			}
			if !listenerSpans {
				if len(process) != 1 {
					t.Errorf("%d process spans, want 1", len(process))
				}
				if !sc[0].Equal(delivery.SpanContext()) {
					t.Error("the listener's context does not carry the delivery span")
				}
				if ev := delivery.Events(); len(ev) != 1 || ev[0].Name != "exception" {
					t.Errorf("delivery events = %v, want one exception for the failed listener", ev)
				}
				return
			}
			if len(process) != 3 {
				t.Errorf("%d process spans, want 3", len(process))
			}
			children := 0
			for _, s := range process {
				if s.Parent().SpanID() == delivery.SpanContext().SpanID() {
					children++
				}
			}
			if children != 2 {
				t.Errorf("%d listener spans under the delivery, want 2", children)
			}
		})
	}
}

// TestEnqueueRefusedSpan checks the error status of an enqueue that the
// queue refuses.
func TestEnqueueRefusedSpan(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{
		Name: "full", WorkerPoolSize: 1, QueueSize: 1, Overflow: signals.OverflowDrop,
	})
	b := newBlocker()
	defer sig.Close()
	defer b.unblock()
	err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSampler(sampling.Always()), otelsignals.WithDurationSampleRate(1))...)
	if err != nil {
		t.Fatal(err)
	}
	sig.AddListener(b.listen)
	ctx := context.Background()
	if err := sig.Enqueue(ctx, 1); err != nil {
		t.Fatal(err)
	}
	<-b.started
	if err := sig.Enqueue(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := sig.Enqueue(ctx, 3); !errors.Is(err, signals.ErrQueueFull) {
		t.Fatalf("Enqueue = %v, want ErrQueueFull", err)
	}
	b.unblock()
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	var failed int
	for _, s := range e.byName("enqueue full") {
		if s.Status().Code == codes.Error && attrs(s)[semconv.ErrorTypeKey].AsString() == semconv.ErrorTypeOf(signals.ErrQueueFull) {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d failed enqueue spans, want 1", failed)
	}
	got := e.Collect(t)
	failedKV := with(nameKind("full", semconv.SignalKindAsync), semconv.ErrorType(signals.ErrQueueFull))
	if c, _ := got.HistogramCount(semconv.EmissionDurationName, failedKV...); c != 1 {
		t.Errorf("failed emission durations = %d, want 1", c)
	}
}

func TestParentBasedDefault(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "p"})
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	if n := len(e.spans.Ended()); n != 0 {
		t.Fatalf("%d spans for an emission outside a trace, want 0", n)
	}
	ctx, parent := e.TracerProvider().Tracer("test").Start(context.Background(), "request")
	sig.Emit(ctx, 2)
	parent.End()
	s := e.one(t, "emit p")
	if s.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Error("the emission span is not a child of the request span")
	}
}

// rootOnly samples emissions outside any span.
type rootOnly struct{}

func (rootOnly) ShouldSample(p sampling.Parameters) bool {
	return !trace.SpanContextFromContext(p.Ctx).IsValid()
}

func (rootOnly) Description() string { return "rootOnly" }

// TestNestedEmission emits on a signal from its own listener, with a
// context carrying the outer emission's span: the inner emission is not
// traced and must not end the outer spans.
func TestNestedEmission(t *testing.T) {
	for _, listenerSpans := range []bool{false, true} {
		t.Run(map[bool]string{false: "emission span", true: "listener span"}[listenerSpans], func(t *testing.T) {
			e := newEnv(t)
			sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "n", ErrorHandler: ignore})
			err := otelsignals.Instrument(sig, e.Options(
				otelsignals.WithSampler(rootOnly{}),
				otelsignals.WithListenerSpans(listenerSpans),
				otelsignals.WithDurationSampleRate(1),
			)...)
			if err != nil {
				t.Fatal(err)
			}
			recording := true
			sig.AddListenerWithErr(func(ctx context.Context, depth int) error {
				if depth > 0 {
					return &boomError{}
				}
				sig.Emit(ctx, depth+1)
				if err := sig.TryEmit(ctx, depth+1); err == nil {
					t.Error("inner TryEmit did not fail")
				}
				recording = trace.SpanFromContext(ctx).IsRecording()
				return nil
			})
			sig.Emit(context.Background(), 0)
			if !recording {
				t.Error("the inner emissions ended the outer span")
			}
			want := []string{"emit n"}
			if listenerSpans {
				want = []string{"process n", "emit n"}
			}
			if got := e.SpanNames(); !equal(got, want) {
				t.Errorf("ended spans = %q, want %q", got, want)
			}
		})
	}
}

func TestSpanNameFormatter(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "f"})
	err := otelsignals.Instrument(sig, e.Options(
		otelsignals.WithSampler(sampling.Always()),
		otelsignals.WithListenerSpans(true),
		otelsignals.WithSpanNameFormatter(func(op, signal string) string { return signal + "." + op }),
		otelsignals.WithSpanNameFormatter(nil), // ignored
	)...)
	if err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) {})
	sig.Emit(context.Background(), 1)
	if got, want := e.SpanNames(), []string{"f.process", "f.emit"}; !equal(got, want) {
		t.Errorf("span names = %q, want %q", got, want)
	}
}

func TestAsyncEmitSpan(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "ae"})
	defer sig.Close()
	err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSampler(sampling.Always()), otelsignals.WithListenerSpans(true))...)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		sig.AddListener(func(context.Context, int) {})
	}
	sig.Emit(context.Background(), 1)
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	emission := e.one(t, "emit ae")
	if k := attrs(emission)[semconv.SignalKindKey].AsString(); k != "async" {
		t.Errorf("signals.kind = %q, want async", k)
	}
	for _, s := range e.byName("process ae") {
		if s.Parent().SpanID() != emission.SpanContext().SpanID() {
			t.Error("a listener span is not a child of the emission span")
		}
	}
	if n := len(e.byName("process ae")); n != 3 {
		t.Errorf("%d listener spans, want 3", n)
	}
}
