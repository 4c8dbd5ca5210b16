package test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/otelsignals/otelsignalstest"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// spansNamed returns the ended spans named name.
func spansNamed(tel *otelsignalstest.Telemetry, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.SpanRecorder().Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// TestOneTrace: an emission inside a sampled trace, on an instrumented
// signal, has a publish span; the remote process span is its child and
// links to it; the remote signal's emission and listener spans are the
// process span's descendants. All in one trace.
func TestOneTrace(t *testing.T) {
	tel := otelsignalstest.New(t)
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	telOpts := []natssignals.Option{
		natssignals.WithTracerProvider(tel.TracerProvider()), natssignals.WithMeterProvider(tel.MeterProvider()),
		natssignals.WithPropagator(prop), natssignals.WithDurationSampleRate(1), quiet(t),
	}

	local := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed"})
	if err := otelsignals.Instrument(local, tel.Options()...); err != nil {
		t.Fatal(err)
	}
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, toPublish(telOpts)...)
	if err != nil {
		t.Fatal(err)
	}
	remote := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.received"})
	if err := otelsignals.Instrument(remote, tel.Options(otelsignals.WithListenerSpans(true))...); err != nil {
		t.Fatal(err)
	}
	got := newReceived()
	remote.AddListener(got.add, "ship")
	sub, err := natssignals.Subscribe(ctxT(t), srv.connect(t), "orders.created", "worker", remote, toSubscribe(telOpts)...)
	if err != nil {
		t.Fatal(err)
	}

	// The request: a sampled root span, as otelhttp makes.
	ctx, root := tel.TracerProvider().Tracer("test").Start(context.Background(), "POST /orders")
	if err := local.TryEmit(ctx, Order{ID: "T-1"}); err != nil {
		t.Fatal(err)
	}
	root.End()
	// Outside any trace: no span of the bridge (ParentBased(Never)).
	if err := local.TryEmit(context.Background(), Order{ID: "T-2"}); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, 10*time.Second, "2 orders", func() bool { return got.len() == 2 })
	var m metricdata.ResourceMetrics
	settled := func() bool {
		m = tel.Collect(t).ResourceMetrics()
		h, c := natsHistograms(m), natsSums(m)
		var consumed, sent int64
		for _, v := range c[semconv.MessagingClientConsumedMessagesName] {
			consumed += v
		}
		for _, v := range c[semconv.MessagingClientSentMessagesName] {
			sent += v
		}
		// One collection runs the callbacks (the counters) before it reads
		// the histograms, so a message settled in between is in the
		// histograms and not yet in the counters: wait for both.
		return h[semconv.MessagingClientOperationDurationName] == 2 && h[semconv.MessagingProcessDurationName] == 2 &&
			consumed == 2 && sent == 2
	}
	if err := waitUntil(10*time.Second, settled, nil); err != nil {
		t.Fatalf("durations and counts of both messages: %v", err)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}

	traceID := root.SpanContext().TraceID()
	emits := spansNamed(tel, "try_emit order.placed")
	pubs := spansNamed(tel, "publish orders.created")
	procs := spansNamed(tel, "process orders.created")
	remoteEmits := spansNamed(tel, "try_emit order.received")
	listeners := spansNamed(tel, "process order.received")
	if len(emits) != 1 || len(pubs) != 1 || len(procs) != 1 || len(remoteEmits) != 1 || len(listeners) != 1 {
		t.Fatalf("spans: %d emit, %d publish, %d process, %d remote emit, %d listener; want one each (the second emission is not traced)",
			len(emits), len(pubs), len(procs), len(remoteEmits), len(listeners))
	}
	chain := []sdktrace.ReadOnlySpan{emits[0], pubs[0], procs[0], remoteEmits[0], listeners[0]}
	parent := root.SpanContext()
	for _, s := range chain {
		if s.SpanContext().TraceID() != traceID {
			t.Errorf("%s is in trace %s, want %s", s.Name(), s.SpanContext().TraceID(), traceID)
		}
		if s.Parent().SpanID() != parent.SpanID() {
			t.Errorf("%s: parent %s, want %s", s.Name(), s.Parent().SpanID(), parent.SpanID())
		}
		parent = s.SpanContext()
	}
	if !procs[0].Parent().IsRemote() {
		t.Error("the process span's parent is not remote")
	}
	if links := procs[0].Links(); len(links) != 1 || links[0].SpanContext.SpanID() != pubs[0].SpanContext().SpanID() {
		t.Errorf("process span links %v, want one to the publish span", links)
	}
	if got.ctxs[0] == nil || trace.SpanContextFromContext(got.ctxs[0]).SpanID() != listeners[0].SpanContext().SpanID() {
		t.Error("the remote listener did not receive its listener span's context")
	}
	if pubs[0].SpanKind() != trace.SpanKindProducer || procs[0].SpanKind() != trace.SpanKindConsumer {
		t.Errorf("kinds %v, %v", pubs[0].SpanKind(), procs[0].SpanKind())
	}
	for _, tt := range []struct {
		span sdktrace.ReadOnlySpan
		want []attribute.KeyValue
	}{
		{pubs[0], []attribute.KeyValue{semconv.MessagingSystemNATS, semconv.MessagingDestinationName("orders.created"),
			semconv.MessagingOperationTypeSend, semconv.MessagingOperationName("publish"), semconv.NATSDuplicateKey.Bool(false),
			semconv.ServerAddressKey.String("127.0.0.1")}},
		{procs[0], []attribute.KeyValue{semconv.MessagingSystemNATS, semconv.MessagingDestinationName("orders.created"),
			semconv.MessagingOperationTypeProcess, semconv.MessagingOperationName("process"), semconv.MessagingConsumerGroupName("worker"),
			semconv.NATSDeliveryCount(1), semconv.NATSSettlementAck, semconv.ServerAddressKey.String("127.0.0.1")}},
	} {
		for _, kv := range tt.want {
			if v, ok := attr(tt.span, kv.Key); !ok || v != kv.Value {
				t.Errorf("%s: %s = %v (%t), want %v", tt.span.Name(), kv.Key, v.String(), ok, kv.Value.String())
			}
		}
		for _, k := range []attribute.Key{semconv.MessagingMessageIDKey, semconv.MessagingMessageBodySizeKey, semconv.ServerPortKey} {
			if _, ok := attr(tt.span, k); !ok {
				t.Errorf("%s has no %s", tt.span.Name(), k)
			}
		}
	}
	pid, _ := attr(pubs[0], semconv.MessagingMessageIDKey)
	cid, _ := attr(procs[0], semconv.MessagingMessageIDKey)
	if pid != cid {
		t.Errorf("message id %v published, %v processed", pid.String(), cid.String())
	}

	sums := natsSums(m)
	pubAttrs := attribute.NewSet(semconv.MessagingSystemNATS, semconv.MessagingDestinationName("orders.created"), semconv.MessagingOperationName("publish"))
	conAttrs := attribute.NewSet(semconv.MessagingSystemNATS, semconv.MessagingDestinationName("orders.created"),
		semconv.MessagingOperationName("process"), semconv.MessagingConsumerGroupName("worker"))
	if v := sums[semconv.MessagingClientSentMessagesName][pubAttrs]; v != 2 {
		t.Errorf("%s = %d, want 2", semconv.MessagingClientSentMessagesName, v)
	}
	if v := sums[semconv.MessagingClientConsumedMessagesName][conAttrs]; v != 2 {
		t.Errorf("%s = %d, want 2: %v", semconv.MessagingClientConsumedMessagesName, v, sums[semconv.MessagingClientConsumedMessagesName])
	}
	for _, name := range []string{semconv.NATSPublishBufferCapacityName, semconv.NATSPublishPendingName, semconv.NATSPublishDroppedName,
		semconv.NATSPublishRetriesName, semconv.NATSPublishDuplicatesName, semconv.NATSDeadLettersName, semconv.NATSConsumerLagName} {
		if _, ok := sums[name]; !ok {
			t.Errorf("%s not reported", name)
		}
	}
	// Closed: the callbacks are unregistered, so nothing more is reported.
	m = tel.Collect(t).ResourceMetrics()
	if sums := natsSums(m); len(sums[semconv.MessagingClientSentMessagesName]) != 0 {
		t.Errorf("metrics reported after Close: %v", sums)
	}
}

