package signals_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/signalkit/sdk/signals"
)

func TestAddOnce(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			var rec recorder
			s := c.new(nil)
			s.AddListener(rec.listener("always"))
			if n := s.AddOnce(rec.listener("once")); n != 2 {
				t.Errorf("AddOnce = %d", n)
			}
			if n := s.AddOnceWithKey(rec.listener("keyed"), "k"); n != 3 {
				t.Errorf("AddOnceWithKey = %d", n)
			}
			s.Emit(context.Background(), 1)
			if s.Len() != 1 || s.HasKey("k") || len(s.Keys()) != 0 || s.Metadata("k") != nil {
				t.Errorf("after firing: Len=%d HasKey=%v Keys=%q", s.Len(), s.HasKey("k"), s.Keys())
			}
			s.Emit(context.Background(), 2)
			counts := map[string]int{}
			for _, name := range rec.get() {
				counts[name]++
			}
			if counts["always"] != 2 || counts["once"] != 1 || counts["keyed"] != 1 {
				t.Errorf("calls = %v", counts)
			}
			if n := s.AddOnceWithKey(rec.listener("again"), "k"); n != 2 {
				t.Errorf("the key of a fired one-time listener is not free: AddOnceWithKey = %d", n)
			}
		})
	}
}

func TestAddOnceRemovedBeforeFiring(t *testing.T) {
	var rec recorder
	s := signals.NewSync[int]()
	s.AddOnceWithKey(rec.listener("once"), "k")
	if n := s.RemoveListener("k"); n != 0 {
		t.Errorf("RemoveListener = %d", n)
	}
	s.Emit(context.Background(), 1)
	if got := rec.get(); len(got) != 0 {
		t.Errorf("removed one-time listener called: %q", got)
	}
}

func TestAddOnceWithErr(t *testing.T) {
	boom := errors.New("boom")
	var h handlerLog
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{ErrorHandler: h.handle})
	var calls atomic.Int32
	s.AddOnceWithErr(func(context.Context, int) error { calls.Add(1); return boom })
	s.AddOnceWithErrAndKey(func(context.Context, int) error { calls.Add(1); return nil }, "k")
	s.Emit(context.Background(), 1)
	s.Emit(context.Background(), 1)
	if calls.Load() != 2 || s.Len() != 0 {
		t.Errorf("calls = %d, Len = %d", calls.Load(), s.Len())
	}
	if _, errs := h.get(); len(errs) != 1 || errs[0] != boom {
		t.Errorf("handler got %v", errs)
	}
	// TryEmit returns a one-time listener's error, and the listener is gone.
	s.AddOnceWithErr(func(context.Context, int) error { return boom })
	if err := s.TryEmit(context.Background(), 1); err != boom {
		t.Errorf("TryEmit = %v", err)
	}
	if err := s.TryEmit(context.Background(), 1); err != nil || s.Len() != 0 {
		t.Errorf("second TryEmit = %v, Len = %d", err, s.Len())
	}
}

// TestAddOnceConcurrent emits from many goroutines at once: each one-time
// listener must run exactly once.
func TestAddOnceConcurrent(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.new(nil)
			const listeners = 50
			var calls [listeners]atomic.Int32
			for i := range listeners {
				s.AddOnce(func(context.Context, int) { calls[i].Add(1) })
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for range 20 {
						s.Emit(context.Background(), 1)
					}
				}()
			}
			close(start)
			wg.Wait()
			for i := range calls {
				if n := calls[i].Load(); n != 1 {
					t.Errorf("one-time listener %d ran %d times", i, n)
				}
			}
			if s.Len() != 0 {
				t.Errorf("Len = %d after every one-time listener fired", s.Len())
			}
		})
	}
}

func TestAddOncePanics(t *testing.T) {
	var h handlerLog
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{ErrorHandler: h.handle})
	calls := 0
	s.AddOnceWithKey(func(context.Context, int) { calls++; panic("once") }, "k")
	s.Emit(context.Background(), 1)
	s.Emit(context.Background(), 1)
	if calls != 1 || s.Len() != 0 {
		t.Errorf("a panicking one-time listener ran %d times; Len = %d", calls, s.Len())
	}
	if keys, _ := h.get(); !equal(keys, []string{"k"}) {
		t.Errorf("handler keys = %q", keys)
	}
}
