package sampling_test

import (
	"context"
	"testing"

	"github.com/signalkit/sdk/sampling"
)

// samplers returns one of each Sampler of the package, by name.
func samplers() []struct {
	name string
	s    sampling.Sampler
} {
	return []struct {
		name string
		s    sampling.Sampler
	}{
		{"Always", sampling.Always()},
		{"Never", sampling.Never()},
		{"Ratio", sampling.Ratio(0.1)},
		{"Ratio0", sampling.Ratio(0)},
		{"RateLimited", sampling.RateLimited(100)},
		{"RateLimited0", sampling.RateLimited(0)},
		{"ParentBased", sampling.ParentBased(sampling.Never())},
		{"ParentBasedRatio", sampling.ParentBased(sampling.Ratio(0.1))},
		{"Dynamic", sampling.NewDynamic(sampling.Ratio(0.1))},
		{"DynamicZero", new(sampling.Dynamic)},
		{"DynamicParentBased", sampling.NewDynamic(sampling.ParentBased(sampling.RateLimited(100)))},
	}
}

// TestShouldSampleAllocatesNothing asserts that no decision allocates, with
// and without a parent span in the context.
func TestShouldSampleAllocatesNothing(t *testing.T) {
	contexts := []struct {
		name string
		ctx  context.Context
	}{
		{"background", context.Background()},
		{"sampled remote parent", parentCtx(true, true)},
		{"unsampled local parent", parentCtx(false, false)},
	}
	for _, sm := range samplers() {
		for _, c := range contexts {
			t.Run(sm.name+"/"+c.name, func(t *testing.T) {
				p := params(c.ctx)
				if n := testing.AllocsPerRun(1000, func() { sm.s.ShouldSample(p) }); n != 0 {
					t.Errorf("ShouldSample allocates %v times per call, want 0", n)
				}
			})
		}
	}
}
