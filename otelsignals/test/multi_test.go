package test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

// userCollector is a collector of the user's own, beside the
// instrumentation: it counts emission ends, listener calls and failures, and
// checks that its observer is the one it returned (the state it keeps per
// emission).
type userCollector struct {
	signals.NopCollector
	starts, ends, calls, failures, foreign atomic.Int64
}

// userObserver is userCollector's observer of one emission.
type userObserver struct {
	c    *userCollector
	span trace.SpanContext // the span the listeners' context carried at the start
}

func (c *userCollector) EmitStart(ctx context.Context, e signals.Emission) (context.Context, signals.EmitObserver) {
	c.starts.Add(1)
	if e.Op == signals.OpDeliver {
		if _, ok := e.Enqueued.(*userObserver); !ok {
			c.foreign.Add(1) // given another collector's observer for its enqueue
		}
	}
	return ctx, &userObserver{c: c, span: trace.SpanContextFromContext(ctx)}
}

func (o *userObserver) Observe() signals.Observe {
	return signals.ObserveEnd | signals.ObserveListeners
}

func (o *userObserver) ListenerStart(ctx context.Context, _ signals.ListenerInfo) context.Context {
	return ctx
}

func (o *userObserver) ListenerEnd(_ context.Context, _ signals.ListenerInfo, _ time.Duration, err error) {
	o.c.calls.Add(1)
	if err != nil {
		o.c.failures.Add(1)
	}
}

func (o *userObserver) EmitEnd(context.Context, signals.Emission, signals.EmitResult) {
	o.c.ends.Add(1)
}

// TestBesideUserCollector instruments a signal that has a collector of its
// own: both observe every emission, concurrently (run under -race), the
// instrumentation's spans and metrics are whole, and Detach gives the signal
// its collector back.
func TestBesideUserCollector(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "jobs", WorkerPoolSize: 2, ErrorHandler: ignore})
	defer sig.Close()
	mine := &userCollector{}
	sig.SetCollector(mine)
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSampler(sampling.Always()), otelsignals.WithListenerSpans(true))...); err != nil {
		t.Fatalf("Instrument beside a collector: %v", err)
	}
	if err := otelsignals.Instrument(sig, e.Options()...); !errors.Is(err, otelsignals.ErrAlreadyInstrumented) {
		t.Errorf("second Instrument = %v, want ErrAlreadyInstrumented", err)
	}
	sig.AddListener(func(context.Context, int) {}, "a")
	sig.AddListenerWithErr(func(_ context.Context, v int) error {
		if v%2 == 0 {
			return errors.New("even")
		}
		return nil
	}, "b")
	const goroutines, each = 4, 25
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				sig.Emit(context.Background(), g*each+i)
				if err := sig.Enqueue(context.Background(), g*each+i); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	n := int64(goroutines * each)
	if got := mine.ends.Load(); got != 3*n { // emit, enqueue, deliver
		t.Errorf("user collector saw %d ends, want %d", got, 3*n)
	}
	if got := mine.calls.Load(); got != 4*n { // two listeners, Emit and delivery
		t.Errorf("user collector saw %d calls, want %d", got, 4*n)
	}
	if got := mine.failures.Load(); got != n { // even values, by Emit and by the delivery
		t.Errorf("user collector saw %d failures, want %d", got, n)
	}
	if got := mine.foreign.Load(); got != 0 {
		t.Errorf("%d deliveries gave the user collector another's enqueue observer", got)
	}
	m := e.Collect(t)
	if got := m.Emissions("jobs"); got != 2*n { // emit and enqueue
		t.Errorf("otelsignals counted %d emissions, want %d", got, 2*n)
	}
	if got := m.ListenerCalls("jobs"); got != 4*n {
		t.Errorf("otelsignals counted %d listener calls, want %d", got, 4*n)
	}
	if got := m.ListenerErrors("jobs"); got != n {
		t.Errorf("otelsignals counted %d listener errors, want %d", got, n)
	}
	if got := len(e.byName("process jobs")); got != int(4*n+n) { // ended listener spans, and delivery spans
		t.Errorf("%d process spans, want %d", got, 4*n+n)
	}

	if err := otelsignals.Detach(sig); err != nil {
		t.Fatal(err)
	}
	if sig.Collector() != mine {
		t.Errorf("Detach left %v attached, want the user's collector", sig.Collector())
	}
}

