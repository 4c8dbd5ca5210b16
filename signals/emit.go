package signals

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"time"
	"unsafe"
)

// Emission runs on one of three paths.
//
// The fast path is taken when nothing observes the signal and the context
// cannot be cancelled: emitView for Emit, callFast for the deliveries of
// enqueued emissions, and tryEmitFast for TryEmit. Its loop makes
// no call but the listener's own, so that the compiler keeps it as tight as a
// plain loop over functions, and it pays for panic isolation with one deferred
// recover for all the listeners: after a panic, the deferred function resumes
// the emission with the next listener on the general path.
//
// The counted path, callCounted, is the fast path for a signal whose only
// observer is a collector whose EmitObserver asks for at most the end of the
// emission (the common case of OpenTelemetry metrics without sampled timing):
// the same loop, counting the calls and reporting failures to the observer.
// A collector that returns no observer (tracing an unsampled emission) sends
// Emit back to emitView's fast loop (kindUnobserved), and TryEmit to the
// counted path, which then reports nothing. (Through callFast, an emission
// to 10 listeners measured 13-25 ns slower, and through the counted path
// 11 ns slower: BenchmarkSyncEmit, impl=core-general and impl=tracing-ratio,
// in otelsignals/test.) An emission that the collector's Share does not
// show (share.go) never reaches the collector: emitView and tryEmitFast run
// it as an emission of a view that nothing observes.
//
// Four loops are written out, each for its speed (see their comments):
// emitView, callFast, tryEmitFast and callCounted. The general path's
// loops, run.callFrom and the async fan-out's run.helpOut, share the
// per-listener step, run.callOne. Observed emissions start with watch.begin
// and end with watch.end (observer.go), except on the counted path, which
// writes both out (see emitObserved and counted).
//
// The general path, run, handles everything: cancellable contexts, stats,
// listener metrics, the circuit breaker, collectors that observe each call,
// and the async fan-out. It isolates panics with one deferred recover for a
// run of listeners too, and resumes after a panic by calling its loop again.
//
// On every path, the goroutine that calls listeners holds a caller (calls.go),
// which announces the calls in progress for RemoveListener and Reset: it
// claims a call slot when it starts (caller.begin), decides before each call
// whether the listener may be called (caller.enter, or its inlined case of a
// listener without a handle), stops announcing a call before any code but the
// listener's runs (caller.settle), and gives the slot back at the end
// (caller.end). A listener that does not return normally is a failure, whatever recover
// returns: a panic, panic(nil) under GODEBUG=panicnil=1, or runtime.Goexit
// (which t.FailNow calls). The deferred functions tell "the listener did not
// return" from "the loop ended" by the loop's position (cur), not by recover's
// value. Goexit cannot be stopped: the goroutine exits after its deferred
// functions have run. So the deferred function that sees it finishes that
// goroutine's part of the emission itself (the listeners after the one that
// exited, the end of the emission) before it returns; a pool worker is then
// replaced (see WorkerPool.worker).

