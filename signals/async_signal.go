package signals

import (
	"context"
	"sync"
	"sync/atomic"
)

// AsyncSignal is a signal whose listeners run concurrently, on a [WorkerPool].
//
// [AsyncSignal.Emit] keeps its v1.3 meaning: it runs the listeners
// concurrently and returns when all of them have returned. The emitting
// goroutine calls listeners itself while pool workers help, so a single
// listener runs on the caller's goroutine without any hand-over, and an emission
// never waits for a worker to be free. [AsyncSignal.Enqueue] is the
// fire-and-forget emission: it queues the emission and returns at once, and
// pool workers deliver it.
//
// The zero value is a signal with no listeners and the default options, ready
// to use; its pool is created when first needed. An AsyncSignal must not be
// copied after first use. All its methods are safe for concurrent use. Call
// [AsyncSignal.Close] when done with it to deliver what is queued and release
// its workers; a signal that is not closed holds no goroutine once its workers
// have been idle for the idle timeout.
type AsyncSignal[T any] struct {
	base[T]

	poolOpts PoolOptions
	shared   *WorkerPool
	overflow OverflowPolicy

	pool atomic.Pointer[poolRef]

	// The queue of enqueued emissions and its delivery (see inbox.go).
	inbox    atomic.Pointer[queue[delivery[T]]] // made by the first Enqueue
	sched    atomic.Int32                       // 1: in the run queue, or a worker owns the queue
	drainers atomic.Int32                       // workers delivering from the queue
	helpers  atomic.Int32                       // of them, helpers of the owner
	waiting  atomic.Int32                       // producers waiting for room
	room     notifier                           // where they wait
	closing  event                              // Shutdown has started
	settled  notifier                           // where Shutdown waits for the deliveries
	dropping atomic.Bool                        // Shutdown ran out of time: drop queued emissions
	// unstarted counts the emissions that the owner has taken from the
	// queue in a batch and not yet started: they are still queued, as
	// Stats and the queue-depth gauge see it. Only the owner writes it.
	unstarted atomic.Int32

	fanouts sync.Pool // of *fanout[T], for Emit
}

// poolRef is the pool a signal uses, and whether the signal created it. A
// signal shut down before it needed a pool holds a poolRef with no pool, so
// that an Emit racing the shutdown cannot start one that nothing shuts down.
type poolRef struct {
	p   *WorkerPool
	own bool
}

// initAsync applies opts to a signal that is not yet shared.
func (s *AsyncSignal[T]) initAsync(opts *SignalOptions) {
	s.init(opts)
	if opts == nil {
		return
	}
	s.poolOpts = PoolOptions{
		Size:        opts.WorkerPoolSize,
		MinWorkers:  opts.MinWorkers,
		IdleTimeout: opts.IdleTimeout,
		QueueSize:   opts.QueueSize,
		Spin:        opts.WorkerSpin,
	}
	s.shared = opts.Pool
	s.overflow = opts.Overflow
}

// Pool returns the signal's worker pool, creating it if the signal has none
// yet. After Close, a signal that never needed a pool returns one that is shut
// down.
func (s *AsyncSignal[T]) Pool() *WorkerPool {
	ref := s.poolRef()
	for ref.p == nil {
		p := NewWorkerPool(s.poolOpts)
		p.beginShutdown() // it has no worker: this returns at once
		if s.pool.CompareAndSwap(ref, &poolRef{p: p, own: true}) {
			return p
		}
		ref = s.pool.Load()
	}
	return ref.p
}

// poolRef returns the signal's pool reference, creating the pool if the signal
// has none yet; the pool starts no goroutine until it has work. The reference
// has no pool if the signal was shut down before it needed one.
func (s *AsyncSignal[T]) poolRef() *poolRef {
	if ref := s.pool.Load(); ref != nil {
		return ref
	}
	ref := &poolRef{p: s.shared}
	if ref.p == nil {
		ref.p = defaultPool.Load()
	}
	if ref.p == nil {
		ref.p, ref.own = NewWorkerPool(s.poolOpts), true
	}
	if s.pool.CompareAndSwap(nil, ref) {
		return ref
	}
	return s.pool.Load() // another goroutine won; the pool made here never started
}

