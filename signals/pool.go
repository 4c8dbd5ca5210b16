package signals

import (
	"context"
	"maps"
	"math"
	"runtime"
	"sync/atomic"
	"time"
)

// PoolOptions configures a [WorkerPool]. For every field, zero means the default
// given.
type PoolOptions struct {
	// Size is the most worker goroutines the pool runs. Default
	// [DefaultWorkerPoolSize].
	Size int
	// MinWorkers is the number of workers that stay alive when idle. Default
	// 0: an unused pool holds no goroutine.
	MinWorkers int
	// IdleTimeout is how long a worker waits for work before it exits.
	// Default [DefaultIdleTimeout].
	IdleTimeout time.Duration
	// QueueSize is the capacity of the queue of enqueued emissions of each
	// signal that uses the pool. Default [DefaultQueueSize]; at most
	// [MaxQueueSize], to which a larger value is lowered. A signal's queue
	// takes memory as it fills (the emission's context, payload and 24 bytes
	// per slot, in slots of a power of two), and keeps it.
	QueueSize int
	// Spin is how long a worker that ran out of work keeps polling the queue,
	// yielding the processor between polls, before it parks. A parked worker
	// takes the operating system tens of microseconds to wake; a spinning one
	// starts an enqueued emission in about a microsecond, at the cost of
	// keeping a processor busy for Spin after each burst of work. Default 0:
	// workers park at once. See docs/capacity-planning.md for measurements.
	Spin time.Duration
}

// WorkerPool runs the listeners of [AsyncSignal] emissions on a bounded set of
// goroutines. Every AsyncSignal has one: its own, created when it first needs
// it, or one shared with other signals through [SignalOptions.Pool] or
// [SetDefaultPool].
//
// Workers start when there is work and none is idle, up to Size, and exit
// after IdleTimeout without work, down to MinWorkers. Each signal queues its
// enqueued emissions in a lock-free queue of its own; the pool's run queue
// holds the signals that have emissions waiting, and a worker that takes one
// delivers its emissions one after another until none is left (or, to be
// fair to the other signals of a shared pool, until it has delivered a batch).
// Handing work to an idle worker is one channel operation per batch, never one
// per emission or per listener.
//
// A WorkerPool is safe for concurrent use. Its owner calls [WorkerPool.Close]
// or [WorkerPool.Shutdown] when done with it; until then, idle workers end on
// their own after IdleTimeout.
type WorkerPool struct {
	size        int32
	minWorkers  int32
	idleTimeout time.Duration
	spin        time.Duration
	capacity    int // of each signal's queue

	queue  *queue[task]
	queued atomic.Int64 // tasks in the run queue, counted before a push and after a pop

	workers  atomic.Int32 // worker goroutines running
	idle     atomic.Int32 // workers parked, waiting for work
	spinning atomic.Int32 // workers polling the queue before they park
	busy     atomic.Int32 // workers running a task

	handoff chan task     // unbuffered: a send succeeds only if a worker waits
	wake    chan struct{} // tokens that tell waiting workers to look at the queue

	// The shutdown, in the order its events fire.
	closing  event       // Shutdown has started: the pool accepts no more work
	pushes   activity    // pushes in progress; closed by Shutdown
	quit     event       // no push can happen any more: workers drain and exit
	exited   event       // the last worker has exited after quit
	dropping atomic.Bool // Shutdown ran out of time: discard queued tasks
}

// task is work a pool runs: a signal whose queued emissions are waiting to be
// delivered, or a helper for an emission (see fanout).
type task interface {
	// run does the work, on a worker.
	run()
	// drop discards a queued task that Shutdown will not run.
	drop()
}

// NewWorkerPool returns a pool configured by opts. It starts no goroutine.
func NewWorkerPool(opts PoolOptions) *WorkerPool {
	if opts.Size <= 0 {
		opts.Size = DefaultWorkerPoolSize()
	}
	opts.MinWorkers = min(max(opts.MinWorkers, 0), opts.Size)
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	opts.QueueSize = min(opts.QueueSize, MaxQueueSize)
	return &WorkerPool{
		size:        int32(min(opts.Size, 1<<30)),       // #nosec G115 -- clamped to 2^30
		minWorkers:  int32(min(opts.MinWorkers, 1<<30)), // #nosec G115 -- clamped to 2^30
		idleTimeout: opts.IdleTimeout,
		spin:        max(opts.Spin, 0),
		capacity:    opts.QueueSize,
		queue:       newQueue[task](math.MaxInt32),
		handoff:     make(chan task),
		wake:        make(chan struct{}, min(opts.Size, 1<<16)),
	}
}

