package test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// printSums prints the data points of the sum named name, from the metrics
// reader collects.
func printSums(reader sdkmetric.Reader, name string) {
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		fmt.Println(err)
		return
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				fmt.Printf("%s %s: %d\n", m.Name, dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Value)
			}
		}
	}
}

func Example_instrument() {
	// A process sets up the SDK once; here it keeps metrics in memory.
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders.created"})
	if err := otelsignals.Instrument(orders, otelsignals.WithMeterProvider(mp)); err != nil {
		fmt.Println(err)
		return
	}
	orders.AddListener(func(context.Context, string) {})
	orders.AddListener(func(context.Context, string) {})
	for _, id := range []string{"a1", "a2", "a3"} {
		orders.Emit(context.Background(), id)
	}
	printSums(reader, semconv.EmissionsName)
	printSums(reader, semconv.ListenerInvocationsName)
	// Output:
	// signals.emissions signals.kind=sync,signals.name=orders.created: 3
	// signals.listener.invocations signals.kind=sync,signals.name=orders.created: 6
}

func Example_detach() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "ticks"})
	if err := otelsignals.Instrument(sig, otelsignals.WithMeterProvider(mp)); err != nil {
		fmt.Println(err)
		return
	}
	sig.Emit(context.Background(), 1)
	printSums(reader, semconv.EmissionsName)

	if err := otelsignals.Detach(sig); err != nil {
		fmt.Println(err)
		return
	}
	sig.Emit(context.Background(), 2)
	printSums(reader, semconv.EmissionsName) // nothing: the callback is gone
	fmt.Println("collector:", sig.Collector())
	// Output:
	// signals.emissions signals.kind=sync,signals.name=ticks: 1
	// collector: <nil>
}

func Example_settings() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	// Every signal instrumented with these Settings follows them.
	settings := new(otelsignals.Settings)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	err := otelsignals.Instrument(sig, otelsignals.WithMeterProvider(mp), otelsignals.WithSettings(settings))
	if err != nil {
		fmt.Println(err)
		return
	}
	sig.Emit(context.Background(), 1)

	// Metrics off for this signal only: its emissions are no longer
	// counted, and its observable metrics report nothing.
	if err := settings.SetOverride("jobs", otelsignals.Override{Metrics: new(false)}); err != nil {
		fmt.Println(err)
		return
	}
	sig.Emit(context.Background(), 2)
	printSums(reader, semconv.EmissionsName)
	fmt.Println("overridden: metrics off")

	settings.ClearOverride("jobs")
	sig.Emit(context.Background(), 3)
	printSums(reader, semconv.EmissionsName)

	// Bad values are rejected and change nothing.
	fmt.Println(settings.SetDurationSampleRate(2))
	// Output:
	// overridden: metrics off
	// signals.emissions signals.kind=sync,signals.name=jobs: 2
	// otelsignals: invalid config: DurationSampleRate 2 is not in [0, 1]
}

func Example_withSampler() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())

	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "payments"})
	err := otelsignals.Instrument(sig,
		otelsignals.WithTracerProvider(tp),
		otelsignals.WithSampler(sampling.Always()), // also emissions outside a trace
		otelsignals.WithListenerSpans(true),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig.AddListener(func(context.Context, int) {})
	sig.Emit(context.Background(), 42)
	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.SpanKind())
	}
	// Output:
	// process payments consumer
	// emit payments producer
}

func Example_withName() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	sig := signals.NewSync[int]() // unnamed
	err := otelsignals.Instrument(sig,
		otelsignals.WithMeterProvider(mp),
		otelsignals.WithName("cache.invalidated"),
		otelsignals.WithAttributes(attribute.String("service", "catalog")),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig.Emit(context.Background(), 1)
	printSums(reader, semconv.EmissionsName)
	// Output:
	// signals.emissions service=catalog,signals.kind=sync,signals.name=cache.invalidated: 1
}

func Example_withCardinalityLimit() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	// Signals created at run time share one Settings, which records at most
	// two names.
	settings := new(otelsignals.Settings)
	for _, tenant := range []string{"t1", "t2", "t3", "t4"} {
		sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "tenant." + tenant})
		err := otelsignals.Instrument(sig,
			otelsignals.WithMeterProvider(mp),
			otelsignals.WithSettings(settings),
			otelsignals.WithCardinalityLimit(2))
		if err != nil {
			fmt.Println(err)
			return
		}
		sig.Emit(context.Background(), 1)
	}
	printSums(reader, semconv.EmissionsName)
	// Unordered output:
	// signals.emissions signals.kind=sync,signals.name=tenant.t1: 1
	// signals.emissions signals.kind=sync,signals.name=tenant.t2: 1
	// signals.emissions signals.kind=sync,signals.name=_OTHER: 2
}

// printHistogramCounts prints the count of each data point of the histogram
// named name, from the metrics reader collects.
func printHistogramCounts(reader sdkmetric.Reader, name string) {
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		fmt.Println(err)
		return
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
				fmt.Printf("%s %s: %d timed\n", m.Name, dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Count)
			}
		}
	}
}

func Example_withDurationBudget() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	// A quiet signal: 30 emissions within a second, every one timed by the
	// default budget of 100 a second, although the rate alone (0.01) would
	// have timed none of them.
	quiet := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "config.reloaded"})
	// The budget turned off: only the rate (here 0) decides.
	untimed := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "cache.evicted"})
	if err := otelsignals.Instrument(quiet, otelsignals.WithMeterProvider(mp)); err != nil {
		fmt.Println(err)
		return
	}
	err := otelsignals.Instrument(untimed, otelsignals.WithMeterProvider(mp),
		otelsignals.WithDurationBudget(-1), otelsignals.WithDurationSampleRate(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	for v := range 30 {
		quiet.Emit(context.Background(), v)
		untimed.Emit(context.Background(), v)
	}
	printHistogramCounts(reader, semconv.EmissionDurationName)
	printSums(reader, semconv.EmissionsName)
	// Unordered output:
	// signals.emission.duration signals.kind=sync,signals.name=config.reloaded: 30 timed
	// signals.emissions signals.kind=sync,signals.name=config.reloaded: 30
	// signals.emissions signals.kind=sync,signals.name=cache.evicted: 30
}
