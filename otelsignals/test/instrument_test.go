package test

import (
	"context"
	"errors"
	"testing"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

func TestInstrumentErrors(t *testing.T) {
	var nilSync *signals.SyncSignal[int]
	tests := []struct {
		name string
		sig  otelsignals.Signal
		want error
	}{
		{"nil interface", nil, otelsignals.ErrNilSignal},
		{"nil pointer", nilSync, otelsignals.ErrNilSignal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := otelsignals.Instrument(tt.sig); !errors.Is(err, tt.want) {
				t.Errorf("Instrument = %v, want %v", err, tt.want)
			}
			if err := otelsignals.Detach(tt.sig); !errors.Is(err, tt.want) {
				t.Errorf("Detach = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestInstrumentTwice(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSync[int]()
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	first := sig.Collector()
	if err := otelsignals.Instrument(sig, e.Options()...); !errors.Is(err, otelsignals.ErrAlreadyInstrumented) {
		t.Fatalf("second Instrument = %v, want ErrAlreadyInstrumented", err)
	}
	if sig.Collector() != first {
		t.Error("second Instrument replaced the first instrumentation")
	}
	if err := otelsignals.Detach(sig); err != nil {
		t.Fatalf("Detach = %v", err)
	}
	if sig.Collector() != nil {
		t.Error("Collector() after Detach is not nil")
	}
	if err := otelsignals.Detach(sig); !errors.Is(err, otelsignals.ErrNotInstrumented) {
		t.Errorf("second Detach = %v, want ErrNotInstrumented", err)
	}
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Errorf("Instrument after Detach = %v", err)
	}
}

func TestInstrumentForeignCollector(t *testing.T) {
	sig := signals.NewSync[int]()
	foreign := signals.NopCollector{}
	sig.SetCollector(foreign)
	if err := otelsignals.Instrument(sig); err != nil {
		t.Errorf("Instrument beside another collector = %v", err)
	}
	if sig.Collector() == foreign {
		t.Error("Instrument did not attach")
	}
	if err := otelsignals.Detach(sig); err != nil {
		t.Errorf("Detach = %v", err)
	}
	if sig.Collector() != foreign {
		t.Error("Detach did not give the signal its collector back")
	}
	if err := otelsignals.Detach(sig); !errors.Is(err, otelsignals.ErrNotInstrumented) {
		t.Errorf("Detach = %v, want ErrNotInstrumented", err)
	}
}

// TestKeepsMethods checks that an instrumented signal keeps its own
// behaviour: TryEmit still returns the failure.
func TestKeepsMethods(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSync[int]()
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	sig.AddListenerWithErr(func(context.Context, int) error { return boom })
	if err := sig.TryEmit(context.Background(), 1); !errors.Is(err, boom) {
		t.Errorf("TryEmit = %v, want %v", err, boom)
	}
}

func TestDetachStopsData(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "d", ErrorHandler: ignore})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSampler(alwaysSampler()))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListenerWithErr(func(context.Context, int) error { return errors.New("x") })
	sig.Emit(context.Background(), 1)
	before := e.Collect(t)
	if n, _ := before.Sum(semconv.EmissionsName, nameKind("d", semconv.SignalKindSync)...); n != 1 {
		t.Fatalf("emissions before Detach = %d, want 1", n)
	}
	if err := otelsignals.Detach(sig); err != nil {
		t.Fatal(err)
	}
	spans := len(e.spans.Ended())
	sig.AddListener(func(context.Context, int) {})
	sig.Emit(context.Background(), 2)
	after := e.Collect(t)
	for _, name := range []string{semconv.EmissionsName, semconv.ListenerInvocationsName, semconv.ListenersName} {
		if after.Points(name) != 0 {
			t.Errorf("%s has data points after Detach: the callback is still registered", name)
		}
	}
	errs, _ := after.Sum(semconv.ListenerErrorsName, append(nameKind("d", semconv.SignalKindSync), semconv.ErrorType(errors.New("x")))...)
	if errs != 1 {
		t.Errorf("listener errors after Detach = %d, want 1 (unchanged)", errs)
	}
	add, _ := after.Sum(semconv.ListenerChangesName, append(nameKind("d", semconv.SignalKindSync), semconv.ListenerChangeAdd)...)
	if add != 1 {
		t.Errorf("listener adds after Detach = %d, want 1 (unchanged)", add)
	}
	if got := len(e.spans.Ended()); got != spans {
		t.Errorf("%d spans ended after Detach, want none", got-spans)
	}
}

// TestDetachInFlight detaches while a traced emission runs: its span still
// ends.
func TestDetachInFlight(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "f"})
	err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSampler(alwaysSampler()), otelsignals.WithListenerSpans(true))...)
	if err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) {
		if err := otelsignals.Detach(sig); err != nil {
			t.Errorf("Detach = %v", err)
		}
	})
	sig.Emit(context.Background(), 1)
	if got, want := e.SpanNames(), []string{"process f", "emit f"}; !equal(got, want) {
		t.Errorf("ended spans = %q, want %q", got, want)
	}
}
