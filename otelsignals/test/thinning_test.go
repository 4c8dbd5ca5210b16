package test

import (
	"context"
	"math"
	"testing"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

// TestThinning: with metrics off, a sampler that thins (Ratio) decides
// through the signal's draw, and traces the share it says; with metrics on,
// every emission is counted and the sampler decides as usual; a change of
// sampler or metrics applies from the next emission, whatever share was in
// force.
func TestThinning(t *testing.T) {
	e := newEnv(t)
	c := otelsignals.DefaultConfig()
	c.Metrics, c.Sampler = false, sampling.Ratio(0.25)
	s, err := otelsignals.NewSettings(c)
	if err != nil {
		t.Fatal(err)
	}
	sync := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "thin-sync"})
	async := signals.NewWithOptions[int](&signals.SignalOptions{Name: "thin-async"})
	t.Cleanup(func() { _ = async.Close() })
	for _, sig := range []otelsignals.Signal{sync, async} {
		if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = otelsignals.Detach(sig) })
	}
	sync.AddListener(func(context.Context, int) {})
	async.AddListener(func(context.Context, int) {})
	ctx := context.Background()
	traced := func(n int, emit func()) int {
		t.Helper()
		before := len(e.spans.Ended())
		for range n {
			emit()
		}
		return len(e.spans.Ended()) - before
	}
	within := func(what string, got, n int, p float64) {
		t.Helper()
		mean := float64(n) * p
		if tol := 5 * math.Sqrt(mean*(1-p)); math.Abs(float64(got)-mean) > tol {
			t.Errorf("%s: %d of %d traced, want %v ± %.0f", what, got, n, mean, tol)
		}
	}

	const n = 4000
	within("Emit, metrics off", traced(n, func() { sync.Emit(ctx, 1) }), n, 0.25)
	within("TryEmit, metrics off", traced(n, func() { _ = sync.TryEmit(ctx, 1) }), n, 0.25)
	// An enqueue traced has its delivery traced too: two spans, the
	// second once Close has delivered it.
	before := len(e.spans.Ended())
	for range n {
		_ = async.Enqueue(ctx, 1)
	}
	if err := async.Close(); err != nil {
		t.Fatal(err)
	}
	within("Enqueue, metrics off", (len(e.spans.Ended())-before)/2, n, 0.25)

	s.SetMetricsEnabled(true)
	counted := e.Collect(t).Emissions("thin-sync")
	within("Emit, metrics on", traced(n, func() { sync.Emit(ctx, 1) }), n, 0.25)
	if got := e.Collect(t).Emissions("thin-sync") - counted; got != n {
		t.Errorf("metrics on: %d emissions counted, want all %d", got, n)
	}

	s.SetMetricsEnabled(false)
	if err := s.SetSampler(sampling.Ratio(1e-12)); err != nil {
		t.Fatal(err)
	}
	if got := traced(n, func() { sync.Emit(ctx, 1) }); got != 0 {
		t.Errorf("Ratio(1e-12): %d traced", got)
	}
	if err := s.SetSampler(sampling.Always()); err != nil {
		t.Fatal(err)
	}
	if got := traced(10, func() { sync.Emit(ctx, 1) }); got != 10 {
		t.Errorf("Always after Ratio(1e-12): %d of the next 10 emissions traced", got)
	}
}

// TestThinningRateLimited: RateLimited, thinned, traces its burst at once
// and then at most its rate, while emissions far outrun it.
func TestThinningRateLimited(t *testing.T) {
	e := newEnv(t)
	c := otelsignals.DefaultConfig()
	c.Metrics, c.Sampler = false, sampling.RateLimited(5)
	s, err := otelsignals.NewSettings(c)
	if err != nil {
		t.Fatal(err)
	}
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "thin-rl"})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = otelsignals.Detach(sig) })
	sig.AddListener(func(context.Context, int) {})
	for range 200_000 {
		sig.Emit(context.Background(), 1)
	}
	// The burst (5) at once, and no more than 5 a second after it: the
	// loop takes well under a second here, and never minutes.
	if got := len(e.spans.Ended()); got < 5 || got > 5+5*60 {
		t.Errorf("%d traced, want the burst of 5 and at most 5 a second after it", got)
	}
}
