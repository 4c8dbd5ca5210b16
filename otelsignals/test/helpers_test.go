package test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
)

// env is an in-memory OpenTelemetry SDK: a manual metric reader and a span
// recorder.
type env struct {
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	e.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(e.reader))
	e.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(e.spans))
	t.Cleanup(func() {
		_ = e.mp.Shutdown(context.Background())
		_ = e.tp.Shutdown(context.Background())
	})
	return e
}

// opts returns the options that make an instrumentation use e, followed by
// more.
func (e *env) opts(more ...otelsignals.Option) []otelsignals.Option {
	return append([]otelsignals.Option{
		otelsignals.WithMeterProvider(e.mp),
		otelsignals.WithTracerProvider(e.tp),
	}, more...)
}

// collect returns the metrics of otelsignals' scope, by name.
func (e *env) collect(t testing.TB) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := e.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	out := make(map[string]metricdata.Metrics)
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelsignals.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// ended returns the names of the ended spans, in the order they ended.
func (e *env) ended() []string {
	var names []string
	for _, s := range e.spans.Ended() {
		names = append(names, s.Name())
	}
	return names
}

// sum returns the value of the data point of the Int64 sum m with exactly
// attrs, and whether there is one.
func sum(m metricdata.Metrics, attrs ...attribute.KeyValue) (int64, bool) {
	s, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		return 0, false
	}
	want := attribute.NewSet(attrs...)
	for _, dp := range s.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value, true
		}
	}
	return 0, false
}

// histCount returns the count of the data point of the histogram m with
// exactly attrs (0 if there is none).
func histCount(m metricdata.Metrics, attrs ...attribute.KeyValue) uint64 {
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		return 0
	}
	want := attribute.NewSet(attrs...)
	for _, dp := range h.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Count
		}
	}
	return 0
}

// points returns the number of data points of m.
func points(m metricdata.Metrics) int {
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		return len(d.DataPoints)
	case metricdata.Histogram[float64]:
		return len(d.DataPoints)
	}
	return 0
}

// always returns Settings that trace every emission, with metrics as given.
func always(t testing.TB, metrics bool) *otelsignals.Settings {
	t.Helper()
	c := otelsignals.DefaultConfig()
	c.Sampler = sampling.Always()
	c.Metrics = metrics
	s, err := otelsignals.NewSettings(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// calls records values concurrently.
type calls[T any] struct {
	mu sync.Mutex
	v  []T
}

func (c *calls[T]) add(v T) {
	c.mu.Lock()
	c.v = append(c.v, v)
	c.mu.Unlock()
}

func (c *calls[T]) get() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.v)
}

// ignore is an error handler that drops listener failures, so that panics
// are not logged.
func ignore(context.Context, string, error) {}

// alwaysSampler samples every emission.
func alwaysSampler() sampling.Sampler { return sampling.Always() }

// nameKind returns the signals.name and signals.kind attributes.
func nameKind(name string, kind attribute.KeyValue) []attribute.KeyValue {
	return []attribute.KeyValue{semconv.SignalName(name), kind}
}

func equal[T comparable](a, b []T) bool { return slices.Equal(a, b) }
