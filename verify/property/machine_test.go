package property

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"

	"pgregory.net/rapid"

	"github.com/signalkit/sdk/signals"
)

// TestSyncMachine runs random sequences of operations on a SyncSignal and
// checks the signal against the model after every one of them.
func TestSyncMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		newMachine(t, false).run(t)
	})
}

// TestAsyncMachine runs random sequences of operations on an AsyncSignal with
// a small worker pool and a small queue, under both overflow policies. It
// runs in a testing/synctest bubble: synctest.Wait returns when every
// goroutine of the bubble (the pool's workers included) is blocked, which is
// when every enqueued emission has been delivered. Nothing else changes: the
// workers still run in parallel with the test.
func TestAsyncMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rapid.SyncTest(t, func(t *rapid.T) {
			newMachine(t, true).run(t)
		})
	})
}

// FuzzMachine is both machines driven by the native fuzzer (go test -fuzz),
// which mutates the bytes rapid draws its choices from.
func FuzzMachine(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		if rapid.Bool().Draw(t, "async") {
			rapid.SyncTest(t, func(t *rapid.T) { newMachine(t, true).run(t) })
			return
		}
		newMachine(t, false).run(t)
	}))
}

// keyAlphabet is the small set of keys listeners are added with, so that
// collisions, removals and re-additions are frequent. "" means no key.
var keyAlphabet = []string{"", "a", "b", "c"}

// queryKeys are the keys the invariants query: the alphabet and one never used.
var queryKeys = append(slices.Clone(keyAlphabet), "never")

type machine struct {
	async    bool
	s        signal
	sync     *signals.SyncSignal[int]
	as       *signals.AsyncSignal[int]
	poolSize int
	queue    int
	overflow signals.OverflowPolicy

	m       model
	p       *probe
	h       *handlerLog
	nextLID int
	nextEID int
}

func newMachine(t *rapid.T, async bool) *machine {
	mc := &machine{async: async, p: new(probe), h: new(handlerLog)}
	mc.m.handled = map[string]int{}
	if rapid.Bool().Draw(t, "zeroValue") {
		// The zero value is ready to use; only the error handler is set.
		if async {
			mc.as = new(signals.AsyncSignal[int])
			mc.poolSize, mc.queue = signals.DefaultWorkerPoolSize(), signals.DefaultQueueSize
		} else {
			mc.sync = new(signals.SyncSignal[int])
		}
	} else {
		opts := &signals.SignalOptions{
			Name:             "property",
			InitialCapacity:  rapid.IntRange(0, 3).Draw(t, "initialCapacity"),
			Stats:            rapid.Bool().Draw(t, "stats"),
			ListenerMetrics:  rapid.Bool().Draw(t, "listenerMetrics"),
			BreakerThreshold: rapid.IntRange(0, 3).Draw(t, "breaker"),
		}
		if rapid.Bool().Draw(t, "linearGrowth") {
			opts.GrowthFunc = func(c int) int { return c + 1 }
		}
		mc.m.stats, mc.m.metrics, mc.m.breaker = opts.Stats, opts.ListenerMetrics, opts.BreakerThreshold
		mc.m.published = mc.m.snap().any()
		if async {
			opts.WorkerPoolSize = rapid.IntRange(1, 3).Draw(t, "poolSize")
			opts.MinWorkers = rapid.IntRange(0, 1).Draw(t, "minWorkers")
			opts.QueueSize = rapid.IntRange(1, 4).Draw(t, "queueSize")
			opts.Overflow = rapid.SampledFrom([]signals.OverflowPolicy{signals.OverflowBlock, signals.OverflowDrop}).Draw(t, "overflow")
			mc.poolSize, mc.queue, mc.overflow = opts.WorkerPoolSize, opts.QueueSize, opts.Overflow
			mc.as = signals.NewWithOptions[int](opts)
		} else {
			mc.sync = signals.NewSyncWithOptions[int](opts)
		}
	}
	if async {
		mc.s = mc.as
		mc.as.SetErrorHandler(mc.h.handle)
	} else {
		mc.s = mc.sync
		mc.sync.SetErrorHandler(mc.h.handle)
	}
	mc.p.sig = mc.s
	return mc
}