// emitFast is SyncSignal.Emit. It makes the common emission itself: one that
// nothing observes, with a context that cannot be cancelled, to plain
// listeners only (see view.plain); emitView makes the others, and this one too
// when no call slot is free.
//
// Its call slot announces the listeners' generation from the start, Reset is
// looked for once, and the listeners are called by deliverAll's loop
// (callPlain), or directly when there is one: emitView's loop without the
// per-listener step that plain listeners do not need. Reset may thus wait for
// the rest of an emission that has started, never for a listener called after
// it has returned. With emitView's loop, emissions measured 1.75, 1.26 and
// 1.26 times the floor to 1, 10 and 100 listeners; with this, 1.48, 1.17 and
// 0.98 (BenchmarkSyncEmit, medians of 3 runs). As a function of its own,
// called from here, it saved nothing at one listener.
func (s *BaseSignal[T]) emitFast(ctx context.Context, payload T, kind Kind) {
	v := s.current.Load()
	if v == nil {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if v.obs != nil || !v.plain() || ctx.Done() != nil {
		s.emitView(ctx, payload, v, kind, OpEmit, nil)
		return
	}
	// caller.begin, written out as in emitView.
	var c caller
	c.rm, c.gen = &s.removals, v.gen
	var anchor byte
	slot := uintptr(unsafe.Pointer(&anchor)) >> 11 % numCallSlots // #nosec G103 -- the stack's address, only as a hint for a slot (see caller.begin)
	if c.slot = &callSlots.slots[slot]; !c.slot.cur.CompareAndSwap(0, id(c.gen)) {
		if c.slot = claimNextSlot(c.gen, slot); c.slot == nil {
			s.emitView(ctx, payload, v, kind, OpEmit, nil) // counts the calls instead
			return
		}
	}
	c.held = c.gen
	cur := -1 // the listener being called, as in deliverAll
	defer func() {
		if cur >= 0 {
			s.fastInterrupted(ctx, payload, v, c, cur, recover())
		}
	}()
	if c.gen.state.Load()&stateRemoved == 0 {
		if xs := v.entries; len(xs) == 1 {
			cur = 0
			xs[0].fn(ctx, payload)
		} else {
			callPlain(xs, ctx, payload, &cur)
		}
	}
	cur = -1
	// caller.end, written out.
	c.slot.cur.Store(0)
	if c.gen.state.Load()&stateWaited != 0 {
		c.rm.wake()
	}
}

// kindUnobserved is emitView's kind for an emission of an observed view
// whose collector returned no EmitObserver: it takes the fast path.
const kindUnobserved Kind = 0

// emitView is an emission of view v on the calling goroutine: Emit, or the
// delivery of an enqueued emission (op OpDeliver, q what it knows of its
// enqueue; nil for Emit: a pointer, so that the arguments stay in registers).
//
// kind is not used (an Emission has no kind), except that kindUnobserved
// skips the collector: emitObserved passes it for an emission that nothing
// observes. It stays in the signature because without it the loop was
// compiled with other registers and measured 74 ns instead of 59 for 10
// keyed listeners (BenchmarkSyncEmitKeyed, one run).
//
// Its loop is callFast's, written out: with the caller in local variables
// instead of behind callFast's pointer, an emission to 10 listeners measured
// 1.27× the floor instead of 1.50× (BenchmarkSyncEmit, listeners=10,
// impl=signals against impl=floor, in one run).
func (s *BaseSignal[T]) emitView(ctx context.Context, payload T, v *view[T], kind Kind, op Operation, q *enqueued) {
	// An emission that a collector alone observes, and that its Share does
	// not show it, runs as if nothing observed the signal (emitObserved
	// decides for the others).
	if o := v.obs; o != nil && kind != kindUnobserved && (!o.collectorOnly || op == OpDeliver || o.shows()) {
		_ = s.emitObserved(ctx, payload, v, op, q) // Emit returns no error
		return
	}
	if ctx.Done() != nil {
		_ = s.emitStarted(ctx, payload, v, caller{}, 0, op, &watch{})
		return
	}
	// caller.begin, written out: as a call, it and end make a third of
	// the cost of an emission to one listener (BenchmarkSyncEmit).
	var c caller
	c.rm, c.gen = &s.removals, v.gen
	var anchor byte
	slot := uintptr(unsafe.Pointer(&anchor)) >> 11 % numCallSlots // #nosec G103 -- the stack's address, only as a hint for a slot (see caller.begin)
	if c.slot = &callSlots.slots[slot]; !c.slot.cur.CompareAndSwap(0, id(c.gen)) {
		c.slot = claimNextSlot(c.gen, slot)
	}
	if c.slot != nil {
		c.held = c.gen
	}
	// cur is the index of the listener being called, ^index while the
	// failure of listener index is being handled, and n otherwise.
	n := len(v.entries)
	cur := n
	defer func() {
		if cur != n {
			s.fastInterrupted(ctx, payload, v, c, cur, recover())
		}
	}()
	entries := v.entries
	for i := range entries {
		x := &entries[i]
		cur = i
		if h := x.h; h == nil && c.held == c.gen {
			// A listener without a handle, whose call the slot (or
			// the count) announces from the start: a load.
			if c.gen.state.Load()&stateRemoved != 0 {
				continue
			}
		} else if h != nil && c.slot != nil && h.state.Load()&(stateKeyed|stateOnce) == stateKeyed {
			// A keyed listener: caller.enter, written out
			// (BenchmarkSyncEmitKeyed).
			if old := c.held; old != h {
				c.slot.cur.Store(id(h))
				c.held = h
				if old.state.Load()&stateWaited != 0 {
					c.rm.wake()
				}
			}
			if h.state.Load()&stateBlocks != 0 {
				c.settle()
				continue
			}
		} else if h == nil {
			if !c.enterGen() {
				continue
			}
		} else if st, ok := c.enter(h); !ok && !s.admit(h, st) {
			c.settle()
			continue
		}
		if x.errFn == nil {
			x.fn(ctx, payload)
		} else if err := x.errFn(ctx, payload); err != nil {
			c.settle()
			cur = ^i
			s.failed(ctx, x, err, false, false, nil, nil, 0)
			continue
		}
	}
	cur = n
	// caller.end, written out.
	if c.slot == nil {
		c.settle()
		return
	}
	c.slot.cur.Store(0)
	if c.held.state.Load()&stateWaited != 0 {
		c.rm.wake()
	}
}

// callFast is emitView's loop for the deliveries of enqueued emissions
// (AsyncSignal.deliverAll, whose emissions share the caller c): it calls the listeners of v, which nothing observes,
// with a context that cannot be cancelled, announced by c. After a listener
// that did not return normally, the general path finishes the emission with
// c, and ends it: c is reset.
func (s *BaseSignal[T]) callFast(c *caller, ctx context.Context, payload T, v *view[T]) {
	n := len(v.entries)
	cur := n // as in emitView
	defer func() {
		if cur != n {
			s.fastInterrupted(ctx, payload, v, *c, cur, recover())
			*c = caller{}
		}
	}()
	entries := v.entries
	for i := range entries {
		x := &entries[i]
		cur = i
		if h := x.h; h == nil && c.held == c.gen {
			// A listener without a handle, whose call the slot (or
			// the count) announces from the start: a load.
			if c.gen.state.Load()&stateRemoved != 0 {
				continue
			}
		} else if h != nil && c.slot != nil && h.state.Load()&(stateKeyed|stateOnce) == stateKeyed {
			// A keyed listener: caller.enter, written out
			// (BenchmarkSyncEmitKeyed).
			if old := c.held; old != h {
				c.slot.cur.Store(id(h))
				c.held = h
				if old.state.Load()&stateWaited != 0 {
					c.rm.wake()
				}
			}
			if h.state.Load()&stateBlocks != 0 {
				c.settle()
				continue
			}
		} else if h == nil {
			if !c.enterGen() {
				continue
			}
		} else if st, ok := c.enter(h); !ok && !s.admit(h, st) {
			c.settle()
			continue
		}
		if x.errFn == nil {
			x.fn(ctx, payload)
		} else if err := x.errFn(ctx, payload); err != nil {
			c.settle()
			cur = ^i
			s.failed(ctx, x, err, false, false, nil, nil, 0)
			continue
		}
	}
	cur = n
}

// tryEmitFast is TryEmit on the calling goroutine: emitView's loop, ending at
// the first failure. It is written out: one loop for Emit and TryEmit measured
// 25 % slower for one listener (BenchmarkSyncEmit).
func (s *BaseSignal[T]) tryEmitFast(ctx context.Context, payload T) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	v := s.current.Load()
	if v == nil {
		return ctx.Err()
	}
	if o := v.obs; o != nil && (!o.collectorOnly || o.shows()) { // as in emitView
		return s.emitObserved(ctx, payload, v, OpTryEmit, nil)
	}
	if ctx.Done() != nil {
		return s.emitStarted(ctx, payload, v, caller{}, 0, OpTryEmit, &watch{})
	}
	// caller.begin, written out, as in emitView.
	var c caller
	c.rm, c.gen = &s.removals, v.gen
	var anchor byte
	slot := uintptr(unsafe.Pointer(&anchor)) >> 11 % numCallSlots // #nosec G103 -- the stack's address, only as a hint for a slot (see caller.begin)
	if c.slot = &callSlots.slots[slot]; !c.slot.cur.CompareAndSwap(0, id(c.gen)) {
		c.slot = claimNextSlot(c.gen, slot)
	}
	if c.slot != nil {
		c.held = c.gen
	}
	n := len(v.entries)
	cur := n // the index of the listener being called, and n otherwise
	defer func() {
		if cur != n {
			err = s.tryInterrupted(ctx, &v.entries[cur], c, recover())
		}
	}()
	entries := v.entries
	for i := range entries {
		x := &entries[i]
		cur = i
		if h := x.h; h == nil && c.held == c.gen { // as in emitView
			if c.gen.state.Load()&stateRemoved != 0 {
				continue
			}
		} else if h == nil {
			if !c.enterGen() {
				continue
			}
		} else if st, ok := c.enter(h); !ok && !s.admit(h, st) {
			c.settle()
			continue
		}
		if x.errFn == nil {
			x.fn(ctx, payload)
		} else if err := x.errFn(ctx, payload); err != nil {
			c.end()
			cur = n
			s.failed(ctx, x, err, false, true, nil, nil, 0)
			return err
		}
	}
	cur = n
	if c.slot == nil {
		c.settle()
		return nil
	}
	c.slot.cur.Store(0)
	if c.held.state.Load()&stateWaited != 0 {
		c.rm.wake()
	}
	return nil
}