// PoolStats is a snapshot of a [WorkerPool].
type PoolStats struct {
	Size     int // most workers the pool runs
	Workers  int // worker goroutines running
	Busy     int // workers running a task
	QueueLen int // signals whose queued emissions wait for a worker
	QueueCap int // capacity of each signal's queue of emissions
}

// Stats returns a snapshot of the pool. Its values are read one at a time and
// may be mutually inconsistent while the pool runs.
func (p *WorkerPool) Stats() PoolStats {
	return PoolStats{
		Size:     int(p.size),
		Workers:  int(p.workers.Load()),
		Busy:     int(p.busy.Load()),
		QueueLen: int(max(p.queued.Load(), 0)),
		QueueCap: p.capacity,
	}
}

// Size returns the most workers the pool runs.
func (p *WorkerPool) Size() int { return int(p.size) }

// help offers t to a waiting worker, or to a new one if the pool may grow. It
// never blocks and reports whether a worker took t.
func (p *WorkerPool) help(t task) bool {
	return p.handOff(t) || p.spawn(t)
}

// handOff offers t to a waiting worker. It never blocks and reports whether a
// worker took t.
func (p *WorkerPool) handOff(t task) bool {
	select {
	case p.handoff <- t:
		return true
	default:
		return false
	}
}

// spawn starts a worker that runs t first (t may be nil), unless the pool is
// at its size or shutting down.
func (p *WorkerPool) spawn(t task) bool {
	for {
		n := p.workers.Load()
		if n >= p.size {
			return false
		}
		if p.workers.CompareAndSwap(n, n+1) {
			break
		}
	}
	if p.quitting() {
		p.left(p.workers.Add(-1))
		return false
	}
	go p.worker(t)
	return true
}

// submit queues t, a signal with emissions to deliver, and wakes or starts
// a worker for it. It reports false if the pool has shut down: no worker
// would run t.
func (p *WorkerPool) submit(t task) bool {
	if !p.pushes.acquire() {
		return false
	}
	p.push(t)
	p.pushes.release()
	return true
}

// push queues t and wakes or starts a worker for it.
//
// Why no task waits while every worker parks: push and a worker that is
// about to park (see worker) each write one counter, then read the other's.
//
//   - push writes first: it counts the task (queued.Add), then reads how
//     many workers spin and how many are idle.
//   - the worker writes first: it counts itself idle (idle.Add), then reads
//     the count of tasks (queued.Load) before it parks.
//
// All four are sequentially consistent (sync/atomic), so they happen in one
// order that both goroutines agree on, and whichever write comes second in
// it is followed by a read that sees the first: either push sees the worker
// idle and wakes it (a token in wake, which an idle worker takes; if the
// buffer is full, as many tokens as there are workers are pending), or the
// worker sees the task counted and does not park. A spinning worker is the
// same argument with the spinning count: it stops counting itself spinning
// only after it has taken a task, or before it counts itself idle and reads
// queued once more. With no worker idle or spinning, push starts one, or
// finds every worker busy: a busy worker pops the run queue after its task
// and before it parks. (The task is counted before it is in the queue: a
// worker that sees the count but not yet the task loops and looks again.)
func (p *WorkerPool) push(t task) {
	p.queued.Add(1) // first: the write the worker's idle re-check reads
	p.queue.push(&t, false)
	switch { // then: the reads of what the worker writes
	case p.spinning.Load() > 0, p.queued.Load() <= 0:
		// A spinning worker will find it, or already has.
	case p.idle.Load() > 0:
		select {
		case p.wake <- struct{}{}:
		default:
		}
	default:
		p.spawn(nil)
	}
}

// nudge wakes an idle worker, if one is idle and no wake-up is pending: a
// hedge against a worker that was woken and has not started yet.
func (p *WorkerPool) nudge() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// requeue puts t back in the run queue, from a worker that goes back to the
// run queue right after (or that is replaced by a new worker, after
// runtime.Goexit): it wakes no worker, and does not check that the pool
// accepts work, because a worker runs every task queued before it exits.
func (p *WorkerPool) requeue(t task) {
	p.queued.Add(1)
	p.queue.push(&t, false)
}

// pop takes the oldest queued task, or returns nil.
func (p *WorkerPool) pop() task {
	if p.queued.Load() <= 0 {
		return nil
	}
	var t task
	if !p.queue.pop(&t) {
		return nil // counted, but not yet in the queue
	}
	p.queued.Add(-1)
	return t
}

