package signals

import (
	"context"
	"sync"
	"sync/atomic"
)

// fanout is one emission of an AsyncSignal whose listeners several goroutines
// call at once: each participant claims the next listener from a shared index
// and calls it, so handing the emission to a helper costs one operation,
// whatever the number of listeners.
//
// An AsyncSignal.Emit to several listeners is a fanout that the emitting
// goroutine works on itself, with pool workers helping, and it waits for the
// listeners the helpers claimed. The delivery of an enqueued emission is one
// when a pool worker is idle and nothing else is queued (see deliverSome):
// the worker that took it from the queue works on it with idle workers, and
// whoever calls the last listener ends it.
//
// Fanouts are reused through the signal's pool of them (AsyncSignal.fanouts),
// so that an emission allocates nothing. A fanout is counted in refs by every
// goroutine that may still use it, the emitter and each helper handed one,
// and goes back to the pool when the last of them is done with it (release):
// a helper may start after the emission it was offered has ended.
type fanout[T any] struct {
	s       *AsyncSignal[T]
	pool    *WorkerPool
	ctx     context.Context // what listeners receive
	done    <-chan struct{}
	payload T
	v       *view[T]
	o       *observer
	w       watch // the collector's observation of the emission

	next  atomic.Int64 // index of the next listener to claim
	calls atomic.Int64 // listener calls, on the observed path
	refs  atomic.Int32

	// An Emit waits for wg; a delivery ends when pending reaches 0.
	delivery bool
	wg       sync.WaitGroup
	pending  atomic.Int64
}

// newFanout returns a fanout of s's pool for an emission of v.
func (s *AsyncSignal[T]) newFanout(ctx context.Context, payload T, v *view[T], pool *WorkerPool) *fanout[T] {
	f, _ := s.fanouts.Get().(*fanout[T])
	if f == nil {
		f = new(fanout[T])
	}
	f.s, f.pool, f.ctx, f.payload, f.v, f.o = s, pool, ctx, payload, v, v.obs
	f.next.Store(0)
	f.calls.Store(0)
	f.refs.Store(1) // the emitter's
	return f
}

// release ends a participant's use of f.
func (f *fanout[T]) release() {
	if f.refs.Add(-1) != 0 {
		return
	}
	// Nobody holds f any more: keep no reference to the emission.
	s := f.s
	var zero T
	f.s, f.pool, f.ctx, f.done, f.payload, f.v, f.o = nil, nil, nil, nil, zero, nil, nil
	f.w, f.delivery = watch{}, false
	s.fanouts.Put(f)
}

// offer offers f to an idle pool worker, or, for an Emit, to a new one if the
// pool may grow, counting the helper's use of f first.
func (f *fanout[T]) offer() {
	f.refs.Add(1)
	ok := false
	if f.delivery {
		ok = f.pool.handOff(help[T]{f})
	} else {
		ok = f.pool.help(help[T]{f})
	}
	if !ok {
		f.release()
	}
}

// work claims and calls listeners until none is left unclaimed. onWorker says
// whether the calling goroutine is a pool worker.
func (f *fanout[T]) work(onWorker bool) {
	r := run[T]{s: &f.s.base, ctx: f.ctx, done: f.done, payload: f.payload, v: f.v, worker: onWorker}
	r.c.begin(&f.s.removals, f.v.gen)
	defer r.c.end()
	r.observe(f.o, &f.w)
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
				if !f.delivery && !r.worker {
					r.c.end()
					f.endEmit()
					f.release()
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
	if !f.delivery {
		f.wg.Done()
	} else if f.pending.Add(-1) == 0 {
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
	f, s := h.f, h.f.s
	if f.delivery {
		// Close waits for the listeners of a delivery that helpers run.
		s.drainers.Add(1)
		defer s.drainerLeft()
	}
	defer f.release()
	if f.remaining() > 1 {
		f.offer() // bring in one more helper while work is left
	}
	f.work(true)
}

func (h help[T]) drop() { h.f.release() }

// deliverFanout delivers d as a fanout with the pool's idle workers, on a
// worker of the pool p: it returns once this goroutine has no listener left
// to claim; the delivery ends when its last listener has returned.
func (s *AsyncSignal[T]) deliverFanout(d *delivery[T], p *WorkerPool, q *enqueued) {
	v := d.v
	f := s.newFanout(d.ctx, d.payload, v, p)
	f.delivery = true
	f.begin(OpDeliver, q)
	f.pending.Store(int64(len(v.entries)))
	f.offer()
	f.work(true)
	f.release()
}

// begin starts the observation of f, an emission with operation op (and q
// what a delivery knows of its enqueue), if a collector observes it, and sets
// the context its listeners receive.
func (f *fanout[T]) begin(op Operation, q *enqueued) {
	if o := f.o; o != nil && o.collector != nil && (op == OpDeliver || o.shows()) {
		f.ctx = f.w.begin(f.ctx, o.collector, f.s.emission(f.v, op, q), q)
	}
	f.done = f.ctx.Done()
}

// complete ends a delivery after its last listener has returned.
func (f *fanout[T]) complete() {
	if f.o != nil {
		f.w.end(f.ctx, f.o.statsOf(&f.s.counters), int(f.calls.Load()), nil)
	}
}

// endEmit ends a blocking Emit, on its goroutine, after that goroutine has run
// out of listeners to claim: it waits for the helpers' listeners to return, and
// counts and reports the emission.
func (f *fanout[T]) endEmit() {
	f.wg.Wait()
	f.complete()
}