// fastInterrupted handles listener cur of a fast emission (cur as in
// emitView), which did not return normally, or whose failure's handling did
// not (the error handler called runtime.Goexit); p is what recover returned.
// It records the listener's failure and calls the listeners after it on the
// general path, with the emission's caller c. It runs in emitView's deferred
// function, on top of the stack of the panic or Goexit, so further failures
// are handled by the general path's own recovery.
func (s *BaseSignal[T]) fastInterrupted(ctx context.Context, payload T, v *view[T], c caller, cur int, p any) {
	next := cur + 1
	if cur < 0 {
		next = ^cur + 1
	}
	rest := func() {
		// Unobserved, as the fast emission was: no collector sees only
		// the end of an emission.
		_ = s.emitStarted(ctx, payload, v, c, next, OpEmit, &watch{})
	}
	if x, perr, _, record := interrupted(v, &c, cur, p); record {
		guard(func() { s.failed(ctx, x, perr, true, false, nil, nil, 0) }, rest)
	}
	rest()
}

// guard calls report, which passes a failure to the error handler, from a
// recovery that goes on with the emission afterwards (rest). If the handler
// calls runtime.Goexit, the recovery does not get to go on, so guard's deferred
// function calls rest before the goroutine exits.
func guard(report, rest func()) {
	reported := false
	defer func() {
		if !reported && goexiting() {
			rest()
		}
	}()
	report()
	reported = true
}