func toPublish(opts []natssignals.Option) []natssignals.PublishOption {
	out := make([]natssignals.PublishOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

func toSubscribe(opts []natssignals.Option) []natssignals.SubscribeOption {
	out := make([]natssignals.SubscribeOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

// natsSums returns the Int64 sums of natssignals' scope, by name and
// attribute set.
func natsSums(rm metricdata.ResourceMetrics) map[string]map[attribute.Set]int64 {
	out := map[string]map[attribute.Set]int64{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != natssignals.ScopeName {
			continue
		}
		for _, md := range sm.Metrics {
			if sum, ok := md.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					if out[md.Name] == nil {
						out[md.Name] = map[attribute.Set]int64{}
					}
					out[md.Name][dp.Attributes] = dp.Value
				}
			}
		}
	}
	return out
}

// natsHistograms returns the number of values of natssignals' histograms,
// by name, over their data points.
func natsHistograms(rm metricdata.ResourceMetrics) map[string]uint64 {
	out := map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != natssignals.ScopeName || sm.Scope.Version != natssignals.Version {
			continue
		}
		for _, md := range sm.Metrics {
			if h, ok := md.Data.(metricdata.Histogram[float64]); ok {
				for _, dp := range h.DataPoints {
					out[md.Name] += dp.Count
					if !slices.Equal(dp.Bounds, semconv.MessagingDurationBuckets()) {
						panic("unexpected bounds")
					}
				}
			}
		}
	}
	return out
}

// TestFailedSpans: a dead-lettered message's process span has an error
// status with error.type and the settlement.
func TestFailedSpans(t *testing.T) {
	tel := otelsignalstest.New(t)
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	remote := signals.NewSync[Order]()
	remote.AddListenerWithErr(func(context.Context, Order) error { return context.DeadlineExceeded })
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "failing", remote, quiet(t),
		natssignals.WithTracerProvider(tel.TracerProvider()), natssignals.WithMeterProvider(tel.MeterProvider()),
		natssignals.WithPropagator(propagation.TraceContext{}), natssignals.WithMaxDeliver(2),
		natssignals.WithNakDelay(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	js := jetStream(t, nc)
	// A message from a sampled remote trace, published by hand.
	msg := natsMsg("orders.created", `{"id":"F"}`, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if _, err := js.PublishMsg(ctxT(t), msg); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(10*time.Second, func() bool { return sub.Stats().DeadLettered == 1 }, nil); err != nil {
		t.Fatal(err)
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	procs := spansNamed(tel, "process orders.created")
	if len(procs) != 2 {
		t.Fatalf("%d process spans, want 2", len(procs))
	}
	for i, want := range []attribute.KeyValue{semconv.NATSSettlementNak, semconv.NATSSettlementDeadLetter} {
		s := procs[i]
		if s.SpanContext().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
			t.Errorf("process span %d in trace %s", i, s.SpanContext().TraceID())
		}
		if v, _ := attr(s, semconv.NATSSettlementKey); v != want.Value {
			t.Errorf("process span %d: settlement %v, want %v", i, v.String(), want.Value.String())
		}
		if v, _ := attr(s, semconv.NATSDeliveryCountKey); v.AsInt64() != int64(i+1) {
			t.Errorf("process span %d: delivery count %v", i, v.String())
		}
		if s.Status().Code != codes.Error {
			t.Errorf("process span %d: status %v", i, s.Status())
		}
		if v, _ := attr(s, semconv.ErrorTypeKey); v.AsString() != "context.deadlineExceededError" {
			t.Errorf("process span %d: error.type %v", i, v.String())
		}
	}
}