// run runs a random sequence of actions, checking the invariants after each,
// and closes an async signal at the end so that its workers exit.
func (mc *machine) run(t *rapid.T) {
	if mc.async {
		defer func() {
			if err := mc.as.Close(); err != nil {
				t.Errorf("Close = %v", err)
			}
		}()
	}
	actions := map[string]func(*rapid.T){
		"":                      mc.check,
		"AddListener":           mc.add,
		"RemoveListener":        mc.remove,
		"Reset":                 mc.reset,
		"Emit":                  mc.emit,
		"EnableStats":           mc.enableStats,
		"EnableListenerMetrics": mc.enableMetrics,
		"SetBreakerThreshold":   mc.setBreaker,
		"EnableListener":        mc.enableListener,
		"EnableListeners":       mc.enableListeners,
	}
	if mc.async {
		actions["Enqueue"] = mc.enqueue
		actions["Close"] = mc.close
	} else {
		actions["TryEmit"] = mc.tryEmit
	}
	t.Repeat(actions)
}

// Listener variants.
const (
	vPlain = iota
	vErr
	vOnce
	vOnceKey
	vOnceErr
	vOnceErrKey
)

var variantNames = []string{"AddListener", "AddListenerWithErr", "AddOnce", "AddOnceWithKey", "AddOnceWithErr", "AddOnceWithErrAndKey"}

func (mc *machine) add(t *rapid.T) {
	v := rapid.IntRange(vPlain, vOnceErrKey).Draw(t, "variant")
	key := rapid.SampledFrom(keyAlphabet).Draw(t, "key")
	errAware := v == vErr || v == vOnceErr || v == vOnceErrKey
	behs := []behavior{behOK, behPanic, behCancel, behRemove, behReset}
	if errAware {
		behs = append(behs, behErr)
	}
	beh := rapid.SampledFrom(behs).Draw(t, "behavior")
	mc.nextLID++
	l := &mListener{id: mc.nextLID, key: key, once: v >= vOnce, errAware: errAware, beh: beh}
	if beh == behRemove {
		l.target = rapid.SampledFrom(queryKeys).Draw(t, "target")
	}
	plain, withErr := mc.p.plain(l.id, beh, l.target), mc.p.withErr(l.id, beh, l.target)
	var got int
	switch v {
	case vPlain:
		if key == "" && rapid.Bool().Draw(t, "omitKey") {
			got = mc.s.AddListener(plain)
		} else {
			got = mc.s.AddListener(plain, key)
		}
	case vErr:
		if key == "" && rapid.Bool().Draw(t, "omitKey") {
			got = mc.s.AddListenerWithErr(withErr)
		} else {
			got = mc.s.AddListenerWithErr(withErr, key)
		}
	case vOnce:
		l.key = ""
		got = mc.s.AddOnce(plain)
	case vOnceKey:
		got = mc.s.AddOnceWithKey(plain, key)
	case vOnceErr:
		l.key = ""
		got = mc.s.AddOnceWithErr(withErr)
	case vOnceErrKey:
		got = mc.s.AddOnceWithErrAndKey(withErr, key)
	}
	if want := mc.m.add(l); got != want {
		t.Fatalf("%s(key %q) = %d, want %d", variantNames[v], l.key, got, want)
	}
}

func (mc *machine) remove(t *rapid.T) {
	key := rapid.SampledFrom(append(slices.Clone(keyAlphabet), "never")).Draw(t, "key")
	if got, want := mc.s.RemoveListener(key), mc.m.removeKey(key); got != want {
		t.Fatalf("RemoveListener(%q) = %d, want %d", key, got, want)
	}
}

func (mc *machine) reset(*rapid.T) {
	mc.s.Reset()
	mc.m.reset()
}

func (mc *machine) enableStats(t *rapid.T) {
	on := rapid.Bool().Draw(t, "on")
	mc.s.EnableStats(on)
	mc.m.stats, mc.m.published = on, true
}

func (mc *machine) enableMetrics(t *rapid.T) {
	on := rapid.Bool().Draw(t, "on")
	mc.s.EnableListenerMetrics(on)
	mc.m.metrics, mc.m.published = on, true
}

