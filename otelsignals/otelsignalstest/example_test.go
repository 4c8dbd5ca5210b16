package otelsignalstest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/otelsignals/otelsignalstest"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// exampleT stands for the *testing.T that a test passes, which an example
// does not have: it prints failures, and drops the functions registered
// with Cleanup, as an example has no end of test to run them at (the
// in-memory providers hold no goroutine).
type exampleT struct{ testing.TB }

func (exampleT) Helper()        {}
func (exampleT) Cleanup(func()) {}
func (exampleT) Errorf(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
}
func (exampleT) Fatalf(format string, args ...any) {
	fmt.Printf("FAIL (the test ends): "+format+"\n", args...)
}

// Order is the payload of the examples' signals.
type Order struct {
	ID    string
	Total int
}

// A test that checks what the instrumentation records for the code under
// test: emissions, listener calls and failures of a signal, and its spans.
func Example() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)

	placed := signals.NewSyncWithOptions[Order](&signals.SignalOptions{
		ErrorHandler: func(context.Context, string, error) {},
	})
	err := otelsignals.Instrument(placed, tel.Options(
		otelsignals.WithName("orders.placed"),
		otelsignals.WithSampler(sampling.Always()), // trace every emission
	)...)
	if err != nil {
		t.Fatalf("Instrument: %v", err)
	}
	placed.AddListenerWithErr(func(_ context.Context, o Order) error {
		if o.Total > 100 {
			return errors.New("over the limit")
		}
		return nil
	})

	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	placed.Emit(context.Background(), Order{ID: "A-2", Total: 300})

	m := tel.Collect(t)
	fmt.Println("emissions:", m.Emissions("orders.placed"))
	fmt.Println("listener calls:", m.ListenerCalls("orders.placed"))
	fmt.Println("listener errors:", m.ListenerErrors("orders.placed"))
	fmt.Println("spans:", tel.SpanNames())
	// Output:
	// emissions: 2
	// listener calls: 2
	// listener errors: 1
	// spans: [emit orders.placed emit orders.placed]
}

func ExampleNew() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)

	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)
	sig.Emit(context.Background(), 1)
	fmt.Println(tel.Collect(t).Emissions("jobs"))
	// Output:
	// 1
}

func ExampleTelemetry_Options() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)

	sig := signals.NewSync[int]()
	_ = otelsignals.Instrument(sig, tel.Options(
		otelsignals.WithName("jobs"),
		otelsignals.WithDurationSampleRate(1), // time every emission
	)...)
	sig.Emit(context.Background(), 1)
	count, _ := tel.Collect(t).HistogramCount(semconv.EmissionDurationName,
		semconv.SignalName("jobs"), semconv.SignalKindSync)
	fmt.Println(count)
	// Output:
	// 1
}

// Code that takes a MeterProvider records into the same collection.
func ExampleTelemetry_MeterProvider() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)

	requests, _ := tel.MeterProvider().Meter("shop").Int64Counter("shop.requests")
	requests.Add(context.Background(), 3)
	for _, sm := range tel.Collect(t).ResourceMetrics().ScopeMetrics {
		fmt.Println(sm.Scope.Name, sm.Metrics[0].Name)
	}
	// Output:
	// shop shop.requests
}

// Emissions inside a span of the TracerProvider are traced by the default
// sampler, as children of that span.
func ExampleTelemetry_TracerProvider() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)

	sig.Emit(context.Background(), 1) // outside a trace: not traced
	ctx, request := tel.TracerProvider().Tracer("shop").Start(context.Background(), "request")
	sig.Emit(ctx, 2)
	request.End()

	for _, s := range tel.Spans() {
		fmt.Println(s.Name(), s.Parent().SpanID() == request.SpanContext().SpanID())
	}
	// Output:
	// emit jobs true
}

func ExampleTelemetry_SpanRecorder() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)

	ctx, request := tel.TracerProvider().Tracer("shop").Start(context.Background(), "request")
	sig.Emit(ctx, 1)
	request.End()

	for _, s := range tel.SpanRecorder().Ended() { // every span, the request's too
		fmt.Println(s.Name())
	}
	// Output:
	// emit jobs
	// request
}

func ExampleTelemetry_Collect() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)

	sig.Emit(context.Background(), 1)
	before := tel.Collect(t)
	sig.Emit(context.Background(), 2)
	after := tel.Collect(t) // sums are cumulative
	fmt.Println(before.Emissions("jobs"), after.Emissions("jobs"))
	// Output:
	// 1 2
}

func ExampleTelemetry_Spans() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options(
		otelsignals.WithSampler(sampling.Always()),
		otelsignals.WithListenerSpans(true),
	)...)
	sig.AddListener(func(context.Context, int) {}, "worker")

	sig.Emit(context.Background(), 1)
	for _, s := range tel.Spans() {
		fmt.Println(s.Name(), s.SpanKind())
	}
	// Output:
	// process jobs consumer
	// emit jobs producer
}

func ExampleTelemetry_SpanNames() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options(otelsignals.WithSampler(sampling.Always()))...)

	sig.Emit(context.Background(), 1)
	_ = sig.TryEmit(context.Background(), 2)
	fmt.Println(tel.SpanNames())
	// Output:
	// [emit jobs try_emit jobs]
}

