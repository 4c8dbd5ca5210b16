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
	entries []entry[T]
	// keyed and recent hold the positions in entries of the keyed
	// listeners, each sorted by key, for lookups by binary search in both.
	// A listener added with a key goes into recent, which a new view copies
	// (it is short); when recent outgrows recentLimit, the two are merged
	// into a new keyed. Adding n keyed listeners one at a time thus copies
	// O(n√n) positions instead of the O(n²) of one sorted slice. A position
	// costs a keyed listener 4 bytes, where a map costs several times that.
	keyed, recent []int32
	// gen is the generation of the listeners without a handle: every view
	// published since the last Reset has the same one, and Reset removes
	// them all at once by marking it removed.
	gen *handle
	obs *observer // nil when nothing observes the signal
	// special counts the entries that are not plain (see entry.plain).
	special int
}

// plain reports whether every listener of v is plain (see entry.plain): an
// emission then needs no per-listener step.
func (v *view[T]) plain() bool { return v.special == 0 }

// observer is what a signal does beyond calling listeners. A view without one
// takes the fast path.
type observer struct {
	collector       MetricsCollector // nil if none is attached
	stats           bool             // count emissions, calls and queue wait
	listenerMetrics bool             // keep per-listener CallCount and LastCalled
	breaker         int32            // failures in a row that disable a listener; 0: off
	collectorOnly   bool             // a collector and nothing else: the counted path may serve
	share           *Share           // the collector's Share, or everyEmission; never nil
}

// shows decides whether an emission that starts now is shown to the
// collector, as its Share says. It may draw a random number: call it once
// per emission, and not for a delivery, which is always shown (its enqueue
// was drawn). It is inlined.
func (o *observer) shows() bool { return o.share.draw() }

// recentLimit is how many keyed listeners a view keeps in recent before it
// merges them into keyed, for n in keyed: √n, at least 16.
func recentLimit(n int) int {
	r := 16
	for r*r < n {
		r *= 2
	}
	return r
}

// withEntry returns a view with x appended. It appends in place when the
// backing array has room, which only a holder of BaseSignal.mu may do.
func (v *view[T]) withEntry(x entry[T], initCap int, growth func(int) int) *view[T] {
	nv := &view[T]{keyed: v.keyed, recent: v.recent, gen: v.gen, obs: v.obs, special: v.special}
	if !x.plain() {
		nv.special++
	}
	old := v.entries
	if len(old) < cap(old) {
		nv.entries = append(old, x)
	} else {
		c := initCap
		if cap(old) > 0 {
			c = growth(cap(old))
		}
		nv.entries = make([]entry[T], len(old), max(c, len(old)+1))
		copy(nv.entries, old)
		nv.entries = append(nv.entries, x)
	}
	if x.h == nil || x.h.key == "" {
		return nv
	}
	pos := int32(len(old)) // #nosec G115 -- a slice of entries has fewer than 2^31 elements
	i, _ := nv.search(v.recent, x.h.key)
	nv.recent = slices.Insert(slices.Clip(v.recent), i, pos)
	if len(nv.recent) > recentLimit(len(v.keyed)) {
		nv.keyed = nv.merged()
		nv.recent = nil
	}
	return nv
}

// merged returns keyed and recent merged into one sorted slice.
func (v *view[T]) merged() []int32 {
	out := make([]int32, 0, len(v.keyed)+len(v.recent))
	a, b := v.keyed, v.recent
	for len(a) > 0 && len(b) > 0 {
		if v.keyOf(a[0]) < v.keyOf(b[0]) {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// without returns a view without the entry at index i, in a new backing array
// of the same capacity.
func (v *view[T]) without(i int) *view[T] {
	nv := &view[T]{gen: v.gen, obs: v.obs, special: v.special}
	if !v.entries[i].plain() {
		nv.special--
	}
	nv.entries = make([]entry[T], 0, cap(v.entries))
	nv.entries = append(nv.entries, v.entries[:i]...)
	nv.entries = append(nv.entries, v.entries[i+1:]...)
	nv.keyed = shifted(v.keyed, i)
	nv.recent = shifted(v.recent, i)
	return nv
}

// shifted returns the positions ps without position i, and with those after
// it moved down by one, or nil if none is left.
func shifted(ps []int32, i int) []int32 {
	if len(ps) == 0 {
		return nil
	}
	out := make([]int32, 0, len(ps))
	for _, p := range ps {
		switch {
		case int(p) < i:
			out = append(out, p)
		case int(p) > i:
			out = append(out, p-1)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// keyOf returns the key of the listener at position p.
func (v *view[T]) keyOf(p int32) string { return v.entries[p].h.key }

// search returns where key is or would be in ps (keyed or recent), and
// whether a listener has it.
func (v *view[T]) search(ps []int32, key string) (int, bool) {
	return slices.BinarySearchFunc(ps, key, func(p int32, key string) int {
		return strings.Compare(v.keyOf(p), key)
	})
}

// byKey returns the position of the listener with the given key, or -1. The
// empty key is never registered.
func (v *view[T]) byKey(key string) int {
	if key == "" {
		return -1
	}
	for _, ps := range [2][]int32{v.keyed, v.recent} {
		if i, found := v.search(ps, key); found {
			return int(ps[i])
		}
	}
	return -1
}

// handleOf returns the handle of the listener with the given key, or nil.
func (v *view[T]) handleOf(key string) *handle {
	if i := v.byKey(key); i >= 0 {
		return v.entries[i].h
	}
	return nil
}

// numKeyed returns the number of keyed listeners.
func (v *view[T]) numKeyed() int { return len(v.keyed) + len(v.recent) }

// indexOf returns the index of the listener with handle h in v, or -1.
func (v *view[T]) indexOf(h *handle) int {
	for i := range v.entries {
		if v.entries[i].h == h {
			return i
		}
	}
	return -1
}
