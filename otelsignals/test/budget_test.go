package test

import (
	"context"
	"testing"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// TestDurationBudget checks that, with a rate of 0, the budget alone decides:
// every emission of a burst within the budget is timed, with its listener
// calls, and no more than the budget of a larger burst. A burst takes a few
// milliseconds; if a window ended during it, two budgets are spent.
func TestDurationBudget(t *testing.T) {
	tests := []struct {
		name           string
		opts           []otelsignals.Option
		emit           int
		minWant, limit uint64
	}{
		{"default budget, low traffic: everything", nil, 50, 50, 50},
		{"budget 10, a burst of 500", []otelsignals.Option{otelsignals.WithDurationBudget(10)}, 500, 10, 20},
		{"budget 0 is the default", []otelsignals.Option{otelsignals.WithDurationBudget(0)}, 500, otelsignals.DefaultDurationBudget, 2 * otelsignals.DefaultDurationBudget},
		{"no budget", []otelsignals.Option{otelsignals.WithDurationBudget(-1)}, 500, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "b"})
			opts := append([]otelsignals.Option{otelsignals.WithDurationSampleRate(0)}, tt.opts...)
			if err := otelsignals.Instrument(sig, e.Options(opts...)...); err != nil {
				t.Fatal(err)
			}
			sig.AddListener(func(context.Context, int) {})
			sig.AddListener(func(context.Context, int) {})
			for v := range tt.emit {
				sig.Emit(context.Background(), v)
			}
			got := e.Collect(t)
			nk := nameKind("b", semconv.SignalKindSync)
			timed, _ := got.HistogramCount(semconv.EmissionDurationName, nk...)
			if timed < tt.minWant || timed > tt.limit {
				t.Errorf("%d of %d emissions timed, want %d to %d", timed, tt.emit, tt.minWant, tt.limit)
			}
			if calls, _ := got.HistogramCount(semconv.ListenerDurationName, nk...); calls != 2*timed {
				t.Errorf("%d listener calls timed, want 2 per timed emission (%d)", calls, 2*timed)
			}
			if n, _ := got.Sum(semconv.EmissionsName, nk...); n != int64(tt.emit) {
				t.Errorf("emissions = %d, want %d: the counters count every emission", n, tt.emit)
			}
		})
	}
}

// TestDurationBudgetSettings checks the budget's settings: a Config without
// one (0, as a Config literal has) has the default, a negative one none, and
// a Settings change and an override reach a running signal.
func TestDurationBudgetSettings(t *testing.T) {
	if got := otelsignals.DefaultConfig().DurationBudget; got != otelsignals.DefaultDurationBudget {
		t.Errorf("DefaultConfig().DurationBudget = %d, want %d", got, otelsignals.DefaultDurationBudget)
	}
	e := newEnv(t)
	c := otelsignals.DefaultConfig()
	c.DurationSampleRate, c.DurationBudget = 0, 0
	s, err := otelsignals.NewSettings(c)
	if err != nil {
		t.Fatal(err)
	}
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "s"})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
		t.Fatal(err)
	}
	nk := nameKind("s", semconv.SignalKindSync)
	timed := func() uint64 {
		n, _ := e.Collect(t).HistogramCount(semconv.EmissionDurationName, nk...)
		return n
	}
	emit := func(n int) {
		for v := range n {
			sig.Emit(context.Background(), v)
		}
	}

	emit(3)
	if got := timed(); got != 3 {
		t.Fatalf("budget 0 in the Config (the default): %d of 3 timed", got)
	}
	s.SetDurationBudget(-1)
	if s.Config().DurationBudget != -1 {
		t.Errorf("Config().DurationBudget = %d after SetDurationBudget(-1)", s.Config().DurationBudget)
	}
	emit(3)
	if got := timed(); got != 3 {
		t.Errorf("no budget and rate 0: %d timed, want still 3", got)
	}
	if err := s.SetOverride("s", otelsignals.Override{DurationBudget: new(5)}); err != nil {
		t.Fatal(err)
	}
	emit(2)
	if got := timed(); got != 5 {
		t.Errorf("an override with a budget: %d timed, want 5", got)
	}
}
