package signals

import (
	"slices"
	"strings"
)

// view is an immutable snapshot of a signal's listeners and of what observes
// it. Emissions load the current view with one atomic load and iterate it
// without a lock; writers publish a new view.
//
// The entries slice of a view is never written below its length. A writer that
// holds BaseSignal.mu may append to the backing array beyond it, because no
// published view reaches those elements; every other change copies.
type view[T any] struct {
	entries []*entry[T]
	// keyed holds the keyed entries sorted by key, for lookups by binary
	// search; nil when there are none. A sorted slice costs a keyed
	// listener 8 bytes where a map costs several times that, and copying it
	// for a new view is a memmove where cloning a map rehashes every key.
	keyed []*entry[T]
	obs   *observer // nil when nothing observes the signal
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
	nv := &view[T]{keyed: v.keyed, obs: v.obs}
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
		i, _ := v.search(e.key)
		nv.keyed = make([]*entry[T], 0, len(v.keyed)+1)
		nv.keyed = append(nv.keyed, v.keyed[:i]...)
		nv.keyed = append(nv.keyed, e)
		nv.keyed = append(nv.keyed, v.keyed[i:]...)
	}
	return nv
}

// without returns a view without the entry at index i, in a new backing array
// of the same capacity.
func (v *view[T]) without(i int) *view[T] {
	e := v.entries[i]
	nv := &view[T]{keyed: v.keyed, obs: v.obs}
	nv.entries = make([]*entry[T], 0, cap(v.entries))
	nv.entries = append(nv.entries, v.entries[:i]...)
	nv.entries = append(nv.entries, v.entries[i+1:]...)
	if e.key == "" {
		return nv
	}
	if k, found := v.search(e.key); found && v.keyed[k] == e {
		nv.keyed = nil
		if len(v.keyed) > 1 {
			nv.keyed = make([]*entry[T], 0, len(v.keyed)-1)
			nv.keyed = append(nv.keyed, v.keyed[:k]...)
			nv.keyed = append(nv.keyed, v.keyed[k+1:]...)
		}
	}
	return nv
}

// search returns the position of key in v.keyed, and whether an entry has it.
func (v *view[T]) search(key string) (int, bool) {
	return slices.BinarySearchFunc(v.keyed, key, func(e *entry[T], key string) int {
		return strings.Compare(e.key, key)
	})
}

// byKey returns the entry with the given key, or nil. The empty key is never
// registered.
func (v *view[T]) byKey(key string) *entry[T] {
	if i, found := v.search(key); found && key != "" {
		return v.keyed[i]
	}
	return nil
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
