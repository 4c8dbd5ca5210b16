package property

import (
	"context"
	"errors"
	"testing"

	"github.com/signalkit/sdk/signals"
)

// Minimal reproductions of bugs the property tests found in package signals,
// kept as regression tests now that the bugs are fixed.

// TestBreakerLoweredThreshold: SignalOptions.BreakerThreshold says that "a
// listener that fails this many times in a row is disabled". The breaker
// tripped only when the run of failures equalled the threshold exactly
// (signals/emit.go, BaseSignal.failed: `n == o.breaker`), so after
// SetBreakerThreshold lowers the threshold below a listener's current run,
// the listener was never disabled however often it failed. Found by
// TestSyncMachine (shrunk to: breaker 2, a panicking listener, Emit,
// SetBreakerThreshold(1), Emit).
func TestBreakerLoweredThreshold(t *testing.T) {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{
		BreakerThreshold: 5,
		ErrorHandler:     func(context.Context, string, error) {},
	})
	calls := 0
	s.AddListenerWithErr(func(context.Context, int) error { calls++; return errors.New("down") }, "flaky")
	for range 3 {
		s.Emit(context.Background(), 0) // three failures in a row, under the threshold
	}
	s.SetBreakerThreshold(2)
	for range 5 {
		s.Emit(context.Background(), 0)
	}
	if st := s.Stats(); st.DisabledListeners != 1 || calls != 4 {
		t.Errorf("after 3 failures, threshold lowered to 2: %d calls, %d disabled listeners; want the next failure (the 4th in a row) to disable it: 4 calls, 1 disabled", calls, st.DisabledListeners)
	}
}
