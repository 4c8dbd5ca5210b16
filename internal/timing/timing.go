// Package timing selects the calls of an instrumentation whose durations are
// recorded: every call up to a budget per second ([Budget]), and beyond it a
// fixed fraction of the calls ([Mix], [Threshold]). Reading the clock and
// recording a histogram value cost far more than counting a call, so the
// instrumentations count every call and time only these.
//
// otelsignals (emissions of a signal) and natssignals (messages of a
// publisher or a subscriber) share it, so that both time the same calls
// under the same settings. It is internal to the repository's modules: the
// exported names are not an API for users.
package timing

import (
	"math"
	"sync/atomic"
	"time"
)

// Mix returns a well-mixed 64-bit hash of n (the finalizer of SplitMix64),
// so that comparing Mix(n) with a [Threshold] selects a fraction of the
// sequence numbers n without a pattern.
func Mix(n uint64) uint64 {
	n ^= n >> 30
	n *= 0xbf58476d1ce4e5b9
	n ^= n >> 27
	n *= 0x94d049bb133111eb
	n ^= n >> 31
	return n
}

// Threshold returns the value below which Mix(n) selects a fraction rate of
// the sequence numbers n, for 0 <= rate < 1. (A rate of 1 selects every
// number, which no threshold of a uint64 can say: callers check for it
// first.)
func Threshold(rate float64) uint64 {
	if rate <= 0 || math.IsNaN(rate) {
		return 0
	}
	if rate >= 1 {
		return math.MaxUint64
	}
	return uint64(math.Ldexp(rate, 64))
}

// Rate is the inverse of [Threshold]: exact for every rate of 2^-11 or
// more, and within 2^-64 of the rate below that.
func Rate(threshold uint64) float64 { return math.Ldexp(float64(threshold), -64) }

// Budget selects the calls of one instrumentation that are timed within its
// duration budget: the first limit calls of each window of one second. It
// takes no lock. A window starts at the first call after the previous one
// ended, so calls made at a steady rate below the limit are all timed.
//
// Once a window's budget is spent, a call reads the clock only if its
// sequence number is a multiple of [CheckEvery], to notice that the window
// has ended: at high rates the budget costs one atomic load per call and a
// clock read per CheckEvery calls, and below the limit a clock read per
// call, which is cheap next to timing that call. The next window therefore
// starts up to CheckEvery calls late, so calls made a little faster than the
// limit have somewhat fewer than limit timed per second.
//
// The zero Budget is ready for use. A Budget must not be copied after first
// use. Its methods are safe for concurrent use.
type Budget struct {
	used  atomic.Int64 // calls timed in the current window; may pass the limit
	start atomic.Int64 // start of the current window, in nanoseconds since clockBase
}

// CheckEvery is how often, in calls, a spent budget looks at the clock.
const CheckEvery = 64

// clockBase is a reading of the monotonic clock that the windows of every
// Budget are measured from. It is set once, when the package initializes,
// and never changes.
var clockBase = time.Now()

// Take reports whether the call with sequence number n is timed within a
// budget of limit calls per second. A limit <= 0 times nothing.
func (b *Budget) Take(limit int64, n uint64) bool {
	if limit <= 0 {
		return false
	}
	if b.used.Load() >= limit && n%CheckEvery != 0 {
		return false
	}
	now := int64(time.Since(clockBase))
	if start := b.start.Load(); now-start >= int64(time.Second) && b.start.CompareAndSwap(start, now) {
		// A new window. A call that counted in the old one between the
		// swap and this store is lost to both: the budget is a bound, not
		// an exact count.
		b.used.Store(0)
	}
	return b.used.Add(1) <= limit
}
