package signals

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// Emission runs on one of three paths.
//
// The fast path, emitFast and tryEmitFast, is taken when nothing observes the
// signal and the context cannot be cancelled. Its loop makes no call but the
// listener's own, so that the compiler keeps it as tight as a plain loop over
// functions, and it pays for panic isolation with one deferred recover for all
// the listeners: after a panic, the deferred function resumes the emission with
// the next listener on the general path.
//
// The counted path, emitCounted, is the fast path for a signal whose only
// observer is a collector that asks for nothing per listener call (the common
// case of OpenTelemetry metrics without sampled timing, or tracing an
// unsampled emission): the same loop, counting the calls and reporting
// failures to the collector.
//
// The general path, run, handles everything: cancellable contexts, stats,
// listener metrics, the circuit breaker, collectors that observe each call,
// and the async fan-out. It isolates panics with one deferred recover for a
// run of listeners too, and resumes after a panic by calling its loop again.

// emitFast is Emit on the calling goroutine.
func (s *BaseSignal[T]) emitFast(ctx context.Context, payload T, kind Kind) {
	v := s.current.Load()
	if v == nil {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if v.obs != nil {
		_ = s.emitObserved(ctx, payload, v, kind, OpEmit) // Emit returns no error
		return
	}
	if ctx.Done() != nil {
		_ = s.emitGeneral(ctx, payload, v, 0, kind, OpEmit)
		return
	}
	cur := 0
	defer func() {
		if p := recover(); p != nil {
			s.resumeAfterPanic(ctx, payload, v, cur, p)
		}
	}()
	for i, e := range v.entries {
		cur = i
		if st := e.state.Load(); st != 0 {
			if !e.claim(st) {
				continue
			}
			s.unlink(e)
		}
		e.fn(ctx, payload)
	}
}

// resumeAfterPanic records the panic p of listener cur of a fast emission and
// calls the listeners after it on the general path. It runs in emitFast's
// deferred function, on top of the panicked stack, so further panics are
// handled by the general path's own recovery.
func (s *BaseSignal[T]) resumeAfterPanic(ctx context.Context, payload T, v *view[T], cur int, p any) {
	_ = s.panicked(ctx, v.entries[cur], p, false, nil) // nil outside TryEmit
	if cur+1 < len(v.entries) {
		// Nothing observes v, so the kind does not matter.
		_ = s.emitGeneral(ctx, payload, v, cur+1, KindSync, OpEmit)
	}
}

// tryEmitFast is TryEmit on the calling goroutine.
func (s *BaseSignal[T]) tryEmitFast(ctx context.Context, payload T) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	v := s.current.Load()
	if v == nil {
		return ctx.Err()
	}
	if v.obs != nil {
		return s.emitObserved(ctx, payload, v, KindSync, OpTryEmit)
	}
	if ctx.Done() != nil {
		return s.emitGeneral(ctx, payload, v, 0, KindSync, OpTryEmit)
	}
	cur := 0
	defer func() {
		if p := recover(); p != nil {
			err = s.panicked(ctx, v.entries[cur], p, true, nil)
		}
	}()
	for i, e := range v.entries {
		cur = i
		if st := e.state.Load(); st != 0 {
			if !e.claim(st) {
				continue
			}
			s.unlink(e)
		}
		if e.errFn == nil {
			e.fn(ctx, payload)
		} else if err := e.errFn(ctx, payload); err != nil {
			s.failed(ctx, e, err, false, true, nil, 0)
			return err
		}
	}
	return nil
}

// emitObserved is an emission, on the calling goroutine, of a view that has an
// observer: on the counted path if the observer is a collector alone that asks
// for at most EmitEnd, and on the general path otherwise. It returns what
// TryEmit returns.
func (s *BaseSignal[T]) emitObserved(ctx context.Context, payload T, v *view[T], kind Kind, op Operation) error {
	o := v.obs
	if !o.collectorOnly {
		return s.emitGeneral(ctx, payload, v, 0, kind, op)
	}
	info := Emission{Signal: s.Name(), Kind: kind, Op: op, Listeners: len(v.entries)}
	c, flags := o.collector.EmitStart(ctx, info)
	if c != nil {
		ctx = c
	}
	if flags&^ObserveEnd != 0 || ctx.Done() != nil {
		return s.emitStarted(ctx, payload, v, 0, op, info, flags)
	}
	calls, err := s.emitCounted(ctx, payload, v, 0, op == OpTryEmit)
	if flags&ObserveEnd != 0 {
		o.collector.EmitEnd(ctx, info, EmitResult{Calls: calls, Err: err})
	}
	return err
}

