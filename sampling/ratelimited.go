package sampling

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Bounds of the interval between sampled emissions of [RateLimited].
const (
	// minInterval is one nanosecond: a rate of 1e9 per second.
	minInterval = 1
	// maxInterval keeps the arithmetic far from int64 overflow (2^61 ns is
	// about 73 years).
	maxInterval = 1 << 61
)

// rateLimited is a token bucket implemented as the generic cell rate
// algorithm: one atomic int64, the theoretical arrival time (TAT) of the
// next conforming emission, replaces the token count and the refill time.
// An emission at time now is sampled if, after charging it one interval,
// the TAT is no more than limit ahead of now; a compare-and-swap publishes
// the new TAT, so concurrent callers never sample more than the bucket
// allows and never wait for a lock.
type rateLimited struct {
	tat         atomic.Int64 // nanoseconds on clock's time line
	interval    int64        // nanoseconds per sampled emission: 1e9 / rate
	limit       int64        // how far TAT may run ahead of now: burst * interval
	clock       func() int64 // monotonic nanoseconds, never negative
	description string
}

var _ Sampler = (*rateLimited)(nil)

// ShouldSample takes a token if one is available.
func (r *rateLimited) ShouldSample(Parameters) bool {
	now := r.clock()
	for {
		tat := r.tat.Load()
		next := max(tat, now) + r.interval
		if next-now > r.limit {
			return false
		}
		if r.tat.CompareAndSwap(tat, next) {
			return true
		}
	}
}

// Description returns "RateLimited{rate}".
func (r *rateLimited) Description() string { return r.description }

// RateLimited returns a Sampler that samples at most perSecond emissions per
// second, with bursts of up to max(1, perSecond) emissions. Its description
// is "RateLimited{perSecond}", like "RateLimited{100}".
//
// It is a token bucket that holds max(1, perSecond) tokens, starts full, and
// refills continuously at perSecond tokens per second (fractions of a token
// accrue); each sampled emission takes one token, and an emission that finds
// less than one token is not sampled. With perSecond 100, a quiet signal can
// have 100 emissions sampled at once, then one every 10 ms.
//
// A perSecond <= 0 or NaN samples nothing, like [Never] (description
// "RateLimited{0}"); +Inf samples everything, like [Always] (description
// "RateLimited{+Inf}"). The interval between sampled emissions is rounded to
// whole nanoseconds, so rates above one billion per second are clamped to
// that; rates below one per 2^61 ns (about 73 years) are clamped to that.
//
// The sampler is lock-free: a decision reads the monotonic clock once and
// one atomic integer, which a sampled decision updates with
// compare-and-swap, so it costs a clock read plus a few nanoseconds and
// allocates nothing. It is safe for concurrent use, and the
// limit holds for all callers together.
func RateLimited(perSecond float64) Sampler {
	start := time.Now()
	return newRateLimited(perSecond, func() int64 { return int64(time.Since(start)) })
}

// newRateLimited is RateLimited with an injected clock, which returns
// monotonic, non-negative nanoseconds.
func newRateLimited(perSecond float64, clock func() int64) Sampler {
	switch {
	case !(perSecond > 0): // perSecond <= 0 or NaN
		return &fixed{sample: false, description: "RateLimited{0}"}
	case math.IsInf(perSecond, 1):
		return &fixed{sample: true, description: "RateLimited{+Inf}"}
	}
	interval := int64(min(max(math.Round(1e9/perSecond), minInterval), maxInterval))
	return &rateLimited{
		interval:    interval,
		limit:       max(interval, int64(time.Second)),
		clock:       clock,
		description: fmt.Sprintf("RateLimited{%g}", perSecond),
	}
}