// TestBesideSwitchedOff checks that switching metrics and tracing off
// leaves the user's collector on.
func TestBesideSwitchedOff(t *testing.T) {
	e := newEnv(t)
	s, err := otelsignals.NewSettings(otelsignals.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	sig := signals.NewSync[int]()
	mine := &userCollector{}
	sig.SetCollector(mine)
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
		t.Fatal(err)
	}
	s.SetMetricsEnabled(false)
	s.SetTracingEnabled(false)
	sig.AddListener(func(context.Context, int) {})
	sig.Emit(context.Background(), 1)
	if mine.ends.Load() != 1 {
		t.Errorf("user collector saw %d ends, want 1", mine.ends.Load())
	}
	if got := e.Collect(t).Emissions(sig.Name()); got != 0 {
		t.Errorf("otelsignals counted %d emissions while off", got)
	}
}

// TestUntracedEmissionAllocatesNothing: an emission that metrics observe,
// timed or not, and that tracing does not sample, allocates nothing: it
// shares the instrumentation's preallocated observers.
func TestUntracedEmissionAllocatesNothing(t *testing.T) {
	for _, tt := range []struct {
		name    string
		rate    float64
		sampler sampling.Sampler
	}{
		{"untimed/never", 0, sampling.Never()},
		{"timed/never", 1, sampling.Never()},
		{"untimed/parent-based", 0, sampling.ParentBased(sampling.Never())},
		{"untimed/ratio", 0, sampling.Ratio(0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			cfg := otelsignals.DefaultConfig()
			cfg.DurationSampleRate, cfg.DurationBudget, cfg.Sampler = tt.rate, -1, tt.sampler
			s, err := otelsignals.NewSettings(cfg)
			if err != nil {
				t.Fatal(err)
			}
			sig := signals.NewSync[int]()
			if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
				t.Fatal(err)
			}
			sig.AddListener(func(context.Context, int) {})
			sig.Emit(context.Background(), 0) // the first recording of a histogram allocates
			if a := testing.AllocsPerRun(100, func() { sig.Emit(context.Background(), 0) }); a != 0 {
				t.Errorf("Emit: %v allocations", a)
			}
		})
	}
}

// TestInstrumentWrappedByUser: a signal whose instrumentation the user has
// wrapped in a multi-collector of their own is not instrumented a second
// time (which would count each emission twice); Detach switches that
// instrumentation off and leaves the user's collector, and the signal can be
// instrumented again.
func TestInstrumentWrappedByUser(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "wrapped"})
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	mine := &userCollector{}
	wrapper := signals.NewMultiCollector(sig.Collector(), mine)
	sig.SetCollector(wrapper)
	if err := otelsignals.Instrument(sig, e.Options()...); !errors.Is(err, otelsignals.ErrAlreadyInstrumented) {
		t.Fatalf("Instrument again: %v, want ErrAlreadyInstrumented", err)
	}
	sig.Emit(context.Background(), 1)
	if got := e.Collect(t).Emissions("wrapped"); got != 1 {
		t.Errorf("%d emissions counted, want 1", got)
	}

	if err := otelsignals.Detach(sig); err != nil {
		t.Fatalf("Detach of the wrapped instrumentation: %v", err)
	}
	if sig.Collector() != wrapper {
		t.Error("Detach replaced the user's collector")
	}
	if err := otelsignals.Detach(sig); !errors.Is(err, otelsignals.ErrNotInstrumented) {
		t.Errorf("Detach again: %v, want ErrNotInstrumented", err)
	}
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatalf("Instrument after Detach: %v", err)
	}
	t.Cleanup(func() { _ = otelsignals.Detach(sig) })
	sig.Emit(context.Background(), 1)
	if got := e.Collect(t).Emissions("wrapped"); got != 1 {
		t.Errorf("after instrumenting again: %d emissions counted, want 1 (the detached instrumentation reports nothing)", got)
	}
	if mine.starts.Load() != 2 {
		t.Errorf("the user's collector saw %d emissions, want 2", mine.starts.Load())
	}
}
