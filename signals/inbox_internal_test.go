package signals

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkDeliverBatch measures what a worker pays to deliver a batch of 16
// enqueued emissions to n plain listeners, each of which counts its calls on
// a cache line of its own, without the queue: a bare loop of indirect calls
// (floor), AsyncSignal.deliverAll (batch), and the per-emission fast path
// that it uses for views that are not plain (callFast). ns/emission is the
// figure to compare.
func BenchmarkDeliverBatch(b *testing.B) {
	type counter struct {
		n atomic.Int64
		_ [56]byte
	}
	ctx := context.Background()
	for _, n := range []int{1, 10, 100} {
		cs := make([]counter, n)
		perEmission := func(b *testing.B) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*16), "ns/emission")
		}
		b.Run(fmt.Sprintf("listeners=%d/impl=floor", n), func(b *testing.B) {
			fs := make([]func(context.Context, int), n)
			for i := range fs {
				c := &cs[i]
				fs[i] = func(context.Context, int) { c.n.Add(1) }
			}
			for b.Loop() {
				for range 16 {
					for _, f := range fs {
						f(ctx, 1)
					}
				}
			}
			perEmission(b)
		})
		s := New[int]()
		for i := range n {
			c := &cs[i]
			s.AddListener(func(context.Context, int) { c.n.Add(1) })
		}
		v := s.load()
		b.Run(fmt.Sprintf("listeners=%d/impl=batch", n), func(b *testing.B) {
			p := s.Pool()
			var ds [16]delivery[int]
			for b.Loop() {
				for i := range ds {
					ds[i] = delivery[int]{v: v, ctx: ctx, payload: 1}
				}
				s.deliverAll(ds[:], p)
			}
			perEmission(b)
		})
		b.Run(fmt.Sprintf("listeners=%d/impl=callFast", n), func(b *testing.B) {
			var c caller
			c.begin(&s.removals, v.gen)
			for b.Loop() {
				for range 16 {
					s.callFast(&c, ctx, 1, v)
				}
			}
			c.end()
			perEmission(b)
		})
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