// worker runs tasks until it has been idle for the idle timeout or the pool
// shuts down and its queue is empty.
//
// A listener may end the worker's goroutine with runtime.Goexit (t.FailNow
// does). The emission's own recovery has then finished the worker's part of
// the delivery on the way out (see run.helpOut); the deferred function here
// starts a new worker in its place, which keeps its place in the count of
// workers, so that the pool keeps its size and its shutdown waits for the new
// worker instead.
func (p *WorkerPool) worker(t task) {
	// The idle timer is armed once and re-armed only when it fires: a
	// worker that parks and is woken once per emission would otherwise
	// reset it each time, and resetting a timer takes the runtime's
	// timer lock. worked is when the last task ended.
	var idle *time.Timer
	var worked time.Duration
	returned := false
	defer func() {
		if idle != nil {
			idle.Stop()
		}
		if !returned {
			go p.worker(nil)
		}
	}()
	if t != nil {
		p.runTask(t)
	}
	for {
		if t := p.pop(); t != nil {
			p.runTask(t)
			worked = monotime()
			continue
		}
		if p.quitting() {
			if p.queued.Load() <= 0 {
				break
			}
			continue
		}
		if p.spin > 0 {
			if t := p.spinPop(p.spin); t != nil {
				p.runTask(t)
				continue
			}
		}
		// The idle side of push's handshake (see push for why it is
		// enough): counted idle first, a write that a push from now on
		// reads and answers with a wake-up; then a last look at the count
		// of tasks, which a push before it has written. Parking without
		// the look could miss a task pushed while this worker was on its
		// way here, when that push found no worker idle.
		p.idle.Add(1)
		if p.queued.Load() > 0 {
			p.idle.Add(-1)
			continue
		}
		if idle == nil {
			idle = time.NewTimer(p.idleTimeout)
		}
		select {
		case t := <-p.handoff:
			p.idle.Add(-1)
			p.runTask(t)
			worked = monotime()
			continue
		case <-p.wake:
		case <-p.quit.done():
		case <-idle.C:
			p.idle.Add(-1)
			if rest := p.idleTimeout - (monotime() - worked); worked != 0 && rest > 0 {
				idle.Reset(rest) // it has worked since the timer was armed
				continue
			}
			if p.retire() {
				returned = true
				return
			}
			idle.Reset(p.idleTimeout)
			continue
		}
		p.idle.Add(-1)
	}
	returned = true
	p.left(p.workers.Add(-1))
}

// spinPop polls the queue for up to d and returns the task it took, or nil.
// The worker counts as spinning until it holds the task, so that a producer
// either sees it spinning or sees its task already taken, and neither wakes
// nor starts a worker for it.
func (p *WorkerPool) spinPop(d time.Duration) task {
	p.spinning.Add(1)
	defer p.spinning.Add(-1)
	deadline := time.Now().Add(d)
	for {
		if t := p.pop(); t != nil {
			return t
		}
		if p.quitting() || !time.Now().Before(deadline) {
			return nil
		}
		runtime.Gosched()
	}
}

func (p *WorkerPool) runTask(t task) {
	p.busy.Add(1)
	defer p.busy.Add(-1)
	if p.dropping.Load() {
		t.drop()
		return
	}
	t.run()
}

// shutDown reports whether the pool has shut down: every worker has exited
// after the shutdown began.
func (p *WorkerPool) shutDown() bool { return p.exited.hasFired() }

// onDelivery reports whether the calling goroutine is delivering emissions of
// a worker pool: it is a pool worker, or runs a delivery itself (a listener
// that a worker runs enqueues into a full queue, see enqueue). A shutdown that
// waited for the pool's deliveries would then wait for itself. It reads the
// stack: call it on slow paths only. A producer that outruns a signal's
// owner calls it each time it finds the queue full, so it looks the return
// addresses up in deliveryFrames and allocates nothing once it has seen
// them (but a buffer for a stack deeper than 64 frames); reading the frames'
// names each time took about 4 % of such a producer's CPU
// (BenchmarkFireForget, in bench/internal/peers).
func onDelivery() bool {
	var buf [64]uintptr
	pcs := buf[:]
	n := runtime.Callers(2, pcs)
	for n == len(pcs) { // a deeper stack: a worker is in its outermost frames
		pcs = make([]uintptr, 2*len(pcs))
		n = runtime.Callers(2, pcs)
	}
	for _, pc := range pcs[:n] {
		if deliveryFrame(pc) {
			return true
		}
	}
	return false
}

// deliveryFrames maps a return address seen by onDelivery to whether its
// frame, or a function inlined there, is a delivery site. It is copied on
// write, so that lookups take no lock, and holds at most maxDeliveryFrames
// addresses: past that, addresses are looked at each time.
var deliveryFrames atomic.Pointer[map[uintptr]bool]

