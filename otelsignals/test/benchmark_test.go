package test

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// Compare the implementations within one run, for example with
//
//	go test -run '^$' -bench . -count 6 ./otelsignals > bench.txt
//	benchstat -col /impl bench.txt
//
// impl=plain is the signal without instrumentation (the core's fast path).
// impl=core-general attaches a collector whose EmitStart only counts and
// returns no observer: the least any attached collector costs; the difference between it and the impls below is
// otelsignals' own cost. impl=metrics is Instrument with metrics on and
// tracing off (the defaults: a duration budget of 100 emissions per second
// and a rate of 0.01 beyond), impl=metrics-nobudget the same without the
// budget (the rate alone: the difference is what the budget costs at high
// rates), impl=metrics-untimed with neither (the counters without any timed
// emission); impl=off is Instrument with both off (EnableCollector(false));
// impl=tracing-unsampled has tracing on with the default sampler,
// ParentBased(Never()) (an emission outside a trace is not sampled), and
// metrics off; impl=tracing-never, impl=tracing-ratio and
// impl=tracing-ratelimited the same with samplers that need no parent and
// sample nothing here: Never(), Ratio(1e-9) and RateLimited(1e-9) (whose
// one token the benchmark's first emission takes);
// impl=tracing-sampled samples every emission; impl=manual-span starts and
// ends an SDK span with the same attributes around a plain emission, by
// hand: the cost a sampled emission is compared with.

// impls are the implementations the benchmarks compare.
var impls = []string{"plain", "core-general", "metrics", "metrics-nobudget", "metrics-untimed", "off", "tracing-unsampled", "tracing-never", "tracing-ratio", "tracing-ratelimited", "tracing-sampled", "manual-span"}

// countingCollector counts emissions and asks for nothing more.
type countingCollector struct {
	signals.NopCollector
	emissions atomic.Int64
}

func (c *countingCollector) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	c.emissions.Add(1)
	return ctx, nil
}

// benchSetup instruments sig as impl says, and returns the function that
// emits once: emit itself, or emit wrapped in a span for manual-span.
func benchSetup(b *testing.B, sig otelsignals.Signal, impl string, emit func(context.Context)) func(context.Context) {
	b.Helper()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tp := sdktrace.NewTracerProvider() // records spans and exports them nowhere
	b.Cleanup(func() {
		_ = mp.Shutdown(context.Background())
		_ = tp.Shutdown(context.Background())
	})
	cfg := otelsignals.DefaultConfig()
	switch impl {
	case "plain":
		return emit
	case "core-general":
		sig.SetCollector(new(countingCollector))
		return emit
	case "manual-span":
		tracer := tp.Tracer("bench")
		name := semconv.SpanName(semconv.OperationEmit, sig.Name())
		opts := []trace.SpanStartOption{
			trace.WithSpanKind(semconv.EmissionSpanKind),
			trace.WithAttributes(
				semconv.MessagingSystemSignalkit,
				semconv.MessagingDestinationName(sig.Name()),
				semconv.MessagingOperationTypeSend,
				semconv.MessagingOperationName(semconv.OperationEmit),
				semconv.SignalKindSync),
		}
		return func(ctx context.Context) {
			ctx, span := tracer.Start(ctx, name, opts...)
			span.SetAttributes(semconv.ListenerCount(sig.Len()))
			emit(ctx)
			span.End()
		}
	case "metrics":
		cfg.Tracing = false
	case "metrics-nobudget":
		cfg.Tracing, cfg.DurationBudget = false, -1
	case "metrics-untimed":
		cfg.Tracing, cfg.DurationSampleRate, cfg.DurationBudget = false, 0, -1
	case "off":
		cfg.Metrics, cfg.Tracing = false, false
	case "tracing-unsampled":
		cfg.Metrics = false
	case "tracing-never":
		cfg.Metrics, cfg.Sampler = false, sampling.Never()
	case "tracing-ratio":
		cfg.Metrics, cfg.Sampler = false, sampling.Ratio(1e-9)
	case "tracing-ratelimited":
		cfg.Metrics, cfg.Sampler = false, sampling.RateLimited(1e-9)
	case "tracing-sampled":
		cfg.Metrics, cfg.Sampler = false, sampling.Always()
	default:
		b.Fatalf("unknown impl %q", impl)
	}
	s, err := otelsignals.NewSettings(cfg)
	if err != nil {
		b.Fatal(err)
	}
	err = otelsignals.Instrument(sig, otelsignals.WithSettings(s),
		otelsignals.WithMeterProvider(mp), otelsignals.WithTracerProvider(tp))
	if err != nil {
		b.Fatal(err)
	}
	return emit
}