// interrupted sorts out a listener that did not return normally, at position
// cur of the fast or counted path (cur as in emitView), with the emission's
// caller c; p is what recover returned. If its call was in progress it ends
// it. It returns the listener, its failure, whether the goroutine is exiting
// (runtime.Goexit), and whether the failure is to be recorded: it is not if it
// happened while the listener's error was being handled, which is recorded
// already, and the error handler called runtime.Goexit (its panics are
// recovered where it is called).
func interrupted[T any](v *view[T], c *caller, cur int, p any) (x *entry[T], perr *PanicError, exiting, record bool) {
	if cur >= 0 {
		x = &v.entries[cur]
	} else {
		x = &v.entries[^cur]
	}
	c.settle()
	perr, exiting = failure(x.key(), p)
	return x, perr, exiting, cur >= 0 || !exiting
}

// key returns x's key, "" if it has none.
func (x *entry[T]) key() string {
	if x.h == nil {
		return ""
	}
	return x.h.key
}

// tryInterrupted handles listener x of a fast TryEmit, which did not return
// normally, and returns the failure that ends the TryEmit. After
// runtime.Goexit, TryEmit cannot return it: it goes to the error handler.
func (s *BaseSignal[T]) tryInterrupted(ctx context.Context, x *entry[T], c caller, p any) error {
	c.end()
	perr, exiting := failure(x.key(), p)
	s.failed(ctx, x, perr, true, !exiting, nil, nil, 0)
	return perr
}

// emitObserved is an emission, on the calling goroutine, of a view that has an
// observer: on the general path, unless the observer is a collector alone.
// Then the collector's EmitStart decides. If the listeners' context cannot
// be cancelled and it returns no EmitObserver, an Emit takes the fast path
// (an unsampled emission costs the collector one call); if it returns one
// that asks for at most EmitEnd (or none, for a TryEmit), the emission takes
// the counted path. It returns what TryEmit returns. For a collector alone,
// the caller has decided that its Share shows the emission.
func (s *BaseSignal[T]) emitObserved(ctx context.Context, payload T, v *view[T], op Operation, q *enqueued) error {
	o := v.obs
	if !o.collectorOnly {
		return s.emitGeneral(ctx, payload, v, op, q)
	}
	// watch.begin, written out, and info and e set up field by field: the
	// counted path's copies of its state and of the Emission go through
	// memory only where the stores are long done (a composite literal, or
	// an Emission built just before it is copied, measured 10-20 ns more
	// per emission: BenchmarkSyncEmit, impl=metrics-untimed, in
	// otelsignals/test).
	var info Emission
	info.Signal, info.Op, info.Listeners = s.Name(), op, len(v.entries)
	if q != nil {
		info.Enqueued = q.by
	}
	lctx, eo := o.collector.EmitStart(ctx, info)
	if lctx != nil {
		ctx = lctx
	}
	if eo == nil && op != OpTryEmit && ctx.Done() == nil {
		// Nothing observes the emission (tracing an unsampled one): the
		// fast path. Through the counted path, an emission measured 11 ns
		// more (BenchmarkSyncEmit, impl=core-general, in otelsignals/test).
		s.emitView(ctx, payload, v, kindUnobserved, op, q)
		return nil
	}
	var flags Observe
	if eo != nil {
		flags = eo.Observe()
	}
	if flags&^ObserveEnd != 0 || ctx.Done() != nil {
		w := watch{eo: eo, flags: flags, info: info, wait: q.waited()}
		if flags&ObserveDurations != 0 {
			w.start = monotime()
		}
		return s.emitStarted(ctx, payload, v, caller{}, 0, op, &w)
	}
	var e counted[T]
	e.info = info
	e.s, e.ctx, e.payload, e.v, e.try = s, ctx, payload, v, op == OpTryEmit
	e.eo, e.end, e.res.QueueWait = eo, flags&ObserveEnd != 0, q.waited()
	return e.callCounted(0) // which begins e.c
}

