package signals_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/signalkit/sdk/signals"
)

// The benchmarks name the implementation in a sub-benchmark, impl=signals,
// impl=floor or impl=v1.3, so that benchstat can put them side by side:
//
//	go test -run '^$' -bench . -count 10 > bench.txt
//	benchstat -col /impl bench.txt

var listenerCounts = []int{1, 10, 100}

// counter is what benchmark listeners touch: one atomic add, like a listener
// that records something.
var counter atomic.Int64

func count(context.Context, int) { counter.Add(1) }

func noop(context.Context, int) {}

func BenchmarkSyncEmit(b *testing.B) {
	ctx := context.Background()
	for _, n := range listenerCounts {
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			s := signals.NewSync[int]()
			for range n {
				s.AddListener(count)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.Emit(ctx, i)
			}
		})
		b.Run(fmt.Sprintf("listeners=%d/impl=floor", n), func(b *testing.B) {
			var s floorSignal[int]
			for range n {
				s.add(count)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.emit(ctx, i)
			}
		})
		b.Run(fmt.Sprintf("listeners=%d/impl=v1.3", n), func(b *testing.B) {
			var s v13Signal[int]
			for range n {
				s.add(count, "")
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.emit(ctx, i)
			}
		})
	}
}

// BenchmarkSyncEmitKeyed is BenchmarkSyncEmit with keyed listeners, which
// v1.3 could not emit to without copying the list.
func BenchmarkSyncEmitKeyed(b *testing.B) {
	ctx := context.Background()
	for _, n := range listenerCounts {
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			s := signals.NewSync[int]()
			for k := range n {
				s.AddListener(count, strconv.Itoa(k))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.Emit(ctx, i)
			}
		})
		b.Run(fmt.Sprintf("listeners=%d/impl=v1.3", n), func(b *testing.B) {
			var s v13Signal[int]
			for k := range n {
				s.add(count, strconv.Itoa(k))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.emit(ctx, i)
			}
		})
	}
}

func BenchmarkTryEmit(b *testing.B) {
	ctx := context.Background()
	for _, n := range listenerCounts {
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			s := signals.NewSync[int]()
			for range n {
				s.AddListenerWithErr(func(context.Context, int) error { counter.Add(1); return nil })
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := s.TryEmit(ctx, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParallelEmit emits from every P at once to one listener.
func BenchmarkParallelEmit(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=signals", func(b *testing.B) {
		s := signals.NewSync[int]()
		s.AddListener(noop)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Emit(ctx, 1)
			}
		})
	})
	b.Run("impl=floor", func(b *testing.B) {
		var s floorSignal[int]
		s.add(noop)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.emit(ctx, 1)
			}
		})
	})
	b.Run("impl=v1.3", func(b *testing.B) {
		var s v13Signal[int]
		s.add(noop, "")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.emit(ctx, 1)
			}
		})
	})
}

// BenchmarkEmitWhileWriting emits to 10 listeners while another goroutine adds
// and removes a listener in a loop; writer=none is the same emission without
// the writer.
func BenchmarkEmitWhileWriting(b *testing.B) {
	ctx := context.Background()
	for _, writing := range []bool{false, true} {
		name := "writer=none"
		if writing {
			name = "writer=add+remove"
		}
		b.Run(name+"/impl=signals", func(b *testing.B) {
			s := signals.NewSync[int]()
			for range 10 {
				s.AddListener(count)
			}
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					select {
					case <-stop:
						return
					default:
					}
					if writing {
						s.AddListener(noop, "w")
						s.RemoveListener("w")
					}
				}
			}()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.Emit(ctx, i)
			}
			b.StopTimer()
			close(stop)
			<-done
		})
	}
}

func BenchmarkAsyncEmit(b *testing.B) {
	ctx := context.Background()
	for _, n := range listenerCounts {
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			s := signals.New[int]()
			defer s.Close()
			for range n {
				s.AddListener(count)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.Emit(ctx, i)
			}
		})
		b.Run(fmt.Sprintf("listeners=%d/impl=v1.3", n), func(b *testing.B) {
			var s v13Signal[int]
			for range n {
				s.add(count, "")
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.emitAsync(ctx, i)
			}
		})
	}
}

// BenchmarkEnqueue measures the publisher side of Enqueue: the time the caller
// spends, with workers delivering in the background.
func BenchmarkEnqueue(b *testing.B) {
	ctx := context.Background()
	for _, n := range listenerCounts {
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			s := signals.NewWithOptions[int](&signals.SignalOptions{QueueSize: 1 << 16})
			defer s.Close()
			for range n {
				s.AddListener(noop)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := s.Enqueue(ctx, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
