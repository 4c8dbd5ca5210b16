package signals_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/signalkit/sdk/signals"
)

// closeAsync calls close on a goroutine of its own and returns its result,
// failing t if it hangs.
func closeAsync(t *testing.T, what string, close func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- close() }()
	return await(t, done, what)
}

// TestEmitRacingClose: an Emit racing Close leaves no worker running once both
// have returned, even with MinWorkers (issue 17, defect 5). The race is
// caught in about one round in ten without the fix; see also
// TestStressEmitRacingClose.
func TestEmitRacingClose(t *testing.T) {
	if n := emitRacingClose(t, 100); n != 0 {
		t.Errorf("%d of 100 signals kept workers after Emit and Close returned", n)
	}
	checkNoLeak(t)
}

// emitRacingClose races an Emit to three listeners with Close on each of
// rounds new signals, and returns in how many a worker outlived both.
func emitRacingClose(t *testing.T, rounds int) int {
	leaked := 0
	for range rounds {
		s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 2, MinWorkers: 1})
		for range 3 {
			s.AddListener(func(context.Context, int) {})
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); <-start; s.Emit(context.Background(), 1) }()
		go func() {
			defer wg.Done()
			<-start
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		}()
		close(start)
		wg.Wait()
		if s.Stats().Workers != 0 {
			leaked++
			s.Pool().Close() // so that the next rounds and the leak check are not affected
		}
	}
	return leaked
}

// TestCloseBeforePool: a signal closed before it needed a pool emits on the
// emitting goroutine, starts no worker, and its Pool is shut down.
func TestCloseBeforePool(t *testing.T) {
	s := signals.NewWithOptions[int](&signals.SignalOptions{MinWorkers: 2})
	var calls atomic.Int32
	for range 3 {
		s.AddListener(func(context.Context, int) { calls.Add(1) })
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.Emit(context.Background(), 1)
	if err := s.Enqueue(context.Background(), 1); !errors.Is(err, signals.ErrClosed) {
		t.Errorf("Enqueue after Close = %v", err)
	}
	if st := s.Stats(); calls.Load() != 3 || st.Workers != 0 {
		t.Errorf("calls = %d, workers = %d", calls.Load(), st.Workers)
	}
	p := s.Pool()
	if err := closeAsync(t, "the pool's Close", p.Close); err != nil || p.Stats().Workers != 0 {
		t.Errorf("the pool of a signal closed before it had one: Close = %v, %d workers", err, p.Stats().Workers)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	checkNoLeak(t)
}