// emission describes an emission of v to the collector; q is nil but for
// the delivery of an enqueued emission.
func (s *BaseSignal[T]) emission(v *view[T], op Operation, q *enqueued) Emission {
	e := Emission{Signal: s.Name(), Op: op, Listeners: len(v.entries)}
	if q != nil {
		e.Enqueued = q.by
	}
	return e
}

// counted is an emission on the counted path. It lives on the emitting
// goroutine's stack.
type counted[T any] struct {
	s       *BaseSignal[T]
	ctx     context.Context
	payload T
	v       *view[T]
	try     bool // TryEmit: stop at the first failure and return it
	c       caller
	eo      EmitObserver // nil if none
	end     bool         // eo asked for EmitEnd
	info    Emission
	// res is the end of the emission, filled in as it goes, so that
	// EmitEnd's argument is copied from stores that are long done (see
	// emitObserved): res.Calls is counted before each call.
	res EmitResult
}

// callCounted is the counted path's loop, from listener index from on, written
// out: on the general path (run.callOne per listener), an emission counted by
// otelsignals measured 85 ns for one listener instead of 69, and 167 ns for
// ten instead of 95 (BenchmarkSyncEmit, impl=metrics-untimed, in
// otelsignals/test, one run, load 3). It ends the emission and returns what
// TryEmit returns. After a listener that did not return normally, its
// deferred function goes on with the next listener by calling callCounted
// again, except in a TryEmit, which the failure ends.
func (e *counted[T]) callCounted(from int) (err error) {
	entries := e.v.entries
	n := len(entries)
	cur := n // as in emitView
	// The caller is copied into this frame while the loop runs, as emitView
	// keeps its own, and stored back before the emission goes on
	// elsewhere: used through e, an emission counted by otelsignals to 10
	// listeners measured 25-30 ns slower (BenchmarkSyncEmit, listeners=10,
	// impl=metrics-untimed, in otelsignals/test). It begins the emission
	// in this frame too: a caller begun in e and copied here at once made
	// the copy wait for the stores (about 5 ns per emission).
	cl := e.c
	c := &cl
	if !c.started() {
		c.begin(&e.s.removals, e.v.gen)
	}
	defer func() {
		if cur != n {
			e.c = cl
			err = e.interrupted(cur, recover())
		}
	}()
	g, slotted := c.gen, c.slot != nil
	ctx, payload := e.ctx, e.payload
	for i := from; i < n; i++ {
		x := &entries[i]
		cur = i
		if h := x.h; h == nil && slotted { // as in emitView
			if c.held != g {
				c.announce(g)
			}
			if g.state.Load()&stateRemoved != 0 {
				continue
			}
		} else if h == nil {
			if !c.enterGen() {
				continue
			}
		} else if st, ok := c.enter(h); !ok && !e.s.admit(h, st) {
			c.settle()
			continue
		}
		e.res.Calls++
		if x.errFn == nil {
			x.fn(ctx, payload)
		} else if ferr := x.errFn(ctx, payload); ferr != nil {
			c.settle()
			cur = ^i
			e.s.failed(ctx, x, ferr, false, e.try, e.v.obs, e.eo, 0)
			if e.try {
				cur = n
				e.c = cl
				return e.done(ferr)
			}
			continue
		}
	}
	cur = n
	e.c = cl
	return e.done(nil)
}

// interrupted handles listener cur of callCounted (cur as in emitView), which
// did not return normally; p is what recover returned. It goes on with the
// emission, or ends it for a TryEmit, and returns what TryEmit returns.
func (e *counted[T]) interrupted(cur int, p any) error {
	next := cur + 1
	if cur < 0 {
		next = ^cur + 1
	}
	x, perr, exiting, record := interrupted(e.v, &e.c, cur, p)
	rest := func() error {
		if e.try && record {
			return e.done(perr)
		}
		return e.callCounted(next)
	}
	if record {
		guard(func() { e.s.failed(e.ctx, x, perr, true, e.try && !exiting, e.v.obs, e.eo, 0) }, func() { _ = rest() })
	}
	return rest()
}

