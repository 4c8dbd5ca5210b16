package property

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"pgregory.net/rapid"

	"github.com/signalkit/sdk/signals"
)

// TestConcurrentRounds runs random operations from several goroutines at once
// on one signal, in rounds, and after each round checks every listener call
// against the guarantees of the package documentation.
//
// Every operation is stamped with a logical clock read just before it is
// called and just after it returns, which orders it against the others
// without any timing: an emission "started after" a removal returned if its
// start stamp is greater than the removal's end stamp. For each listener l and
// emission e:
//
//   - e calls l at most once;
//   - if e started after l's removal returned, or returned before l's
//     addition started, or had a cancelled context, e does not call l;
//   - if l was registered before e started and was not removed before e
//     completed (for an enqueued emission: before the round's deliveries
//     ended), e calls l exactly once, unless l is a one-time listener
//     another emission claimed;
//   - a one-time listener runs at most once, and exactly once if some
//     emission had to call it;
//   - a SyncSignal calls the listeners in registration order, and TryEmit
//     returns nil only if nothing failed, or else the failure of the last
//     listener it called;
//   - after the round, Len, Keys (and their order where the additions did not
//     overlap), HasKey, Metadata, Stats and the error handler's count agree
//     with the calls made.
//
// The plan of each goroutine is drawn by rapid; the interleaving is the
// scheduler's, so a failure may not shrink, but every invariant holds for
// every interleaving. Async signals run in a testing/synctest bubble so that
// the end of a round's deliveries is observable (synctest.Wait).
func TestConcurrentRounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		async := rapid.Bool().Draw(t, "async")
		if async {
			rapid.SyncTest(t, func(t *rapid.T) { newRounds(t, true).run(t) })
		} else {
			newRounds(t, false).run(t)
		}
	})
}

// Operations of a goroutine's plan.
const (
	opAdd = iota
	opRemove
	opEmit
	opTryEmit
	opEnqueue
)

type op struct {
	kind    int
	variant int // opAdd
	slot    int // key slot of the goroutine; -1: no key
	beh     behavior
	mode    ctxMode // emissions: ctxPlain, ctxLive (never cancelled) or ctxCancelled
}

// lrec is what a round knows about one listener.
type lrec struct {
	id                     int
	key                    string
	once, errAware         bool
	beh                    behavior
	added                  bool  // AddListener did not return -1
	addStart, addEnd       int64 // clock stamps
	removeStart, removeEnd int64 // 0: not removed
	missed                 bool  // RemoveListener of its key returned -1: a one-time listener that fired
}

// erec is what a round knows about one emission.
type erec struct {
	id         int
	kind       int
	mode       ctxMode
	start, end int64 // clock stamps around the call
	completed  int64 // when its delivery had surely ended
	err        error // TryEmit's or Enqueue's result
}

type rounds struct {
	async    bool
	s        signal
	sync     *signals.SyncSignal[int]
	as       *signals.AsyncSignal[int]
	pool     *signals.WorkerPool // shared pool, if any
	stats    bool
	metrics  bool
	overflow signals.OverflowPolicy

	p     *probe
	h     *handlerLog
	clock atomic.Int64
	ids   atomic.Int64

	mu        sync.Mutex
	listeners []*lrec
	emissions []*erec
	calls     []call
	cancels   []context.CancelFunc // of enqueued emissions, called after the round
}

func newRounds(t *rapid.T, async bool) *rounds {
	r := &rounds{async: async, p: new(probe), h: new(handlerLog)}
	opts := &signals.SignalOptions{
		Name:            "concurrent",
		ErrorHandler:    r.h.handle,
		Stats:           rapid.Bool().Draw(t, "stats"),
		ListenerMetrics: rapid.Bool().Draw(t, "listenerMetrics"),
	}
	r.stats, r.metrics = opts.Stats, opts.ListenerMetrics
	if async {
		opts.QueueSize = rapid.IntRange(1, 8).Draw(t, "queueSize")
		opts.Overflow = rapid.SampledFrom([]signals.OverflowPolicy{signals.OverflowBlock, signals.OverflowDrop}).Draw(t, "overflow")
		size := rapid.IntRange(1, 4).Draw(t, "poolSize")
		if rapid.Bool().Draw(t, "sharedPool") {
			r.pool = signals.NewWorkerPool(signals.PoolOptions{Size: size, QueueSize: opts.QueueSize})
			opts.Pool = r.pool
		} else {
			opts.WorkerPoolSize = size
		}
		r.overflow = opts.Overflow
		r.as = signals.NewWithOptions[int](opts)
		r.s = r.as
	} else {
		r.sync = signals.NewSyncWithOptions[int](opts)
		r.s = r.sync
	}
	return r
}

