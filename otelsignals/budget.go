package otelsignals

import (
	"sync/atomic"
	"time"
)

// durationBudget selects the emissions of one instrumentation that are timed
// within its duration budget: the first limit emissions of each window of one
// second (see [WithDurationBudget]). It takes no lock. A window starts at the
// first emission after the previous one ended, so a signal emitted at a
// steady rate below the limit has every emission timed.
//
// Once a window's budget is spent, an emission reads the clock only if its
// sequence number is a multiple of budgetCheckEvery, to notice that the window
// has ended: at high rates the budget costs one atomic load per emission and a
// clock read per budgetCheckEvery emissions, and below the limit a clock read
// per emission, which is cheap next to timing that emission. The next window
// therefore starts up to budgetCheckEvery emissions late, so a signal emitted
// a little faster than the limit has somewhat fewer than limit emissions
// timed per second.
//
// The zero durationBudget is not ready for use: epoch must be set.
type durationBudget struct {
	used  atomic.Int64 // emissions timed in the current window; may pass the limit
	start atomic.Int64 // start of the current window, in nanoseconds since epoch
	epoch time.Time    // a reading of the monotonic clock, set by Instrument
}

// budgetCheckEvery is how often, in emissions, a spent budget looks at the
// clock.
const budgetCheckEvery = 64

// take reports whether the emission with sequence number n is timed within a
// budget of limit emissions per second (limit > 0).
func (b *durationBudget) take(limit int64, n uint64) bool {
	if b.used.Load() >= limit && n%budgetCheckEvery != 0 {
		return false
	}
	now := int64(time.Since(b.epoch))
	if start := b.start.Load(); now-start >= int64(time.Second) && b.start.CompareAndSwap(start, now) {
		// A new window. An emission that counted in the old one between
		// the swap and this store is lost to both: the budget is a bound,
		// not an exact count.
		b.used.Store(0)
	}
	return b.used.Add(1) <= limit
}
