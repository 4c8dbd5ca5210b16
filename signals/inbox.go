package signals

import (
	"context"
	"runtime"
	"time"
)

// This file is the path of an enqueued emission: its own queue in each
// AsyncSignal (the inbox), and the delivery of what is queued by the workers
// of the signal's pool.
//
// Enqueue pushes a delivery (the view, the context and the payload: no heap
// object) into the signal's queue, then makes sure a worker will look at it:
// the signal is scheduled (sched is 1) while it sits in its pool's run queue
// or a worker, its owner, delivers its queue. The owner delivers one
// emission after another, on its own goroutine, until the queue is empty,
// then gives the signal up. A producer that finds the signal unscheduled
// schedules it (WorkerPool.submit); one that finds it scheduled leaves its
// emission to the owner.
//
// The handshake between a producer and an owner that gives the signal up:
// the producer publishes its delivery in the queue (the slot's sequence
// number) before it reads sched; the owner clears sched before it looks at
// the queue once more. Both are sequentially consistent, so one of them sees
// the other: either the producer sees the signal unscheduled and schedules
// it, or the owner finds the delivery and takes the signal back.
//
// When emissions pile up and a worker of the pool is free, the owner brings
// it in as a helper (drainHelp) that delivers from the same queue until it is
// empty, so that slow listeners are delivered by several workers at once.
// Emissions start in the order they were enqueued: each is taken from the
// queue by one worker, one at a time.

// delivery is one enqueued emission, as the signal's queue holds it.
type delivery[T any] struct {
	v       *view[T]        // the listeners registered when it was enqueued
	ctx     context.Context // what listeners receive (after the collector's EmitStart)
	payload T
	// queued is when it was enqueued, on monotime, if its queue wait is
	// measured; 0 otherwise.
	queued time.Duration
	by     EmitObserver // the observer the enqueue's EmitStart returned, if any
}

// monoBase is the origin of monotime.
var monoBase = time.Now()

// monotime returns the time on the monotonic clock, as a duration since an
// origin before any enqueue (at least 1).
func monotime() time.Duration { return time.Since(monoBase) + 1 }

// Tuning of the delivery of queued emissions.
const (
	// deliveryBatch is how many emissions an owner without helpers takes
	// from the queue at once.
	deliveryBatch = 16
	// drainBatch is how many emissions an owner delivers before it puts
	// the signal back in the run queue, if more are waiting and another
	// task waits for a worker: a shared pool serves its other signals in
	// turn.
	drainBatch = 256
	// An owner brings in helpers when emissions pile up (helpBacklog
	// waiting per worker already delivering) and take long to deliver:
	// at least helpSlow each on average in the last batch. Delivering
	// cheap listeners on several workers at once is slower than on one:
	// the listeners' own data moves between the processors' caches with
	// each emission, and on few cores the helpers take the processor from
	// the producers (BenchmarkFireForget in bench/internal/peers).
	// lingerPolls is how many times an owner that has emptied the queue
	// looks at it again before it gives the signal up (see linger): about
	// a microsecond.
	lingerPolls = 256
	helpBacklog = 32
	helpSlow    = 5 * time.Microsecond
	// roomSpin is how long a producer that finds the queue full polls it
	// before it parks (see pollRoom).
	roomSpin = 50 * time.Microsecond
)

// closeInbox closes the signal's queue, or installs a closed one if the signal
// has none yet.
func (s *AsyncSignal[T]) closeInbox() {
	for {
		if q := s.inbox.Load(); q != nil {
			q.close()
			return
		}
		q := newQueue[delivery[T]](1)
		q.close()
		if s.inbox.CompareAndSwap(nil, q) {
			return
		}
	}
}

// inboxFor returns the signal's queue, creating it, with the capacity of
// pool p, on first use.
func (s *AsyncSignal[T]) inboxFor(p *WorkerPool) *queue[delivery[T]] {
	if q := s.inbox.Load(); q != nil {
		return q
	}
	q := newQueue[delivery[T]](p.capacity)
	if s.inbox.CompareAndSwap(nil, q) {
		return q
	}
	return s.inbox.Load()
}

