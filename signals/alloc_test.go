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
	t.Run("async/listeners=10", func(t *testing.T) {
		s := signals.New[int]()
		defer s.Close()
		for range 10 {
			s.AddListener(noop)
		}
		if a := testing.AllocsPerRun(100, func() { s.Emit(ctx, 1) }); a > 1 {
			t.Errorf("AsyncSignal.Emit to 10 listeners: %v allocations, want at most 1", a)
		}
	})
}
