package signals

import (
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a signal's activity, returned by [BaseSignal.Stats]
// and [AsyncSignal.Stats]. Counters count from the signal's creation.
type Stats struct {
	// Name is the signal's name.
	Name string
	// StatsEnabled reports whether Emissions, ListenerCalls and the queue
	// wait times are being counted (see [SignalOptions.Stats]). The other
	// counters are always kept.
	StatsEnabled bool

	Emissions     int64 // emissions, of every kind (if StatsEnabled)
	ListenerCalls int64 // listener calls (if StatsEnabled)
	Errors        int64 // listener calls that returned an error
	Panics        int64 // listener calls that panicked or called runtime.Goexit
	Dropped       int64 // enqueued emissions that were dropped
	// HandlerPanics counts the calls of the error handler (or of the
	// default logging of a listener's panic) that panicked or called
	// runtime.Goexit. Each is logged with log/slog, and the emission went
	// on as after a listener's panic.
	HandlerPanics int64

	Listeners         int // listeners registered
	DisabledListeners int // listeners disabled by the circuit breaker

	// The fields below are those of an AsyncSignal's worker pool and queue;
	// they are zero for other signals, and for an AsyncSignal that has not
	// started its pool yet.
	PoolSize    int // most workers the pool runs
	Workers     int // worker goroutines running
	BusyWorkers int // workers running a task
	QueueLen    int // emissions of this signal waiting in the queue
	QueueCap    int // capacity of the queue

	// QueueWaitMean and QueueWaitMax are the mean and the longest time an
	// enqueued emission waited before its delivery started (if
	// StatsEnabled).
	QueueWaitMean time.Duration
	QueueWaitMax  time.Duration
}

// counters are a signal's event counts. emissions and calls change on every
// emission when stats are on, so they share a cache line that nothing else
// writes.
type counters struct {
	emissions atomic.Int64
	calls     atomic.Int64
	_         [48]byte

	errors        atomic.Int64
	panics        atomic.Int64
	handlerPanics atomic.Int64
	dropped       atomic.Int64
	waitCount     atomic.Int64
	waitTotal     atomic.Int64 // nanoseconds
	waitMax       atomic.Int64 // nanoseconds
}

// emitted counts one emission that made calls listener calls.
func (c *counters) emitted(calls int) {
	c.emissions.Add(1)
	if calls != 0 {
		c.calls.Add(int64(calls))
	}
}

// waited counts the queue wait of one delivered emission.
func (c *counters) waited(d time.Duration) {
	c.waitCount.Add(1)
	c.waitTotal.Add(int64(d))
	for {
		m := c.waitMax.Load()
		if int64(d) <= m || c.waitMax.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// Stats returns a snapshot of the signal's counters and listeners. It takes
// no lock and may be called at any rate; it costs a walk over the listeners.
func (s *BaseSignal[T]) Stats() Stats {
	st := Stats{
		Name:      s.Name(),
		Emissions: s.counters.emissions.Load(),
		Errors:    s.counters.errors.Load(),
		Panics:    s.counters.panics.Load(),
		Dropped:   s.counters.dropped.Load(),

		HandlerPanics: s.counters.handlerPanics.Load(),
	}
	st.ListenerCalls = s.counters.calls.Load()
	if n := s.counters.waitCount.Load(); n > 0 {
		st.QueueWaitMean = time.Duration(s.counters.waitTotal.Load() / n)
		st.QueueWaitMax = time.Duration(s.counters.waitMax.Load())
	}
	if v := s.load(); v != nil {
		st.StatsEnabled = v.obs != nil && v.obs.stats
		st.Listeners = len(v.entries)
		for i := range v.entries {
			if h := v.entries[i].h; h != nil && h.state.Load()&stateDisabled != 0 {
				st.DisabledListeners++
			}
		}
	}
	return st
}
