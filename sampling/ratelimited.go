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

	// The thinning state (see Share): the share, the clock at the last
	// thinned decision plus one (0: none yet), and the rate of emissions
	// estimated from the thinned decisions, per nanosecond; both float64
	// bits. Concurrent decisions may overwrite each other's estimates:
	// they are estimates.
	share    atomic.Uint64
	lastLook atomic.Int64
	rate     atomic.Uint64
	thinned  thinnedRateLimited
}

// Thinning of RateLimited. While a token is available, every emission is
// looked at (share 1). While none is, the share is chosen so that about
// looksPerWait emissions are looked at until the next one is, from the
// estimated rate of emissions, and never below minShare: the first emission
// looked at after a token becomes available comes about 1/looksPerWait of
// the wait late, or minShare⁻¹ emissions at most on average.
const (
	looksPerWait = 8
	minShare     = 1.0 / 64
)

var _ Sampler = (*rateLimited)(nil)

// ShouldSample takes a token if one is available.
func (r *rateLimited) ShouldSample(Parameters) bool {
	return r.take(r.clock())
}

// take takes a token at time now if one is available.
func (r *rateLimited) take(now int64) bool {
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

// Share returns the share of emissions to draw: 1 while a token is
// available (every emission may be sampled) and until Thinned has decided an
// emission; less while none is (see RateLimited for what that costs the
// rate).
func (r *rateLimited) Share() float64 {
	if b := r.share.Load(); b != 0 {
		return math.Float64frombits(b)
	}
	return 1
}

// Thinned returns the sampler that decides the emissions drawn with
// probability Share: it takes a token as ShouldSample does, and updates the
// share.
func (r *rateLimited) Thinned() Sampler { return &r.thinned }

// thinnedRateLimited is RateLimited's Thinned sampler.
type thinnedRateLimited struct{ r *rateLimited }

// ShouldSample takes a token if one is available, estimates the rate of
// emissions from the time since the last thinned decision and the share in
// force, and sets the share for the emissions that follow.
func (t *thinnedRateLimited) ShouldSample(Parameters) bool {
	r := t.r
	now := r.clock()
	share := r.Share()
	rate := math.Float64frombits(r.rate.Load())
	if last := r.lastLook.Swap(now+1) - 1; last >= 0 && now > last {
		// Each emission looked at stands for 1/share emissions.
		est := 1 / (share * float64(now-last))
		if rate > 0 {
			est = rate + (est-rate)/4 // smoothed: one gap is a noisy estimate
		}
		rate = est
		r.rate.Store(math.Float64bits(rate))
	}
	sampled := r.take(now)
	next := 1.0
	if wait := r.tat.Load() + r.interval - r.limit - now; wait > 0 && rate > 0 {
		next = min(max(looksPerWait/(rate*float64(wait)), minShare), 1)
	}
	r.share.Store(math.Float64bits(next))
	return sampled
}

// Description returns the description of the RateLimited sampler.
func (t *thinnedRateLimited) Description() string { return t.r.description }

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
// It is a [Thinner]: its Share is 1 while a token is available, and while
// none is, small enough that about 8 of the emissions before the next token
// is due are asked about (never fewer than one in 64), from the rate of
// emissions it estimates. Thinned, the first emission asked about after a
// token is due comes about an eighth of the wait late: at rates above one per
// second the burst absorbs that, and below it a signal whose emissions
// always outrun the rate is sampled up to an eighth less often than
// perSecond.
//
// The sampler is lock-free: a decision reads the monotonic clock once and
// one atomic integer, which a sampled decision updates with
// compare-and-swap (a decision of Thinned also stores the share, the time
// and the rate estimate), so it costs a clock read plus a few nanoseconds
// and allocates nothing. It is safe for concurrent use, and the limit holds
// for all callers together.
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
	r := &rateLimited{
		interval:    interval,
		limit:       max(interval, int64(time.Second)),
		clock:       clock,
		description: fmt.Sprintf("RateLimited{%g}", perSecond),
	}
	r.thinned.r = r
	return r
}