// done ends the emission with what TryEmit returns.
func (e *counted[T]) done(err error) error {
	e.c.end()
	if e.end {
		if err != nil {
			e.res.Err = err
		}
		e.eo.EmitEnd(e.ctx, e.info, e.res)
	}
	return err
}

// run is one emission, or one goroutine's part of an async emission, on the
// general path. It lives on that goroutine's stack.
type run[T any] struct {
	s       *BaseSignal[T]
	ctx     context.Context // what listeners receive
	done    <-chan struct{} // ctx.Done(); nil if ctx cannot be cancelled
	payload T
	v       *view[T]
	tryEmit bool // stop at the first failure and return it

	o       *observer       // nil if nothing observes the signal
	w       watch           // the collector's observation of the emission
	perCall bool            // every call needs observing, not only failed ones
	calls   int             // listener calls made, counted when o is not nil
	lctx    context.Context // context of the listener being called
	t0      time.Time       // when it was called, if timed

	// c announces the calls in progress; calling is set while a call that
	// enter let through is in progress (until c.settle).
	c       caller
	calling bool
	// exiting: a listener called runtime.Goexit, so a TryEmit cannot return
	// its failure.
	exiting bool
	worker  bool // an async emission's part on a pool worker
}

// observe sets what the emission observes: o, and w, the collector's
// observation of it. Listener calls take the per-call path only if listener
// metrics, the breaker or the collector's observer need every call; otherwise
// they are called as on the fast path, and only failures are observed.
func (r *run[T]) observe(o *observer, w *watch) {
	r.o, r.w = o, *w
	r.lctx = r.ctx
	r.perCall = o != nil && (o.listenerMetrics || o.breaker > 0 ||
		w.flags&(ObserveListeners|ObserveDurations|ObserveListenerStart) != 0)
}

// emitGeneral is an emission on the general path, on the calling goroutine,
// shown to the collector if it has one and its Share shows it. It returns
// what TryEmit returns.
func (s *BaseSignal[T]) emitGeneral(ctx context.Context, payload T, v *view[T], op Operation, q *enqueued) error {
	var w watch
	if o := v.obs; o != nil && o.collector != nil && (op == OpDeliver || o.shows()) {
		ctx = w.begin(ctx, o.collector, s.emission(v, op, q), q)
	}
	return s.emitStarted(ctx, payload, v, caller{}, 0, op, &w)
}

// emitStarted is emitGeneral after the collector's EmitStart, if any, has
// returned ctx and started w.
func (s *BaseSignal[T]) emitStarted(ctx context.Context, payload T, v *view[T], c caller, from int, op Operation, w *watch) error {
	r := run[T]{s: s, ctx: ctx, done: ctx.Done(), payload: payload, v: v, tryEmit: op == OpTryEmit, c: c}
	if !c.started() {
		r.c.begin(&s.removals, v.gen)
	}
	r.observe(v.obs, w)
	return r.end(r.callAll(from))
}

// end ends a synchronous emission on the general path, which returns err.
func (r *run[T]) end(err error) error {
	r.c.end()
	if o := r.o; o != nil {
		r.w.end(r.ctx, o.statsOf(&r.s.counters), r.calls, err)
	}
	return err
}

// callAll calls every listener of r.v. It returns, for TryEmit, the first
// failure or the context's error.
func (r *run[T]) callAll(from int) error {
	for i, n := from, len(r.v.entries); i < n; {
		var err error
		if i, err = r.callFrom(i); err != nil && r.tryEmit {
			return err
		}
	}
	if r.tryEmit && r.done != nil {
		return r.ctx.Err()
	}
	return nil
}

// callFrom is callAll's loop, from listener index i on. err is a failure that
// ends a TryEmit, or the context's error when the context ended the emission.
func (r *run[T]) callFrom(i int) (next int, err error) {
	entries := r.v.entries
	n := len(entries)
	cur := n // the index of the listener being called or handled, and n otherwise
	defer func() {
		if cur != n {
			e := &entries[cur]
			perr, exiting, record := r.interrupted(e, recover())
			next = cur + 1
			if r.tryEmit && record {
				err = perr
			}
			// After runtime.Goexit, the goroutine ends once its deferred
			// functions have run: finish the emission here.
			rest := func() { r.finish(next, err) }
			if record {
				guard(func() { r.report(e, perr, exiting) }, rest)
			}
			if exiting {
				rest()
			}
		}
	}()
	for ; i < n; i++ {
		cur = i
		if r.stopped() {
			cur = n
			return n, r.ctx.Err()
		}
		if err := r.callOne(&entries[i]); err != nil && r.tryEmit {
			cur = n
			return i + 1, err
		}
	}
	cur = n
	return n, nil
}

