package sampling_test

import (
	"context"
	"testing"
)

var sink bool

// BenchmarkShouldSample measures one decision of each sampler, outside any
// trace and inside a sampled remote trace.
func BenchmarkShouldSample(b *testing.B) {
	contexts := []struct {
		name string
		ctx  context.Context
	}{
		{"background", context.Background()},
		{"remote_sampled_parent", parentCtx(true, true)},
	}
	for _, sm := range samplers() {
		for _, c := range contexts {
			b.Run(sm.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				p := params(c.ctx)
				for b.Loop() {
					sink = sm.s.ShouldSample(p)
				}
			})
		}
	}
}

// BenchmarkShouldSampleParallel measures decisions made from all Ps at once,
// where shared state (the rate limiter's atomic, Dynamic's pointer) is
// contended.
func BenchmarkShouldSampleParallel(b *testing.B) {
	for _, sm := range samplers() {
		b.Run(sm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				p := params(context.Background())
				var s bool
				for pb.Next() {
					s = sm.s.ShouldSample(p)
				}
				_ = s
			})
		})
	}
}