func (r *rounds) tick() int64 { return r.clock.Add(1) }

func (r *rounds) run(t *rapid.T) {
	defer func() {
		if r.async {
			if err := r.as.Close(); err != nil {
				t.Errorf("Close = %v", err)
			}
			if r.pool != nil {
				if err := r.pool.Close(); err != nil {
					t.Errorf("pool Close = %v", err)
				}
			}
		}
	}()
	// Stable listeners, unkeyed and keyed, registered before the first round.
	for i := range rapid.IntRange(0, 3).Draw(t, "stable") {
		beh := rapid.SampledFrom([]behavior{behOK, behErr, behPanic}).Draw(t, "stableBehavior")
		key := ""
		if i%2 == 1 {
			key = fmt.Sprintf("stable%d", i)
		}
		r.add(op{variant: vErr, beh: beh}, key)
	}
	goroutines := rapid.IntRange(2, 4).Draw(t, "goroutines")
	holders := make([][2]*lrec, goroutines) // per goroutine, per key slot
	for round := range rapid.IntRange(1, 3).Draw(t, "rounds") {
		plans := make([][]op, goroutines)
		for g := range plans {
			plans[g] = rapid.SliceOfN(r.opGen(), 1, 12).Draw(t, fmt.Sprintf("plan%d", g))
		}
		var wg sync.WaitGroup
		for g, plan := range plans {
			wg.Go(func() { r.play(g, plan, &holders[g]) })
		}
		wg.Wait()
		var settled int64
		if r.async {
			synctest.Wait() // every delivery of the round has ended
			settled = r.tick()
		}
		for _, cancel := range r.cancels {
			cancel()
		}
		r.cancels = nil
		r.check(t, round, settled)
		if rapid.Bool().Draw(t, "reset") {
			start := r.tick()
			r.s.Reset()
			end := r.tick()
			r.mu.Lock()
			for _, l := range r.listeners {
				if l.added && l.removeEnd == 0 {
					l.removeStart, l.removeEnd = start, end
				}
			}
			r.mu.Unlock()
			clear(holders)
		}
	}
}

func (r *rounds) opGen() *rapid.Generator[op] {
	kinds := []int{opAdd, opAdd, opRemove, opEmit, opEmit}
	if r.async {
		kinds = append(kinds, opEnqueue, opEnqueue)
	} else {
		kinds = append(kinds, opTryEmit)
	}
	return rapid.Custom(func(t *rapid.T) op {
		o := op{kind: rapid.SampledFrom(kinds).Draw(t, "op")}
		switch o.kind {
		case opAdd:
			o.variant = rapid.IntRange(vPlain, vOnceErrKey).Draw(t, "variant")
			o.slot = rapid.IntRange(-1, 1).Draw(t, "slot")
			behs := []behavior{behOK, behPanic}
			if o.variant == vErr || o.variant == vOnceErr || o.variant == vOnceErrKey {
				behs = append(behs, behErr)
			}
			o.beh = rapid.SampledFrom(behs).Draw(t, "behavior")
		case opRemove:
			o.slot = rapid.IntRange(0, 1).Draw(t, "slot")
		default:
			o.mode = rapid.SampledFrom([]ctxMode{ctxPlain, ctxLive, ctxCancelled}).Draw(t, "ctx")
		}
		return o
	})
}

