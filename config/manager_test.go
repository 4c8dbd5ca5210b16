package config_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/signalkit/sdk/config"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

func TestNewManager(t *testing.T) {
	clearEnv(t)
	t.Setenv(config.EnvListenerSpans, "true")
	logger, logs := newLogger()
	c := config.Default()
	c.MetricsEnabled = false
	m, err := config.NewManager(nil, c, config.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	if m.Settings() == nil || m.Settings().Config().Metrics {
		t.Fatal("NewManager did not apply the config to a new Settings")
	}
	if !m.Config().Equal(c) {
		t.Errorf("Config() = %+v", m.Config())
	}
	// NewManager does not read the environment: c is the whole configuration.
	want := `level=INFO msg="signalkit config applied" source=startup changes.metrics.enabled.old=true changes.metrics.enabled.new=false`
	if got := strings.TrimSpace(logs.String()); got != want {
		t.Errorf("log:\n%s\nwant\n%s", got, want)
	}

	s := new(otelsignals.Settings)
	bad := config.Default()
	bad.Sampler = "nope"
	if _, err := config.NewManager(s, bad); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("NewManager(invalid) = %v", err)
	}
	if s.Config().Sampler == nil || !s.Config().Metrics {
		t.Error("NewManager(invalid) changed the Settings")
	}
}

func TestManagerApply(t *testing.T) {
	clearEnv(t)
	logger, logs := newLogger()
	s := new(otelsignals.Settings)
	m, err := config.NewManager(s, config.Default(), config.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}

	c := config.Default()
	c.MetricsEnabled, c.Sampler, c.SamplerArg = false, "ratelimited", "5"
	c.Signals = map[string]config.SignalOverride{"orders": {TracesEnabled: new(false)}}
	if err := m.Apply(c); err != nil {
		t.Fatal(err)
	}
	if got := s.Config(); got.Metrics || got.Overrides["orders"].Tracing == nil {
		t.Errorf("Settings = %+v", got)
	}
	want := `level=INFO msg="signalkit config applied" source=programmatic ` +
		`changes.metrics.enabled.old=true changes.metrics.enabled.new=false ` +
		`changes.traces.sampler.old=parentbased_always_off changes.traces.sampler.new=ratelimited ` +
		`changes.traces.sampler_arg.old=unset changes.traces.sampler_arg.new=5 ` +
		`changes.signals[orders].traces.enabled.old=unset changes.signals[orders].traces.enabled.new=false`
	if got := logs.lines("source=programmatic"); len(got) != 1 || got[0] != want {
		t.Errorf("log:\n%q\nwant\n%q", got, want)
	}

	// The same configuration again: the rate limiter survives.
	sampler := s.Config().Sampler
	if err := m.Apply(c); err != nil {
		t.Fatal(err)
	}
	if s.Config().Sampler != sampler {
		t.Error("an unchanged sampler was replaced")
	}
	if got := logs.lines(`msg="signalkit config unchanged" source=programmatic`); len(got) != 1 {
		t.Errorf("no 'unchanged' line:\n%s", logs)
	}

	// An invalid configuration is rejected and logged; the old one stays.
	bad := c.Clone()
	bad.DurationSampleRate = 2
	bad.MetricsEnabled = true
	if err := m.Apply(bad); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("Apply(invalid) = %v", err)
	}
	if s.Config().Metrics || !m.Config().Equal(c) {
		t.Error("Apply(invalid) changed the configuration")
	}
	wantErr := `level=ERROR msg="signalkit config rejected; the running configuration stays in force" source=programmatic error="metrics.duration_sample_rate: 2 is not a fraction in [0, 1]"`
	if got := logs.lines("level=ERROR"); len(got) != 1 || got[0] != wantErr {
		t.Errorf("log:\n%q\nwant\n%q", got, wantErr)
	}

	// The cardinality limit stays; the rest applies.
	limited := c.Clone()
	limited.CardinalityLimit = 5
	limited.ListenerSpans = true
	if err := m.Apply(limited); err != nil {
		t.Fatal(err)
	}
	if got := m.Config(); got.CardinalityLimit != config.DefaultCardinalityLimit || !got.ListenerSpans {
		t.Errorf("Config() = %+v", got)
	}
	wantWarn := `level=WARN msg="signalkit config: cardinality_limit cannot change while the process runs; keeping the running value" source=programmatic running=100 requested=5`
	if got := logs.lines("level=WARN"); len(got) != 1 || got[0] != wantWarn {
		t.Errorf("log:\n%q\nwant\n%q", got, wantWarn)
	}
	if got := logs.lines("source=programmatic", "changes.traces.listener_spans.new=true"); len(got) != 1 || strings.Contains(got[0], "cardinality") {
		t.Errorf("log of the rest:\n%q", got)
	}

	// Config returns a copy.
	got := m.Config()
	got.Signals["x"] = config.SignalOverride{}
	if _, ok := m.Config().Signals["x"]; ok {
		t.Error("Config returned the Manager's own map")
	}
}

