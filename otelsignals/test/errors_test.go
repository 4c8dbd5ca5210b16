package test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

var errCreate = errors.New("cannot create")

// failingMeterProvider returns meters that fail to create instruments.
type failingMeterProvider struct {
	noop.MeterProvider
	meter metric.Meter
}

func (p failingMeterProvider) Meter(string, ...metric.MeterOption) metric.Meter { return p.meter }

// failingMeter fails everything.
type failingMeter struct{ noop.Meter }

func (failingMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return nil, errCreate
}

func (failingMeter) Float64Histogram(string, ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	return nil, errCreate
}

func (failingMeter) Int64ObservableCounter(string, ...metric.Int64ObservableCounterOption) (metric.Int64ObservableCounter, error) {
	return nil, errCreate
}

func (failingMeter) Int64ObservableUpDownCounter(string, ...metric.Int64ObservableUpDownCounterOption) (metric.Int64ObservableUpDownCounter, error) {
	return nil, errCreate
}

// partialMeter is a real meter that fails to create up-down counters,
// histograms and counters.
type partialMeter struct{ metric.Meter }

func (partialMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return nil, errCreate
}

func (partialMeter) Float64Histogram(string, ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	return nil, errCreate
}

func (partialMeter) Int64ObservableUpDownCounter(string, ...metric.Int64ObservableUpDownCounterOption) (metric.Int64ObservableUpDownCounter, error) {
	return nil, errCreate
}

// unregisterableMeter is a real meter whose callbacks fail to register, or
// to unregister.
type unregisterableMeter struct {
	metric.Meter
	failRegister bool
}

type failingRegistration struct{ noop.Registration }

func (failingRegistration) Unregister() error { return errCreate }

func (m unregisterableMeter) RegisterCallback(f metric.Callback, obs ...metric.Observable) (metric.Registration, error) {
	if m.failRegister {
		return nil, errCreate
	}
	if _, err := m.Meter.RegisterCallback(f, obs...); err != nil {
		return nil, err
	}
	return failingRegistration{}, nil
}

// handled captures what otel.Handle receives while the test runs.
func handled(t *testing.T) func() []error {
	var (
		mu   sync.Mutex
		errs []error
	)
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	return func() []error {
		mu.Lock()
		defer mu.Unlock()
		return append([]error(nil), errs...)
	}
}

// workload exercises every collector method of an async signal.
func workload(t *testing.T, sig *signals.AsyncSignal[int]) {
	t.Helper()
	sig.AddListenerWithErr(func(context.Context, int) error { return &boomError{} }, "k")
	sig.AddListener(func(context.Context, int) {})
	sig.Emit(context.Background(), 1)
	if err := sig.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	sig.RemoveListener("k")
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestInstrumentCreationErrors(t *testing.T) {
	errs := handled(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "fail", ErrorHandler: ignore})
	defer sig.Close()
	err := otelsignals.Instrument(sig,
		otelsignals.WithMeterProvider(failingMeterProvider{meter: failingMeter{}}),
		otelsignals.WithDurationSampleRate(1))
	if err != nil {
		t.Fatalf("Instrument = %v, want success despite the meter", err)
	}
	workload(t, sig)
	got := errs()
	if len(got) != 1 || !errors.Is(got[0], errCreate) {
		t.Errorf("otel.Handle received %v, want one joined error", got)
	}
	if err := otelsignals.Detach(sig); err != nil {
		t.Errorf("Detach = %v", err)
	}
}

func TestInstrumentPartialErrors(t *testing.T) {
	errs := handled(t)
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "partial", ErrorHandler: ignore})
	defer sig.Close()
	meter := partialMeter{e.MeterProvider().Meter(otelsignals.ScopeName, metric.WithInstrumentationVersion(otelsignals.Version))}
	err := otelsignals.Instrument(sig,
		otelsignals.WithMeterProvider(failingMeterProvider{meter: meter}),
		otelsignals.WithDurationSampleRate(1))
	if err != nil {
		t.Fatal(err)
	}
	workload(t, sig)
	got := e.Collect(t)
	if n, _ := got.Sum(semconv.EmissionsName, nameKind("partial", semconv.SignalKindAsync)...); n != 2 {
		t.Errorf("emissions = %d, want 2", n)
	}
	if _, ok := got.Metric(semconv.ListenersName); ok {
		t.Error("listeners reported without an instrument")
	}
	if len(errs()) != 1 {
		t.Errorf("otel.Handle received %v", errs())
	}
}