// push queues d in q and makes sure a worker of p delivers it, applying the
// overflow policy if q is full. ctx ends a wait for room.
func (s *AsyncSignal[T]) push(ctx context.Context, q *queue[delivery[T]], d *delivery[T], p *WorkerPool) error {
	drop := s.overflow == OverflowDrop
	for {
		switch q.push(d, !drop) {
		case pushed:
			s.schedule(p)
			return nil
		case isSealed:
			return ErrClosed
		case busy:
			// The queue is full but for a batch that the owner is
			// taking out: wait as for a full queue, so that this
			// producer sleeps until half the queue is free instead
			// of yielding the processor once per emission, which
			// took a third of the time of a producer that outruns
			// one listener (BenchmarkFireForget/listeners=1 in
			// bench/internal/peers). A small queue may be less than
			// half full then: look again.
			if q.len() <= q.capacity/2 {
				runtime.Gosched()
				continue
			}
		}
		if drop { // full: with OverflowDrop, push waits for slots handed back
			return ErrQueueFull
		}
		if onDelivery() {
			// A listener that a pool worker runs enqueues into a full
			// queue. Waiting could deadlock: this pool's workers may be
			// waiting, directly or through other pools, for the very
			// worker that runs the listener. Deliver the emission here.
			s.deliver(d)
			return nil
		}
		if err := s.waitForRoom(ctx, q, p); err != nil {
			return err
		}
	}
}

// schedule makes sure a worker of p delivers the signal's queue, after a
// push: it schedules the signal if it is not.
func (s *AsyncSignal[T]) schedule(p *WorkerPool) {
	switch {
	case s.sched.Load() == 0 && s.sched.CompareAndSwap(0, 1):
		if !p.submit(s) {
			// The pool has shut down since Enqueue looked: no worker
			// will deliver. Deliver what is queued here.
			s.drain(false, true)
		}
	case s.drainers.Load() == 0 && p.idle.Load() > 0 && len(p.wake) == 0:
		// The signal waits in the run queue for a worker that was woken
		// and has not started yet: wake another one as well. Whichever
		// starts first delivers. A woken goroutine waits for its turn
		// behind the goroutine that woke it, until a free processor
		// takes it from there (runtime: the P's runnext), which on a
		// VM can take tens of microseconds; a second woken goroutine
		// moves the first to where another processor takes it at once.
		// Once: while a token waits in wake, more would wake no one.
		p.nudge()
	}
}

// waitForRoom waits until q is at most half full, ctx is done, or the pool or
// the signal shuts down. Waiting for half rather than for one free slot lets a
// producer that keeps a queue full refill it in bursts, instead of waiting
// (and being woken) once per emission.
func (s *AsyncSignal[T]) waitForRoom(ctx context.Context, q *queue[delivery[T]], p *WorkerPool) error {
	if s.pollRoom(q) {
		return nil
	}
	room := s.room.next()
	// The waiting side of the handshake with deliverSome: counted first,
	// then a last look at the queue.
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	if q.len() <= q.capacity/2 {
		return nil
	}
	select {
	case <-room:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-p.closing.done():
		return ErrClosed
	case <-s.closing.done():
		return ErrClosed
	}
}

// pollRoom looks at q, yielding the processor between looks, for up to
// roomSpin, and reports whether it has become at most half full.
//
// A producer that outruns the owner waits for about half a queue of
// deliveries, tens of microseconds for cheap listeners. Parked, it is woken
// through the scheduler, which puts it behind the owner on the owner's
// processor until another processor takes it, and that often took longer:
// the owner delivered the whole queue and gave the signal up before the
// producer ran again (BenchmarkFireForget/listeners=10 in
// bench/internal/peers). Polling, it goes on as soon as there is room, and
// the owner neither wakes it nor allocates a channel for it.
func (s *AsyncSignal[T]) pollRoom(q *queue[delivery[T]]) bool {
	deadline := monotime() + roomSpin
	for i := 1; ; i++ {
		if q.len() <= q.capacity/2 {
			return true
		}
		if i%16 == 0 && monotime() > deadline {
			return false
		}
		runtime.Gosched()
	}
}

// run is the task of a scheduled signal: a worker delivers the signal's queue
// as its owner.
func (s *AsyncSignal[T]) run() { s.drain(false, false) }

// drop is the task of a scheduled signal whose pool's shutdown ran out of
// time: the queued emissions are discarded.
func (s *AsyncSignal[T]) drop() { s.drain(true, false) }