// closeRef returns the pool reference a shutdown acts on. A signal that has no
// pool yet records that it has none: an Emit that races the shutdown then
// calls its listeners itself, instead of starting workers that nothing would
// shut down.
func (s *AsyncSignal[T]) closeRef() *poolRef {
	if ref := s.pool.Load(); ref != nil {
		return ref
	}
	if none := new(poolRef); s.pool.CompareAndSwap(nil, none) {
		return none
	}
	return s.pool.Load()
}

// Emit calls every listener concurrently and returns when all of them have
// returned. The emitting goroutine calls listeners itself, and pool workers
// that are free help; a single listener is called on the emitting goroutine.
// Listeners start in registration order, but run concurrently, so they may
// finish in any order.
//
// A listener's error or panic is recorded and passed to the error handler,
// and never affects the other listeners. If ctx is cancelled, listeners that
// have not started yet are skipped. A nil ctx is treated as
// context.Background(). After Close, Emit still calls the listeners, one after
// another, on the emitting goroutine.
func (s *AsyncSignal[T]) Emit(ctx context.Context, payload T) {
	v := s.load()
	if v == nil {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n := len(v.entries)
	if n <= 1 || s.closing.hasFired() {
		s.emitView(ctx, payload, v, KindAsync, OpEmit, nil)
		return
	}
	pool := s.poolRef().p
	if pool == nil { // shut down meanwhile, before the signal needed a pool
		s.emitView(ctx, payload, v, KindAsync, OpEmit, nil)
		return
	}
	f := s.newFanout(ctx, payload, v, pool)
	f.begin(OpEmit, nil)
	f.wg.Add(n)
	f.offer()
	f.work(false)
	f.endEmit()
	f.release()
}

// Enqueue queues an emission and returns without waiting for any listener: a
// pool worker delivers it later to the listeners registered when Enqueue was
// called (except those removed before their call starts). Its cost to the
// caller does not depend on the number of listeners, and it allocates
// nothing.
//
// If the queue is full, the signal's [OverflowPolicy] applies: by default
// Enqueue waits for room until ctx is done (returning ctx's error); with
// [OverflowDrop] it drops the emission and returns [ErrQueueFull]. After
// Close, it returns [ErrClosed]. Listener failures are handled as for Emit:
// recorded, and passed to the error handler.
//
// Emissions start in the order they were enqueued: a worker calls the
// listeners of each, one after another. With a pool of one worker, each
// listener receives them in that order; with more workers, several may
// deliver emissions of the signal at once, so a listener may receive them
// concurrently, in any order.
//
// ctx is passed to the listeners: if it is cancelled before the delivery
// reaches a listener, that listener is skipped. A nil ctx is treated as
// context.Background().
func (s *AsyncSignal[T]) Enqueue(ctx context.Context, payload T) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if s.closing.hasFired() {
		return ErrClosed
	}
	v := s.load()
	if v == nil || (len(v.entries) == 0 && v.obs == nil) {
		return nil // nothing would receive it
	}
	pool := s.poolRef().p
	if pool == nil || pool.closing.hasFired() {
		return ErrClosed
	}
	d := delivery[T]{v: v, ctx: ctx, payload: payload}
	var w watch
	if o := v.obs; o != nil {
		if o.collector != nil && o.shows() {
			d.ctx = w.begin(ctx, o.collector, s.emission(v, OpEnqueue, nil), nil)
			d.by = w.eo // the delivery's collector learns what the enqueue decided
		}
		if d.queued = w.start; d.queued == 0 && o.stats {
			d.queued = monotime()
		}
	}
	ctx = d.ctx
	err := s.push(ctx, s.inboxFor(pool), &d, pool)
	if err == ErrQueueFull {
		s.counters.dropped.Add(1)
		if o := v.obs; o != nil && o.collector != nil {
			o.collector.Dropped(ctx, s.Name(), ErrQueueFull)
		}
	}
	w.end(ctx, nil, 0, err)
	return err
}

