package sampling

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a manually advanced clock, safe for concurrent use.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() int64              { return c.ns.Load() }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// take asks s n times and returns how many emissions it sampled.
func take(s Sampler, n int) int {
	p := Parameters{Ctx: context.Background(), Signal: "orders", Operation: "emit"}
	sampled := 0
	for range n {
		if s.ShouldSample(p) {
			sampled++
		}
	}
	return sampled
}

func TestRateLimitedInjectedClock(t *testing.T) {
	type step struct {
		advance time.Duration // before asking
		ask     int
		want    int
	}
	tests := []struct {
		name      string
		perSecond float64
		steps     []step
	}{
		{"10 per second", 10, []step{
			{0, 20, 10},                    // the bucket starts full: a burst of 10
			{0, 5, 0},                      // and is empty now
			{99 * time.Millisecond, 5, 0},  // less than one interval later
			{1 * time.Millisecond, 5, 1},   // one interval (100 ms) refills one token
			{350 * time.Millisecond, 5, 3}, // 3.5 intervals: three tokens, half a token left
			{50 * time.Millisecond, 5, 1},  // the half token completes
			{time.Hour, 100, 10},           // a long pause refills only up to the burst
			{time.Second, 100, 10},         // one second refills the burst
			{10 * time.Second, 1, 1},       // then one at a time
			{0, 100, 9},                    // the rest of the burst
		}},
		{"one per second", 1, []step{
			{0, 5, 1},
			{999 * time.Millisecond, 5, 0},
			{time.Millisecond, 5, 1},
			{time.Minute, 5, 1}, // burst is 1
		}},
		{"below one per second: burst of one", 0.5, []step{
			{0, 5, 1},
			{time.Second, 5, 0},
			{999 * time.Millisecond, 5, 0},
			{time.Millisecond, 5, 1},
			{time.Hour, 5, 1},
		}},
		{"fractional burst", 2.5, []step{
			{0, 5, 2},                      // 2.5 tokens: two whole ones
			{200 * time.Millisecond, 5, 1}, // half an interval (400 ms) completes the third
			{400 * time.Millisecond, 5, 1},
		}},
		{"high rate", 1e6, []step{
			{0, 2_000_000, 1_000_000},
			{time.Millisecond, 5000, 1000},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clock fakeClock
			clock.advance(5 * time.Second) // any starting point works
			s := newRateLimited(tt.perSecond, clock.now)
			for i, st := range tt.steps {
				clock.advance(st.advance)
				if got := take(s, st.ask); got != st.want {
					t.Fatalf("step %d (after +%v): sampled %d of %d, want %d", i, st.advance, got, st.ask, st.want)
				}
			}
		})
	}
}

func TestRateLimitedClamps(t *testing.T) {
	tests := []struct {
		name         string
		perSecond    float64
		wantDesc     string
		wantFixed    bool
		wantSample   bool // for fixed samplers
		wantInterval int64
		wantLimit    int64
	}{
		{"zero", 0, "RateLimited{0}", true, false, 0, 0},
		{"negative", -1, "RateLimited{0}", true, false, 0, 0},
		{"NaN", math.NaN(), "RateLimited{0}", true, false, 0, 0},
		{"-Inf", math.Inf(-1), "RateLimited{0}", true, false, 0, 0},
		{"+Inf", math.Inf(1), "RateLimited{+Inf}", true, true, 0, 0},
		{"100", 100, "RateLimited{100}", false, false, 10_000_000, 1_000_000_000},
		{"3 rounds the interval", 3, "RateLimited{3}", false, false, 333_333_333, 1_000_000_000},
		{"0.25", 0.25, "RateLimited{0.25}", false, false, 4_000_000_000, 4_000_000_000},
		{"one per nanosecond", 1e9, "RateLimited{1e+09}", false, false, 1, 1_000_000_000},
		{"above one per nanosecond", 1e12, "RateLimited{1e+12}", false, false, 1, 1_000_000_000},
		{"tiny", 1e-300, "RateLimited{1e-300}", false, false, maxInterval, maxInterval},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newRateLimited(tt.perSecond, func() int64 { return 0 })
			if got := s.Description(); got != tt.wantDesc {
				t.Errorf("Description() = %q, want %q", got, tt.wantDesc)
			}
			if tt.wantFixed {
				f, ok := s.(*fixed)
				if !ok {
					t.Fatalf("got %T, want *fixed", s)
				}
				if got := take(f, 100); got != map[bool]int{true: 100, false: 0}[tt.wantSample] {
					t.Errorf("sampled %d of 100, want all: %t", got, tt.wantSample)
				}
				return
			}
			r, ok := s.(*rateLimited)
			if !ok {
				t.Fatalf("got %T, want *rateLimited", s)
			}
			if r.interval != tt.wantInterval || r.limit != tt.wantLimit {
				t.Errorf("interval, limit = %d, %d; want %d, %d", r.interval, r.limit, tt.wantInterval, tt.wantLimit)
			}
		})
	}
}

// TestRateLimitedNoOverflow checks the slowest rate near the end of the
// clock's range: the arithmetic must not wrap around and start sampling.
func TestRateLimitedNoOverflow(t *testing.T) {
	var clock fakeClock
	clock.advance(1 << 61)
	s := newRateLimited(1e-300, clock.now)
	tests := []struct {
		name    string
		advance time.Duration
		want    int
	}{
		{"first", 0, 1},
		{"immediately after", 0, 0},
		{"much later, still within the interval", 1 << 60, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.advance(tt.advance)
			if got := take(s, 3); got != tt.want {
				t.Errorf("sampled %d of 3, want %d", got, tt.want)
			}
		})
	}
}

// TestRateLimitedConcurrent checks that concurrent callers together never
// get more than the bucket holds, and never less: the compare-and-swap loop
// loses no token.
func TestRateLimitedConcurrent(t *testing.T) {
	const goroutines, perGoroutine = 8, 2000
	tests := []struct {
		name    string
		advance time.Duration
		want    int64
	}{
		{"full bucket", 0, 100},
		{"empty bucket", 0, 0},
		{"after 50 ms", 50 * time.Millisecond, 5},
		{"after a long pause", time.Hour, 100},
	}
	var clock fakeClock
	s := newRateLimited(100, clock.now)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.advance(tt.advance)
			var sampled atomic.Int64
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() { sampled.Add(int64(take(s, perGoroutine))) })
			}
			wg.Wait()
			if got := sampled.Load(); got != tt.want {
				t.Errorf("sampled %d, want %d", got, tt.want)
			}
		})
	}
}

// TestRateLimitedRealClock checks the exported constructor's clock: with one
// emission per 1000 s allowed, the first is sampled and the next cannot be.
func TestRateLimitedRealClock(t *testing.T) {
	s := RateLimited(0.001)
	tests := []struct {
		name string
		want int
	}{
		{"first", 1},
		{"then none", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := take(s, 10); got != tt.want {
				t.Errorf("sampled %d of 10, want %d", got, tt.want)
			}
		})
	}
}