// drain delivers (or discards) the signal's queue as its owner, until it is
// empty or a batch has been delivered; then it gives the signal up, or puts it
// back in the run queue. inline is set when an Enqueue drains on its own
// goroutine because the pool has shut down: it delivers everything.
//
// While it has no helper, the owner takes emissions from the queue in
// batches, with one compare-and-swap each, and delivers a batch with one call
// slot (deliverAll). Helpers take them one at a time, so that emissions still
// start in the order they were enqueued.
//
// A listener may end the goroutine with runtime.Goexit (t.FailNow does). The
// emission's own recovery has then finished that delivery, and deliverAll's
// those of the batch; drain's deferred function puts the signal, still
// scheduled, back in the run queue, where the worker that replaces this one
// (see WorkerPool.worker) finds it.
func (s *AsyncSignal[T]) drain(discard, inline bool) {
	p, q := s.pool.Load().p, s.inbox.Load()
	s.drainers.Add(1)
	returned := false
	defer func() {
		if !returned {
			if inline {
				s.drain(discard, true) // runs in the deferred call, before the goroutine exits
			} else {
				p.requeue(s)
			}
		}
		s.drainerLeft()
	}()
	var batch [deliveryBatch]delivery[T]
	var last time.Duration // when the last full batch was delivered, or 0
	for n := 0; ; {
		var k int
		if s.helpers.Load() == 0 {
			k = q.popBatch(batch[:])
		} else if q.pop(&batch[0]) {
			k = 1
		}
		if k == 0 && !inline && s.linger(q, p) {
			continue
		}
		if k == 0 {
			// The queue looks empty: give the signal up, then look
			// again (the handshake described at the top of this file).
			s.sched.Store(0)
			if !q.pop(&batch[0]) {
				break
			}
			if !s.sched.CompareAndSwap(0, 1) {
				// A producer scheduled the signal meanwhile:
				// another worker owns it now. This emission is ours.
				s.deliverSome(batch[:1], q, p, discard)
				break
			}
			k = 1
		}
		n += k
		s.deliverSome(batch[:k], q, p, discard)
		if k < deliveryBatch {
			// The owner keeps up: no helper is needed. The clock is
			// read once per full batch, and a batch is timed from the
			// end of the full one before it. (Reading it twice per
			// batch cost 7 % of a delivery to one listener,
			// BenchmarkFireForget/listeners=1.)
			last = 0
		} else {
			t := monotime()
			if last != 0 && t-last >= time.Duration(k)*helpSlow {
				s.recruit(q, p)
			}
			last = t
		}
		if n >= drainBatch && !inline {
			if p.queued.Load() == 0 {
				// No other task waits for a worker: go on. Putting
				// the signal back then let a producer, which found
				// it scheduled but with no worker delivering, wake
				// a second worker that took it over, on another
				// processor, once every three times
				// (BenchmarkFireForget/listeners=10 in
				// bench/internal/peers).
				n = 0
			} else if q.len() > 0 {
				p.requeue(s) // still scheduled: this worker, or another, goes on
				break
			}
		}
	}
	returned = true
}

// linger watches q, which the owner has found empty, for a moment before the
// owner gives the signal up, and reports whether an emission has arrived
// meanwhile. A producer that enqueues emissions one after another keeps a
// queue that its owner empties at once, and giving the signal up after each
// would cost a wake-up of a parked worker per emission, each several
// microseconds of system calls, where the next emission is tens of
// nanoseconds away (BenchmarkFireForget/listeners=1 in bench/internal/peers).
// It stops early when another task waits in the pool's run queue.
func (s *AsyncSignal[T]) linger(q *queue[delivery[T]], p *WorkerPool) bool {
	for range lingerPolls {
		if q.ready() {
			return true
		}
		if p.queued.Load() > 0 {
			return false
		}
	}
	return false
}

// recruit brings in helpers for the owner, one per helpBacklog emissions
// waiting, as long as the pool has workers to spare.
func (s *AsyncSignal[T]) recruit(q *queue[delivery[T]], p *WorkerPool) {
	for n := q.len(); n >= helpBacklog*int(s.helpers.Load()+1) && s.helpers.Load() < p.size-1; {
		s.helpers.Add(1)
		if !p.help(drainHelp[T]{s}) {
			s.helpers.Add(-1)
			return
		}
	}
}

