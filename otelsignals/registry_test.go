package otelsignals_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

// noopProviders keep the tests of the registry away from the global
// providers, which remember instruments until an SDK is installed.
var noopProviders = []otelsignals.Option{
	otelsignals.WithMeterProvider(metricnoop.NewMeterProvider()),
	otelsignals.WithTracerProvider(tracenoop.NewTracerProvider()),
}

// find returns the entry of InstrumentedSignals for sig.
func find(sig otelsignals.Signal) (otelsignals.Instrumented, bool) {
	for _, in := range otelsignals.InstrumentedSignals() {
		if in.Signal == sig {
			return in, true
		}
	}
	return otelsignals.Instrumented{}, false
}

func TestInstrumentedSignals(t *testing.T) {
	settings := new(otelsignals.Settings)
	a := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "registry.a"})
	b := signals.NewWithOptions[string](&signals.SignalOptions{Name: "registry.b"})
	defer b.Close()
	if err := otelsignals.Instrument(a, append(noopProviders, otelsignals.WithSettings(settings))...); err != nil {
		t.Fatal(err)
	}
	if err := otelsignals.Instrument(b, append(noopProviders, otelsignals.WithName("b.renamed"),
		otelsignals.WithDurationSampleRate(0.25), otelsignals.WithDurationBudget(-1))...); err != nil {
		t.Fatal(err)
	}

	ia, ok := find(a)
	if !ok {
		t.Fatal("a is not listed")
	}
	ib, ok := find(b)
	if !ok {
		t.Fatal("b is not listed")
	}
	if ia.Name != "registry.a" || ia.RecordedName != "registry.a" || ia.Settings != settings {
		t.Errorf("a: %+v", ia)
	}
	if ib.Name != "b.renamed" || ib.RecordedName != "b.renamed" || ib.Settings == nil || ib.Settings == settings {
		t.Errorf("b: %+v", ib)
	}
	if ib.ID <= ia.ID {
		t.Errorf("IDs %d, %d: not in the order of Instrument", ia.ID, ib.ID)
	}
	var order []uint64
	for _, in := range otelsignals.InstrumentedSignals() {
		order = append(order, in.ID)
	}
	for i := 1; i < len(order); i++ {
		if order[i] <= order[i-1] {
			t.Errorf("IDs not increasing: %v", order)
		}
	}

	// The defaults, and the options given to Instrument.
	want := otelsignals.Effective{Metrics: true, Tracing: true, DurationSampleRate: otelsignals.DefaultDurationSampleRate, DurationBudget: otelsignals.DefaultDurationBudget}
	if got := ia.Effective(); !sameEffective(got, want) || got.Sampler.Description() != "ParentBased{root:AlwaysOff}" {
		t.Errorf("a: %+v, want %+v", got, want)
	}
	want = otelsignals.Effective{Metrics: true, Tracing: true, DurationSampleRate: 0.25, DurationBudget: 0}
	if got := ib.Effective(); !sameEffective(got, want) {
		t.Errorf("b: %+v, want %+v", got, want)
	}

	// Effective reads the settings as they are now, overrides included.
	settings.SetMetricsEnabled(false)
	if err := settings.SetOverride("registry.a", otelsignals.Override{
		Tracing: new(false), ListenerSpans: new(true), Sampler: sampling.Always(),
		DurationSampleRate: new(1.0), DurationBudget: new(7),
	}); err != nil {
		t.Fatal(err)
	}
	want = otelsignals.Effective{ListenerSpans: true, DurationSampleRate: 1, DurationBudget: 7}
	if got := ia.Effective(); !sameEffective(got, want) || got.Sampler.Description() != "AlwaysOn" {
		t.Errorf("a after the override: %+v, want %+v", got, want)
	}

	// Detach removes the signal from the list; a snapshot taken before
	// reads everything off. A new Instrument gives a new ID.
	if err := otelsignals.Detach(a); err != nil {
		t.Fatal(err)
	}
	if _, ok := find(a); ok {
		t.Error("a is listed after Detach")
	}
	if got := ia.Effective(); got != (otelsignals.Effective{}) {
		t.Errorf("a detached: %+v, want everything off", got)
	}
	if _, ok := find(b); !ok {
		t.Error("b is no longer listed after a's Detach")
	}
	if err := otelsignals.Instrument(a, noopProviders...); err != nil {
		t.Fatal(err)
	}
	again, ok := find(a)
	if !ok || again.ID <= ib.ID {
		t.Errorf("a instrumented again: %+v, %v; want a new ID above %d", again, ok, ib.ID)
	}
	for _, sig := range []otelsignals.Signal{a, b} {
		if err := otelsignals.Detach(sig); err != nil {
			t.Fatal(err)
		}
	}

	// An Instrument that fails lists nothing more.
	c := signals.NewSync[int]()
	if err := otelsignals.Instrument(c, noopProviders...); err != nil {
		t.Fatal(err)
	}
	first, _ := find(c)
	if err := otelsignals.Instrument(c, noopProviders...); err == nil {
		t.Fatal("Instrument on an instrumented signal succeeded")
	}
	listed := 0
	for _, in := range otelsignals.InstrumentedSignals() {
		if in.Signal == otelsignals.Signal(c) {
			listed++
			if in.ID != first.ID {
				t.Errorf("after a refused Instrument, the signal is listed as %+v, want %+v", in, first)
			}
		}
	}
	if listed != 1 {
		t.Errorf("after a refused Instrument, the signal is listed %d times, want once", listed)
	}
	if err := otelsignals.Detach(c); err != nil {
		t.Fatal(err)
	}

	if got := (otelsignals.Instrumented{}).Effective(); got != (otelsignals.Effective{}) {
		t.Errorf("zero Instrumented: %+v", got)
	}
}

