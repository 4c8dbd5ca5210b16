package sampling

import (
	"fmt"
	"math/rand/v2"
)

// ratio samples each emission with a fixed probability.
type ratio struct {
	// threshold is the probability scaled to 2^53: an emission is sampled
	// when a uniform 53-bit random number is below it.
	threshold   uint64
	description string
}

var _ Sampler = (*ratio)(nil)

// ShouldSample draws a 53-bit random number and compares it with the
// threshold.
func (r *ratio) ShouldSample(Parameters) bool {
	return rand.Uint64()>>11 < r.threshold
}

// Description returns "Ratio{p}".
func (r *ratio) Description() string { return r.description }

// Share returns the sampler's probability: every emission drawn is sampled.
func (r *ratio) Share() float64 { return float64(r.threshold) / (1 << 53) }

// Thinned returns [Always].
func (r *ratio) Thinned() Sampler { return alwaysOn{} }

// Ratio returns a Sampler that samples each emission independently with
// probability p. Its description is "Ratio{p}", like "Ratio{0.25}".
//
// p is clamped to [0, 1], and NaN is treated as 0: Ratio(0) samples nothing,
// like [Never], and Ratio(1) samples everything, like [Always] (their
// descriptions are "Ratio{0}" and "Ratio{1}"). Probabilities below 2^-53 are
// indistinguishable from 0.
//
// Unlike the OpenTelemetry TraceIDRatioBased sampler, which derives its
// decision from the trace ID, Ratio draws a random number per emission,
// because the decision is made before any span, and so any trace ID, exists.
// Emissions in one trace are therefore sampled independently; wrap Ratio in
// [ParentBased] to keep the emissions of traced requests. The random numbers
// come from the top-level functions of math/rand/v2, which share no state
// between goroutines.
func Ratio(p float64) Sampler {
	switch {
	case !(p > 0): // p <= 0 or NaN
		return &fixed{sample: false, description: "Ratio{0}"}
	case p >= 1:
		return &fixed{sample: true, description: "Ratio{1}"}
	}
	return &ratio{
		threshold:   uint64(p * (1 << 53)),
		description: fmt.Sprintf("Ratio{%g}", p),
	}
}