func ExampleTelemetry_SignalSpans() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	for _, name := range []string{"orders", "payments"} {
		sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: name})
		_ = otelsignals.Instrument(sig, tel.Options(otelsignals.WithSampler(sampling.Always()))...)
		sig.Emit(context.Background(), 1)
	}
	for _, s := range tel.SignalSpans("payments") {
		fmt.Println(s.Name())
	}
	// Output:
	// emit payments
}

func ExampleMetrics_Emissions() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)

	for i := range 3 {
		sig.Emit(context.Background(), i) // counted with or without listeners
	}
	m := tel.Collect(t)
	fmt.Println(m.Emissions("jobs"), m.Emissions("other"))
	// Output:
	// 3 0
}

func ExampleMetrics_ListenerCalls() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)
	sig.AddListener(func(context.Context, int) {})
	sig.AddListener(func(context.Context, int) {})

	sig.Emit(context.Background(), 1)
	fmt.Println(tel.Collect(t).ListenerCalls("jobs"))
	// Output:
	// 2
}

func ExampleMetrics_ListenerErrors() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)
	sig.AddListenerWithErr(func(context.Context, int) error { return errors.New("failed") })

	sig.Emit(context.Background(), 1)
	_ = sig.TryEmit(context.Background(), 2)
	fmt.Println(tel.Collect(t).ListenerErrors("jobs"))
	// Output:
	// 2
}

func ExampleMetrics_ListenerErrorsByType() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{
		Name:         "jobs",
		ErrorHandler: func(context.Context, string, error) {}, // do not log the panic
	})
	_ = otelsignals.Instrument(sig, tel.Options()...)
	sig.AddListenerWithErr(func(context.Context, int) error {
		return &os.PathError{Op: "open", Path: "jobs.db", Err: os.ErrNotExist}
	})
	sig.AddListenerWithErr(func(context.Context, int) error { return errors.New("failed") }) // says nothing: _OTHER
	sig.AddListener(func(context.Context, int) { panic("bug") })

	sig.Emit(context.Background(), 1)
	byType := tel.Collect(t).ListenerErrorsByType("jobs")
	types := make([]string, 0, len(byType))
	for typ := range byType {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		fmt.Println(typ, byType[typ])
	}
	// Output:
	// *fs.PathError 1
	// _OTHER 1
	// panic 1
}

func ExampleMetrics_Names() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)

	sig.Emit(context.Background(), 1)
	names := tel.Collect(t).Names()
	fmt.Println(slices.Contains(names, semconv.EmissionsName))
	fmt.Println(slices.Contains(names, semconv.QueueDepthName)) // a SyncSignal has no queue
	// Output:
	// true
	// false
}

func ExampleMetrics_Metric() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)
	sig.Emit(context.Background(), 1)

	md, ok := tel.Collect(t).Metric(semconv.EmissionsName)
	sum := md.Data.(metricdata.Sum[int64])
	fmt.Println(ok, md.Unit, sum.IsMonotonic, sum.DataPoints[0].Value)
	// Output:
	// true {emission} true 1
}

func ExampleMetrics_Sum() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)
	sig.AddListener(func(context.Context, int) {}, "a")
	sig.AddListener(func(context.Context, int) {}, "b")
	sig.RemoveListener("a")

	m := tel.Collect(t)
	jobs := []attribute.KeyValue{semconv.SignalName("jobs"), semconv.SignalKindSync}
	fmt.Println(m.Sum(semconv.ListenerChangesName, append(jobs, semconv.ListenerChangeAdd)...))
	fmt.Println(m.Sum(semconv.ListenerChangesName, append(jobs, semconv.ListenerChangeRemove)...))
	fmt.Println(m.Sum(semconv.ListenersName, append(jobs, semconv.ListenerStateEnabled)...))
	fmt.Println(m.Sum(semconv.ListenersName, jobs...)) // not exactly the attributes: the state is missing
	// Output:
	// 2 true
	// 1 true
	// 1 true
	// 0 false
}

func ExampleMetrics_HistogramCount() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options(otelsignals.WithDurationSampleRate(1))...)
	sig.AddListener(func(context.Context, int) {})
	sig.AddListener(func(context.Context, int) {})

	sig.Emit(context.Background(), 1)
	m := tel.Collect(t)
	jobs := []attribute.KeyValue{semconv.SignalName("jobs"), semconv.SignalKindSync}
	fmt.Println(m.HistogramCount(semconv.EmissionDurationName, jobs...))
	fmt.Println(m.HistogramCount(semconv.ListenerDurationName, jobs...))
	// Output:
	// 1 true
	// 2 true
}

func ExampleMetrics_Points() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	// No duration budget and a sample rate of 0: no emission is timed.
	_ = otelsignals.Instrument(sig, tel.Options(otelsignals.WithDurationBudget(-1), otelsignals.WithDurationSampleRate(0))...)

	sig.Emit(context.Background(), 1)
	m := tel.Collect(t)
	fmt.Println(m.Points(semconv.EmissionsName), m.Points(semconv.EmissionDurationName))
	// Output:
	// 1 0
}

func ExampleMetrics_ResourceMetrics() {
	t := exampleT{} // in a test: the test's *testing.T
	tel := otelsignalstest.New(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	_ = otelsignals.Instrument(sig, tel.Options()...)
	sig.Emit(context.Background(), 1)

	for _, sm := range tel.Collect(t).ResourceMetrics().ScopeMetrics {
		fmt.Println(sm.Scope.Name, sm.Scope.Version == otelsignals.Version)
	}
	// Output:
	// github.com/signalkit/sdk/otelsignals true
}
