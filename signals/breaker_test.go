package signals_test

import (
	"context"
	"errors"
	"testing"

	"github.com/signalkit/sdk/signals"
)

func TestCircuitBreaker(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.new(&signals.SignalOptions{BreakerThreshold: 3, ErrorHandler: func(context.Context, string, error) {}})
			calls := map[string]int{}
			fail := map[string]bool{"flaky": true, "panicky": true}
			var mu chan struct{} = make(chan struct{}, 1)
			mu <- struct{}{}
			count := func(k string) bool {
				<-mu
				defer func() { mu <- struct{}{} }()
				calls[k]++
				return fail[k]
			}
			s.AddListenerWithErr(func(context.Context, int) error {
				if count("flaky") {
					return boom
				}
				return nil
			}, "flaky")
			s.AddListener(func(context.Context, int) {
				if count("panicky") {
					panic("p")
				}
			})
			s.AddListener(func(context.Context, int) { count("fine") }, "fine")
			for range 5 {
				s.Emit(context.Background(), 1)
			}
			if calls["flaky"] != 3 || calls["panicky"] != 3 || calls["fine"] != 5 {
				t.Errorf("calls = %v: failing listeners should stop after 3 failures", calls)
			}
			st := s.(interface{ Stats() signals.Stats }).Stats()
			if st.DisabledListeners != 2 || st.Listeners != 3 {
				t.Errorf("stats = %+v", st)
			}
			if err := s.(interface{ Health() error }).Health(); !errors.Is(err, signals.ErrBreakerOpen) {
				t.Errorf("Health = %v", err)
			}
			m := s.Metadata("flaky")
			if !errors.Is(m.LastError, signals.ErrListenerDisabled) || !errors.Is(m.LastError, boom) || m.ErrorCount != 3 {
				t.Errorf("Metadata = %+v", m)
			}
			type enabler interface {
				EnableListener(string) bool
				EnableListeners() int
			}
			e := s.(enabler)
			if e.EnableListener("fine") || e.EnableListener("missing") {
				t.Error("EnableListener of a listener that is not disabled")
			}
			fail["flaky"] = false
			if !e.EnableListener("flaky") {
				t.Error("EnableListener(flaky)")
			}
			// A success resets the count of failures in a row.
			s.Emit(context.Background(), 1)
			fail["flaky"] = true
			s.Emit(context.Background(), 1)
			s.Emit(context.Background(), 1)
			fail["flaky"] = false
			s.Emit(context.Background(), 1)
			if calls["flaky"] != 7 {
				t.Errorf("flaky called %d times, want 7", calls["flaky"])
			}
			if n := e.EnableListeners(); n != 1 {
				t.Errorf("EnableListeners = %d, want 1 (panicky)", n)
			}
		})
	}
}

func TestSetBreakerThreshold(t *testing.T) {
	s := signals.NewSync[int]()
	s.SetErrorHandler(func(context.Context, string, error) {})
	calls := 0
	s.AddListenerWithErr(func(context.Context, int) error { calls++; return errors.New("e") }, "k")
	s.SetBreakerThreshold(2)
	for range 4 {
		s.Emit(context.Background(), 1)
	}
	if calls != 2 {
		t.Errorf("calls = %d", calls)
	}
	s.SetBreakerThreshold(0) // disabled listeners stay disabled
	s.Emit(context.Background(), 1)
	if calls != 2 {
		t.Errorf("calls = %d after switching the breaker off", calls)
	}
	s.EnableListener("k")
	s.Emit(context.Background(), 1)
	if calls != 3 {
		t.Errorf("calls = %d after re-enabling", calls)
	}
	var zero signals.SyncSignal[int]
	if zero.EnableListener("k") || zero.EnableListeners() != 0 {
		t.Error("enabling on the zero value")
	}
}

// TestSetBreakerThresholdOnUnkeyedListeners: switched on while the signal
// runs, the breaker also disables listeners that were added without a key
// (error-aware or panicking), and leaves those that succeed alone.
func TestSetBreakerThresholdOnUnkeyedListeners(t *testing.T) {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Stats: true})
	s.SetErrorHandler(func(context.Context, string, error) {})
	var failing, panicking, fine int
	s.AddListenerWithErr(func(context.Context, int) error { failing++; return errors.New("e") })
	s.AddListener(func(context.Context, int) { panicking++; panic("p") })
	s.AddListener(func(context.Context, int) { fine++ })
	s.Emit(context.Background(), 1) // no breaker yet
	s.SetBreakerThreshold(2)
	for range 4 {
		s.Emit(context.Background(), 1)
	}
	if failing != 3 || panicking != 3 || fine != 5 {
		t.Errorf("calls: failing %d, panicking %d, fine %d; want 3, 3, 5", failing, panicking, fine)
	}
	if st := s.Stats(); st.DisabledListeners != 2 {
		t.Errorf("%d listeners disabled, want 2", st.DisabledListeners)
	}
	if n := s.EnableListeners(); n != 2 {
		t.Errorf("EnableListeners re-enabled %d, want 2", n)
	}
}