// stopped reports whether the emission's context is done.
func (r *run[T]) stopped() bool {
	if r.done == nil {
		return false
	}
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// callOne calls x unless it is removed, disabled, or a one-time listener
// another emission has claimed, and returns its failure.
func (r *run[T]) callOne(x *entry[T]) error {
	if !r.s.enter(&r.c, x) {
		return nil
	}
	r.calling = true
	if r.perCall {
		return r.callObserved(x)
	}
	if r.o != nil {
		r.calls++
	}
	var err error
	if x.errFn == nil {
		x.fn(r.ctx, r.payload)
	} else {
		err = x.errFn(r.ctx, r.payload)
	}
	// The call has ended. The caller goes on announcing it until the next
	// listener's (caller.enter), unless code other than a listener's runs
	// first on this goroutine: the handling of a failure.
	r.calling = false
	if err != nil {
		r.c.settle()
		r.fail(x, err, false)
	}
	return err
}

// release ends the call in progress, and its announcement.
func (r *run[T]) release() {
	r.calling = false
	r.c.settle()
}

// fail handles a failed call of e that was not observed on the per-call path.
func (r *run[T]) fail(e *entry[T], err error, panicked bool) {
	if r.o != nil {
		r.t0 = time.Time{}
		r.observed(e, err, panicked)
		return
	}
	r.s.failed(r.ctx, e, err, panicked, r.returns(), nil, nil, 0)
}

// returns reports whether the emission returns a failure instead of passing it
// to the error handler: a TryEmit, unless the goroutine is exiting.
func (r *run[T]) returns() bool { return r.tryEmit && !r.exiting }

// callObserved calls e on the observed path: with the collector's listener
// context, timing, listener metrics and the circuit breaker. ListenerStart is
// part of the call, as RemoveListener sees it.
func (r *run[T]) callObserved(e *entry[T]) error {
	o := r.o
	r.calls++
	r.lctx = r.ctx
	if r.w.flags&ObserveListenerStart != 0 {
		if c := r.w.eo.ListenerStart(r.ctx, r.s.listenerInfo(e)); c != nil {
			r.lctx = c
		}
	}
	r.t0 = time.Time{}
	if r.w.flags&ObserveDurations != 0 || o.listenerMetrics {
		r.t0 = time.Now()
	}
	var err error
	if e.errFn == nil {
		e.fn(r.lctx, r.payload)
	} else {
		err = e.errFn(r.lctx, r.payload)
	}
	r.release()
	r.observed(e, err, false)
	return err
}

// observed does the observed path's bookkeeping after a call of e that
// returned err (a *PanicError if it panicked).
func (r *run[T]) observed(e *entry[T], err error, panicked bool) {
	o := r.o
	var d time.Duration // only for a collector that asked for durations
	if !r.t0.IsZero() && r.w.flags&ObserveDurations != 0 {
		d = time.Since(r.t0)
	}
	if o.listenerMetrics && e.h != nil { // only keyed listeners' metadata can be read
		st := e.h.statsOrNew()
		st.calls.Add(1)
		st.lastCalled.Store(r.t0.UnixNano())
	}
	if err != nil {
		r.s.failed(r.lctx, e, err, panicked, r.returns(), o, r.w.eo, d)
		return
	}
	if o.breaker > 0 && e.h != nil {
		if st := e.h.stats.Load(); st != nil && st.failStreak.Load() != 0 {
			st.failStreak.Store(0)
		}
	}
	if r.w.flags&ObserveListeners != 0 {
		r.w.eo.ListenerEnd(r.lctx, r.s.listenerInfo(e), d, nil)
	}
}

// interrupted sorts out listener e on the general path, whose call, or the
// handling of whose failure, did not return normally; p is what recover
// returned. If its call was in progress it ends it. It returns the
// listener's failure, whether the goroutine is exiting (runtime.Goexit), in
// which case the caller must finish its part of the emission before it
// returns, and whether the failure is to be recorded (with report). It is not
// if the call had returned and its failure was being handled: the error
// handler called runtime.Goexit (its panics are recovered where it is
// called), and the failure is recorded already.
func (r *run[T]) interrupted(e *entry[T], p any) (perr *PanicError, exiting, record bool) {
	calling := r.calling
	r.release()
	perr, exiting = failure(e.key(), p)
	return perr, exiting, calling || !exiting
}

// report records perr, the failure of listener e, found by interrupted.
// exiting is what interrupted returned: a TryEmit cannot return the failure
// then.
func (r *run[T]) report(e *entry[T], perr *PanicError, exiting bool) {
	r.exiting = exiting
	if r.perCall {
		r.observed(e, perr, true)
	} else {
		r.fail(e, perr, true)
	}
}

// finish ends a synchronous emission on the general path from a recovery, on a
// goroutine that is exiting: it calls the listeners from index next on, unless
// err has ended a TryEmit, and ends the emission.
func (r *run[T]) finish(next int, err error) {
	if err == nil {
		err = r.callAll(next)
	}
	_ = r.end(err)
}

// failure describes a listener that did not return normally, given what
// recover returned, and reports whether its goroutine is exiting because it
// called runtime.Goexit.
func failure(key string, p any) (perr *PanicError, exiting bool) {
	if p == nil && goexiting() {
		return &PanicError{Key: key, Value: ErrGoexit, Stack: debug.Stack()}, true
	}
	return newPanicError(key, p), false
}

// goexiting reports whether the calling goroutine runs deferred functions
// because of runtime.Goexit rather than a panic: which of the two is nearest on
// its stack. It is called only after recover has returned nil for a function
// that did not return normally: runtime.Goexit, or panic(nil) under
// GODEBUG=panicnil=1.
func goexiting() bool {
	for _, name := range stackNames(2) {
		switch name {
		case "runtime.Goexit":
			return true
		case "runtime.gopanic":
			return false
		}
	}
	return false
}

// stackNames returns the names of the functions on the calling goroutine's
// stack, innermost first, skipping skip frames (0 is stackNames itself).
func stackNames(skip int) []string {
	pcs := make([]uintptr, 64)
	for {
		n := runtime.Callers(skip+1, pcs)
		if n < len(pcs) {
			pcs = pcs[:n]
			break
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
	names := make([]string, 0, len(pcs))
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		names = append(names, f.Function)
		if !more {
			return names
		}
	}
}

func newPanicError(key string, p any) *PanicError {
	return &PanicError{Key: key, Value: p, Stack: debug.Stack()}
}

// failed records a failure of e, trips the circuit breaker of o if it is on,
// reports the failure to the emission's observer eo (if any) with the call's
// duration d (if it was asked for), and passes it to the error handler unless
// TryEmit returns it. The failure of a listener without a handle is counted
// for the signal only: nothing else can read it.
func (s *BaseSignal[T]) failed(ctx context.Context, e *entry[T], err error, panicked, try bool, o *observer, eo EmitObserver, d time.Duration) {
	if panicked {
		s.counters.panics.Add(1)
	} else {
		s.counters.errors.Add(1)
	}
	if e.h != nil {
		st := e.h.recordError(err)
		if o != nil && o.breaker > 0 {
			if n := st.failStreak.Add(1); n >= o.breaker { // >=: the threshold may have been lowered meanwhile
				s.trip(e, n, err)
			}
		}
	}
	if eo != nil {
		eo.ListenerEnd(ctx, s.listenerInfo(e), d, err)
	}
	if !try {
		s.handle(ctx, e.key(), err, panicked)
	}
}

// handle passes a listener failure to the error handler, or applies the
// default: log panics, keep errors silent. The handler is user code, isolated
// like a listener: if it panics or does not return (runtime.Goexit), that is
// counted in Stats.HandlerPanics and logged, and the emission goes on.
func (s *BaseSignal[T]) handle(ctx context.Context, key string, err error, panicked bool) {
	returned := false
	defer func() {
		if !returned {
			s.handlerFailed(ctx, key, recover())
		}
	}()
	if h := s.onError.Load(); h != nil {
		(*h)(ctx, key, err)
	} else if panicked {
		pe := err.(*PanicError)
		slog.Default().ErrorContext(ctx, "signals: listener panicked",
			"signal", s.Name(), "key", key, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	}
	returned = true
}

// handlerFailed counts and logs an error handler that did not return normally
// when handling the failure of listener key; p is what recover returned. A
// logger that panics in turn is ignored: the failure is counted.
func (s *BaseSignal[T]) handlerFailed(ctx context.Context, key string, p any) {
	s.counters.handlerPanics.Add(1)
	stack := debug.Stack()
	value := fmt.Sprint(p)
	if p == nil && goexiting() {
		value = "runtime.Goexit"
	}
	defer func() { _ = recover() }()
	slog.Default().ErrorContext(ctx, "signals: error handler panicked",
		"signal", s.Name(), "key", key, "panic", value, "stack", string(stack))
}
