package signals

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
)

// BaseSignal holds a signal's listeners and everything about them that does
// not depend on how they are called: adding, removing, introspection, error
// handling, stats, health and the collector. [SyncSignal] and [AsyncSignal]
// embed it and add emission. A BaseSignal on its own cannot emit: its Emit
// panics, as in v1.3.
//
// The listeners live in an immutable snapshot behind an atomic pointer.
// Emission loads the snapshot once and iterates it without taking any lock.
// Writers (AddListener, RemoveListener, Reset and the settings) build a new
// snapshot under a mutex that only writers take, and publish it; a one-time
// listener unlinks itself with a compare-and-swap, without that mutex.
//
// The zero value is a signal with no listeners, ready to use. A BaseSignal must
// not be copied after first use. All its methods are safe for concurrent use.
type BaseSignal[T any] struct {
	mu      sync.Mutex // serializes writers; emission never takes it
	current atomic.Pointer[view[T]]

	// Set once, before the signal is shared.
	name    string
	initCap int
	growth  func(int) int

	// Settings, guarded by mu. The view's observer is derived from them.
	collector       MetricsCollector
	collectorOff    bool
	stats           bool
	listenerMetrics bool
	breaker         int32

	onError  atomic.Pointer[ErrorHandler]
	counters counters
	health   healthState
	removals notifier // where RemoveListener and Reset wait for calls to end
}

// NewBaseSignal returns a BaseSignal configured by opts; nil opts means the
// defaults. Most programs want [NewSync] or [New] instead: a BaseSignal cannot
// emit.
func NewBaseSignal[T any](opts *SignalOptions) *BaseSignal[T] {
	s := new(BaseSignal[T])
	s.init(opts)
	return s
}

// init applies opts to a signal that is not yet shared.
func (s *BaseSignal[T]) init(opts *SignalOptions) {
	if opts == nil {
		return
	}
	s.name = opts.Name
	s.initCap = opts.InitialCapacity
	s.growth = opts.GrowthFunc
	if opts.ErrorHandler != nil {
		h := opts.ErrorHandler
		s.onError.Store(&h)
	}
	s.stats = opts.Stats
	s.listenerMetrics = opts.ListenerMetrics
	if opts.BreakerThreshold > 0 {
		s.breaker = int32(min(opts.BreakerThreshold, 1<<30))
	}
	s.health.opts = opts.Health
	if s.stats || s.listenerMetrics || s.breaker > 0 {
		s.current.Store(&view[T]{gen: new(handle), obs: s.observer()})
	}
}

// Name returns the signal's name: [SignalOptions.Name], or [DefaultName].
func (s *BaseSignal[T]) Name() string {
	if s.name == "" {
		return DefaultName
	}
	return s.name
}

// load returns the current view, or nil if nothing was ever published.
func (s *BaseSignal[T]) load() *view[T] {
	return s.current.Load()
}

// publish replaces the current view by change(current) until no one-time
// listener unlinks itself in between. change receives a non-nil view and may
// return nil to publish nothing. The caller holds s.mu.
func (s *BaseSignal[T]) publish(change func(*view[T]) *view[T]) *view[T] {
	for {
		old := s.current.Load()
		v := old
		if v == nil {
			v = &view[T]{gen: new(handle), obs: s.observer()}
		}
		nv := change(v)
		if nv == nil {
			return nil
		}
		if s.current.CompareAndSwap(old, nv) {
			return nv
		}
	}
}

// AddListener adds a listener; see [Signal]. It returns the number of
// listeners after adding, or -1 if key is already registered. A nil listener
// panics.
func (s *BaseSignal[T]) AddListener(listener SignalListener[T], key ...string) int {
	if listener == nil {
		panic("signals: AddListener: listener cannot be nil")
	}
	return s.add(entry[T]{fn: listener}, firstKey(key), 0)
}

