package signals_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

// The benchmarks name the implementation in a sub-benchmark (impl=signals,
// impl=floor, impl=defer-each, impl=v1.3; see reference_test.go), so that
// benchstat can put them side by side:
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
		b.Run(fmt.Sprintf("listeners=%d/impl=defer-each", n), func(b *testing.B) {
			var s deferEachSignal[int]
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
// BenchmarkAddKeyed registers n keyed listeners on a new signal and removes
// them again: the cost of the key index as it grows (each op is all n adds
// and n removals).
func BenchmarkAddKeyed(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		keys := make([]string, n)
		for k := range keys {
			keys[k] = "listener-" + strconv.Itoa(k)
		}
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := signals.NewSync[int]()
				for _, k := range keys {
					s.AddListener(noop, k)
				}
				for _, k := range keys {
					s.RemoveListener(k)
				}
			}
		})
		b.Run(fmt.Sprintf("listeners=%d/impl=v1.3", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var s v13Signal[int]
				for _, k := range keys {
					s.add(noop, k)
				}
				for _, k := range keys {
					s.remove(k)
				}
			}
		})
	}
}

// BenchmarkHasKey looks keys up among n keyed listeners.
func BenchmarkHasKey(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			s := signals.NewSync[int]()
			keys := make([]string, n)
			for k := range keys {
				keys[k] = "listener-" + strconv.Itoa(k)
				s.AddListener(noop, keys[k])
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if !s.HasKey(keys[i%n]) {
					b.Fatal("key not found")
				}
			}
		})
	}
}

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
// spends in it. The signal's only worker is held by a gate while the timer
// runs, so that the caller never waits for room and the cost measured is the
// enqueue itself; between batches, with the timer stopped, the queue drains.
func BenchmarkEnqueue(b *testing.B) {
	ctx := context.Background()
	const batch = 4096
	for _, n := range listenerCounts {
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, QueueSize: batch})
			defer s.Close()
			var gate chan struct{}
			held := make(chan struct{})
			s.AddListener(func(_ context.Context, v int) {
				if v < 0 {
					held <- struct{}{}
					<-gate
				}
			})
			for range n - 1 {
				s.AddListener(noop)
			}
			hold := func() {
				gate = make(chan struct{})
				if err := s.Enqueue(ctx, -1); err != nil {
					b.Fatal(err)
				}
				<-held // the worker is parked in the listener
			}
			drain := func() {
				close(gate)
				for s.Stats().QueueLen > 0 {
					runtime.Gosched()
				}
			}
			hold()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i > 0 && i%batch == 0 {
					b.StopTimer()
					drain()
					hold()
					b.StartTimer()
				}
				if err := s.Enqueue(ctx, i); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			drain()
		})
	}
}

// BenchmarkEnqueueThroughput measures sustained delivery: Enqueue in a loop
// with the pool delivering at the same time on every core, and reports
// listener calls per second.
func BenchmarkEnqueueThroughput(b *testing.B) {
	ctx := context.Background()
	for _, n := range listenerCounts {
		b.Run(fmt.Sprintf("listeners=%d/impl=signals", n), func(b *testing.B) {
			s := signals.NewWithOptions[int](&signals.SignalOptions{QueueSize: 1 << 14})
			var calls atomic.Int64
			for range n {
				s.AddListener(func(context.Context, int) { calls.Add(1) })
			}
			b.ReportAllocs()
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				if err := s.Enqueue(ctx, i); err != nil {
					b.Fatal(err)
				}
			}
			s.Close() // the last deliveries count
			b.ReportMetric(float64(calls.Load())/time.Since(start).Seconds(), "calls/s")
		})
	}
}

// BenchmarkEnqueueLatency measures the time from Enqueue to the start of the
// listener when the pool is not saturated: one emission every 20 µs, paced by
// the clock (a slow delivery does not delay the next enqueue, so coordinated
// omission does not hide it). It reports percentiles of the delay.
func BenchmarkEnqueueLatency(b *testing.B) {
	for _, spin := range []time.Duration{0, 100 * time.Microsecond} {
		b.Run(fmt.Sprintf("spin=%v/impl=signals", spin), func(b *testing.B) { enqueueLatency(b, spin) })
	}
}

func enqueueLatency(b *testing.B, spin time.Duration) {
	ctx := context.Background()
	const interval = 20 * time.Microsecond
	s := signals.NewWithOptions[time.Time](&signals.SignalOptions{WorkerSpin: spin})
	defer s.Close()
	delays := make([]time.Duration, 0, 1<<16)
	var mu sync.Mutex
	s.AddListener(func(_ context.Context, sent time.Time) {
		d := time.Since(sent)
		mu.Lock()
		delays = append(delays, d)
		mu.Unlock()
	})
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		next := start.Add(time.Duration(i) * interval) // the intended send time
		for time.Now().Before(next) {
		}
		if err := s.Enqueue(ctx, next); err != nil {
			b.Fatal(err)
		}
	}
	s.Close()
	slices.Sort(delays)
	at := func(q float64) float64 { return float64(delays[int(q*float64(len(delays)-1))].Nanoseconds()) }
	b.ReportMetric(at(0.50), "p50-ns")
	b.ReportMetric(at(0.99), "p99-ns")
	b.ReportMetric(at(0.999), "p999-ns")
}
