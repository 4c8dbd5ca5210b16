package otelsignalstest_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/otelsignals/otelsignalstest"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

type boomError struct{}

func (*boomError) Error() string { return "boom" }

// ignore drops listener failures, so that panics are not logged.
func ignore(context.Context, string, error) {}

// instrument instruments sig with tel's options and more.
func instrument(t *testing.T, tel *otelsignalstest.Telemetry, sig otelsignals.Signal, more ...otelsignals.Option) {
	t.Helper()
	if err := otelsignals.Instrument(sig, tel.Options(more...)...); err != nil {
		t.Fatal(err)
	}
}

func TestCounts(t *testing.T) {
	tel := otelsignalstest.New(t)
	orders := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders", ErrorHandler: ignore})
	instrument(t, tel, orders)
	orders.AddListener(func(context.Context, int) {})
	orders.AddListenerWithErr(func(_ context.Context, v int) error {
		if v%2 == 0 {
			return &boomError{}
		}
		return nil
	})
	orders.AddListener(func(_ context.Context, v int) {
		if v == 3 {
			panic("three")
		}
	})
	other := signals.NewSync[int]() // unnamed
	instrument(t, tel, other)
	other.AddListener(func(context.Context, int) {})

	m := tel.Collect(t)
	if n := m.Emissions("orders"); n != 0 {
		t.Errorf("Emissions before any emission = %d, want 0", n)
	}
	for v := range 5 { // failures at 0, 2, 4; a panic at 3
		orders.Emit(context.Background(), v)
	}
	other.Emit(context.Background(), 1)

	m = tel.Collect(t)
	tests := []struct {
		what      string
		got, want int64
	}{
		{"Emissions(orders)", m.Emissions("orders"), 5},
		{"ListenerCalls(orders)", m.ListenerCalls("orders"), 15},
		{"ListenerErrors(orders)", m.ListenerErrors("orders"), 4},
		{"Emissions(\"\")", m.Emissions(""), 1},
		{"Emissions(unnamed)", m.Emissions(semconv.DefaultSignalName), 1},
		{"ListenerCalls(\"\")", m.ListenerCalls(""), 1},
		{"ListenerErrors(\"\")", m.ListenerErrors(""), 0},
		{"Emissions(missing)", m.Emissions("missing"), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.what, tt.got, tt.want)
		}
	}
	wantTypes := map[string]int64{semconv.ErrorTypeOf(&boomError{}): 3, semconv.ErrorTypePanic: 1}
	if got := m.ListenerErrorsByType("orders"); !maps.Equal(got, wantTypes) {
		t.Errorf("ListenerErrorsByType(orders) = %v, want %v", got, wantTypes)
	}
	if got := m.ListenerErrorsByType(""); got == nil || len(got) != 0 {
		t.Errorf("ListenerErrorsByType of a signal without errors = %#v, want an empty map", got)
	}

	// Sums are cumulative: another collection counts from the start.
	orders.Emit(context.Background(), 1)
	if n := tel.Collect(t).Emissions("orders"); n != 6 {
		t.Errorf("Emissions after one more = %d, want 6", n)
	}
	if n := m.Emissions("orders"); n != 5 {
		t.Errorf("an earlier Metrics changed: Emissions = %d, want 5", n)
	}
}

// TestSignalHelpersAddUpAttributes checks that the per-signal helpers count
// data points with attributes of the user's, where Sum reads one data point
// by its exact attributes.
func TestSignalHelpersAddUpAttributes(t *testing.T) {
	tel := otelsignalstest.New(t)
	svc := attribute.String("service", "shop")
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "s"})
	instrument(t, tel, sig, otelsignals.WithAttributes(svc))
	sig.AddListener(func(context.Context, int) {})
	sig.Emit(context.Background(), 1)

	m := tel.Collect(t)
	if n := m.Emissions("s"); n != 1 {
		t.Errorf("Emissions(s) = %d, want 1", n)
	}
	nameKind := []attribute.KeyValue{semconv.SignalName("s"), semconv.SignalKindSync}
	if n, ok := m.Sum(semconv.EmissionsName, nameKind...); ok {
		t.Errorf("Sum without the user's attribute found a data point (%d)", n)
	}
	if n, ok := m.Sum(semconv.EmissionsName, append(nameKind, svc)...); !ok || n != 1 {
		t.Errorf("Sum with exactly the attributes = %d, %v; want 1, true", n, ok)
	}
}