// TestManagerSwitchesInstrumentation checks that a configuration applies
// to signals instrumented with the Manager's options, without
// re-instrumenting them.
func TestManagerSwitchesInstrumentation(t *testing.T) {
	clearEnv(t)
	logger, _ := newLogger()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	c := config.Default()
	c.CardinalityLimit = 1
	m, err := config.NewManager(nil, c, config.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	first := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "first"})
	second := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "second"})
	for _, sig := range []*signals.SyncSignal[int]{first, second} {
		sig.AddListener(func(context.Context, int) {})
		if err := otelsignals.Instrument(sig, append(m.InstrumentOptions(), otelsignals.WithMeterProvider(mp))...); err != nil {
			t.Fatal(err)
		}
	}
	emissions := func() map[string]int64 {
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		out := map[string]int64{}
		for _, sm := range rm.ScopeMetrics {
			for _, md := range sm.Metrics {
				if sum, ok := md.Data.(metricdata.Sum[int64]); ok && md.Name == "signals.emissions" {
					for _, dp := range sum.DataPoints {
						name, _ := dp.Attributes.Value("signals.name")
						out[name.AsString()] += dp.Value
					}
				}
			}
		}
		return out
	}

	first.Emit(context.Background(), 1)
	second.Emit(context.Background(), 1)
	// The cardinality limit of 1 is applied: the second name is _OTHER.
	if got := emissions(); got["first"] != 1 || got["_OTHER"] != 1 {
		t.Fatalf("emissions = %v", got)
	}

	off := m.Config()
	off.MetricsEnabled = false
	if err := m.Apply(off); err != nil {
		t.Fatal(err)
	}
	first.Emit(context.Background(), 1)
	if got := emissions(); len(got) != 0 {
		t.Errorf("metrics off: emissions = %v, want none", got)
	}

	on := m.Config()
	on.MetricsEnabled = true
	on.Signals = map[string]config.SignalOverride{"first": {MetricsEnabled: new(false)}}
	if err := m.Apply(on); err != nil {
		t.Fatal(err)
	}
	first.Emit(context.Background(), 1)
	second.Emit(context.Background(), 1)
	if got := emissions(); got["first"] != 0 || got["_OTHER"] != 2 {
		t.Errorf("override: emissions = %v", got)
	}
}

// TestManagerConcurrentApply applies configurations while signals emit
// and while the configuration is read; run it with -race.
func TestManagerConcurrentApply(t *testing.T) {
	clearEnv(t)
	logger, _ := newLogger()
	m, err := config.NewManager(nil, config.Default(), config.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "busy"})
	var calls atomic.Int64
	sig.AddListener(func(context.Context, int) { calls.Add(1) })
	if err := otelsignals.Instrument(sig, m.InstrumentOptions()...); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					sig.Emit(context.Background(), 1)
					_ = m.Config()
				}
			}
		})
	}
	// Apply only once the emitters run: without the race detector, 200
	// applies can finish before the scheduler starts them.
	for calls.Load() == 0 {
		runtime.Gosched()
	}
	for i := range 200 {
		c := config.Default()
		c.MetricsEnabled = i%2 == 0
		c.TracesEnabled = i%3 == 0
		c.Sampler = []string{"always_on", "always_off", "parentbased_always_on"}[i%3]
		if err := m.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}
