package signals

import (
	"context"
	"sync/atomic"
	"time"
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

	pool        atomic.Pointer[poolRef]
	queuedLen   atomic.Int64 // emissions of this signal in the queue
	outstanding activity     // enqueued emissions not yet delivered or dropped
	dropping    atomic.Bool  // Shutdown ran out of time: drop queued emissions
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
	if n <= 1 || s.outstanding.closed() {
		s.emitFast(ctx, payload, KindAsync)
		return
	}
	pool := s.poolRef().p
	if pool == nil { // shut down meanwhile, before the signal needed a pool
		s.emitFast(ctx, payload, KindAsync)
		return
	}
	f := &fanout[T]{s: s, pool: pool, ctx: ctx, payload: payload, v: v, o: v.obs}
	if f.o != nil {
		f.info = Emission{Signal: s.Name(), Kind: KindAsync, Op: OpEmit, Listeners: n}
		if f.o.collector != nil {
			var c context.Context
			if c, f.flags = f.o.collector.EmitStart(ctx, f.info); c != nil {
				f.ctx = c
			}
			if f.flags&ObserveDurations != 0 {
				f.start = time.Now()
			}
		}
	}
	f.done = f.ctx.Done()
	f.wctx = workerCtx{Context: f.ctx, pool: f.pool}
	f.wg.Add(n)
	f.pool.help(help[T]{f})
	f.work(false)
	f.endEmit()
}

// Enqueue queues an emission and returns without waiting for any listener: a
// pool worker delivers it later to the listeners registered when Enqueue was
// called (except those removed before their call starts), concurrently, in the
// same way as Emit. Its cost to the caller does not depend on the number of
// listeners.
//
// If the queue is full, the signal's [OverflowPolicy] applies: by default
// Enqueue waits for room until ctx is done (returning ctx's error); with
// [OverflowDrop] it drops the emission and returns [ErrQueueFull]. After
// Close, it returns [ErrClosed]. Listener failures are handled as for Emit:
// recorded, and passed to the error handler.
//
// Emissions start in the order they were enqueued. With a pool of one worker,
// each listener receives them in that order; with more workers, a listener
// may receive them concurrently, in any order.
//
// ctx is passed to the listeners: if it is cancelled before the delivery
// reaches a listener, that listener is skipped. A nil ctx is treated as
// context.Background().
func (s *AsyncSignal[T]) Enqueue(ctx context.Context, payload T) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if !s.outstanding.acquire() {
		return ErrClosed
	}
	v := s.load()
	if v == nil || (len(v.entries) == 0 && v.obs == nil) {
		s.outstanding.release()
		return nil // nothing would receive it
	}
	pool := s.poolRef().p
	if pool == nil { // a Shutdown that ran out of time has recorded that the signal has no pool
		s.outstanding.release()
		return ErrClosed
	}
	f := &fanout[T]{s: s, pool: pool, ctx: ctx, payload: payload, v: v, o: v.obs}
	// Once queued, f belongs to the worker that delivers it: what the
	// publisher side needs afterwards is kept here.
	var (
		collector MetricsCollector
		info      Emission
		flags     Observe
		start     time.Time
	)
	if f.o != nil {
		info = Emission{Signal: s.Name(), Kind: KindAsync, Op: OpEnqueue, Listeners: len(v.entries)}
		if collector = f.o.collector; collector != nil {
			var c context.Context
			if c, flags = collector.EmitStart(ctx, info); c != nil {
				ctx = c
			}
		}
		if flags&ObserveDurations != 0 || f.o.stats {
			start = time.Now()
			f.queued = start
		}
	}
	f.ctx, f.info, f.done = ctx, info, ctx.Done()
	s.queuedLen.Add(1)
	err := f.pool.enqueue(ctx, f, s.overflow == OverflowBlock, &s.outstanding)
	if err != nil {
		s.queuedLen.Add(-1)
		if err == ErrQueueFull {
			s.counters.dropped.Add(1)
			if collector != nil {
				collector.Dropped(ctx, info.Signal, ErrQueueFull)
			}
		}
		s.outstanding.release()
	}
	if flags&ObserveEnd != 0 {
		var d time.Duration
		if !start.IsZero() {
			d = time.Since(start)
		}
		collector.EmitEnd(ctx, info, EmitResult{Duration: d, Err: err})
	}
	return err
}

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
	idle := s.outstanding.close()
	if onDelivery() {
		ref := s.closeRef()
		if ref.own {
			ref.p.beginShutdown()
		}
		select {
		case <-idle:
			if !ref.own || ref.p.shutDown() {
				return nil
			}
		default:
		}
		return ErrCloseFromListener
	}
	select {
	case <-idle:
	case <-ctx.Done():
		s.dropping.Store(true)
		if ref := s.closeRef(); ref.own {
			_ = ref.p.Shutdown(ctx) // ctx is done: it drops what is queued and returns ctx's error
		}
		return ctx.Err()
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
		st.QueueLen = int(max(s.queuedLen.Load(), 0))
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