func TestSumAndHistogramCount(t *testing.T) {
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "h", ErrorHandler: ignore})
	instrument(t, tel, sig, otelsignals.WithDurationSampleRate(1))
	sig.AddListenerWithErr(func(_ context.Context, v int) error {
		if v == 0 {
			return &boomError{}
		}
		return nil
	})
	for v := range 3 {
		sig.Emit(context.Background(), v)
	}
	m := tel.Collect(t)
	nk := []attribute.KeyValue{semconv.SignalName("h"), semconv.SignalKindSync}
	failed := append(slices.Clone(nk), semconv.ErrorType(&boomError{}))

	if n, ok := m.Sum(semconv.ListenerErrorsName, failed...); !ok || n != 1 {
		t.Errorf("Sum(listener errors) = %d, %v; want 1, true", n, ok)
	}
	if n, ok := m.Sum(semconv.ListenerErrorsName, nk...); ok {
		t.Errorf("Sum without error.type found a data point (%d)", n)
	}
	if c, ok := m.HistogramCount(semconv.ListenerDurationName, nk...); !ok || c != 2 {
		t.Errorf("HistogramCount(listener duration, ok) = %d, %v; want 2, true", c, ok)
	}
	if c, ok := m.HistogramCount(semconv.ListenerDurationName, failed...); !ok || c != 1 {
		t.Errorf("HistogramCount(listener duration, failed) = %d, %v; want 1, true", c, ok)
	}
	if c, ok := m.HistogramCount(semconv.ListenerDurationName, semconv.SignalName("h")); ok {
		t.Errorf("HistogramCount without signals.kind found a data point (%d)", c)
	}
	// The wrong kind of metric, or none.
	if _, ok := m.Sum(semconv.ListenerDurationName, nk...); ok {
		t.Error("Sum of a histogram found a data point")
	}
	if _, ok := m.HistogramCount(semconv.EmissionsName, nk...); ok {
		t.Error("HistogramCount of a sum found a data point")
	}
	if _, ok := m.Sum("missing"); ok {
		t.Error("Sum of a metric that was not collected found a data point")
	}
	if _, ok := m.HistogramCount("missing"); ok {
		t.Error("HistogramCount of a metric that was not collected found a data point")
	}
}

func TestMetricAndPoints(t *testing.T) {
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "p"})
	instrument(t, tel, sig, otelsignals.WithDurationBudget(-1), otelsignals.WithDurationSampleRate(0))
	sig.AddListener(func(context.Context, int) {})
	sig.Emit(context.Background(), 1)

	// A gauge of the instrumentation's scope, and a metric of another scope
	// with the name and attributes of the instrumentation's.
	gauge, err := tel.MeterProvider().Meter(otelsignals.ScopeName).Int64Gauge("test.gauge")
	if err != nil {
		t.Fatal(err)
	}
	gauge.Record(context.Background(), 7)
	foreign, err := tel.MeterProvider().Meter("other").Int64Counter(semconv.EmissionsName)
	if err != nil {
		t.Fatal(err)
	}
	foreign.Add(context.Background(), 100)

	m := tel.Collect(t)
	md, ok := m.Metric(semconv.EmissionsName)
	if !ok || md.Name != semconv.EmissionsName || md.Unit != semconv.EmissionsUnit {
		t.Errorf("Metric(%s) = %+v, %v", semconv.EmissionsName, md, ok)
	}
	if _, ok := m.Metric("missing"); ok {
		t.Error("Metric of a metric that was not collected: ok")
	}
	names := m.Names()
	if !slices.IsSorted(names) || !slices.Contains(names, semconv.EmissionsName) || !slices.Contains(names, "test.gauge") ||
		slices.Contains(names, semconv.EmissionDurationName) || slices.Contains(names, "other") {
		t.Errorf("Names() = %q", names)
	}
	for name, want := range map[string]int{
		semconv.EmissionsName:        1,
		semconv.EmissionDurationName: 0, // not timed: not collected
		"test.gauge":                 1,
		"missing":                    0,
	} {
		if got := m.Points(name); got != want {
			t.Errorf("Points(%s) = %d, want %d", name, got, want)
		}
	}
	if n := m.Emissions("p"); n != 1 {
		t.Errorf("Emissions(p) = %d, want 1: the other scope's metric counted", n)
	}
	var scopes []string
	for _, sm := range m.ResourceMetrics().ScopeMetrics {
		scopes = append(scopes, sm.Scope.Name)
	}
	slices.Sort(scopes)
	scopes = slices.Compact(scopes) // the gauge's meter has no version: a scope of its own
	if want := []string{otelsignals.ScopeName, "other"}; !slices.Equal(scopes, want) {
		t.Errorf("ResourceMetrics has scopes %q, want %q", scopes, want)
	}
}

// TestPointsOfEveryAggregation covers the kinds of data a metric can hold.
func TestPointsOfEveryAggregation(t *testing.T) {
	tel := otelsignalstest.New(t)
	meter := tel.MeterProvider().Meter(otelsignals.ScopeName)
	ctx := context.Background()
	fc, _ := meter.Float64Counter("f.counter")
	fc.Add(ctx, 1)
	fg, _ := meter.Float64Gauge("f.gauge")
	fg.Record(ctx, 1, metric.WithAttributes(attribute.String("k", "a")))
	fg.Record(ctx, 1, metric.WithAttributes(attribute.String("k", "b")))
	ih, _ := meter.Int64Histogram("i.histogram")
	ih.Record(ctx, 1)
	m := tel.Collect(t)
	for name, want := range map[string]int{"f.counter": 1, "f.gauge": 2, "i.histogram": 1} {
		if got := m.Points(name); got != want {
			t.Errorf("Points(%s) = %d, want %d", name, got, want)
		}
	}
	if md, _ := m.Metric("f.gauge"); !isGauge(md) {
		t.Error("f.gauge is not a Gauge[float64]")
	}
}