func (mc *machine) setBreaker(t *rapid.T) {
	n := rapid.IntRange(-1, 3).Draw(t, "threshold")
	mc.s.SetBreakerThreshold(n)
	mc.m.breaker, mc.m.published = max(n, 0), true
}

func (mc *machine) enableListener(t *rapid.T) {
	key := rapid.SampledFrom(queryKeys).Draw(t, "key")
	l := mc.m.byKey(key)
	want := l != nil && l.disabled
	if got := mc.s.EnableListener(key); got != want {
		t.Fatalf("EnableListener(%q) = %v, want %v", key, got, want)
	}
	if want {
		l.disabled, l.streak = false, 0
	}
}

func (mc *machine) enableListeners(t *rapid.T) {
	want := 0
	for _, l := range mc.m.list {
		if l.disabled {
			want++
			l.disabled, l.streak = false, 0
		}
	}
	if got := mc.s.EnableListeners(); got != want {
		t.Fatalf("EnableListeners = %d, want %d", got, want)
	}
}

// context returns the context of emission eid.
func (mc *machine) context(mode ctxMode, eid int) (context.Context, context.CancelFunc) {
	ctx := context.WithValue(context.Background(), idKey{}, eid)
	if mode == ctxPlain {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	ctx = context.WithValue(ctx, cancelKey{}, cancel)
	if mode == ctxCancelled {
		cancel()
	}
	return ctx, cancel
}

func drawMode(t *rapid.T) ctxMode {
	return rapid.SampledFrom([]ctxMode{ctxPlain, ctxLive, ctxCancelled}).Draw(t, "ctx")
}

func (mc *machine) emit(t *rapid.T)    { mc.emission(t, false) }
func (mc *machine) tryEmit(t *rapid.T) { mc.emission(t, true) }

// emission runs Emit or TryEmit and checks who was called, in which order,
// and what TryEmit returned.
func (mc *machine) emission(t *rapid.T, try bool) {
	mode := drawMode(t)
	mc.nextEID++
	eid := mc.nextEID
	ctx, cancel := mc.context(mode, eid)
	defer cancel()
	// An AsyncSignal emission with several listeners runs them concurrently;
	// with at most one, or after Close, it calls them one after another.
	concurrent := mc.async && !mc.m.closed && len(mc.m.list) > 1
	snapshot := slices.Clone(mc.m.list)
	o := mc.m.snap()

	var err error
	switch {
	case try:
		err = mc.sync.TryEmit(ctx, eid)
	default:
		mc.s.Emit(ctx, eid)
	}
	if n := mc.p.active.Load(); n != 0 {
		t.Fatalf("Emit returned while %d listener calls were still running", n)
	}
	removals := mc.p.takeRemovals()
	calls, problems := mc.p.take()
	if len(problems) > 0 {
		t.Fatalf("listeners received wrong values: %v", problems)
	}
	for _, c := range calls {
		if c.eid != eid {
			t.Fatalf("emission %d called listener %d with payload %d", eid, c.lid, c.eid)
		}
	}
	if concurrent {
		mc.checkConcurrent(t, eid, mode, snapshot, o, calls)
		return
	}
	want, wantRemovals, out := mc.m.sequential(mode, try)
	if got, w := lids(calls), modelIDs(want); !slices.Equal(got, w) {
		t.Fatalf("emission %d (ctx %v) called listeners %v, want %v in that order", eid, mode, got, w)
	}
	gotRemovals := make([]int, len(removals))
	for i, r := range removals {
		gotRemovals[i] = r.result
	}
	if !slices.Equal(gotRemovals, wantRemovals) {
		t.Fatalf("emission %d: RemoveListener in listeners returned %v, want %v", eid, gotRemovals, wantRemovals)
	}
	if try {
		checkTryEmit(t, err, out, eid)
	}
}

// checkConcurrent checks an AsyncSignal emission that ran its listeners
// concurrently, and applies its effects to the model.
func (mc *machine) checkConcurrent(t *rapid.T, eid int, mode ctxMode, snapshot []*mListener, o obsSnap, calls []call) {
	got := map[int]int{}
	for _, c := range calls {
		got[c.lid]++
	}
	cancelled := false
	for _, l := range snapshot {
		if got[l.id] > 0 && l.beh == behCancel && mode == ctxLive {
			cancelled = true
		}
	}
	victim := victims(snapshot, got)
	inSnapshot := map[int]bool{}
	for _, l := range snapshot {
		inSnapshot[l.id] = true
		n := got[l.id]
		switch {
		case n > 1:
			t.Fatalf("emission %d called listener %d %d times", eid, l.id, n)
		case n == 1 && (l.disabled || mode == ctxCancelled):
			t.Fatalf("emission %d (ctx %v) called listener %d (disabled %v)", eid, mode, l.id, l.disabled)
		case n == 0 && !l.disabled && mode != ctxCancelled && !cancelled && !victim(l):
			t.Fatalf("emission %d (ctx %v) lost listener %d: %v", eid, mode, l.id, lids(calls))
		}
	}
	for lid := range got {
		if !inSnapshot[lid] {
			t.Fatalf("emission %d called listener %d, which was not registered", eid, lid)
		}
	}
	if o.stats {
		mc.m.emissions++
	}
	for _, l := range snapshot {
		if got[l.id] == 1 {
			mc.m.called(l, o, false)
		}
	}
	mc.reentered(snapshot, got)
}

// victims returns a function that reports whether l may have been removed,
// during a concurrent emission or burst, by a reentrant listener that ran
// (got holds the listeners' calls): such a listener may or may not be
// called, depending on whether it was reached before its removal.
func victims(snapshot []*mListener, got map[int]int) func(*mListener) bool {
	reset := false
	keys := map[string]bool{}
	for _, l := range snapshot {
		if got[l.id] == 0 {
			continue
		}
		switch l.beh {
		case behReset:
			reset = true
		case behRemove:
			keys[l.target] = true
		}
	}
	return func(l *mListener) bool { return reset || (l.key != "" && keys[l.key]) }
}

// reentered applies to the model what the reentrant listeners that ran
// concurrently did. With no listener added meanwhile, the end state does not
// depend on the order: each targeted key is gone, and everything is gone
// after a reset.
func (mc *machine) reentered(snapshot []*mListener, got map[int]int) {
	for _, l := range snapshot {
		if got[l.id] > 0 && l.beh == behRemove {
			mc.m.removeKey(l.target)
		}
	}
	for _, l := range snapshot {
		if got[l.id] > 0 && l.beh == behReset {
			mc.m.reset()
		}
	}
	mc.p.takeRemovals()
}

func checkTryEmit(t *rapid.T, err error, out outcome, eid int) {
	switch {
	case out.failed != nil && out.failed.beh == behErr:
		if want := (lerr{out.failed.id, eid}); err != error(want) {
			t.Fatalf("TryEmit = %v, want %v", err, want)
		}
	case out.failed != nil:
		var pe *signals.PanicError
		if !errors.As(err, &pe) || pe.Key != out.failed.key || pe.Value != (pval{out.failed.id, eid}) || len(pe.Stack) == 0 {
			t.Fatalf("TryEmit = %#v, want the panic of listener %d", err, out.failed.id)
		}
	case out.cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("TryEmit = %v, want context.Canceled", err)
		}
	default:
		if err != nil {
			t.Fatalf("TryEmit = %v, want nil", err)
		}
	}
}