// AddListenerWithErr adds a listener that can fail; see [Signal]. It returns
// the number of listeners after adding, or -1 if key is already registered. A
// nil listener panics.
func (s *BaseSignal[T]) AddListenerWithErr(listener SignalListenerErr[T], key ...string) int {
	if listener == nil {
		panic("signals: AddListenerWithErr: listener cannot be nil")
	}
	return s.add(entry[T]{errFn: listener}, firstKey(key), 0)
}

// AddOnce adds a listener that at most one emission calls; see [Signal]. A nil
// listener panics.
func (s *BaseSignal[T]) AddOnce(listener Listener[T]) int {
	if listener == nil {
		panic("signals: AddOnce: listener cannot be nil")
	}
	return s.add(entry[T]{fn: listener}, "", stateOnce)
}

// AddOnceWithKey is [BaseSignal.AddOnce] with a key. It returns -1 if key is
// already registered.
func (s *BaseSignal[T]) AddOnceWithKey(listener Listener[T], key string) int {
	if listener == nil {
		panic("signals: AddOnceWithKey: listener cannot be nil")
	}
	return s.add(entry[T]{fn: listener}, key, stateOnce)
}

// AddOnceWithErr is [BaseSignal.AddOnce] for a listener that can fail.
func (s *BaseSignal[T]) AddOnceWithErr(listener SignalListenerErr[T]) int {
	if listener == nil {
		panic("signals: AddOnceWithErr: listener cannot be nil")
	}
	return s.add(entry[T]{errFn: listener}, "", stateOnce)
}

// AddOnceWithErrAndKey is [BaseSignal.AddOnceWithKey] for a listener that can
// fail.
func (s *BaseSignal[T]) AddOnceWithErrAndKey(listener SignalListenerErr[T], key string) int {
	if listener == nil {
		panic("signals: AddOnceWithErrAndKey: listener cannot be nil")
	}
	return s.add(entry[T]{errFn: listener}, key, stateOnce)
}

func firstKey(key []string) string {
	if len(key) == 0 {
		return ""
	}
	return key[0]
}

