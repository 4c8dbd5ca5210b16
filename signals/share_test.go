package signals_test

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

// sharedCollector counts the emissions it is shown, by operation, and the
// failures reported to it; it observes the end of each emission it is shown.
type sharedCollector struct {
	signals.NopCollector
	signals.NopObserver
	share    signals.Share
	starts   [8]atomic.Int64 // by Operation
	enqueued atomic.Int64    // deliveries whose enqueue it was shown
	ends     atomic.Int64
	failures atomic.Int64
}

// newSharedCollector returns a sharedCollector shown share p of the
// emissions.
func newSharedCollector(p float64) *sharedCollector {
	c := &sharedCollector{}
	c.share.Set(p)
	return c
}

func (c *sharedCollector) Share() *signals.Share { return &c.share }

func (c *sharedCollector) EmitStart(ctx context.Context, e signals.Emission) (context.Context, signals.EmitObserver) {
	c.starts[e.Op].Add(1)
	if e.Enqueued == c {
		c.enqueued.Add(1)
	}
	return ctx, c
}

func (c *sharedCollector) Observe() signals.Observe { return signals.ObserveEnd }

func (c *sharedCollector) ListenerEnd(context.Context, signals.ListenerInfo, time.Duration, error) {
	c.failures.Add(1)
}

func (c *sharedCollector) EmitEnd(context.Context, signals.Emission, signals.EmitResult) {
	c.ends.Add(1)
}

func (c *sharedCollector) shown(op signals.Operation) int64 { return c.starts[op].Load() }

func TestShareValues(t *testing.T) {
	var s signals.Share
	if got := s.Load(); got != 1 {
		t.Errorf("zero Share: Load() = %v, want 1", got)
	}
	for _, tt := range []struct{ set, want float64 }{
		{0, 0}, {-1, 0}, {1, 1}, {2, 1}, {math.NaN(), 1}, {math.Inf(1), 1}, {math.Inf(-1), 0}, {0.25, 0.25}, {1e-9, 1e-9},
	} {
		s.Set(tt.set)
		if got := s.Load(); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("Set(%v): Load() = %v, want %v", tt.set, got, tt.want)
		}
	}
}

// TestShareSync: a collector alone is shown the share of Emit and TryEmit its
// Share says, on the fast path and with a context that can be cancelled;
// every listener is called either way.
func TestShareSync(t *testing.T) {
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, ctx := range []context.Context{context.Background(), cancellable} {
		for _, p := range []float64{0, 0.5, 1} {
			c := newSharedCollector(p)
			s := signals.NewSync[int]()
			s.SetCollector(c)
			var calls atomic.Int64
			s.AddListener(func(context.Context, int) { calls.Add(1) })
			s.AddListenerWithErr(func(context.Context, int) error { calls.Add(1); return nil })
			const n = 4000
			for range n {
				s.Emit(ctx, 1)
				if err := s.TryEmit(ctx, 1); err != nil {
					t.Fatal(err)
				}
			}
			if got := calls.Load(); got != 4*n {
				t.Fatalf("share %v: %d listener calls, want %d", p, got, 4*n)
			}
			for _, op := range []signals.Operation{signals.OpEmit, signals.OpTryEmit} {
				checkShown(t, c.shown(op), n, p, op.String())
			}
			if starts, ends := c.shown(signals.OpEmit)+c.shown(signals.OpTryEmit), c.ends.Load(); starts != ends {
				t.Errorf("share %v: %d emissions shown, %d ended", p, starts, ends)
			}
		}
	}
}

// checkShown fails t unless shown of n emissions is what share p allows:
// all or none for 1 and 0, and within 5 standard deviations of n·p
// otherwise.
func checkShown(t *testing.T, shown, n int64, p float64, what string) {
	t.Helper()
	mean := float64(n) * p
	tol := 5 * math.Sqrt(mean*(1-p))
	if math.Abs(float64(shown)-mean) > tol {
		t.Errorf("share %v: %s shown %d of %d times, want %v ± %.0f", p, what, shown, n, mean, tol)
	}
}

// TestShareBesideStats: with stats on, an emission the Share does not show
// is still counted in Stats, and the collector sees nothing of it, not even
// a listener's failure.
func TestShareBesideStats(t *testing.T) {
	c := newSharedCollector(0)
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Stats: true, ErrorHandler: func(context.Context, string, error) {}})
	s.SetCollector(c)
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("boom") })
	s.AddListener(func(context.Context, int) { panic("boom") })
	for range 10 {
		s.Emit(context.Background(), 1)
	}
	if got := s.Stats().Emissions; got != 10 {
		t.Errorf("Stats().Emissions = %d, want 10", got)
	}
	if got := c.shown(signals.OpEmit) + c.failures.Load() + c.ends.Load(); got != 0 {
		t.Errorf("collector called %d times for emissions its Share does not show", got)
	}
}

