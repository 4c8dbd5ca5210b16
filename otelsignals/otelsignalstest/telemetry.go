package otelsignalstest

import (
	"context"
	"errors"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/semconv"
)

// Telemetry is an in-memory OpenTelemetry SDK for one test: a MeterProvider
// read by a manual reader, and a TracerProvider whose spans are recorded.
// Create one with [New].
//
// A Telemetry is safe for concurrent use.
type Telemetry struct {
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
}

// New returns a Telemetry for the test tb, and registers with tb.Cleanup
// the shutdown of its providers when the test ends. The TracerProvider
// samples every trace (the SDK's default sampler); the MeterProvider keeps
// cumulative sums.
func New(tb testing.TB) *Telemetry {
	tb.Helper()
	t := &Telemetry{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	t.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(t.reader))
	t.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(t.spans))
	tb.Cleanup(func() {
		// A test that shut the MeterProvider down itself makes this second
		// shutdown return ErrReaderShutdown: not a failure.
		err := t.mp.Shutdown(context.Background())
		if errors.Is(err, sdkmetric.ErrReaderShutdown) {
			err = nil
		}
		if err = errors.Join(err, t.tp.Shutdown(context.Background())); err != nil {
			tb.Errorf("otelsignalstest: shutting the providers down: %v", err)
		}
	})
	return t
}

// Options returns the options that make [otelsignals.Instrument] record
// into t ([otelsignals.WithMeterProvider], [otelsignals.WithTracerProvider]),
// followed by more.
func (t *Telemetry) Options(more ...otelsignals.Option) []otelsignals.Option {
	return append([]otelsignals.Option{
		otelsignals.WithMeterProvider(t.mp),
		otelsignals.WithTracerProvider(t.tp),
	}, more...)
}

// MeterProvider returns t's MeterProvider, for code that takes one.
func (t *Telemetry) MeterProvider() *sdkmetric.MeterProvider { return t.mp }

// TracerProvider returns t's TracerProvider, for code that takes one, or
// to start the span of a request in which signals are emitted.
func (t *Telemetry) TracerProvider() *sdktrace.TracerProvider { return t.tp }

// SpanRecorder returns the recorder of every span of t's TracerProvider,
// those of the instrumentation and any others, started and ended.
func (t *Telemetry) SpanRecorder() *tracetest.SpanRecorder { return t.spans }

// Collect reads the metrics recorded so far. Sums are cumulative: each call
// returns everything since the start of the test. If the reader fails (it
// does after the MeterProvider was shut down), Collect ends the test with
// [testing.TB.Fatalf]: call it from the goroutine running the test.
func (t *Telemetry) Collect(tb testing.TB) *Metrics {
	tb.Helper()
	m := &Metrics{}
	if err := t.reader.Collect(context.Background(), &m.rm); err != nil {
		tb.Fatalf("otelsignalstest: collecting metrics: %v", err)
		return m
	}
	m.index()
	return m
}

// Spans returns the ended spans that the instrumentation recorded (those
// of the instrumentation scope [otelsignals.ScopeName]), in the order they
// ended, in a new slice.
func (t *Telemetry) Spans() []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range t.spans.Ended() {
		if s.InstrumentationScope().Name == otelsignals.ScopeName {
			out = append(out, s)
		}
	}
	return out
}

// SpanNames returns the names of [Telemetry.Spans], in the order the spans
// ended.
func (t *Telemetry) SpanNames() []string {
	spans := t.Spans()
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name()
	}
	return names
}

// SignalSpans returns the ended spans of the signal recorded under the name
// signal (their messaging.destination.name), in the order they ended: its
// emission spans and its listener spans. An empty signal stands for
// [semconv.DefaultSignalName].
func (t *Telemetry) SignalSpans(signal string) []sdktrace.ReadOnlySpan {
	want := semconv.MessagingDestinationName(signal)
	var out []sdktrace.ReadOnlySpan
	for _, s := range t.Spans() {
		for _, kv := range s.Attributes() {
			if kv == want {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
