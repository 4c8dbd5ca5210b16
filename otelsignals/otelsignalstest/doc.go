// Package otelsignalstest checks, in a test, the OpenTelemetry telemetry that
// package [github.com/signalkit/sdk/otelsignals] records for a program's
// signals.
//
// [New] sets up an in-memory OpenTelemetry SDK for one test: a
// MeterProvider with a [sdkmetric.ManualReader] and a TracerProvider with a
// [tracetest.SpanRecorder]. [Telemetry.Options] returns the options that make
// [otelsignals.Instrument] record into it; [Telemetry.Collect] reads the
// metrics back, and [Telemetry.Spans] the ended spans:
//
//	tel := otelsignalstest.New(t)
//	orders := signals.NewSync[Order]()
//	if err := otelsignals.Instrument(orders, tel.Options(otelsignals.WithName("orders.placed"))...); err != nil {
//		t.Fatal(err)
//	}
//	svc := NewService(orders) // the code under test
//	svc.Place(ctx, order)
//
//	m := tel.Collect(t)
//	if got := m.Emissions("orders.placed"); got != 1 {
//		t.Errorf("orders.placed emitted %d times, want 1", got)
//	}
//
// # Names
//
// Metrics are looked up by the names of package
// [github.com/signalkit/sdk/semconv] ([semconv.EmissionsName], ...), and
// signals by the name the instrumentation records ([otelsignals.WithName],
// or the signal's own name; "" stands for [semconv.DefaultSignalName]).
// [Metrics.Emissions], [Metrics.ListenerCalls] and [Metrics.ListenerErrors]
// add up every data point of the signal, whatever its other attributes;
// [Metrics.Sum] and [Metrics.HistogramCount] read the one data point with
// exactly the attributes given.
//
// # Spans
//
// The default sampler of otelsignals traces an emission only inside a
// sampled trace. To trace every emission of a test, instrument with
// otelsignals.WithSampler(sampling.Always()), or emit inside a span of
// [Telemetry.TracerProvider], which samples every trace.
//
// # Concurrency and lifetime
//
// A Telemetry and a [Metrics] are safe for concurrent use. New registers
// with [testing.TB.Cleanup] the shutdown of both providers at the end of the
// test; neither runs a goroutine of its own.
package otelsignalstest
