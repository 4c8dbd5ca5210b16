package signals_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/signalkit/sdk/signals"
)

// TestEmitAllocatesNothing proves the zero-allocation promise of emission
// with testing.AllocsPerRun: sync Emit and TryEmit for any number of
// listeners, keyed or not, with or without stats, a collector that asks for
// nothing, and AsyncSignal.Emit to one listener.
func TestEmitAllocatesNothing(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes allocation counts")
	}
	ctx := context.Background()
	noop := func(context.Context, int) {}
	noErr := func(context.Context, int) error { return nil }
	for _, n := range []int{1, 10, 100} {
		for _, keyed := range []bool{false, true} {
			for _, mode := range []string{"plain", "stats", "collector", "cancellable"} {
				name := fmt.Sprintf("listeners=%d/keyed=%v/%s", n, keyed, mode)
				t.Run(name, func(t *testing.T) {
					s := signals.NewSync[int]()
					for i := range n {
						var key []string
						if keyed {
							key = []string{fmt.Sprint(i)}
						}
						if i%2 == 0 {
							s.AddListener(noop, key...)
						} else {
							s.AddListenerWithErr(noErr, key...)
						}
					}
					c := ctx
					switch mode {
					case "stats":
						s.EnableStats(true)
					case "collector":
						s.SetCollector(signals.NopCollector{})
					case "cancellable":
						var cancel context.CancelFunc
						c, cancel = context.WithCancel(ctx)
						defer cancel()
					}
					if a := testing.AllocsPerRun(100, func() { s.Emit(c, 1) }); a != 0 {
						t.Errorf("Emit: %v allocations", a)
					}
					if a := testing.AllocsPerRun(100, func() { _ = s.TryEmit(c, 1) }); a != 0 {
						t.Errorf("TryEmit: %v allocations", a)
					}
				})
			}
		}
	}
	t.Run("async/listeners=1", func(t *testing.T) {
		s := signals.New[int]()
		defer s.Close()
		s.AddListener(noop)
		if a := testing.AllocsPerRun(100, func() { s.Emit(ctx, 1) }); a != 0 {
			t.Errorf("AsyncSignal.Emit: %v allocations", a)
		}
	})
	for _, n := range []int{2, 10, 100} {
		t.Run(fmt.Sprintf("async/listeners=%d", n), func(t *testing.T) {
			s := signals.New[int]()
			defer s.Close()
			for range n {
				s.AddListener(noop)
			}
			if a := testing.AllocsPerRun(1000, func() { s.Emit(ctx, 1) }); a != 0 {
				t.Errorf("AsyncSignal.Emit to %d listeners: %v allocations", n, a)
			}
		})
	}
}

// TestEnqueueAllocatesNothing: Enqueue and the delivery of what it queued
// allocate nothing once the signal's queue has grown to its working size,
// whatever the number of listeners, with the signal's own pool or a shared
// one. AllocsPerRun counts the allocations of every goroutine, the pool's
// workers included.
func TestEnqueueAllocatesNothing(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes allocation counts")
	}
	ctx := context.Background()
	for _, shared := range []bool{false, true} {
		for _, n := range []int{1, 10, 100} {
			t.Run(fmt.Sprintf("shared=%v/listeners=%d", shared, n), func(t *testing.T) {
				var opts signals.SignalOptions
				if shared {
					opts.Pool = signals.NewWorkerPool(signals.PoolOptions{})
					defer opts.Pool.Close()
				}
				s := signals.NewWithOptions[int](&opts)
				defer s.Close()
				for range n {
					s.AddListener(func(context.Context, int) {})
				}
				for range 10 * signals.DefaultQueueSize { // the queue grows to its working size
					if err := s.Enqueue(ctx, 1); err != nil {
						t.Fatal(err)
					}
				}
				if a := testing.AllocsPerRun(10000, func() { _ = s.Enqueue(ctx, 1) }); a != 0 {
					t.Errorf("Enqueue: %v allocations per emission", a)
				}
			})
		}
	}
}