const maxDeliveryFrames = 4096

// deliveryFrame reports whether the frame of return address pc, or a
// function inlined there, is a delivery site.
func deliveryFrame(pc uintptr) bool {
	m := deliveryFrames.Load()
	if m != nil {
		if found, ok := (*m)[pc]; ok {
			return found
		}
	}
	found := false
	frames := runtime.CallersFrames([]uintptr{pc})
	for more := true; more; {
		var f runtime.Frame
		f, more = frames.Next()
		found = found || isOurs(f.Function, deliverySites)
	}
	for {
		var old map[uintptr]bool
		if m != nil {
			old = *m
		}
		if len(old) >= maxDeliveryFrames {
			return found
		}
		next := make(map[uintptr]bool, len(old)+1)
		maps.Copy(next, old)
		next[pc] = found
		if deliveryFrames.CompareAndSwap(m, &next) {
			return found
		}
		m = deliveryFrames.Load()
	}
}

// deliverySites are the ends of the names of the functions that run a pool's
// deliveries: a pool worker, and an Enqueue that delivers on its own goroutine
// because the pool has shut down.
var deliverySites = []string{
	".(*WorkerPool).worker",
	".(*AsyncSignal[...]).drain",
}

// quitting reports whether the pool is shutting down and nothing more can be
// queued.
func (p *WorkerPool) quitting() bool { return p.quit.hasFired() }

// retire counts the calling worker out if the pool has more than MinWorkers
// and nothing queued, and reports whether it did; the worker must then exit.
// The caller has already stopped counting itself idle, so that a producer that
// queues from then on wakes or starts another worker instead of counting on
// this one.
func (p *WorkerPool) retire() bool {
	for {
		n := p.workers.Load()
		if n <= p.minWorkers || p.queued.Load() > 0 {
			return false
		}
		if p.workers.CompareAndSwap(n, n-1) {
			break
		}
	}
	// A producer that queued a task between the check above and the CAS
	// found no idle worker and tried to start one, which fails while this
	// worker still counts toward Size. Stay for that task, unless the pool has
	// filled up again: then a worker started since then will take it.
	for p.queued.Load() > 0 {
		n := p.workers.Load()
		if n >= p.size {
			break
		}
		if p.workers.CompareAndSwap(n, n+1) {
			return false
		}
	}
	p.left(p.workers.Load())
	return true
}

// left is called after a worker has been counted out, leaving n workers.
func (p *WorkerPool) left(n int32) {
	if n == 0 && p.quitting() {
		p.exited.fire()
	}
}

// Close shuts the pool down and waits until it has: see [WorkerPool.Shutdown].
func (p *WorkerPool) Close() error {
	return p.Shutdown(context.Background())
}

// beginShutdown stops the pool from accepting work; the workers run what is
// queued and exit. It returns at once, but for the moment producers in the
// middle of a push take to finish. Only the first call does anything; a
// later one may return before the first has fired quit (callers that need
// the end wait for exited).
func (p *WorkerPool) beginShutdown() {
	if !p.closing.fire() { // producers waiting for room give up
		return
	}
	<-p.pushes.close()
	p.quit.fire() // nothing more can be queued: workers drain and exit
	// With no worker, nothing can be queued either, except for the
	// moment a retiring worker takes to see a task and stay for it
	// (see retire); then that worker fires exited when it is done.
	if p.workers.Load() == 0 && p.queued.Load() <= 0 {
		p.exited.fire()
	}
}

// Shutdown stops the pool from accepting work, runs what is queued, and waits
// until every worker has exited. Enqueue on a signal of the pool returns
// [ErrClosed] from then on, and Emit runs its listeners on the emitting
// goroutine. If ctx ends first, the tasks still queued are dropped (and counted
// as dropped by their signals), and Shutdown returns ctx's error while the
// running listeners finish; the workers exit when they have. Calling Shutdown
// again waits in the same way, and returns nil once the pool has shut down.
//
// Called from a listener that a pool worker runs (of any pool), Shutdown
// cannot wait for that worker: it starts the shutdown and returns
// [ErrCloseFromListener] at once, or nil if the pool has shut down already.
func (p *WorkerPool) Shutdown(ctx context.Context) error {
	p.beginShutdown()
	if onDelivery() {
		if p.shutDown() {
			return nil
		}
		return ErrCloseFromListener
	}
	select {
	case <-p.exited.done():
		return nil
	case <-ctx.Done():
		p.dropping.Store(true)
		return ctx.Err()
	}
}
