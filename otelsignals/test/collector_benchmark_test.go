package test

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

// BenchmarkCollector measures the instrumentation's own share of an
// emission with one listener, without the core: the collector calls the
// core makes, as the observer EmitStart returns asks for them (the core's clock
// reads of timed emissions included). impl=metrics has the defaults (a
// duration budget of 100 emissions per second, then a rate of 0.01);
// impl=metrics-nobudget the rate alone; impl=metrics-rate0 times nothing;
// impl=tracing-never has the sampler sampling.Never(), and
// impl=tracing-unsampled the default ParentBased(Never()), which spends most
// of its time in trace.SpanContextFromContext.
func BenchmarkCollector(b *testing.B) {
	for _, impl := range []string{"metrics-rate0", "metrics", "metrics-nobudget", "tracing-never", "tracing-unsampled", "tracing-sampled"} {
		b.Run("impl="+impl, func(b *testing.B) {
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			tp := sdktrace.NewTracerProvider()
			b.Cleanup(func() {
				_ = mp.Shutdown(context.Background())
				_ = tp.Shutdown(context.Background())
			})
			cfg := otelsignals.DefaultConfig()
			switch impl {
			case "metrics-rate0":
				cfg.Tracing, cfg.DurationSampleRate, cfg.DurationBudget = false, 0, -1
			case "metrics":
				cfg.Tracing = false
			case "metrics-nobudget":
				cfg.Tracing, cfg.DurationBudget = false, -1
			case "tracing-never":
				cfg.Metrics, cfg.Sampler = false, sampling.Never()
			case "tracing-unsampled": // the default sampler, outside a trace
				cfg.Metrics = false
			case "tracing-sampled":
				cfg.Metrics, cfg.Sampler = false, sampling.Always()
			}
			s, err := otelsignals.NewSettings(cfg)
			if err != nil {
				b.Fatal(err)
			}
			sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "bench"})
			if err := otelsignals.Instrument(sig, otelsignals.WithSettings(s), otelsignals.WithMeterProvider(mp), otelsignals.WithTracerProvider(tp)); err != nil {
				b.Fatal(err)
			}
			c := sig.Collector()
			e := signals.Emission{Signal: "bench", Op: signals.OpEmit, Listeners: 1}
			l := signals.ListenerInfo{Signal: "bench"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				ectx, o := c.EmitStart(ctx, e)
				if o == nil {
					continue
				}
				flags := o.Observe()
				var start time.Time
				if flags&signals.ObserveDurations != 0 {
					start = time.Now()
				}
				lctx := ectx
				if flags&signals.ObserveListenerStart != 0 {
					lctx = o.ListenerStart(ectx, l)
				}
				if flags&signals.ObserveListeners != 0 {
					var d time.Duration
					if !start.IsZero() {
						d = time.Since(start)
					}
					o.ListenerEnd(lctx, l, d, nil)
				}
				if flags&signals.ObserveEnd != 0 {
					var d time.Duration
					if !start.IsZero() {
						d = time.Since(start)
					}
					o.EmitEnd(ectx, e, signals.EmitResult{Calls: 1, Duration: d})
				}
			}
		})
	}
}
