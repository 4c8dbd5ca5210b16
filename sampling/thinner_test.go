package sampling

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// thin runs n emissions, one every gap on clock, through s as a caller that
// thins does: each emission is drawn with probability s.Share() (from rng)
// and only those drawn are asked of s.Thinned(). It returns how many were
// sampled and how many were asked.
func thin(s Thinner, clock *fakeClock, rng *rand.Rand, n int, gap time.Duration) (sampled, asked int) {
	rest := s.Thinned()
	for range n {
		clock.advance(gap)
		if rng.Float64() >= s.Share() {
			continue
		}
		asked++
		if rest.ShouldSample(Parameters{}) {
			sampled++
		}
	}
	return sampled, asked
}

func TestThinnersOfFixedDecisions(t *testing.T) {
	for _, tt := range []struct {
		s     Sampler
		share float64
	}{
		{Never(), 0}, {Ratio(0), 0}, {Ratio(1), 1}, {Ratio(0.25), 0.25}, {RateLimited(0), 0}, {RateLimited(math.Inf(1)), 1},
	} {
		th, ok := tt.s.(Thinner)
		if !ok {
			t.Fatalf("%s is not a Thinner", tt.s.Description())
		}
		if got := th.Share(); got != tt.share {
			t.Errorf("%s: Share() = %v, want %v", tt.s.Description(), got, tt.share)
		}
		// What is drawn is decided as the Thinner decides it, with its
		// probability taken out.
		rest := th.Thinned()
		if tt.share > 0 && !rest.ShouldSample(Parameters{}) {
			t.Errorf("%s: Thinned() does not sample an emission drawn", tt.s.Description())
		}
		if tt.share == 0 && take(rest, 100) != 0 {
			t.Errorf("%s: Thinned() samples", tt.s.Description())
		}
	}
	for _, s := range []Sampler{Always(), ParentBased(Always()), NewDynamic(Ratio(0.5))} {
		if _, ok := s.(Thinner); ok {
			t.Errorf("%s is a Thinner: it must see every emission", s.Description())
		}
	}
}

// TestRateLimitedThinned: thinned, RateLimited keeps its rate within an
// eighth (its documented bound) at emission rates from twice its rate to a
// million times it, and at high rates asks about a small part of the
// emissions.
func TestRateLimitedThinned(t *testing.T) {
	for _, tt := range []struct {
		name      string
		perSecond float64
		gap       time.Duration // between emissions
		seconds   int
		maxAsked  float64 // the most of the emissions asked about
	}{
		{"10/s at 1M/s", 10, time.Microsecond, 10, 1.0 / 32},
		{"1000/s at 1M/s", 1000, time.Microsecond, 5, 0.05},
		{"1/s at 2/s", 1, 500 * time.Millisecond, 200, 1},
		{"0.5/s at 10k/s", 0.5, 100 * time.Microsecond, 200, 1.0 / 32},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := new(fakeClock)
			clock.advance(time.Hour)
			s := newRateLimited(tt.perSecond, clock.now).(Thinner)
			n := int(time.Duration(tt.seconds) * time.Second / tt.gap)
			rng := rand.New(rand.NewPCG(1, 2))
			sampled, asked := thin(s, clock, rng, n, tt.gap)
			// A full bucket at the start: max(1, perSecond) at once,
			// then perSecond per second.
			most := max(1, tt.perSecond) + tt.perSecond*float64(tt.seconds)
			if float64(sampled) > most+1 || float64(sampled) < most*7/8 {
				t.Errorf("%d sampled in %d s, want %.0f (at least %.0f)", sampled, tt.seconds, most, most*7/8)
			}
			if f := float64(asked) / float64(n); f > tt.maxAsked {
				t.Errorf("asked about %.4f of the emissions, want at most %.4f", f, tt.maxAsked)
			}
			t.Logf("%d of %d emissions asked about, %d sampled (at most %.0f)", asked, n, sampled, most)
		})
	}
}

// TestRateLimitedThinnedAfterRateDrop: when emissions slow down a thousand
// times, the share grows back within a few looks, and the sampler samples
// at its rate again.
func TestRateLimitedThinnedAfterRateDrop(t *testing.T) {
	clock := new(fakeClock)
	s := newRateLimited(1, clock.now).(Thinner)
	rng := rand.New(rand.NewPCG(3, 4))
	thin(s, clock, rng, 2_500_000, time.Microsecond) // 2.5 s at 1M/s: share down
	if s.Share() > 1.0/32 {
		t.Fatalf("share %v at 1M emissions/s, want it small", s.Share())
	}
	sampled, _ := thin(s, clock, rng, 20_000, 10*time.Millisecond) // 200 s at 100/s
	if sampled < 170 || sampled > 202 {
		t.Errorf("%d sampled in 200 s at 100 emissions/s, want about 200 (1/s)", sampled)
	}
}