// emitCounted is the counted path's loop, from listener index from on. It
// returns the number of listener calls it made and, for a TryEmit (try), the
// failure that ends it. After a panic it resumes with the next listener by
// calling itself from its deferred function, except in a TryEmit, which the
// panic ends.
func (s *BaseSignal[T]) emitCounted(ctx context.Context, payload T, v *view[T], from int, try bool) (calls int, err error) {
	cur := from
	defer func() {
		if p := recover(); p != nil {
			err = s.panicked(ctx, v.entries[cur], p, try, v.obs)
			if !try && cur+1 < len(v.entries) {
				more, _ := s.emitCounted(ctx, payload, v, cur+1, false)
				calls += more
			}
		}
	}()
	for i := from; i < len(v.entries); i++ {
		e := v.entries[i]
		cur = i
		if st := e.state.Load(); st != 0 {
			if !e.claim(st) {
				continue
			}
			s.unlink(e)
		}
		calls++
		if e.errFn == nil {
			e.fn(ctx, payload)
		} else if ferr := e.errFn(ctx, payload); ferr != nil {
			s.failed(ctx, e, ferr, false, try, v.obs, 0)
			if try {
				return calls, ferr
			}
		}
	}
	return calls, nil
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

	o       *observer // nil if nothing observes the signal
	flags   Observe
	perCall bool            // every call needs observing, not only failed ones
	calls   int             // listener calls made, counted when o is not nil
	lctx    context.Context // context of the listener being called
	t0      time.Time       // when it was called, if timed
}

// observe sets what the emission observes: o, and the flags its collector's
// EmitStart returned. Listener calls take the per-call path only if listener
// metrics, the breaker or the collector need every call; otherwise they are
// called as on the fast path, and only failures are observed.
func (r *run[T]) observe(o *observer, flags Observe) {
	r.o, r.flags = o, flags
	r.lctx = r.ctx
	r.perCall = o != nil && (o.listenerMetrics || o.breaker > 0 ||
		flags&(ObserveListeners|ObserveDurations|ObserveListenerSpans) != 0)
}

// emitGeneral is an emission on the general path, on the calling goroutine,
// from listener index from on (from > 0 resumes a fast emission after a
// panic). It returns what TryEmit returns.
func (s *BaseSignal[T]) emitGeneral(ctx context.Context, payload T, v *view[T], from int, kind Kind, op Operation) error {
	var (
		info  Emission
		flags Observe
	)
	if o := v.obs; o != nil && o.collector != nil {
		info = Emission{Signal: s.Name(), Kind: kind, Op: op, Listeners: len(v.entries)}
		var c context.Context
		if c, flags = o.collector.EmitStart(ctx, info); c != nil {
			ctx = c
		}
	}
	return s.emitStarted(ctx, payload, v, from, op, info, flags)
}