// deliverSome delivers (or discards) ds, emissions a worker has just taken
// from q, and wakes producers waiting for room.
func (s *AsyncSignal[T]) deliverSome(ds []delivery[T], q *queue[delivery[T]], p *WorkerPool, discard bool) {
	// The other side of waitForRoom's handshake: the emissions have left
	// the queue (pop), then the count of waiting producers is read. They
	// are woken once the queue is half empty.
	if s.waiting.Load() > 0 && q.len() <= q.capacity/2 {
		s.room.wake()
	}
	switch {
	case discard || s.dropping.Load() || p.dropping.Load():
		for i := range ds {
			s.discard(&ds[i])
		}
		return
	case len(ds) == 1 && len(ds[0].v.entries) > 1 && p.idle.Load() > 0 && q.len() == 0:
		// Nothing else waits, and a worker is idle: deliver this
		// emission with the idle workers, its listeners at once, as
		// Emit does.
		q := s.waited(&ds[0])
		s.deliverFanout(&ds[0], p, &q)
		ds[0] = delivery[T]{}
		return
	}
	s.deliverAll(ds, p)
}

// drainHelp is the task of a worker that helps a signal's owner deliver its
// queue: it delivers from the same queue until it is empty.
type drainHelp[T any] struct{ s *AsyncSignal[T] }

func (h drainHelp[T]) run() {
	s := h.s
	p, q := s.pool.Load().p, s.inbox.Load()
	s.drainers.Add(1)
	defer func() {
		s.helpers.Add(-1)
		s.drainerLeft()
	}()
	var d [1]delivery[T]
	for q.pop(&d[0]) {
		s.deliverSome(d[:], q, p, false)
	}
}

func (h drainHelp[T]) drop() {
	h.s.helpers.Add(-1)
}

// deliverAll delivers ds, one emission after another, on the calling
// goroutine. Emissions on the fast path (nothing observes their view, their
// context cannot be cancelled) share one call slot, which announces the
// view's generation once for the whole batch.
//
// The listeners of a plain view (see view.plain) are called by a loop of their
// own (callPlain, or callPlainPairs from pairsFrom listeners), because the per-listener step of the other paths costs
// about twice a bare indirect call (BenchmarkDeliverBatch): a listener step
// is the call alone, Reset is looked for once per emission, and one deferred
// function protects the whole batch instead of one per emission. Reset may
// thus wait for the rest of an emission that has started, never for a
// listener called after it has returned.
//
// A listener of that loop that panics or calls runtime.Goexit is handled by
// the deferred function as callFast handles one (fastInterrupted: recorded,
// and the emission goes on at the next listener on the general path); then it
// delivers the emissions left in ds, before the goroutine exits in the case
// of Goexit: they are no longer in the queue. Emissions taken from the queue
// but not yet started are discarded, as those still in the queue, if a
// Shutdown runs out of time.
func (s *AsyncSignal[T]) deliverAll(ds []delivery[T], p *WorkerPool) {
	var c caller
	i, cur := 0, -1 // cur: the listener of ds[i] the plain loop calls, or -1
	defer func() {
		if i < len(ds) { // a listener panicked (plain loop) or called runtime.Goexit
			// The rest of the batch is delivered by a deferred call, so
			// that it is delivered even if finishing ds[i] does not
			// return: a later listener of it, or the error handler,
			// may call runtime.Goexit, which runs deferred calls only.
			defer s.deliverAll(ds[i+1:], p)
			if cur >= 0 {
				d := &ds[i]
				s.fastInterrupted(d.ctx, d.payload, d.v, c, cur, recover())
			}
			c = caller{}
		}
	}()
	for ; i < len(ds); i++ {
		if len(ds) > 1 || s.unstarted.Load() != 0 {
			// The owner's batch: this emission starts, those after
			// it are still queued. (A helper takes one emission at a
			// time, never while the owner holds a batch.)
			s.unstarted.Store(int32(len(ds) - 1 - i)) // #nosec G115 -- at most deliveryBatch
		}
		d := &ds[i]
		v := d.v
		switch {
		case s.dropping.Load() || p.dropping.Load():
			c.end()
			s.discard(d)
		case v.obs != nil || d.queued != 0 || d.by != nil || d.ctx.Done() != nil:
			c.end()
			s.deliver(d)
		case len(v.entries) == 0:
		default:
			if c.gen != v.gen || !c.started() {
				c.end()
				c.begin(&s.removals, v.gen)
			}
			// The plain loop needs the generation announced (or
			// counted) and not removed: true from the second
			// emission of a batch on, and from the start in a
			// call slot.
			if c.held != c.gen || !v.plain() || c.gen.state.Load()&stateRemoved != 0 {
				s.callFast(&c, d.ctx, d.payload, v)
				break
			}
			if len(v.entries) < pairsFrom {
				callPlain(v.entries, d.ctx, d.payload, &cur)
			} else {
				callPlainPairs(v.entries, d.ctx, d.payload, &cur)
			}
			cur = -1
		}
	}
	c.end()
	clear(ds) // keep no reference to the emissions
}