// Overflow returns what Enqueue does when the signal's queue is full: the
// [SignalOptions.Overflow] the signal was created with.
func (s *AsyncSignal[T]) Overflow() OverflowPolicy { return s.overflow }

// Close stops the signal from accepting enqueued emissions, delivers those
// already queued, waits for the listeners they run, and, if the signal created
// its own pool, shuts the pool down and waits for its workers to exit. It is
// Shutdown without a deadline, and returns nil, or [ErrCloseFromListener] when
// called from a listener that a pool worker runs. Calling it again is
// harmless.
//
// Once Close has returned nil, no goroutine of the signal is left, whatever
// ran at the same time: an Emit racing Close calls its listeners itself when
// the signal's pool has shut down.
func (s *AsyncSignal[T]) Close() error {
	return s.Shutdown(context.Background())
}

// Shutdown is Close with a deadline: if ctx ends before the queued emissions
// have been delivered, the rest are dropped (counted in [Stats.Dropped]) and
// Shutdown returns ctx's error; listeners already running finish on their own,
// and the pool's workers exit when they have. After Shutdown, Enqueue returns
// [ErrClosed] and Emit calls the listeners on the emitting goroutine. Calling
// Shutdown again waits in the same way.
//
// Called from a listener that a pool worker runs (of any pool: the delivery
// that runs it may be one that Shutdown would wait for), Shutdown cannot wait:
// it closes the signal, starts the shutdown of its own pool, and returns
// [ErrCloseFromListener] at once, or nil if there was nothing to wait for. The
// queued emissions are still delivered, and the workers exit after the
// listener has returned.
func (s *AsyncSignal[T]) Shutdown(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// Closing the queue ends Enqueue: an Enqueue that has claimed its
	// slot before completes, and the deliveries empty the queue.
	s.closing.fire()
	s.closeInbox()
	if onDelivery() {
		ref := s.closeRef()
		if ref.own {
			ref.p.beginShutdown()
		}
		if s.quiet() && (!ref.own || ref.p.shutDown()) {
			return nil
		}
		return ErrCloseFromListener
	}
	if err := s.awaitQuiet(ctx); err != nil {
		s.dropping.Store(true)
		if ref := s.closeRef(); ref.own {
			_ = ref.p.Shutdown(ctx) // ctx is done: it drops what is queued and returns ctx's error
		}
		return err
	}
	if ref := s.closeRef(); ref.own {
		return ref.p.Shutdown(ctx)
	}
	return nil
}

// Stats returns a snapshot of the signal's counters, listeners, pool and
// queue. See [BaseSignal.Stats].
func (s *AsyncSignal[T]) Stats() Stats {
	st := s.base.Stats()
	if ref := s.pool.Load(); ref != nil && ref.p != nil {
		ps := ref.p.Stats()
		st.PoolSize, st.Workers, st.BusyWorkers, st.QueueCap = ps.Size, ps.Workers, ps.Busy, ps.QueueCap
		if q := s.inbox.Load(); q != nil {
			st.QueueLen = q.len() + int(s.unstarted.Load())
		}
	}
	return st
}

// Health is [BaseSignal.Health] with the queue's fill level as well
// ([ErrQueueSaturated]).
func (s *AsyncSignal[T]) Health() error {
	return s.health.check(s.Stats())
}

// IsHealthy reports whether [AsyncSignal.Health] finds no problem.
func (s *AsyncSignal[T]) IsHealthy() bool {
	return s.Health() == nil
}

// Kind returns [KindAsync].
func (s *AsyncSignal[T]) Kind() Kind { return KindAsync }