// add publishes x with the given key and state bits, giving it a handle if
// it needs one (see entry.h), and returns the number of listeners, or -1 if
// the key is taken.
func (s *BaseSignal[T]) add(x entry[T], key string, bits uint32) int {
	if key != "" {
		bits |= stateKeyed
	}
	if x.errFn != nil {
		bits |= stateErrAware
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if key != "" || bits&stateOnce != 0 || s.breaker > 0 {
		x.h = newHandle(key, bits)
	}
	initCap := s.initCap
	if initCap <= 0 {
		initCap = defaultInitialCapacity
	}
	growth := s.growth
	if growth == nil {
		growth = defaultGrowth
	}
	v := s.publish(func(v *view[T]) *view[T] {
		if key != "" && v.byKey(key) >= 0 {
			return nil
		}
		return v.withEntry(x, initCap, growth)
	})
	if v == nil {
		return -1
	}
	s.changed(v, &x, ChangeAdd)
	return len(v.entries)
}

// RemoveListener removes the listener with the given key and returns the number
// of listeners left, or -1 if no listener has that key. Later listeners keep
// their order.
//
// Once RemoveListener has returned, the removed listener is not running on any
// other goroutine, and no emission calls it again: RemoveListener waits for
// the calls already in progress to return, so that what the listener uses
// can be released. It does not wait for calls in progress on its own
// goroutine: a listener may remove itself, or a listener it runs inside of.
// It tells them from calls on other goroutines by the listener's function
// (see the package documentation, "Ordering"). It must not be called from a
// collector's ListenerStart.
//
// A one-time listener that an emission has claimed is no longer registered:
// RemoveListener returns -1 for it and does not wait for its call.
func (s *BaseSignal[T]) RemoveListener(key string) int {
	s.mu.Lock()
	var removed entry[T]
	v := s.publish(func(v *view[T]) *view[T] {
		i := v.byKey(key)
		if i < 0 {
			return nil
		}
		removed = v.entries[i]
		return v.without(i)
	})
	if v == nil {
		s.mu.Unlock()
		return -1
	}
	// A one-time listener that an emission has claimed but not yet
	// unlinked is removed here (unlink will not find it), and its call
	// waited for.
	removed.h.state.Or(stateRemoved)
	s.changed(v, &removed, ChangeRemove)
	s.mu.Unlock()
	s.awaitCalls(&removal[T]{entries: []entry[T]{removed}})
	return len(v.entries)
}

// Reset removes every listener. Once it has returned, none of them is running
// on another goroutine and no emission calls them again, as after
// [BaseSignal.RemoveListener].
func (s *BaseSignal[T]) Reset() {
	s.mu.Lock()
	var old *view[T]
	v := s.publish(func(v *view[T]) *view[T] {
		old = v
		return &view[T]{gen: new(handle), obs: v.obs}
	})
	old.gen.state.Or(stateRemoved)
	for i := range old.entries {
		if h := old.entries[i].h; h != nil {
			h.state.Or(stateRemoved)
		}
		s.changed(v, &old.entries[i], ChangeReset)
	}
	s.mu.Unlock()
	s.awaitCalls(&removal[T]{gen: old.gen, entries: old.entries})
}

// unlink removes the one-time listener with handle h, which an emission has
// just claimed, from the current view. It does not take s.mu, so that
// emission never waits for a writer.
func (s *BaseSignal[T]) unlink(h *handle) {
	for {
		old := s.current.Load()
		i := old.indexOf(h)
		if i < 0 {
			return // removed by RemoveListener or Reset in the meantime
		}
		x := old.entries[i]
		if s.current.CompareAndSwap(old, old.without(i)) {
			s.changed(old, &x, ChangeOnceFired)
			return
		}
	}
}

// changed reports a listener change to the collector of v, if any.
func (s *BaseSignal[T]) changed(v *view[T], x *entry[T], c Change) {
	if v.obs != nil && v.obs.collector != nil {
		v.obs.collector.ListenerChanged(s.listenerInfo(x), c)
	}
}

func (s *BaseSignal[T]) listenerInfo(x *entry[T]) ListenerInfo {
	l := ListenerInfo{Signal: s.Name(), ErrorAware: x.errFn != nil}
	if x.h != nil {
		l.Key, l.Once = x.h.key, x.h.once()
	}
	return l
}

// Emit panics: a BaseSignal has no way to call its listeners. Use a
// [SyncSignal] or an [AsyncSignal]. It exists so that *BaseSignal implements
// [Signal], as in v1.3.
func (s *BaseSignal[T]) Emit(context.Context, T) {
	panic("signals: BaseSignal.Emit called; emit on a SyncSignal or an AsyncSignal")
}

// Len returns the number of listeners, including any the circuit breaker has
// disabled.
func (s *BaseSignal[T]) Len() int {
	if v := s.load(); v != nil {
		return len(v.entries)
	}
	return 0
}

// IsEmpty reports whether the signal has no listeners.
func (s *BaseSignal[T]) IsEmpty() bool {
	return s.Len() == 0
}

// Keys returns the keys of the keyed listeners in registration order, in a new
// slice.
func (s *BaseSignal[T]) Keys() []string {
	v := s.load()
	if v == nil {
		return []string{}
	}
	keys := make([]string, 0, v.numKeyed())
	for i := range v.entries {
		if h := v.entries[i].h; h != nil && h.key != "" {
			keys = append(keys, h.key)
		}
	}
	return keys
}

// HasKey reports whether a listener with the given key is registered. It takes
// time logarithmic in the number of keyed listeners.
func (s *BaseSignal[T]) HasKey(key string) bool {
	v := s.load()
	if v == nil || key == "" {
		return false
	}
	return v.byKey(key) >= 0
}

// Metadata returns a description of the listener with the given key, or nil if
// there is none. The result is a copy the caller owns.
func (s *BaseSignal[T]) Metadata(key string) *ListenerMetadata {
	v := s.load()
	if v == nil {
		return nil
	}
	h := v.handleOf(key)
	if h == nil {
		return nil
	}
	return h.metadata()
}

// SetErrorHandler sets the function that receives listener errors and panics
// that are not returned to a caller, and returns the previous one. Nil
// restores the default: see [SignalOptions.ErrorHandler].
func (s *BaseSignal[T]) SetErrorHandler(h ErrorHandler) (previous ErrorHandler) {
	var p *ErrorHandler
	if h != nil {
		p = &h
	}
	if old := s.onError.Swap(p); old != nil {
		return *old
	}
	return nil
}

// SetCollector attaches c to the signal, replacing any collector attached
// before, and returns the previous one. Nil detaches. Emissions that start
// after SetCollector has returned report to c; with no collector and no stats,
// listener metrics or breaker enabled, emission takes the fast path, which
// pays one pointer comparison for all of this.
func (s *BaseSignal[T]) SetCollector(c MetricsCollector) (previous MetricsCollector) {
	s.mu.Lock()
	defer s.mu.Unlock()
	previous = s.collector
	s.collector = c
	s.collectorOff = false
	s.republish()
	return previous
}

// EnableCollector switches the attached collector on or off without detaching
// it. While it is off, emissions do not report to it and, if nothing else
// observes the signal, take the fast path; [BaseSignal.Collector] still
// returns it. A collector is on when attached.
func (s *BaseSignal[T]) EnableCollector(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.collectorOff = !on
	s.republish()
}

// Collector returns the attached collector, or nil.
func (s *BaseSignal[T]) Collector() MetricsCollector {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.collector
}

// EnableStats switches the counting of emissions, listener calls and queue
// wait times on or off while the signal runs; see [SignalOptions.Stats].
func (s *BaseSignal[T]) EnableStats(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = on
	s.republish()
}

// EnableListenerMetrics switches the keeping of each listener's CallCount and
// LastCalled on or off while the signal runs; see
// [SignalOptions.ListenerMetrics]. Values already kept remain.
func (s *BaseSignal[T]) EnableListenerMetrics(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listenerMetrics = on
	s.republish()
}

// observer derives the view's observer from the settings; nil when none is
// on. The caller holds s.mu, or the signal is not yet shared.
func (s *BaseSignal[T]) observer() *observer {
	c := s.collector
	if s.collectorOff {
		c = nil
	}
	if c == nil && !s.stats && !s.listenerMetrics && s.breaker == 0 {
		return nil
	}
	return &observer{
		collector:       c,
		stats:           s.stats,
		listenerMetrics: s.listenerMetrics,
		breaker:         s.breaker,
		collectorOnly:   c != nil && !s.stats && !s.listenerMetrics && s.breaker == 0,
		share:           shareOf(c),
	}
}

// republish publishes the current listeners with an observer derived from the
// settings. The caller holds s.mu.
//
// While the circuit breaker is on, every listener has a handle, which it
// disables; republish gives one to those that have none, in a copy of the
// entries. Emissions already under way with an earlier view call those
// listeners without recording their failures for the breaker.
func (s *BaseSignal[T]) republish() {
	obs := s.observer()
	s.publish(func(v *view[T]) *view[T] {
		nv := &view[T]{entries: v.entries, keyed: v.keyed, recent: v.recent, gen: v.gen, obs: obs, special: v.special}
		if s.breaker > 0 && slices.ContainsFunc(v.entries, func(x entry[T]) bool { return x.h == nil }) {
			nv.entries = slices.Clone(v.entries)
			for i := range nv.entries {
				if x := &nv.entries[i]; x.h == nil {
					bits := uint32(0)
					if x.errFn != nil {
						bits = stateErrAware
					}
					x.h = newHandle("", bits)
				}
			}
			nv.special = len(nv.entries)
		}
		return nv
	})
}
