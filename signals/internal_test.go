package signals

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestEmitTakesNoLock holds the writers' mutex while emitting: emission never
// takes it, so it completes; a writer blocks until the mutex is released.
func TestEmitTakesNoLock(t *testing.T) {
	var sync_ SyncSignal[int]
	var async AsyncSignal[int]
	defer async.Close()
	calls := 0
	var mu sync.Mutex
	count := func(context.Context, int) { mu.Lock(); calls++; mu.Unlock() }
	for range 3 {
		sync_.AddListener(count)
		async.AddListener(count)
	}
	sync_.AddOnce(count)
	sync_.mu.Lock()
	async.mu.Lock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		sync_.Emit(context.Background(), 1)
		_ = sync_.TryEmit(context.Background(), 1) // the one-time listener unlinks itself without the mutex
		async.Emit(context.Background(), 1)
		_ = async.Enqueue(context.Background(), 1)
		_ = sync_.Len() + len(sync_.Keys())
		_ = sync_.HasKey("k")
		_ = async.Stats()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("emission waited for the writers' mutex")
	}
	added := make(chan struct{})
	go func() { sync_.AddListener(count); close(added) }()
	select {
	case <-added:
		t.Fatal("a writer did not wait for the writers' mutex")
	case <-time.After(20 * time.Millisecond):
	}
	sync_.mu.Unlock()
	async.mu.Unlock()
	<-added
	if err := async.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 4+3+3+3 { // Emit (with the one-time listener), TryEmit, async Emit, Enqueue
		t.Errorf("calls = %d", calls)
	}
}

// TestWorkerSpin follows a worker with Spin through its states: after its
// work it spins (and a producer neither wakes nor starts a worker), picks up
// work queued meanwhile, then parks when the spin ends, and exits when idle.
func TestWorkerSpin(t *testing.T) {
	p := NewWorkerPool(PoolOptions{Size: 4, Spin: 300 * time.Millisecond, IdleTimeout: 50 * time.Millisecond})
	defer p.Close()
	s := &AsyncSignal[int]{}
	s.initAsync(&SignalOptions{Pool: p})
	delivered := make(chan int, 10)
	s.AddListener(func(_ context.Context, v int) { delivered <- v })
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(time.Millisecond)
		}
	}
	s.Enqueue(context.Background(), 1)
	<-delivered
	waitFor("the worker to spin", func() bool { return p.spinning.Load() == 1 })
	s.Enqueue(context.Background(), 2) // found by the spinning worker
	<-delivered
	if w := p.workers.Load(); w != 1 {
		t.Errorf("%d workers: a producer started one while a worker was spinning", w)
	}
	waitFor("the worker to park", func() bool { return p.idle.Load() == 1 && p.spinning.Load() == 0 })
	waitFor("the worker to exit", func() bool { return p.workers.Load() == 0 })
	s.Close()
}

// TestOnDelivery: onDelivery tells a pool worker from any other goroutine,
// and allocates nothing once it has seen the stack's call sites.
func TestOnDelivery(t *testing.T) {
	if onDelivery() {
		t.Fatal("onDelivery() on a test goroutine")
	}
	if a := testing.AllocsPerRun(100, func() { _ = onDelivery() }); a != 0 {
		t.Errorf("onDelivery: %v allocations", a)
	}
	p := NewWorkerPool(PoolOptions{Size: 1})
	defer p.Close()
	got := make(chan bool, 2)
	s := NewWithOptions[int](&SignalOptions{Pool: p})
	defer s.Close()
	s.AddListener(func(context.Context, int) { got <- onDelivery() })
	if err := s.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if !<-got {
		t.Error("onDelivery() false in a listener that a pool worker runs")
	}
	// A stack deeper than onDelivery reads at once.
	var deep func(n int) bool
	deep = func(n int) bool {
		if n == 0 {
			return onDelivery()
		}
		return deep(n - 1)
	}
	s.AddListener(func(context.Context, int) { got <- deep(100) })
	if err := s.Enqueue(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	for range 2 { // both listeners: the first, and the one 100 frames deep
		if !<-got {
			t.Error("onDelivery() false in a listener on a pool worker")
		}
	}
	if deep(100) {
		t.Error("onDelivery() 100 frames deep on a test goroutine")
	}
}