// TestShareFastPathFailure: a listener that panics in an emission the Share
// does not show is not reported to the collector, and one that the
// collector is shown but does not observe (EmitStart returns no observer)
// starts once, even though the emission goes on on the general path.
func TestShareFastPathFailure(t *testing.T) {
	for _, p := range []float64{0, 1} {
		c := &startCounter{}
		c.share.Set(p)
		s := signals.NewSyncWithOptions[int](&signals.SignalOptions{ErrorHandler: func(context.Context, string, error) {}})
		s.SetCollector(c)
		var after atomic.Int64
		s.AddListener(func(context.Context, int) { panic("boom") })
		s.AddListener(func(context.Context, int) { after.Add(1) })
		s.Emit(context.Background(), 1)
		if after.Load() != 1 {
			t.Fatalf("share %v: the listener after the panic was not called", p)
		}
		if want := int64(p); c.starts.Load() != want {
			t.Errorf("share %v: EmitStart called %d times, want %d", p, c.starts.Load(), want)
		}
	}
}

// startCounter counts EmitStart calls and returns no observer.
type startCounter struct {
	signals.NopCollector
	share  signals.Share
	starts atomic.Int64
}

func (c *startCounter) Share() *signals.Share { return &c.share }

func (c *startCounter) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	c.starts.Add(1)
	return ctx, nil
}

// TestShareAsync: Enqueue and AsyncSignal.Emit are shown as the Share says;
// every delivery is shown, and tells whether its enqueue was.
func TestShareAsync(t *testing.T) {
	for _, p := range []float64{0, 0.5, 1} {
		c := newSharedCollector(p)
		s := signals.New[int]()
		s.SetCollector(c)
		var calls atomic.Int64
		for range 2 {
			s.AddListener(func(context.Context, int) { calls.Add(1) })
		}
		const n = 2000
		for range n {
			if err := s.Enqueue(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			s.Emit(context.Background(), 1)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if got := calls.Load(); got != 4*n {
			t.Fatalf("share %v: %d listener calls, want %d", p, got, 4*n)
		}
		checkShown(t, c.shown(signals.OpEnqueue), n, p, "Enqueue")
		checkShown(t, c.shown(signals.OpEmit), n, p, "Emit")
		if got := c.shown(signals.OpDeliver); got != n {
			t.Errorf("share %v: %d deliveries shown, want all %d", p, got, n)
		}
		if got, want := c.enqueued.Load(), c.shown(signals.OpEnqueue); got != want {
			t.Errorf("share %v: %d deliveries of a shown enqueue, want %d", p, got, want)
		}
	}
}

// TestShareMultiCollector: in a multi-collector, each collector's Share
// applies to it alone.
func TestShareMultiCollector(t *testing.T) {
	never, always := newSharedCollector(0), &sharedCollector{}
	s := signals.NewSync[int]()
	s.SetCollector(signals.NewMultiCollector(never, always))
	s.AddListener(func(context.Context, int) {})
	for range 100 {
		s.Emit(context.Background(), 1)
	}
	if got := never.shown(signals.OpEmit); got != 0 {
		t.Errorf("collector with share 0 shown %d emissions", got)
	}
	if got := always.shown(signals.OpEmit); got != 100 {
		t.Errorf("collector without a share shown %d of 100 emissions", got)
	}
}

// TestShareChanges: Set applies to the emissions that start after it.
func TestShareChanges(t *testing.T) {
	c := &sharedCollector{}
	s := signals.NewSync[int]()
	s.SetCollector(c)
	s.AddListener(func(context.Context, int) {})
	c.share.Set(0)
	s.Emit(context.Background(), 1)
	c.share.Set(1)
	s.Emit(context.Background(), 1)
	if got := c.shown(signals.OpEmit); got != 1 {
		t.Errorf("%d emissions shown, want 1", got)
	}
}

// TestUnshownEmissionAllocatesNothing: an emission the Share does not show
// allocates nothing.
func TestUnshownEmissionAllocatesNothing(t *testing.T) {
	c := newSharedCollector(0)
	s := signals.NewSync[int]()
	s.SetCollector(c)
	s.AddListener(func(context.Context, int) {})
	ctx := context.Background()
	if a := testing.AllocsPerRun(100, func() { s.Emit(ctx, 1) }); a != 0 {
		t.Errorf("Emit: %v allocations", a)
	}
	if a := testing.AllocsPerRun(100, func() { _ = s.TryEmit(ctx, 1) }); a != 0 {
		t.Errorf("TryEmit: %v allocations", a)
	}
}
