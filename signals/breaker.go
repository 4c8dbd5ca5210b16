package signals

import "fmt"

// trip disables x after its n-th failure in a row, err. A listener already
// disabled stays as it is.
func (s *BaseSignal[T]) trip(x *entry[T], n int32, err error) {
	h := x.h
	if h.state.Or(stateDisabled)&stateDisabled != 0 {
		return
	}
	h.statsOrNew().lastErr.Store(&errorBox{fmt.Errorf("%w after %d failures in a row: %w", ErrListenerDisabled, n, err)})
	if v := s.load(); v != nil {
		s.changed(v, x, ChangeDisable)
	}
}

// enable re-enables x if the circuit breaker disabled it, and reports whether
// it did.
func (s *BaseSignal[T]) enable(v *view[T], x *entry[T]) bool {
	h := x.h
	if h == nil || h.state.And(^stateDisabled)&stateDisabled == 0 {
		return false
	}
	if st := h.stats.Load(); st != nil {
		st.failStreak.Store(0)
	}
	s.changed(v, x, ChangeEnable)
	return true
}

// EnableListener re-enables the listener with the given key after the circuit
// breaker disabled it (see [SignalOptions.BreakerThreshold]), and reports
// whether it was disabled.
func (s *BaseSignal[T]) EnableListener(key string) bool {
	v := s.load()
	if v == nil {
		return false
	}
	i := v.byKey(key)
	if i < 0 {
		return false
	}
	return s.enable(v, &v.entries[i])
}

// EnableListeners re-enables every listener the circuit breaker disabled,
// keyed or not, and returns how many it re-enabled.
func (s *BaseSignal[T]) EnableListeners() int {
	v := s.load()
	if v == nil {
		return 0
	}
	n := 0
	for i := range v.entries {
		if s.enable(v, &v.entries[i]) {
			n++
		}
	}
	return n
}

// SetBreakerThreshold changes the circuit breaker's threshold while the signal
// runs; see [SignalOptions.BreakerThreshold]. Zero or negative disables the
// breaker; listeners it has already disabled stay disabled until re-enabled.
func (s *BaseSignal[T]) SetBreakerThreshold(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.breaker = int32(min(max(n, 0), 1<<30))
	s.republish()
}