// enqueue enqueues a burst of emissions without waiting in between, lets the
// pool deliver them, and checks the deliveries: each listener registered when
// the burst started receives each delivered emission exactly once, unless the
// emission's context was cancelled, a one-time listener was claimed by
// another delivery, or the circuit breaker disabled the listener during the
// burst; dropped emissions are exactly those refused with ErrQueueFull.
func (mc *machine) enqueue(t *rapid.T) {
	k := rapid.IntRange(1, mc.queue+2).Draw(t, "burst")
	o := mc.m.snap()
	snapshot := slices.Clone(mc.m.list)
	// Enqueue ignores an emission nothing would receive.
	ignored := !mc.m.published || (len(snapshot) == 0 && !o.any())
	type delivery struct {
		eid       int
		mode      ctxMode
		cancelled bool // a behCancel listener ran in it
	}
	var delivered []*delivery
	var full int64
	for i := range k {
		mode := drawMode(t)
		mc.nextEID++
		eid := mc.nextEID
		ctx, cancel := mc.context(mode, eid)
		defer cancel()
		err := mc.as.Enqueue(ctx, eid)
		mayBeFull := i >= mc.queue // the queue was empty when the burst started
		switch {
		case mc.m.closed:
			if !errors.Is(err, signals.ErrClosed) {
				t.Fatalf("Enqueue after Close = %v, want ErrClosed", err)
			}
		case err == nil:
			if !ignored {
				delivered = append(delivered, &delivery{eid: eid, mode: mode})
			}
		case errors.Is(err, signals.ErrQueueFull) && mc.overflow == signals.OverflowDrop && mayBeFull && !ignored:
			full++
		case errors.Is(err, context.Canceled) && mc.overflow == signals.OverflowBlock && mayBeFull && mode == ctxCancelled && !ignored:
		default:
			t.Fatalf("Enqueue %d of %d (policy %v, queue %d, ctx %v) = %v", i+1, k, mc.overflow, mc.queue, mode, err)
		}
	}
	synctest.Wait() // every delivery has ended
	if n := mc.p.active.Load(); n != 0 {
		t.Fatalf("%d listener calls still running with every goroutine blocked", n)
	}
	calls, problems := mc.p.take()
	if len(problems) > 0 {
		t.Fatalf("listeners received wrong values: %v", problems)
	}
	byEID := map[int]*delivery{}
	for _, d := range delivered {
		byEID[d.eid] = d
	}
	got := map[[2]int]int{} // (eid, lid) -> calls
	total := map[int]int{}  // lid -> calls
	for _, c := range calls {
		d := byEID[c.eid]
		if d == nil {
			t.Fatalf("listener %d received emission %d, which was not delivered", c.lid, c.eid)
		}
		got[[2]int{c.eid, c.lid}]++
		total[c.lid]++
		if l := find(snapshot, c.lid); l == nil {
			t.Fatalf("emission %d called listener %d, not registered when it was enqueued", c.eid, c.lid)
		} else if l.beh == behCancel && d.mode == ctxLive {
			d.cancelled = true
		}
	}
	victim := victims(snapshot, total)
	for _, l := range snapshot {
		n := total[l.id]
		if n > 0 && l.disabled {
			t.Fatalf("disabled listener %d called %d times", l.id, n)
		}
		if l.once && n > 1 {
			t.Fatalf("one-time listener %d called %d times", l.id, n)
		}
		tripped := o.breaker > 0 && l.beh.fails() && trips(l.streak, n, o.breaker)
		for _, d := range delivered {
			c := got[[2]int{d.eid, l.id}]
			switch {
			case c > 1:
				t.Fatalf("emission %d called listener %d %d times", d.eid, l.id, c)
			case c == 1 && d.mode == ctxCancelled:
				t.Fatalf("emission %d with a cancelled context called listener %d", d.eid, l.id)
			case c == 0 && d.mode != ctxCancelled && !d.cancelled && !l.disabled && !(l.once && n == 1) && !tripped && !victim(l):
				t.Fatalf("emission %d lost listener %d (%v, once %v, breaker %d, streak %d, calls %d of %d deliveries)",
					d.eid, l.id, l.beh, l.once, o.breaker, l.streak, n, len(delivered))
			}
		}
	}
	// Apply the effects: per listener, the calls are independent of the
	// order of the deliveries.
	if o.stats {
		mc.m.emissions += int64(len(delivered))
	}
	for _, l := range snapshot {
		for range total[l.id] {
			mc.m.called(l, o, false)
		}
	}
	mc.reentered(snapshot, total)
	mc.m.dropped += full
}

