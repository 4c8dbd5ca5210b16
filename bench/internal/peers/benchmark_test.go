package peers_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/signalkit/sdk/bench/internal/peers"
)

// The benchmarks compare package signals with other Go event libraries and
// with reference designs, each through its idiomatic fastest API (see
// peers.Impl.API), with the same listeners: each counts its calls on a cache
// line of its own. Compare within one run:
//
//	cd bench && go test -run '^$' -bench . -count 6 ./internal/peers | tee peers.txt
//	benchstat -col /impl peers.txt

var listenerCounts = []int{1, 10, 100}

// BenchmarkSyncEmit: one goroutine emits; every listener has returned when
// the emission returns.
func BenchmarkSyncEmit(b *testing.B) { benchEmit(b, peers.SyncEmit) }

// BenchmarkEmitWait: one goroutine emits; the listeners run on other
// goroutines, and the emission returns when all of them have.
func BenchmarkEmitWait(b *testing.B) { benchEmit(b, peers.EmitWait) }

func benchEmit(b *testing.B, op peers.Op) {
	for _, n := range listenerCounts {
		for _, im := range peers.All() {
			if !im.Has(op) {
				continue
			}
			b.Run(fmt.Sprintf("listeners=%d/impl=%s", n, im.Name), func(b *testing.B) {
				cs := make([]peers.Counter, n)
				bus := im.Build(op, n, cs)
				defer bus.Close()
				emit := bus.Emitter()
				b.ReportAllocs()
				var emitted int64
				for b.Loop() {
					emit()
					emitted++
				}
				if got, want := peers.Sum(cs), emitted*int64(n); got != want {
					b.Fatalf("%d listener calls, want %d", got, want)
				}
			})
		}
	}
}

// BenchmarkParallelEmit: GOMAXPROCS goroutines emit synchronously on one
// signal with one listener that does nothing (a shared counter would measure
// its own cache line moving between the cores).
func BenchmarkParallelEmit(b *testing.B) {
	for _, im := range peers.All() {
		if !im.Has(peers.SyncEmit) {
			continue
		}
		b.Run("impl="+im.Name, func(b *testing.B) {
			bus := im.Build(peers.SyncEmit, 1, nil)
			defer bus.Close()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				emit := bus.Emitter()
				for pb.Next() {
					emit()
				}
			})
		})
	}
}

// BenchmarkFireForget: one goroutine emits without waiting; the clock stops
// when every listener call has been delivered. calls/s is the rate of
// delivered listener calls, the throughput a user gets; ns/op is the
// publisher's time per emission.
func BenchmarkFireForget(b *testing.B) {
	for _, n := range listenerCounts {
		for _, im := range peers.All() {
			if !im.Has(peers.FireForget) {
				continue
			}
			b.Run(fmt.Sprintf("listeners=%d/impl=%s", n, im.Name), func(b *testing.B) {
				cs := make([]peers.Counter, n)
				bus := im.Build(peers.FireForget, n, cs)
				defer bus.Close()
				emit := bus.Emitter()
				b.ReportAllocs()
				var emitted int64
				start := time.Now()
				for b.Loop() {
					emit()
					emitted++
				}
				want := emitted * int64(n)
				bus.Drain(want)
				elapsed := time.Since(start)
				if got := peers.Sum(cs); got != want {
					b.Fatalf("%d listener calls delivered, want %d", got, want)
				}
				b.ReportMetric(float64(want)/elapsed.Seconds(), "calls/s")
			})
		}
	}
}