// play runs the plan of goroutine g.
func (r *rounds) play(g int, plan []op, holders *[2]*lrec) {
	for _, o := range plan {
		switch o.kind {
		case opAdd:
			key := ""
			if o.slot >= 0 {
				key = fmt.Sprintf("g%dk%d", g, o.slot)
			}
			if l := r.add(o, key); l.added && l.key != "" {
				holders[o.slot] = l
			}
		case opRemove:
			key := fmt.Sprintf("g%dk%d", g, o.slot)
			start := r.tick()
			n := r.s.RemoveListener(key)
			end := r.tick()
			h := holders[o.slot]
			holders[o.slot] = nil
			if h == nil {
				continue
			}
			r.mu.Lock()
			if n >= 0 {
				h.removeStart, h.removeEnd = start, end
			} else {
				h.missed = true
			}
			r.mu.Unlock()
		default:
			r.emit(o)
		}
	}
}

// add adds a listener as o says, with key (the key is ignored by the
// variants that take none).
func (r *rounds) add(o op, key string) *lrec {
	l := &lrec{id: int(r.ids.Add(1)), key: key, beh: o.beh, once: o.variant >= vOnce,
		errAware: o.variant == vErr || o.variant == vOnceErr || o.variant == vOnceErrKey}
	if o.variant == vOnce || o.variant == vOnceErr {
		l.key = ""
	}
	plain, withErr := r.p.plain(l.id, l.beh, ""), r.p.withErr(l.id, l.beh, "")
	var n int
	l.addStart = r.tick()
	switch o.variant {
	case vPlain:
		n = r.s.AddListener(plain, l.key)
	case vErr:
		n = r.s.AddListenerWithErr(withErr, l.key)
	case vOnce:
		n = r.s.AddOnce(plain)
	case vOnceKey:
		n = r.s.AddOnceWithKey(plain, l.key)
	case vOnceErr:
		n = r.s.AddOnceWithErr(withErr)
	case vOnceErrKey:
		n = r.s.AddOnceWithErrAndKey(withErr, l.key)
	}
	l.addEnd = r.tick()
	l.added = n > 0
	r.mu.Lock()
	r.listeners = append(r.listeners, l)
	r.mu.Unlock()
	return l
}

func (r *rounds) emit(o op) {
	e := &erec{id: int(r.ids.Add(1)), kind: o.kind, mode: o.mode}
	ctx := context.WithValue(context.Background(), idKey{}, e.id)
	if o.mode != ctxPlain {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		if o.mode == ctxCancelled {
			cancel()
		}
		if o.kind == opEnqueue {
			// The delivery comes later: keep the context alive until the
			// round's deliveries have ended.
			r.mu.Lock()
			r.cancels = append(r.cancels, cancel)
			r.mu.Unlock()
		} else {
			defer cancel()
		}
	}
	e.start = r.tick()
	switch o.kind {
	case opEmit:
		r.s.Emit(ctx, e.id)
	case opTryEmit:
		e.err = r.sync.TryEmit(ctx, e.id)
	case opEnqueue:
		e.err = r.as.Enqueue(ctx, e.id)
	}
	e.end = r.tick()
	e.completed = e.end
	r.mu.Lock()
	r.emissions = append(r.emissions, e)
	r.mu.Unlock()
}

