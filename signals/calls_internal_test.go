package signals

import (
	"context"
	"errors"
	"testing"
	"time"
)

// takeAllSlots takes every free call slot, as that many emissions in
// progress at once would, and returns a function that gives them back.
func takeAllSlots(t *testing.T) (release func()) {
	t.Helper()
	var taken []*callSlot
	for i := range callSlots.slots {
		if s := &callSlots.slots[i]; s.cur.CompareAndSwap(0, id(noCall)) {
			taken = append(taken, s)
		}
	}
	if len(taken) != numCallSlots {
		for _, s := range taken {
			s.cur.Store(0)
		}
		t.Fatalf("%d call slots in use before the test", numCallSlots-len(taken))
	}
	return func() {
		for _, s := range taken {
			s.cur.Store(0)
		}
	}
}

// TestCountingWhenSlotsTaken: when every call slot is taken, emissions count
// their calls in the listeners' handles (or the generation) instead. Every
// kind of listener is still called exactly as with a slot, failures are
// handled, and RemoveListener and Reset still wait for the calls in progress
// of what they remove.
func TestCountingWhenSlotsTaken(t *testing.T) {
	release := takeAllSlots(t)
	defer release()

	var errs []error
	sig := NewSyncWithOptions[int](&SignalOptions{ErrorHandler: func(_ context.Context, _ string, err error) { errs = append(errs, err) }})
	var calls []string
	sig.AddListener(func(context.Context, int) { calls = append(calls, "plain") })
	sig.AddListener(func(context.Context, int) { calls = append(calls, "keyed") }, "k")
	sig.AddOnce(func(context.Context, int) { calls = append(calls, "once") })
	boom := errors.New("boom")
	sig.AddListenerWithErr(func(context.Context, int) error { calls = append(calls, "failing"); return boom })
	sig.Emit(context.Background(), 1)
	if err := sig.TryEmit(context.Background(), 2); !errors.Is(err, boom) {
		t.Errorf("TryEmit = %v, want boom", err)
	}
	want := []string{"plain", "keyed", "once", "failing", "plain", "keyed", "failing"}
	if len(calls) != len(want) {
		t.Fatalf("calls %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("calls %v, want %v", calls, want)
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], boom) {
		t.Errorf("error handler got %v, want boom once (Emit)", errs)
	}
	if n := countedCalls(sig.gen().state.Load()); n != 0 {
		t.Errorf("the generation counts %d calls after the emissions", n)
	}

	// RemoveListener waits for the keyed listener's call in progress.
	started, unblock := make(chan struct{}), make(chan struct{})
	sig.Reset()
	sig.AddListener(func(context.Context, int) { close(started); <-unblock }, "slow")
	emitted := make(chan struct{})
	go func() { sig.Emit(context.Background(), 3); close(emitted) }()
	<-started
	removed := make(chan int)
	go func() { removed <- sig.RemoveListener("slow") }()
	select {
	case <-removed:
		t.Fatal("RemoveListener returned while the listener it removed was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(unblock)
	if n := <-removed; n != 0 {
		t.Errorf("RemoveListener = %d, want 0 listeners left", n)
	}
	<-emitted

	// Reset waits for a plain listener's call in progress (counted in the
	// generation).
	started, unblock = make(chan struct{}), make(chan struct{})
	sig.AddListener(func(context.Context, int) { close(started); <-unblock })
	emitted = make(chan struct{})
	go func() { sig.Emit(context.Background(), 4); close(emitted) }()
	<-started
	reset := make(chan struct{})
	go func() { sig.Reset(); close(reset) }()
	select {
	case <-reset:
		t.Fatal("Reset returned while a listener it removed was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(unblock)
	<-reset
	<-emitted

	// An AsyncSignal's emissions and deliveries count the same way.
	async := NewWithOptions[int](&SignalOptions{WorkerPoolSize: 2})
	defer async.Close()
	got := make(chan int, 4)
	async.AddListener(func(_ context.Context, v int) { got <- v }, "a")
	async.AddListener(func(_ context.Context, v int) { got <- v })
	async.Emit(context.Background(), 5)
	if err := async.Enqueue(context.Background(), 6); err != nil {
		t.Fatal(err)
	}
	sum := 0
	for range 4 {
		sum += <-got
	}
	if sum != 5+5+6+6 {
		t.Errorf("async listeners got a sum of %d, want 22", sum)
	}
}

// gen returns the generation of s's current listeners.
func (s *BaseSignal[T]) gen() *handle {
	if v := s.current.Load(); v != nil {
		return v.gen
	}
	return nil
}