func TestSpans(t *testing.T) {
	tel := otelsignalstest.New(t)
	a := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "a"})
	instrument(t, tel, a, otelsignals.WithSampler(sampling.Always()), otelsignals.WithListenerSpans(true))
	a.AddListener(func(context.Context, int) {})
	b := signals.NewSync[int]() // unnamed, default sampler: traced only in a trace
	instrument(t, tel, b)
	b.AddListener(func(context.Context, int) {})

	if got := tel.Spans(); len(got) != 0 {
		t.Fatalf("Spans before any emission: %d", len(got))
	}
	a.Emit(context.Background(), 1)
	b.Emit(context.Background(), 1) // not traced
	ctx, request := tel.TracerProvider().Tracer("test").Start(context.Background(), "request")
	b.Emit(ctx, 2)
	request.End()

	if got, want := tel.SpanNames(), []string{"process a", "emit a", "emit unnamed"}; !slices.Equal(got, want) {
		t.Errorf("SpanNames() = %q, want %q", got, want)
	}
	if n := len(tel.SpanRecorder().Ended()); n != 4 {
		t.Errorf("SpanRecorder has %d ended spans, want 4 (the request's too)", n)
	}
	for signal, want := range map[string][]string{
		"a":                       {"process a", "emit a"},
		"":                        {"emit unnamed"},
		semconv.DefaultSignalName: {"emit unnamed"},
		"missing":                 nil,
	} {
		var got []string
		for _, s := range tel.SignalSpans(signal) {
			got = append(got, s.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("SignalSpans(%q) = %q, want %q", signal, got, want)
		}
	}
	if s := tel.SignalSpans(""); len(s) == 1 && s[0].Parent().SpanID() != request.SpanContext().SpanID() {
		t.Error("the emission span is not a child of the request span")
	}
}

// TestCleanup ends a test: the providers are shut down, and a Collect
// after it fails the test.
func TestCleanup(t *testing.T) {
	tb := newFakeTB(t)
	var tel *otelsignalstest.Telemetry
	tb.run(func(tb testing.TB) { tel = otelsignalstest.New(tb) })
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "c"})
	instrument(t, tel, sig, otelsignals.WithSampler(sampling.Always()))
	tb.cleanup()

	sig.Emit(context.Background(), 1)
	if n := len(tel.SpanRecorder().Ended()); n != 0 {
		t.Errorf("%d spans recorded after the test ended", n)
	}
	returned := tb.run(func(tb testing.TB) { tel.Collect(tb) })
	errs, fatals := tb.messages()
	if returned || len(errs) != 0 || len(fatals) != 1 || !strings.Contains(fatals[0], "otelsignalstest: collecting metrics:") {
		t.Errorf("Collect after the end of the test: returned %v, errors %q, fatals %q", returned, errs, fatals)
	}
}

// TestCleanupAfterShutdown: a test that shut the providers down itself is
// not failed by the second shutdown.
func TestCleanupAfterShutdown(t *testing.T) {
	tb := newFakeTB(t)
	var tel *otelsignalstest.Telemetry
	tb.run(func(tb testing.TB) { tel = otelsignalstest.New(tb) })
	if err := errors.Join(
		tel.MeterProvider().Shutdown(context.Background()),
		tel.TracerProvider().Shutdown(context.Background()),
	); err != nil {
		t.Fatal(err)
	}
	tb.cleanup()
	if errs, fatals := tb.messages(); len(errs)+len(fatals) != 0 {
		t.Errorf("cleanup after a shutdown reported %q %q", errs, fatals)
	}
}

// TestCollectAfterFatalfReturns covers a testing.TB whose Fatalf returns:
// Collect then returns an empty Metrics.
func TestCollectAfterFatalfReturns(t *testing.T) {
	tel := otelsignalstest.New(t)
	if err := tel.MeterProvider().Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	tb := &returningTB{TB: t}
	m := tel.Collect(tb)
	if tb.fatals != 1 || m.Emissions("x") != 0 || m.Points(semconv.EmissionsName) != 0 {
		t.Errorf("Collect after a failure: %d Fatalf calls, metrics %+v", tb.fatals, m.ResourceMetrics())
	}
}

// returningTB is a testing.TB whose Fatalf counts and returns.
type returningTB struct {
	testing.TB
	fatals int
}

func (r *returningTB) Helper()               {}
func (r *returningTB) Fatalf(string, ...any) { r.fatals++ }

func isGauge(md metricdata.Metrics) bool {
	_, ok := md.Data.(metricdata.Gauge[float64])
	return ok
}
