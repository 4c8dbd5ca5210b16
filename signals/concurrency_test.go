package signals_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentAddRemoveEmit runs writers and emitters at once on both
// signal types and checks the invariants that must hold under the race
// detector: keyed listeners that stay registered for the whole run receive
// every emission, Len matches what was registered, and nothing deadlocks.
func TestConcurrentAddRemoveEmit(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.new(nil)
			const stable = 5
			var stableCalls [stable]atomic.Int64
			for i := range stable {
				s.AddListener(func(context.Context, int) { stableCalls[i].Add(1) }, fmt.Sprint("stable", i))
			}
			const emitters, emissions = 4, 200
			var wg sync.WaitGroup
			stop := make(chan struct{})
			var writerWG sync.WaitGroup
			for w := range 3 {
				writerWG.Add(1)
				go func() {
					defer writerWG.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						key := fmt.Sprint("w", w, "-", i%7)
						s.AddListener(func(context.Context, int) {}, key)
						s.AddOnce(func(context.Context, int) {})
						s.Keys()
						s.HasKey(key)
						s.Metadata(key)
						s.RemoveListener(key)
					}
				}()
			}
			for range emitters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range emissions {
						s.Emit(context.Background(), i)
					}
				}()
			}
			wg.Wait()
			close(stop)
			writerWG.Wait()
			for i := range stableCalls {
				if n := stableCalls[i].Load(); n != emitters*emissions {
					t.Errorf("stable listener %d received %d emissions, want %d", i, n, emitters*emissions)
				}
			}
			// Only the stable listeners and one-time listeners not yet fired
			// remain; firing the rest leaves exactly the stable ones.
			s.Emit(context.Background(), 0)
			if s.Len() != stable {
				t.Errorf("Len = %d, want %d", s.Len(), stable)
			}
		})
	}
}

// TestNoCallAfterRemovalReturns checks the removal guarantee: once
// RemoveListener has returned, an emission that starts afterwards never calls
// the removed listener.
func TestNoCallAfterRemovalReturns(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.new(nil)
			for range 3 {
				s.AddListener(func(context.Context, int) {})
			}
			for round := range 200 {
				var removed atomic.Bool
				var late atomic.Int32
				s.AddListener(func(_ context.Context, v int) {
					if v == 1 && removed.Load() {
						late.Add(1)
					}
				}, "victim")
				done := make(chan struct{})
				go func() {
					defer close(done)
					for range 20 {
						s.Emit(context.Background(), 0)
					}
				}()
				s.RemoveListener("victim")
				removed.Store(true)
				s.Emit(context.Background(), 1) // starts after the removal returned
				<-done
				if n := late.Load(); n != 0 {
					t.Fatalf("round %d: removed listener called %d times by a later emission", round, n)
				}
			}
		})
	}
}