// BenchmarkSyncEmit measures one emission of a SyncSignal whose listeners
// each do one atomic add.
func BenchmarkSyncEmit(b *testing.B) {
	for _, n := range []int{1, 10} {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("listeners=%d/impl=%s", n, impl), func(b *testing.B) {
				sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "bench"})
				var sink atomic.Int64
				for range n {
					sig.AddListener(func(context.Context, int) { sink.Add(1) })
				}
				emit := benchSetup(b, sig, impl, func(ctx context.Context) { sig.Emit(ctx, 1) })
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					emit(ctx)
				}
			})
		}
	}
}

// BenchmarkSyncEmitParallel is BenchmarkSyncEmit with one listener, from
// GOMAXPROCS goroutines at once: the instrumentation's counters are shared.
func BenchmarkSyncEmitParallel(b *testing.B) {
	for _, impl := range []string{"plain", "core-general", "metrics", "off"} {
		b.Run("impl="+impl, func(b *testing.B) {
			sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "bench"})
			sig.AddListener(func(context.Context, int) {})
			emit := benchSetup(b, sig, impl, func(ctx context.Context) { sig.Emit(ctx, 1) })
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					emit(ctx)
				}
			})
		})
	}
}

// work10us does about 10 µs of CPU work and returns a value that depends on
// it.
func work10us(n int) uint64 {
	x := uint64(n)
	for i := range n {
		x = x*6364136223846793005 + uint64(i)
	}
	return x
}

// BenchmarkSlowListener measures an emission of a SyncSignal with one
// listener that does about 10 µs of work: the instrumentation's share of a
// realistic listener.
func BenchmarkSlowListener(b *testing.B) {
	n := calibrate()
	for _, impl := range []string{"plain", "metrics"} {
		b.Run("impl="+impl, func(b *testing.B) {
			sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "bench"})
			var sink atomic.Uint64
			sig.AddListener(func(context.Context, int) { sink.Add(work10us(n)) })
			emit := benchSetup(b, sig, impl, func(ctx context.Context) { sig.Emit(ctx, 1) })
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				emit(ctx)
			}
		})
	}
}

// calibrate returns the n for which work10us takes about 10 µs here: the
// fastest of a few timed runs.
func calibrate() int {
	const n = 1_000_000
	best := time.Duration(math.MaxInt64)
	for range 5 {
		start := time.Now()
		sinkU64.Add(work10us(n))
		best = min(best, time.Since(start))
	}
	return max(1, int(10*time.Microsecond*n/best))
}

var sinkU64 atomic.Uint64

// BenchmarkAsyncEnqueue measures Enqueue on an AsyncSignal with one
// listener, including the delivery (the signal is closed, which waits for
// every delivery, at the end of the timed loop).
func BenchmarkAsyncEnqueue(b *testing.B) {
	for _, impl := range []string{"plain", "core-general", "metrics", "off"} {
		b.Run("impl="+impl, func(b *testing.B) {
			sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "bench", WorkerPoolSize: 1})
			var sink atomic.Int64
			sig.AddListener(func(context.Context, int) { sink.Add(1) })
			benchSetup(b, sig, impl, nil)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := sig.Enqueue(ctx, 1); err != nil {
					b.Fatal(err)
				}
			}
			if err := sig.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkInstrument measures Instrument and Detach, with a no-op meter
// and tracer provider.
func BenchmarkInstrument(b *testing.B) {
	sig := signals.NewSync[int]()
	mp := noop.NewMeterProvider()
	b.ReportAllocs()
	for b.Loop() {
		if err := otelsignals.Instrument(sig, otelsignals.WithMeterProvider(mp)); err != nil {
			b.Fatal(err)
		}
		if err := otelsignals.Detach(sig); err != nil {
			b.Fatal(err)
		}
	}
}
