package otelsignals

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// takes returns how many of the emissions with sequence numbers from, ...,
// to-1 b times within a budget of limit.
func takes(b *durationBudget, limit int64, from, to uint64) int {
	n := 0
	for i := from; i < to; i++ {
		if b.take(limit, i) {
			n++
		}
	}
	return n
}

// TestDurationBudgetWindows checks the budget window by window. Moving the
// epoch back by a second moves the budget's clock forward by one.
func TestDurationBudgetWindows(t *testing.T) {
	b := &durationBudget{epoch: time.Now()}
	if got := takes(b, 3, 1, 200); got != 3 {
		t.Fatalf("first window: %d timed, want the 3 of the budget", got)
	}
	b.epoch = b.epoch.Add(-time.Second) // the window has ended
	// A spent budget looks at the clock only every budgetCheckEvery
	// emissions: 200..255 do not notice the new window, 256 does.
	if got := takes(b, 3, 200, 256); got != 0 {
		t.Errorf("before the check: %d timed, want 0", got)
	}
	if !b.take(3, 256) {
		t.Error("the emission that checks the clock is not timed in the new window")
	}
	if got := takes(b, 3, 257, 400); got != 2 {
		t.Errorf("second window: %d more timed, want 2", got)
	}

	// Below the limit every emission reads the clock: after a quiet
	// second the first emission starts a new window at once.
	b = &durationBudget{epoch: time.Now()}
	if got := takes(b, 10, 1, 6); got != 5 {
		t.Fatalf("5 emissions under a budget of 10: %d timed", got)
	}
	b.epoch = b.epoch.Add(-2 * time.Second)
	if got := takes(b, 10, 6, 100); got != 10 {
		t.Errorf("after a quiet second: %d timed, want a whole budget of 10", got)
	}
}

// TestDurationBudgetConcurrent checks that goroutines racing for the budget
// time exactly the budget within one window.
func TestDurationBudgetConcurrent(t *testing.T) {
	// An epoch in the future: the clock stays in the first window.
	b := &durationBudget{epoch: time.Now().Add(time.Hour)}
	const limit, goroutines, each = 100, 8, 1000
	var timed atomic.Int64
	var seq atomic.Uint64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				if b.take(limit, seq.Add(1)) {
					timed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := timed.Load(); got != limit {
		t.Errorf("%d emissions timed, want the budget of %d", got, limit)
	}
}

func TestSetBudget(t *testing.T) {
	for in, want := range map[int]int64{0: DefaultDurationBudget, -1: 0, -100: 0, 1: 1, 250: 250} {
		var e effective
		e.setBudget(in)
		if e.budget != want {
			t.Errorf("setBudget(%d): budget %d, want %d", in, e.budget, want)
		}
	}
}