// emitStarted is emitGeneral after the collector's EmitStart, if any, has
// returned ctx and flags.
func (s *BaseSignal[T]) emitStarted(ctx context.Context, payload T, v *view[T], from int, op Operation, info Emission, flags Observe) error {
	r := run[T]{s: s, ctx: ctx, done: ctx.Done(), payload: payload, v: v, tryEmit: op == OpTryEmit}
	r.observe(v.obs, flags)
	var start time.Time
	if flags&ObserveDurations != 0 {
		start = time.Now()
	}
	err := r.callAll(from)
	if o := r.o; o != nil {
		if o.stats {
			s.counters.emitted(r.calls)
		}
		if flags&ObserveEnd != 0 {
			var d time.Duration
			if !start.IsZero() {
				d = time.Since(start)
			}
			o.collector.EmitEnd(ctx, info, EmitResult{Calls: r.calls, Duration: d, Err: err})
		}
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

// callFrom is emitFrom's loop on the general path. err is a failure that ends a
// TryEmit, or the context's error when the context ended the emission.
func (r *run[T]) callFrom(i int) (next int, err error) {
	cur := i
	defer func() {
		if p := recover(); p != nil {
			err = r.recovered(r.v.entries[cur], p)
			next = cur + 1
		}
	}()
	entries := r.v.entries
	for ; i < len(entries); i++ {
		cur = i
		if r.stopped() {
			return len(entries), r.ctx.Err()
		}
		if err := r.callOne(entries[i]); err != nil && r.tryEmit {
			return i + 1, err
		}
	}
	return len(entries), nil
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

// callOne calls e unless it is removed, disabled, or a one-time listener
// another emission has claimed, and returns its failure.
func (r *run[T]) callOne(e *entry[T]) error {
	if st := e.state.Load(); st != 0 {
		if !e.claim(st) {
			return nil
		}
		r.s.unlink(e)
	}
	if r.perCall {
		return r.callObserved(e)
	}
	if r.o != nil {
		r.calls++
	}
	if e.errFn == nil {
		e.fn(r.ctx, r.payload)
		return nil
	}
	err := e.errFn(r.ctx, r.payload)
	if err != nil {
		r.fail(e, err, false)
	}
	return err
}

// fail handles a failed call of e that was not observed on the per-call path.
func (r *run[T]) fail(e *entry[T], err error, panicked bool) {
	if r.o != nil {
		r.t0 = time.Time{}
		r.observed(e, err, panicked)
		return
	}
	r.s.failed(r.ctx, e, err, panicked, r.tryEmit, nil, 0)
}

// callObserved calls e on the observed path: with the collector's listener
// context, timing, listener metrics and the circuit breaker.
func (r *run[T]) callObserved(e *entry[T]) error {
	o := r.o
	r.calls++
	r.lctx = r.ctx
	if r.flags&ObserveListenerSpans != 0 {
		if c := o.collector.ListenerStart(r.ctx, r.s.listenerInfo(e)); c != nil {
			r.lctx = c
		}
	}
	r.t0 = time.Time{}
	if r.flags&ObserveDurations != 0 || o.listenerMetrics {
		r.t0 = time.Now()
	}
	var err error
	if e.errFn == nil {
		e.fn(r.lctx, r.payload)
	} else {
		err = e.errFn(r.lctx, r.payload)
	}
	r.observed(e, err, false)
	return err
}

// observed does the observed path's bookkeeping after a call of e that
// returned err (a *PanicError if it panicked).
func (r *run[T]) observed(e *entry[T], err error, panicked bool) {
	o := r.o
	var d time.Duration // only for a collector that asked for durations
	if !r.t0.IsZero() && r.flags&ObserveDurations != 0 {
		d = time.Since(r.t0)
	}
	if o.listenerMetrics {
		st := e.statsOrNew()
		st.calls.Add(1)
		st.lastCalled.Store(r.t0.UnixNano())
	}
	if err != nil {
		r.s.failed(r.lctx, e, err, panicked, r.tryEmit, o, d)
		return
	}
	if o.breaker > 0 {
		if st := e.stats.Load(); st != nil && st.failStreak.Load() != 0 {
			st.failStreak.Store(0)
		}
	}
	if o.collector != nil && r.flags&ObserveListeners != 0 {
		o.collector.ListenerEnd(r.lctx, r.s.listenerInfo(e), d, nil)
	}
}

// recovered handles the panic p of listener e on the general path, and returns
// it if it ends a TryEmit.
func (r *run[T]) recovered(e *entry[T], p any) error {
	perr := newPanicError(e.key, p)
	if r.perCall {
		r.observed(e, perr, true)
	} else {
		r.fail(e, perr, true)
	}
	if r.tryEmit {
		return perr
	}
	return nil
}

// panicked handles the panic p of listener e on the fast or counted path, and
// returns it if it ends a TryEmit. o is the emission's observer, if any.
func (s *BaseSignal[T]) panicked(ctx context.Context, e *entry[T], p any, try bool, o *observer) error {
	perr := newPanicError(e.key, p)
	s.failed(ctx, e, perr, true, try, o, 0)
	if try {
		return perr
	}
	return nil
}

func newPanicError(key string, p any) *PanicError {
	return &PanicError{Key: key, Value: p, Stack: debug.Stack()}
}

// failed records a failure of e, trips the circuit breaker of o if it is on,
// reports the failure to o's collector with the call's duration d (if it was
// asked for), and passes it to the error handler unless TryEmit returns it.
func (s *BaseSignal[T]) failed(ctx context.Context, e *entry[T], err error, panicked, try bool, o *observer, d time.Duration) {
	st := e.recordError(err)
	if panicked {
		s.counters.panics.Add(1)
	} else {
		s.counters.errors.Add(1)
	}
	if o != nil && o.breaker > 0 {
		if n := st.failStreak.Add(1); n >= o.breaker { // >=: the threshold may have been lowered meanwhile
			s.trip(e, n, err)
		}
	}
	if o != nil && o.collector != nil {
		o.collector.ListenerEnd(ctx, s.listenerInfo(e), d, err)
	}
	if !try {
		s.handle(ctx, e.key, err, panicked)
	}
}

// handle passes a listener failure to the error handler, or applies the
// default: log panics, keep errors silent.
func (s *BaseSignal[T]) handle(ctx context.Context, key string, err error, panicked bool) {
	if h := s.onError.Load(); h != nil {
		(*h)(ctx, key, err)
		return
	}
	if panicked {
		pe := err.(*PanicError)
		slog.Default().ErrorContext(ctx, "signals: listener panicked",
			"signal", s.Name(), "key", key, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	}
}