// sameEffective compares everything but the sampler, which is compared by
// its description where it matters.
func sameEffective(a, b otelsignals.Effective) bool {
	a.Sampler, b.Sampler = nil, nil
	return a == b
}

// TestEffectiveRate: the rate read back is the rate set.
func TestEffectiveRate(t *testing.T) {
	for _, rate := range []float64{0, 1e-9, 0.0001, 0.01, 0.1, 1.0 / 3, 0.5, 0.999, 1} {
		sig := signals.NewSync[int]()
		if err := otelsignals.Instrument(sig, append(noopProviders, otelsignals.WithDurationSampleRate(rate))...); err != nil {
			t.Fatal(err)
		}
		in, _ := find(sig)
		got := in.Effective().DurationSampleRate
		if rate >= 1.0/2048 && got != rate || rate < 1.0/2048 && (got > rate || rate-got > 0x1p-64) {
			t.Errorf("rate %v read back as %v", rate, got)
		}
		if err := otelsignals.Detach(sig); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInstrumentedSignalsConcurrent instruments and detaches signals from
// several goroutines while others list them and emit: under -race, and in
// the end none of them is listed.
func TestInstrumentedSignalsConcurrent(t *testing.T) {
	const workers, rounds = 4, 200
	var wg sync.WaitGroup
	mine := make(map[otelsignals.Signal]bool)
	var mu sync.Mutex
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, in := range otelsignals.InstrumentedSignals() {
					_ = in.Effective()
					_ = in.Signal.Stats()
				}
			}
		})
	}
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: fmt.Sprintf("conc.%d.%d", w, r)})
				mu.Lock()
				mine[sig] = true
				mu.Unlock()
				if err := otelsignals.Instrument(sig, noopProviders...); err != nil {
					t.Error(err)
					return
				}
				sig.Emit(t.Context(), r)
				if err := otelsignals.Detach(sig); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	for _, in := range otelsignals.InstrumentedSignals() {
		if mine[in.Signal] {
			t.Errorf("%q is listed after Detach", in.Name)
		}
	}
}

// TestDetachReleases: once detached and dropped by its owner, a signal can
// be collected: the list keeps no reference to it.
func TestDetachReleases(t *testing.T) {
	ref := instrumentAndDetach(t)
	deadline := time.Now().Add(5 * time.Second)
	for ref.Value() != nil {
		if time.Now().After(deadline) {
			t.Fatal("the detached signal is still reachable")
		}
		runtime.GC()
	}
}

// instrumentAndDetach instruments a new signal, lists it, detaches it, and
// returns a weak pointer to it: no strong reference remains.
func instrumentAndDetach(t *testing.T) weak.Pointer[signals.SyncSignal[[]byte]] {
	sig := signals.NewSyncWithOptions[[]byte](&signals.SignalOptions{Name: "released"})
	if err := otelsignals.Instrument(sig, noopProviders...); err != nil {
		t.Fatal(err)
	}
	if _, ok := find(sig); !ok {
		t.Fatal("not listed")
	}
	if err := otelsignals.Detach(sig); err != nil {
		t.Fatal(err)
	}
	return weak.Make(sig)
}