// drainerLeft is called when a worker stops delivering the signal's queue:
// a Shutdown that waits for the deliveries to end may look again.
func (s *AsyncSignal[T]) drainerLeft() {
	if s.drainers.Add(-1) == 0 && s.closing.hasFired() {
		s.settled.wake()
	}
}

// deliver calls the listeners of d on the calling goroutine, as an emission of
// its own.
func (s *AsyncSignal[T]) deliver(d *delivery[T]) {
	q := s.waited(d)
	s.emitView(d.ctx, d.payload, d.v, KindAsync, OpDeliver, &q)
}

// waited returns what the delivery of d knows of its enqueue: how long it
// waited in the queue, if that was timed (counted in the stats if they are
// on), and the enqueue's observer.
func (s *AsyncSignal[T]) waited(d *delivery[T]) enqueued {
	if d.queued == 0 {
		return enqueued{by: d.by}
	}
	wait := monotime() - d.queued
	if o := d.v.obs; o != nil && o.stats {
		s.counters.waited(wait)
	}
	return enqueued{wait: wait, by: d.by}
}

// discard counts a queued delivery as dropped instead of delivered.
func (s *AsyncSignal[T]) discard(d *delivery[T]) {
	s.counters.dropped.Add(1)
	if o := d.v.obs; o != nil && o.collector != nil {
		o.collector.Dropped(d.ctx, s.Name(), ErrClosed)
	}
	*d = delivery[T]{}
}

// quiet reports whether the signal's queue, which Shutdown has closed, is
// drained and no delivery is in progress.
func (s *AsyncSignal[T]) quiet() bool {
	return s.inbox.Load().drained() && s.sched.Load() == 0 && s.drainers.Load() == 0
}

// awaitQuiet waits until the signal is quiet or ctx is done.
func (s *AsyncSignal[T]) awaitQuiet(ctx context.Context) error {
	for {
		ch := s.settled.next()
		if s.quiet() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// callPlain calls the plain listeners xs in order, with ctx and payload, for
// deliverAll. If one of them does not return (it panics or calls
// runtime.Goexit), *at is its index when deliverAll's deferred function runs:
// callPlain's own deferred function, which runs first, sets it.
//
// The loop is a function of its own, and of this form, for speed that does
// not depend on where the linker puts the code:
//   - written out in deliverAll, the loop reloaded deliverAll's eleven live
//     values from the stack after each call, and its speed moved with any
//     change to deliverAll: 3.4 to 5.2 ns per call to 100 listeners from one
//     build to the next (BenchmarkDeliverBatch), against 2.4 for a bare loop;
//   - as a function of its own that stores the index before each call, it
//     took 2.9 to 4.1 ns per call, depending on its address; with the index
//     kept for the deferred function, as here, 2.5 ns at each of the six
//     addresses tried.
//
// In BenchmarkFireForget (bench/internal/peers), 5 paired rounds, Enqueue ÷
// the channel reference went from 0.90 to 1.08 at 100 listeners and from
// 1.04 to 1.11 at 10, and stayed at 1.21–1.26 at one listener. (Calling a
// single listener directly instead, outside callPlain, made one listener
// fall to 0.77 in the same rounds.)
func callPlain[T any](xs []entry[T], ctx context.Context, payload T, at *int) {
	j := 0
	defer func() { *at = j }()
	for ; j < len(xs); j++ {
		xs[j].fn(ctx, payload)
	}
}

// pairsFrom is the number of listeners from which deliverAll calls them
// through callPlainPairs.
const pairsFrom = 4

// callPlainPairs is callPlain with its loop unrolled, two listeners a turn,
// for views of pairsFrom listeners or more. In BenchmarkFireForget, 5 paired
// rounds, Enqueue ÷ the channel reference went from 0.89 to 1.16 at 100
// listeners and from 1.08 to 1.22 at 10. Views of fewer listeners stay with
// callPlain: through callPlainPairs, one listener measured 0.77 instead of
// 1.6, and a profile of that run shows the producer and the owner, which
// outruns it, both stalled on the ring's slots.
func callPlainPairs[T any](xs []entry[T], ctx context.Context, payload T, at *int) {
	j := 0
	defer func() { *at = j }()
	for ; j+1 < len(xs); j++ {
		xs[j].fn(ctx, payload)
		j++
		xs[j].fn(ctx, payload)
	}
	if j < len(xs) {
		xs[j].fn(ctx, payload)
		j++
	}
}