func (mc *machine) close(t *rapid.T) {
	for range rapid.IntRange(1, 2).Draw(t, "times") {
		if err := mc.as.Close(); err != nil {
			t.Fatalf("Close = %v, want nil", err)
		}
	}
	mc.m.closed = true
	if st := mc.as.Stats(); st.Workers != 0 {
		t.Fatalf("after Close, %d workers are running", st.Workers)
	}
}

// check compares the signal with the model; it runs after every action.
func (mc *machine) check(t *rapid.T) {
	m := &mc.m
	s := mc.s
	if got, want := s.Len(), len(m.list); got != want {
		t.Fatalf("Len = %d, want %d", got, want)
	}
	if got, want := s.IsEmpty(), len(m.list) == 0; got != want {
		t.Fatalf("IsEmpty = %v, want %v", got, want)
	}
	if got, want := s.Keys(), m.keys(); !slices.Equal(got, want) {
		t.Fatalf("Keys = %q, want %q", got, want)
	}
	for _, key := range queryKeys {
		l := m.byKey(key)
		if got := s.HasKey(key); got != (l != nil) {
			t.Fatalf("HasKey(%q) = %v, want %v", key, got, l != nil)
		}
		md := s.Metadata(key)
		if (md != nil) != (l != nil) {
			t.Fatalf("Metadata(%q) = %+v, registered %v", key, md, l != nil)
		}
		if l == nil {
			continue
		}
		if md.Key != key || md.IsOnce != l.once || md.IsErrorAware != l.errAware || md.ErrorCount != l.errors || md.CallCount != l.calls {
			t.Fatalf("Metadata(%q) = %+v, want once %v, error-aware %v, %d errors, %d calls", key, md, l.once, l.errAware, l.errors, l.calls)
		}
		checkLastError(t, md.LastError, l)
	}
	st := s.Stats()
	want := signals.Stats{
		StatsEnabled:      m.stats,
		Emissions:         m.emissions,
		ListenerCalls:     m.listenerCalls,
		Errors:            m.errs,
		Panics:            m.panics,
		Dropped:           m.dropped,
		Listeners:         len(m.list),
		DisabledListeners: m.disabled(),
	}
	got := signals.Stats{
		StatsEnabled:      st.StatsEnabled,
		Emissions:         st.Emissions,
		ListenerCalls:     st.ListenerCalls,
		Errors:            st.Errors,
		Panics:            st.Panics,
		Dropped:           st.Dropped,
		Listeners:         st.Listeners,
		DisabledListeners: st.DisabledListeners,
	}
	if got != want {
		t.Fatalf("Stats = %+v, want %+v", got, want)
	}
	handled, problems := mc.h.snapshot()
	if len(problems) > 0 {
		t.Fatalf("error handler: %v", problems)
	}
	for k, n := range m.handled {
		if handled[k] != n {
			t.Fatalf("error handler received %d failures of key %q, want %d (all: %v, want %v)", handled[k], k, n, handled, m.handled)
		}
	}
	if mc.async {
		synctest.Wait() // helpers of the last emission have gone back to waiting
		if st.QueueLen != 0 || st.Workers > mc.poolSize {
			t.Fatalf("Stats = %+v with nothing queued and a pool of %d", st, mc.poolSize)
		}
		if st := mc.as.Stats(); st.BusyWorkers != 0 {
			t.Fatalf("%d busy workers with every goroutine blocked", st.BusyWorkers)
		}
	}
}

