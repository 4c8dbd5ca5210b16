package suite

import (
	"context"
	"fmt"
	"sync/atomic"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
)

// variant is how a signal is instrumented in a measurement.
type variant struct {
	Name  string // short name used in tables and plots
	Label string // what it means
	// otel is false for the plain signal. Instrumented variants have metrics
	// on; tracing is on when sampler is not nil.
	otel        bool
	sampler     func() sampling.Sampler
	keepDefault bool // use DefaultConfig unchanged
}

var (
	plain        = variant{Name: "plain", Label: "no instrumentation"}
	metricsOn    = variant{Name: "metrics", Label: "otelsignals, metrics on, tracing off", otel: true}
	trace0       = variant{Name: "trace 0%", Label: "metrics on, tracing on with sampling.Never()", otel: true, sampler: sampling.Never}
	trace1       = variant{Name: "trace 1%", Label: "metrics on, tracing on with sampling.Ratio(0.01)", otel: true, sampler: func() sampling.Sampler { return sampling.Ratio(0.01) }}
	trace100     = variant{Name: "trace 100%", Label: "metrics on, tracing on with sampling.Always()", otel: true, sampler: sampling.Always}
	instrumented = []variant{metricsOn, trace0, trace1, trace100}
	// defaults is otelsignals.DefaultConfig() as it is: metrics on, tracing
	// on with sampling.ParentBased(sampling.Never()), which traces nothing
	// outside a sampled trace.
	defaults = variant{Name: "defaults", Label: "otelsignals.DefaultConfig(): metrics on, tracing on with ParentBased(Never())", otel: true, keepDefault: true}
)

// countingExporter is a span exporter that counts the spans it receives and
// drops them.
type countingExporter struct{ spans atomic.Int64 }

func (e *countingExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.spans.Add(int64(len(spans)))
	return nil
}

func (e *countingExporter) Shutdown(context.Context) error { return nil }

// otelEnv is an in-memory OpenTelemetry SDK for one instrumented
// measurement: a MeterProvider with a ManualReader (collected only to verify
// the counts), and a TracerProvider whose BatchSpanProcessor (default
// options: queue of 2048 spans, batches of 512, dropping when full) feeds
// an exporter that counts and discards the spans.
type otelEnv struct {
	v        variant
	reader   *sdkmetric.ManualReader
	mp       *sdkmetric.MeterProvider
	tp       *sdktrace.TracerProvider
	exp      *countingExporter
	settings *otelsignals.Settings
}

// newOTelEnv returns the environment for v, or nil for the plain variant.
func newOTelEnv(v variant) (*otelEnv, error) {
	if !v.otel {
		return nil, nil
	}
	e := &otelEnv{v: v, reader: sdkmetric.NewManualReader(), exp: new(countingExporter)}
	e.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(e.reader))
	e.tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(e.exp))
	cfg := otelsignals.DefaultConfig() // metrics on, duration sample rate 0.01
	if !v.keepDefault {
		cfg.Tracing = v.sampler != nil
		if v.sampler != nil {
			cfg.Sampler = v.sampler()
		}
	}
	s, err := otelsignals.NewSettings(cfg)
	if err != nil {
		e.close()
		return nil, err
	}
	e.settings = s
	return e, nil
}

// instrument attaches the instrumentation to sig; a nil env does nothing.
func (e *otelEnv) instrument(sig otelsignals.Signal) error {
	if e == nil {
		return nil
	}
	return otelsignals.Instrument(sig, otelsignals.WithSettings(e.settings),
		otelsignals.WithMeterProvider(e.mp), otelsignals.WithTracerProvider(e.tp))
}

// emissions collects the metrics and returns the sum of signals.emissions.
func (e *otelEnv) emissions() (int64, error) {
	var rm metricdata.ResourceMetrics
	if err := e.reader.Collect(context.Background(), &rm); err != nil {
		return 0, err
	}
	var n int64
	found := false
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != semconv.EmissionsName {
				continue
			}
			sum, ok := m.Data.(metricdata.Sum[int64])
			if !ok {
				return 0, fmt.Errorf("%s has data %T", m.Name, m.Data)
			}
			for _, dp := range sum.DataPoints {
				n += dp.Value
			}
			found = true
		}
	}
	if !found {
		return 0, fmt.Errorf("no %s metric collected", semconv.EmissionsName)
	}
	return n, nil
}

// spans flushes the span processor and returns the spans exported so far.
func (e *otelEnv) spans() int64 {
	_ = e.tp.ForceFlush(context.Background())
	return e.exp.spans.Load()
}

// check verifies that the instrumentation counted want emissions, and
// returns a note for the report, e.g. "counted 1000 emissions, exported 10
// spans". A nil env returns "".
func (e *otelEnv) check(want int64) string {
	if e == nil {
		return ""
	}
	got, err := e.emissions()
	note := ""
	switch {
	case err != nil:
		note = "metrics not verified: " + err.Error()
	case got != want:
		note = fmt.Sprintf("signals.emissions = %d, want %d", got, want)
	}
	if e.v.sampler != nil {
		if note != "" {
			note += "; "
		}
		note += fmt.Sprintf("%d spans exported", e.spans())
	}
	return note
}

func (e *otelEnv) close() {
	if e == nil {
		return
	}
	_ = e.mp.Shutdown(context.Background())
	_ = e.tp.Shutdown(context.Background())
}
