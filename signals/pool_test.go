package signals_test

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

// TestQueueSizeLimit: a queue size above MaxQueueSize is lowered to it instead
// of spinning forever while rounding it to a power of two (issue 17, defect 7).
func TestQueueSizeLimit(t *testing.T) {
	made := make(chan *signals.WorkerPool, 1)
	go func() { made <- signals.NewWorkerPool(signals.PoolOptions{QueueSize: math.MaxInt}) }()
	p := await(t, made, "NewWorkerPool")
	defer p.Close()
	if c := p.Stats().QueueCap; c != signals.MaxQueueSize {
		t.Errorf("QueueCap = %d, want %d", c, signals.MaxQueueSize)
	}
	s := signals.NewWithOptions[int](&signals.SignalOptions{Pool: p})
	defer s.Close()
	delivered := make(chan struct{})
	s.AddListener(func(context.Context, int) { close(delivered) })
	if err := s.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	await(t, delivered, "the delivery")
}

// TestPoolShutdownDropsQueuedWork: a shared pool whose only worker is busy
// when its Shutdown runs out of time drops the work still in its run queue:
// a signal's queued emissions (counted as dropped by the signal) and the
// helpers of an AsyncSignal.Emit (whose emitter then calls every listener
// itself).
func TestPoolShutdownDropsQueuedWork(t *testing.T) {
	pool := signals.NewWorkerPool(signals.PoolOptions{Size: 1})
	blocker := signals.NewWithOptions[int](&signals.SignalOptions{Pool: pool})
	gate, entered := make(chan struct{}), make(chan struct{})
	blocker.AddListener(func(context.Context, int) { close(entered); <-gate })
	if err := blocker.Enqueue(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	<-entered // the pool's one worker is busy

	queued := signals.NewWithOptions[int](&signals.SignalOptions{Pool: pool, Stats: true})
	queued.AddListener(func(context.Context, int) { t.Error("a dropped emission was delivered") })
	for i := range 3 {
		if err := queued.Enqueue(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	fanned := signals.NewWithOptions[int](&signals.SignalOptions{Pool: pool})
	var calls atomic.Int32
	for range 3 {
		fanned.AddListener(func(context.Context, int) { calls.Add(1) })
	}
	emitted := make(chan struct{})
	go func() { fanned.Emit(context.Background(), 1); close(emitted) }()
	<-emitted // the emitter called the listeners; its helper waits in the run queue

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := pool.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want DeadlineExceeded", err)
	}
	close(gate)
	if err := pool.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown = %v", err)
	}
	if st := queued.Stats(); st.Dropped != 3 || st.Emissions != 0 {
		t.Errorf("queued signal: %+v, want 3 dropped, none delivered", st)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("fan-out made %d calls, want 3", n)
	}
	for _, s := range []*signals.AsyncSignal[int]{blocker, queued, fanned} {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}