func TestRegistrationErrors(t *testing.T) {
	errs := handled(t)
	e := newEnv(t)
	real := e.MeterProvider().Meter(otelsignals.ScopeName)

	sig := signals.NewSync[int]()
	mp := failingMeterProvider{meter: unregisterableMeter{Meter: real, failRegister: true}}
	if err := otelsignals.Instrument(sig, otelsignals.WithMeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	if got := errs(); len(got) != 1 || !errors.Is(got[0], errCreate) {
		t.Errorf("otel.Handle received %v", got)
	}
	if err := otelsignals.Detach(sig); err != nil {
		t.Errorf("Detach without a registration = %v", err)
	}

	sig = signals.NewSync[int]()
	mp = failingMeterProvider{meter: unregisterableMeter{Meter: real}}
	if err := otelsignals.Instrument(sig, otelsignals.WithMeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	if err := otelsignals.Detach(sig); !errors.Is(err, errCreate) {
		t.Errorf("Detach = %v, want the Unregister error", err)
	}
	if sig.Collector() != nil {
		t.Error("Detach left the collector attached")
	}
}

// racing is a signal on which another SetCollector wins every race.
type racing struct {
	*signals.SyncSignal[int]
	winner signals.MetricsCollector
}

func (r *racing) SetCollector(c signals.MetricsCollector) signals.MetricsCollector {
	prev := r.SyncSignal.SetCollector(c)
	if r.winner != nil && c != r.winner {
		r.SyncSignal.SetCollector(r.winner)
		return r.winner
	}
	return prev
}

func TestInstrumentRace(t *testing.T) {
	other := signals.NopCollector{}
	sig := &racing{SyncSignal: signals.NewSync[int](), winner: other}
	if err := otelsignals.Instrument(sig); !errors.Is(err, otelsignals.ErrAlreadyInstrumented) {
		t.Errorf("Instrument = %v, want ErrAlreadyInstrumented", err)
	}
	if sig.Collector() != other {
		t.Error("Instrument did not give the signal back to the winner")
	}
}

func TestDetachRace(t *testing.T) {
	sig := &racing{SyncSignal: signals.NewSync[int]()}
	if err := otelsignals.Instrument(sig); err != nil {
		t.Fatal(err)
	}
	other := signals.NopCollector{}
	sig.winner = other
	if err := otelsignals.Detach(sig); !errors.Is(err, otelsignals.ErrNotInstrumented) {
		t.Errorf("Detach = %v, want ErrNotInstrumented", err)
	}
	if sig.Collector() != other {
		t.Error("Detach did not give the signal back to the winner")
	}
}

func TestNilOptions(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "nil"})
	err := otelsignals.Instrument(sig, e.Options(
		nil,
		otelsignals.WithMeterProvider(nil),
		otelsignals.WithTracerProvider(nil),
		otelsignals.WithName(""),
		otelsignals.WithSampler(nil),
		otelsignals.WithSettings(nil),
		otelsignals.WithCardinalityLimit(0),
		otelsignals.WithDurationSampleRate(math.NaN()), // 0
		otelsignals.WithDurationBudget(-1),             // none: the rate alone decides
	)...)
	if err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	got := e.Collect(t)
	if n, _ := got.Sum(semconv.EmissionsName, nameKind("nil", semconv.SignalKindSync)...); n != 1 {
		t.Errorf("emissions = %d, want 1", n)
	}
	if p := got.Points(semconv.EmissionDurationName); p != 0 {
		t.Error("NaN rate timed an emission")
	}
}

func TestGlobalProviders(t *testing.T) {
	e := newEnv(t)
	prevMP, prevTP := otel.GetMeterProvider(), otel.GetTracerProvider()
	otel.SetMeterProvider(e.MeterProvider())
	otel.SetTracerProvider(e.TracerProvider())
	t.Cleanup(func() {
		otel.SetMeterProvider(prevMP)
		otel.SetTracerProvider(prevTP)
	})
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "g"})
	if err := otelsignals.Instrument(sig, otelsignals.WithSampler(alwaysSampler())); err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	if n, _ := e.Collect(t).Sum(semconv.EmissionsName, nameKind("g", semconv.SignalKindSync)...); n != 1 {
		t.Errorf("emissions through the global MeterProvider = %d, want 1", n)
	}
	if len(e.spans.Ended()) != 1 {
		t.Error("no span through the global TracerProvider")
	}
}
