package timing

import (
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalkit/sdk/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// takes returns how many of the calls with sequence numbers from, ..., to-1
// b times within a budget of limit.
func takes(b *Budget, limit int64, from, to uint64) int {
	n := 0
	for i := from; i < to; i++ {
		if b.Take(limit, i) {
			n++
		}
	}
	return n
}

// endWindow moves the start of b's window back by d: as if d had passed.
func endWindow(b *Budget, d time.Duration) { b.start.Add(-int64(d)) }

// TestBudgetWindows checks the budget window by window.
func TestBudgetWindows(t *testing.T) {
	b := &Budget{}
	if got := takes(b, 3, 1, 200); got != 3 {
		t.Fatalf("first window: %d timed, want the 3 of the budget", got)
	}
	endWindow(b, time.Second)
	// A spent budget looks at the clock only every CheckEvery calls:
	// 200..255 do not notice the new window, 256 does.
	if got := takes(b, 3, 200, 256); got != 0 {
		t.Errorf("before the check: %d timed, want 0", got)
	}
	if !b.Take(3, 256) {
		t.Error("the call that checks the clock is not timed in the new window")
	}
	if got := takes(b, 3, 257, 400); got != 2 {
		t.Errorf("second window: %d more timed, want 2", got)
	}

	// Below the limit every call reads the clock: after a quiet second
	// the first call starts a new window at once.
	b = &Budget{}
	if got := takes(b, 10, 1, 6); got != 5 {
		t.Fatalf("5 calls under a budget of 10: %d timed", got)
	}
	endWindow(b, 2*time.Second)
	if got := takes(b, 10, 6, 100); got != 10 {
		t.Errorf("after a quiet second: %d timed, want a whole budget of 10", got)
	}

	if got := takes(&Budget{}, 0, 1, 100) + takes(&Budget{}, -1, 1, 100); got != 0 {
		t.Errorf("a budget of 0 or less timed %d calls", got)
	}
}

// TestBudgetConcurrent checks that goroutines racing for the budget time
// exactly the budget within one window.
func TestBudgetConcurrent(t *testing.T) {
	b := &Budget{}
	// A window that starts in an hour: the clock stays in it.
	b.start.Store(int64(time.Since(clockBase) + time.Hour))
	const limit, goroutines, each = 100, 8, 1000
	var timed atomic.Int64
	var seq atomic.Uint64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				if b.Take(limit, seq.Add(1)) {
					timed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := timed.Load(); got != limit {
		t.Errorf("%d calls timed, want the budget of %d", got, limit)
	}
}

func TestMix(t *testing.T) {
	// Mix spreads consecutive numbers: about half of them land below 2^63.
	below := 0
	for n := range uint64(10000) {
		if Mix(n) < 1<<63 {
			below++
		}
	}
	if below < 4700 || below > 5300 {
		t.Errorf("%d of 10000 below the middle", below)
	}
}

func TestThreshold(t *testing.T) {
	for rate, want := range map[float64]uint64{
		-1: 0, 0: 0, math.NaN(): 0, 0.5: 1 << 63, 0.25: 1 << 62, 1: math.MaxUint64, 2: math.MaxUint64,
	} {
		if got := Threshold(rate); got != want {
			t.Errorf("Threshold(%v) = %d, want %d", rate, got, want)
		}
	}
	for _, rate := range []float64{0.5, 0.01, 1.0 / 2048} {
		if got := Rate(Threshold(rate)); got != rate {
			t.Errorf("Rate(Threshold(%v)) = %v", rate, got)
		}
	}
	// A threshold selects its rate of the numbers.
	th, n := Threshold(0.1), 0
	for i := range uint64(100_000) {
		if Mix(i) < th {
			n++
		}
	}
	if n < 9500 || n > 10500 {
		t.Errorf("rate 0.1 selected %d of 100,000", n)
	}
}
