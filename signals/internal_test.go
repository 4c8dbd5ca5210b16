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