// check checks every listener and emission so far; settled is the stamp
// after the round's deliveries ended (async signals).
func (r *rounds) check(t *rapid.T, round int, settled int64) {
	calls, problems := r.p.take()
	if len(problems) > 0 {
		t.Fatalf("round %d: listeners received wrong values: %v", round, problems)
	}
	if n := r.p.active.Load(); n != 0 {
		t.Fatalf("round %d: %d listener calls still running after the round", round, n)
	}
	r.calls = append(r.calls, calls...)
	for _, e := range r.emissions {
		if e.kind == opEnqueue && e.completed == e.end {
			e.completed = settled
		}
	}
	listeners := map[int]*lrec{}
	for _, l := range r.listeners {
		listeners[l.id] = l
	}
	emissions := map[int]*erec{}
	for _, e := range r.emissions {
		emissions[e.id] = e
	}
	type pair struct{ lid, eid int }
	count := map[pair]int{}
	total := map[int]int{}
	byEmission := map[int][]call{}
	for _, c := range r.calls {
		if listeners[c.lid] == nil || emissions[c.eid] == nil {
			t.Fatalf("call of unknown listener %d by unknown emission %d", c.lid, c.eid)
		}
		count[pair{c.lid, c.eid}]++
		total[c.lid]++
		byEmission[c.eid] = append(byEmission[c.eid], c)
	}

	var wantEmissions, wantCalls, wantErrs, wantPanics, wantDropped, wantHandled int64
	for _, e := range r.emissions {
		delivered := true
		switch {
		case e.kind == opEnqueue && errors.Is(e.err, signals.ErrQueueFull):
			if r.overflow != signals.OverflowDrop {
				t.Fatalf("Enqueue = ErrQueueFull under %v", r.overflow)
			}
			wantDropped++
			delivered = false
		case e.kind == opEnqueue && e.err != nil:
			if !(errors.Is(e.err, context.Canceled) && e.mode == ctxCancelled && r.overflow == signals.OverflowBlock) {
				t.Fatalf("Enqueue (ctx %v, %v) = %v", e.mode, r.overflow, e.err)
			}
			delivered = false
		}
		if delivered {
			wantEmissions++
		}
		cs := byEmission[e.id]
		if !delivered && len(cs) > 0 {
			t.Fatalf("emission %d was refused (%v) but called %d listeners", e.id, e.err, len(cs))
		}
		if e.mode == ctxCancelled && len(cs) > 0 {
			t.Fatalf("emission %d with a cancelled context called %d listeners", e.id, len(cs))
		}
		for _, c := range cs {
			l := listeners[c.lid]
			wantCalls++
			switch l.beh {
			case behErr:
				wantErrs++
			case behPanic:
				wantPanics++
			}
			if l.beh.fails() && e.kind != opTryEmit {
				wantHandled++
			}
		}
		if e.kind == opTryEmit {
			checkTry(t, e, cs, listeners)
		}
		if !r.async {
			// Registration order: a listener whose addition ended before
			// another's started is called first.
			for i := 1; i < len(cs); i++ {
				for j := range i {
					a, b := listeners[cs[j].lid], listeners[cs[i].lid]
					if b.addEnd < a.addStart {
						t.Fatalf("emission %d called listener %d before listener %d, registered earlier", e.id, a.id, b.id)
					}
				}
			}
		}
		for _, l := range r.listeners {
			n := count[pair{l.id, e.id}]
			switch {
			case n > 1:
				t.Fatalf("emission %d called listener %d %d times", e.id, l.id, n)
			case n == 1 && !l.added:
				t.Fatalf("listener %d, whose addition was refused, was called by emission %d", l.id, e.id)
			case n == 1 && e.end < l.addStart:
				t.Fatalf("emission %d, which returned before listener %d was added, called it", e.id, l.id)
			case n == 1 && l.removeEnd != 0 && e.start > l.removeEnd:
				t.Fatalf("emission %d, started after the removal of listener %d returned, called it", e.id, l.id)
			case n == 0 && delivered && e.mode != ctxCancelled && l.added && l.addEnd < e.start &&
				(l.removeStart == 0 || l.removeStart > e.completed) &&
				!(l.once && total[l.id] == 1) && !(e.kind == opTryEmit && e.err != nil):
				t.Fatalf("emission %d (%v, ctx %v) lost listener %d (once %v, %v)", e.id, e.kind, e.mode, l.id, l.once, l.beh)
			}
		}
	}
	for _, l := range r.listeners {
		if l.once && total[l.id] > 1 {
			t.Fatalf("one-time listener %d ran %d times", l.id, total[l.id])
		}
		if l.missed && total[l.id] != 1 {
			t.Fatalf("RemoveListener(%q) found nothing, but its one-time listener %d ran %d times", l.key, l.id, total[l.id])
		}
	}

	// The signal's state.
	var registered []*lrec
	for _, l := range r.listeners {
		if l.added && l.removeEnd == 0 && !(l.once && total[l.id] == 1) {
			registered = append(registered, l)
		}
	}
	if got := r.s.Len(); got != len(registered) {
		t.Fatalf("round %d: Len = %d, want %d", round, got, len(registered))
	}
	keys := r.s.Keys()
	pos := map[string]int{}
	for i, k := range keys {
		pos[k] = i
	}
	var keyed []*lrec
	for _, l := range registered {
		if l.key != "" {
			keyed = append(keyed, l)
		}
	}
	if len(keys) != len(keyed) {
		t.Fatalf("round %d: Keys = %q, want %d keys", round, keys, len(keyed))
	}
	for _, l := range keyed {
		i, ok := pos[l.key]
		if !ok || !r.s.HasKey(l.key) {
			t.Fatalf("round %d: key %q of listener %d missing (Keys %q)", round, l.key, l.id, keys)
		}
		for _, m := range keyed {
			if l.addEnd < m.addStart && i > pos[m.key] {
				t.Fatalf("round %d: Keys = %q: %q was registered before %q", round, keys, l.key, m.key)
			}
		}
		md := r.s.Metadata(l.key)
		var wantErrors, wantCalls int64
		if l.beh.fails() {
			wantErrors = int64(total[l.id])
		}
		if r.metrics {
			wantCalls = int64(total[l.id])
		}
		if md == nil || md.IsOnce != l.once || md.IsErrorAware != l.errAware || md.ErrorCount != wantErrors || md.CallCount != wantCalls {
			t.Fatalf("round %d: Metadata(%q) = %+v, want once %v, error-aware %v, %d errors, %d calls", round, l.key, md, l.once, l.errAware, wantErrors, wantCalls)
		}
	}
	st := r.s.Stats()
	if st.Errors != wantErrs || st.Panics != wantPanics || st.Dropped != wantDropped || st.Listeners != len(registered) {
		t.Fatalf("round %d: Stats = %+v, want %d errors, %d panics, %d dropped, %d listeners", round, st, wantErrs, wantPanics, wantDropped, len(registered))
	}
	if r.stats && (st.Emissions != wantEmissions || st.ListenerCalls != wantCalls) {
		t.Fatalf("round %d: Stats = %+v, want %d emissions and %d listener calls", round, st, wantEmissions, wantCalls)
	}
	if r.async && (st.QueueLen != 0 || st.BusyWorkers != 0) {
		t.Fatalf("round %d: Stats = %+v after every delivery ended", round, st)
	}
	handled, hproblems := r.h.snapshot()
	if len(hproblems) > 0 {
		t.Fatalf("error handler: %v", hproblems)
	}
	var got int64
	for _, n := range handled {
		got += int64(n)
	}
	if got != wantHandled {
		t.Fatalf("round %d: the error handler received %d failures, want %d", round, got, wantHandled)
	}
}

