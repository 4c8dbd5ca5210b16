package property

import "slices"

// mListener is the model of one registered listener.
type mListener struct {
	id       int
	key      string // "" for an unkeyed listener
	once     bool
	errAware bool
	beh      behavior
	target   string // the key a behRemove listener removes

	gone     bool  // removed from the model
	disabled bool  // by the circuit breaker
	streak   int   // failures in a row, counted while the breaker is on
	errors   int64 // ListenerMetadata.ErrorCount
	calls    int64 // ListenerMetadata.CallCount: calls while listener metrics were on
	// disabledLast: the breaker's trip is the last error recorded, so
	// LastError wraps ErrListenerDisabled.
	disabledLast bool
}

// obsSnap is what observes an emission, fixed when the emission loads its
// snapshot of the listeners.
type obsSnap struct {
	stats, metrics bool
	breaker        int
}

func (o obsSnap) any() bool { return o.stats || o.metrics || o.breaker > 0 }

// model is the simple, sequential description of a signal that the real one
// is checked against.
type model struct {
	list []*mListener // registration order

	stats, metrics bool
	breaker        int
	published      bool // a listener snapshot exists (see ignoredEnqueue)
	closed         bool // AsyncSignal.Close has been called

	emissions, listenerCalls int64 // Stats, counted while stats are on
	errs, panics, dropped    int64 // Stats, always counted
	handled                  map[string]int
}

func (m *model) snap() obsSnap {
	return obsSnap{stats: m.stats, metrics: m.metrics, breaker: m.breaker}
}

func (m *model) byKey(key string) *mListener {
	if key == "" {
		return nil
	}
	for _, l := range m.list {
		if l.key == key {
			return l
		}
	}
	return nil
}

func (m *model) keys() []string {
	keys := []string{}
	for _, l := range m.list {
		if l.key != "" {
			keys = append(keys, l.key)
		}
	}
	return keys
}

func (m *model) disabled() int {
	n := 0
	for _, l := range m.list {
		if l.disabled {
			n++
		}
	}
	return n
}

// add registers l and returns what AddListener and its variants return.
func (m *model) add(l *mListener) int {
	if m.byKey(l.key) != nil {
		return -1
	}
	m.list = append(m.list, l)
	m.published = true
	return len(m.list)
}

// removeKey is RemoveListener.
func (m *model) removeKey(key string) int {
	l := m.byKey(key)
	if l == nil {
		return -1
	}
	m.drop(l)
	return len(m.list)
}

func (m *model) drop(l *mListener) {
	l.gone = true
	m.list = slices.DeleteFunc(m.list, func(x *mListener) bool { return x == l })
}

func (m *model) reset() {
	for _, l := range m.list {
		l.gone = true
	}
	m.list = nil
	m.published = true
}

// reenter applies what a reentrant listener l did to the signal, and
// returns what its RemoveListener returned.
func (m *model) reenter(l *mListener) int {
	switch l.beh {
	case behRemove:
		return m.removeKey(l.target)
	case behReset:
		m.reset()
	}
	return 0
}

// trips reports whether a listener whose run of failures goes from streak to
// streak+n under threshold is disabled by the breaker.
func trips(streak, n, threshold int) bool {
	if threshold <= 0 || n <= 0 {
		return false
	}
	return streak+n >= threshold
}

// called applies one call of l by an emission observed as o. try says that
// TryEmit returns the failure instead of passing it to the error handler.
func (m *model) called(l *mListener, o obsSnap, try bool) {
	if l.once {
		m.drop(l)
	}
	if o.metrics {
		l.calls++
	}
	if o.stats {
		m.listenerCalls++
	}
	if !l.beh.fails() {
		if o.breaker > 0 {
			l.streak = 0
		}
		return
	}
	l.errors++
	l.disabledLast = false
	if l.beh == behPanic {
		m.panics++
	} else {
		m.errs++
	}
	if !try {
		m.handled[l.key]++
	}
	if o.breaker > 0 {
		if !l.disabled && trips(l.streak, 1, o.breaker) {
			l.disabled, l.disabledLast = true, true
		}
		l.streak++
	}
}

// ctxMode is how an emission's context is made.
type ctxMode uint8

const (
	ctxPlain     ctxMode = iota // cannot be cancelled (the fast path)
	ctxLive                     // cancellable; a behCancel listener cancels it
	ctxCancelled                // cancelled before the emission starts
)

func (c ctxMode) String() string { return [...]string{"plain", "live", "cancelled"}[c] }

// outcome is what TryEmit is expected to return.
type outcome struct {
	cancelled bool       // the context's error
	failed    *mListener // that listener's error or panic
}

// sequential runs an emission that calls the listeners one after another
// (SyncSignal, and AsyncSignal with at most one listener or after Close) on
// the model: it returns the listeners called, in order, what the reentrant
// ones' RemoveListener calls returned, and what TryEmit returns, and applies
// the effects. A listener removed during the emission, before its turn, is
// not called.
func (m *model) sequential(mode ctxMode, try bool) (called []*mListener, removals []int, out outcome) {
	o := m.snap()
	if o.stats {
		m.emissions++
	}
	cancelled := mode == ctxCancelled
	for _, l := range slices.Clone(m.list) {
		if cancelled {
			break
		}
		if l.disabled || l.gone {
			continue
		}
		called = append(called, l)
		m.called(l, o, try)
		if l.beh == behCancel && mode == ctxLive {
			cancelled = true
		}
		if l.beh == behRemove {
			removals = append(removals, m.reenter(l))
		} else {
			m.reenter(l)
		}
		if try && l.beh.fails() {
			return called, removals, outcome{failed: l}
		}
	}
	return called, removals, outcome{cancelled: try && cancelled}
}