func checkLastError(t *rapid.T, err error, l *mListener) {
	if l.errors == 0 {
		if err != nil {
			t.Fatalf("listener %d: LastError = %v, but it never failed", l.id, err)
		}
		return
	}
	if l.disabledLast && !errors.Is(err, signals.ErrListenerDisabled) {
		t.Fatalf("listener %d: LastError = %v, want ErrListenerDisabled", l.id, err)
	}
	var le lerr
	var pe *signals.PanicError
	switch {
	case l.beh == behErr && (!errors.As(err, &le) || le.lid != l.id):
		t.Fatalf("listener %d: LastError = %v, want its error", l.id, err)
	case l.beh == behPanic && (!errors.As(err, &pe) || pe.Key != l.key):
		t.Fatalf("listener %d: LastError = %v, want its panic", l.id, err)
	}
}

func lids(calls []call) []int {
	ids := make([]int, len(calls))
	for i, c := range calls {
		ids[i] = c.lid
	}
	return ids
}

func modelIDs(ls []*mListener) []int {
	ids := make([]int, len(ls))
	for i, l := range ls {
		ids[i] = l.id
	}
	return ids
}

func find(ls []*mListener, id int) *mListener {
	for _, l := range ls {
		if l.id == id {
			return l
		}
	}
	return nil
}