// checkTry checks what TryEmit e returned against the calls it made: nil if
// none failed (or the context's error), and otherwise the failure of its last
// call, the only failing one.
func checkTry(t *rapid.T, e *erec, cs []call, listeners map[int]*lrec) {
	for i, c := range cs {
		l := listeners[c.lid]
		if l.beh.fails() && i != len(cs)-1 {
			t.Fatalf("TryEmit %d went on after listener %d failed", e.id, l.id)
		}
	}
	if len(cs) == 0 || !listeners[cs[len(cs)-1].lid].beh.fails() {
		if e.mode == ctxCancelled {
			if !errors.Is(e.err, context.Canceled) {
				t.Fatalf("TryEmit %d with a cancelled context = %v", e.id, e.err)
			}
		} else if e.err != nil {
			t.Fatalf("TryEmit %d = %v, but no listener failed", e.id, e.err)
		}
		return
	}
	last := listeners[cs[len(cs)-1].lid]
	var pe *signals.PanicError
	switch last.beh {
	case behErr:
		if e.err != error(lerr{last.id, e.id}) {
			t.Fatalf("TryEmit %d = %v, want the error of listener %d", e.id, e.err, last.id)
		}
	case behPanic:
		if !errors.As(e.err, &pe) || pe.Value != (pval{last.id, e.id}) {
			t.Fatalf("TryEmit %d = %v, want the panic of listener %d", e.id, e.err, last.id)
		}
	}
}
