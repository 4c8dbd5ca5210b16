package signals

import "maps"

// view is an immutable snapshot of a signal's listeners and of what observes
// it. Emissions load the current view with one atomic load and iterate it
// without a lock; writers publish a new view.
//
// The entries slice of a view is never written below its length. A writer that
// holds BaseSignal.mu may append to the backing array beyond it, because no
// published view reaches those elements; every other change copies.
type view[T any] struct {
	entries []*entry[T]
	byKey   map[string]*entry[T] // keyed entries; nil when there are none
	obs     *observer            // nil when nothing observes the signal
}

// observer is what a signal does beyond calling listeners. A view without one
// takes the fast path.
type observer struct {
	collector       MetricsCollector // nil if none is attached
	stats           bool             // count emissions, calls and queue wait
	listenerMetrics bool             // keep per-listener CallCount and LastCalled
	breaker         int32            // failures in a row that disable a listener; 0: off
	collectorOnly   bool             // a collector and nothing else: the counted path may serve
}

// withEntry returns a view with e appended. It appends in place when the
// backing array has room, which only a holder of BaseSignal.mu may do.
func (v *view[T]) withEntry(e *entry[T], initCap int, growth func(int) int) *view[T] {
	nv := &view[T]{byKey: v.byKey, obs: v.obs}
	old := v.entries
	if len(old) < cap(old) {
		nv.entries = append(old, e)
	} else {
		c := initCap
		if cap(old) > 0 {
			c = growth(cap(old))
		}
		nv.entries = make([]*entry[T], len(old), max(c, len(old)+1))
		copy(nv.entries, old)
		nv.entries = append(nv.entries, e)
	}
	if e.key != "" {
		nv.byKey = maps.Clone(v.byKey)
		if nv.byKey == nil {
			nv.byKey = make(map[string]*entry[T], 1)
		}
		nv.byKey[e.key] = e
	}
	return nv
}

// without returns a view without the entry at index i, in a new backing array
// of the same capacity.
func (v *view[T]) without(i int) *view[T] {
	e := v.entries[i]
	nv := &view[T]{byKey: v.byKey, obs: v.obs}
	nv.entries = make([]*entry[T], 0, cap(v.entries))
	nv.entries = append(nv.entries, v.entries[:i]...)
	nv.entries = append(nv.entries, v.entries[i+1:]...)
	if e.key != "" && v.byKey[e.key] == e {
		nv.byKey = maps.Clone(v.byKey)
		delete(nv.byKey, e.key)
		if len(nv.byKey) == 0 {
			nv.byKey = nil
		}
	}
	return nv
}

// indexOf returns the index of e in v, or -1.
func (v *view[T]) indexOf(e *entry[T]) int {
	for i, x := range v.entries {
		if x == e {
			return i
		}
	}
	return -1
}
