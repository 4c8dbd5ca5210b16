package signals

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// fanout is one emission of an AsyncSignal whose listeners several goroutines
// call at once: each participant claims the next listener from a shared index
// and calls it, so handing the emission to a helper costs one operation,
// whatever the number of listeners. It is the only allocation of an emission.
//
// A blocking Emit is a fanout the emitting goroutine works on itself, with
// pool workers helping. An enqueued emission is a fanout a pool worker starts
// (run), with other workers helping.
type fanout[T any] struct {
	s       *AsyncSignal[T]
	pool    *WorkerPool
	ctx     context.Context // what listeners receive
	done    <-chan struct{}
	payload T
	v       *view[T]
	o       *observer
	flags   Observe
	info    Emission
	start   time.Time // when the emission started, if timed
	queued  time.Time // when it was enqueued, if timed

	next  atomic.Int64 // index of the next listener to claim
	calls atomic.Int64 // listener calls, on the observed path

	// A blocking Emit waits for wg; a delivery ends when pending reaches 0.
	wg      sync.WaitGroup
	pending atomic.Int64

	// wctx is ctx marked with the pool: what listeners receive when a pool
	// worker calls them, so that a listener enqueueing into its own pool's
	// full queue is recognized (see WorkerPool.enqueue).
	wctx workerCtx
}

// workerCtx marks the context of listeners delivered by a pool, so that a
// listener enqueueing into its own pool's full queue is recognized.
type workerCtx struct {
	context.Context
	pool *WorkerPool
}

type poolKey struct{}

// Value returns the pool for poolKey and asks the parent otherwise.
func (c *workerCtx) Value(key any) any {
	if key == (poolKey{}) {
		return c.pool
	}
	return c.Context.Value(key)
}

// work claims and calls listeners until none is left unclaimed. onWorker says
// whether the calling goroutine is a pool worker.
func (f *fanout[T]) work(onWorker bool) {
	r := run[T]{s: &f.s.base, ctx: f.ctx, done: f.done, payload: f.payload, v: f.v, worker: onWorker}
	r.c.begin(&f.s.removals, f.v.gen)
	defer r.c.end()
	if onWorker {
		r.ctx = &f.wctx
	}
	r.observe(f.o, f.flags)
	for r.helpOut(f) {
	}
}

// helpOut is work's loop. Like run.callFrom it pays for panic isolation with one
// deferred recover for many listeners, and returns true after a panic so that
// work calls it again.
//
// After runtime.Goexit in a listener or the error handler, the goroutine ends
// once its deferred functions have run, so the deferred function does this
// goroutine's part of the emission itself: it claims and calls the listeners
// left, and on the goroutine of a blocking Emit it waits for the helpers and
// ends the emission. A pool worker is then replaced (WorkerPool.worker).
func (r *run[T]) helpOut(f *fanout[T]) (again bool) {
	i := -1
	defer func() {
		if i >= 0 {
			e := &r.v.entries[i]
			perr, exiting, record := r.interrupted(e, recover())
			rest := func() {
				f.finished(r)
				for r.helpOut(f) {
				}
				if !r.worker {
					f.endEmit()
				}
			}
			if record {
				guard(func() { r.report(e, perr, exiting) }, rest)
			}
			if exiting {
				rest()
				return
			}
			f.finished(r)
			again = true
		}
	}()
	n := int64(len(r.v.entries))
	for {
		k := f.next.Add(1) - 1
		if k >= n {
			return false
		}
		i = int(k)
		if !r.stopped() {
			_ = r.callOne(&r.v.entries[i]) // handled: recorded and passed to the error handler
		}
		i = -1
		f.finished(r)
	}
}

// finished counts one claimed listener as done, after r has called it.
func (f *fanout[T]) finished(r *run[T]) {
	if r.calls != 0 {
		// Observed path: count the call before the emission can complete.
		f.calls.Add(int64(r.calls))
		r.calls = 0
	}
	if f.pending.Load() == 0 {
		f.wg.Done() // a blocking Emit
		return
	}
	if f.pending.Add(-1) == 0 {
		f.complete()
	}
}

// remaining returns the number of listeners not yet claimed.
func (f *fanout[T]) remaining() int64 {
	return int64(len(f.v.entries)) - f.next.Load()
}

// help is the task a pool worker runs to join a fanout.
type help[T any] struct{ f *fanout[T] }

func (h help[T]) run() {
	if h.f.remaining() > 1 {
		h.f.pool.help(h) // bring in one more helper while work is left
	}
	h.f.work(true)
}

func (h help[T]) drop() {}

// run starts the delivery of an enqueued emission, on a pool worker.
func (f *fanout[T]) run() {
	s := f.s
	s.queuedLen.Add(-1)
	if s.dropping.Load() {
		f.discard()
		return
	}
	f.begin()
	if f.pending.Load() == 0 {
		f.complete() // no listener
		return
	}
	if f.remaining() > 1 {
		f.pool.help(help[T]{f})
	}
	f.work(true)
}

// begin is the start of a delivery: queue wait, and the collector's EmitStart.
func (f *fanout[T]) begin() {
	s := f.s
	if !f.queued.IsZero() {
		f.info.QueueWait = time.Since(f.queued)
		if f.o != nil && f.o.stats {
			s.counters.waited(f.info.QueueWait)
		}
	}
	ctx := f.ctx
	if f.o != nil && f.o.collector != nil {
		f.info.Op = OpDeliver
		if c, flags := f.o.collector.EmitStart(ctx, f.info); c != nil {
			ctx, f.flags = c, flags
		} else {
			f.flags = flags
		}
		if f.flags&ObserveDurations != 0 {
			f.start = time.Now()
		}
	}
	f.ctx = ctx
	f.wctx = workerCtx{Context: ctx, pool: f.pool}
	f.pending.Store(int64(len(f.v.entries)))
}

// endEmit ends a blocking Emit, on its goroutine, after that goroutine has run
// out of listeners to claim: it waits for the helpers' listeners to return, and
// counts and reports the emission.
func (f *fanout[T]) endEmit() {
	f.wg.Wait()
	if f.o != nil {
		calls := int(f.calls.Load())
		if f.o.stats {
			f.s.counters.emitted(calls)
		}
		if f.flags&ObserveEnd != 0 {
			var d time.Duration
			if !f.start.IsZero() {
				d = time.Since(f.start)
			}
			f.o.collector.EmitEnd(f.ctx, f.info, EmitResult{Calls: calls, Duration: d})
		}
	}
}

// complete ends a delivery after its last listener.
func (f *fanout[T]) complete() {
	s := f.s
	if f.o != nil {
		calls := int(f.calls.Load())
		if f.o.stats {
			s.counters.emitted(calls)
		}
		if f.flags&ObserveEnd != 0 {
			var d time.Duration
			if !f.start.IsZero() {
				d = time.Since(f.start)
			}
			f.o.collector.EmitEnd(f.ctx, f.info, EmitResult{Calls: calls, Duration: d})
		}
	}
	s.outstanding.release()
}

// drop discards a queued delivery that its pool's shutdown will not run.
func (f *fanout[T]) drop() {
	f.s.queuedLen.Add(-1)
	f.discard()
}

// discard counts a queued delivery as dropped instead of delivered.
func (f *fanout[T]) discard() {
	s := f.s
	s.counters.dropped.Add(1)
	if f.o != nil && f.o.collector != nil {
		f.o.collector.Dropped(f.ctx, f.info.Signal, ErrClosed)
	}
	s.outstanding.release()
}
