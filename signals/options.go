package signals

import (
	"runtime"
	"sync/atomic"
	"time"
)

// SignalOptions configures a signal at creation. The zero value, like a nil
// *SignalOptions, gives every field its default, and a SignalOptions may be
// reused for many signals: a signal copies what it needs.
//
// The first two fields are those of v1.3; the others are new in v1.4 and
// opt-in.
type SignalOptions struct {
	// InitialCapacity is the capacity of the listener list when the first
	// listener is added. Zero or negative means 11.
	InitialCapacity int

	// GrowthFunc returns the new capacity of the listener list when a
	// listener is added to a full one, given its current capacity. The
	// capacity used is at least one more than the current length. Nil means
	// the next number of a sequence of primes (11, 17, 23, 31, 47, ...).
	GrowthFunc func(currentCap int) int

	// Name names the signal for collectors, stats and logs. Empty means
	// [DefaultName].
	Name string

	// ErrorHandler receives listener errors and panics that are not returned
	// to a caller. Nil means that panics are logged with [slog.Default] at
	// level Error, with their stack, and errors are only recorded (see
	// [ListenerMetadata] and [Stats]). See [BaseSignal.SetErrorHandler].
	ErrorHandler ErrorHandler

	// Stats makes the signal count emissions, listener calls and queue wait
	// times for [BaseSignal.Stats]. Errors, panics and dropped emissions are
	// always counted. False (the default) keeps the emission path free of
	// shared counters. See [BaseSignal.EnableStats].
	Stats bool

	// ListenerMetrics makes the signal keep CallCount and LastCalled of
	// every listener (see [ListenerMetadata]), at the cost of a clock read
	// and an atomic add per call. False by default. See
	// [BaseSignal.EnableListenerMetrics].
	ListenerMetrics bool

	// BreakerThreshold enables the circuit breaker: a listener that fails
	// (returns an error or panics) this many times in a row is disabled
	// until [BaseSignal.EnableListener] or [BaseSignal.EnableListeners]
	// re-enables it. Zero or negative (the default) disables the breaker.
	BreakerThreshold int

	// Health holds the thresholds of [BaseSignal.Health]. The zero value
	// means the documented defaults.
	Health HealthOptions

	// WorkerPoolSize is the number of worker goroutines of an AsyncSignal's
	// own pool: the most listeners of the signal that run at once on pool
	// workers. (A goroutine that calls [AsyncSignal.Emit] also runs
	// listeners itself.) Zero or negative means [DefaultWorkerPoolSize].
	// Ignored when Pool is set, and by SyncSignal.
	WorkerPoolSize int

	// MinWorkers is the number of workers of the signal's own pool that stay
	// alive when idle. Zero (the default) lets an unused signal hold no
	// goroutine. Ignored when Pool is set, and by SyncSignal.
	MinWorkers int

	// IdleTimeout is how long a worker of the signal's own pool waits for
	// work before it exits. Zero means [DefaultIdleTimeout]. Ignored when
	// Pool is set, and by SyncSignal.
	IdleTimeout time.Duration

	// WorkerSpin is how long a worker of the signal's own pool polls the
	// queue before it parks; see [PoolOptions.Spin]. Zero (the default):
	// workers park at once. Ignored when Pool is set, and by SyncSignal.
	WorkerSpin time.Duration

	// QueueSize is the capacity of the queue of [AsyncSignal.Enqueue] in the
	// signal's own pool. Zero or negative means [DefaultQueueSize]; at most
	// [MaxQueueSize]. Ignored when Pool is set, and by SyncSignal.
	QueueSize int

	// Overflow is what [AsyncSignal.Enqueue] does when the queue is full.
	// The zero value is [OverflowBlock]. Ignored by SyncSignal.
	Overflow OverflowPolicy

	// Pool is a worker pool shared with other signals. Nil means the signal
	// creates its own pool, with the fields above, when it first needs one
	// (or uses the pool set with [SetDefaultPool]). A shared pool is closed
	// by its owner, not by [AsyncSignal.Close]. Ignored by SyncSignal.
	Pool *WorkerPool
}

// OverflowPolicy is what [AsyncSignal.Enqueue] does when the queue is full.
type OverflowPolicy uint8

// Overflow policies.
const (
	// OverflowBlock waits until there is room, until the context is done, or
	// until the signal is closed. A producer that finds the queue full waits
	// until it is at most half full, so that one that outruns its listeners
	// refills it in bursts. It first looks at the queue for up to 50 µs,
	// yielding the processor between looks (half a queue of cheap listeners
	// is delivered in about that time), then parks until the workers have
	// made room; a done context or Close ends the wait, at the latest 50 µs
	// after. There is one exception, so that nested enqueues cannot deadlock
	// the pools: when the context comes from a listener that a pool worker
	// runs (the listener passes on the ctx it received), Enqueue delivers the
	// emission itself, on the calling goroutine, instead of waiting.
	OverflowBlock OverflowPolicy = iota
	// OverflowDrop drops the new emission, counts it in [Stats.Dropped] and
	// returns [ErrQueueFull].
	OverflowDrop
)

// String returns "block" or "drop".
func (p OverflowPolicy) String() string {
	switch p {
	case OverflowBlock:
		return "block"
	case OverflowDrop:
		return "drop"
	}
	return "unknown"
}

// Defaults of the fields of [SignalOptions] and [PoolOptions].
const (
	// DefaultName is the name of a signal created without one.
	DefaultName = "unnamed"
	// DefaultQueueSize is the default capacity of an emission queue.
	DefaultQueueSize = 1024
	// MaxQueueSize is the largest capacity of an emission queue: 2^20
	// (1,048,576) emissions, whose queue takes 24 MiB when the pool is
	// created. A larger QueueSize is lowered to it.
	MaxQueueSize = 1 << 20
	// DefaultIdleTimeout is how long an idle pool worker waits for work
	// before it exits, by default.
	DefaultIdleTimeout = 10 * time.Second

	defaultInitialCapacity = 11
)

// defaultPoolSize is the process-wide default pool size set with
// SetDefaultWorkerPoolSize; zero means 4 × GOMAXPROCS.
var defaultPoolSize atomic.Int64

// defaultPool is the process-wide pool set with SetDefaultPool.
var defaultPool atomic.Pointer[WorkerPool]

// DefaultWorkerPoolSize returns the size given to worker pools created without
// one: the value set with [SetDefaultWorkerPoolSize], or else four times
// [runtime.GOMAXPROCS], at least 4.
func DefaultWorkerPoolSize() int {
	if n := defaultPoolSize.Load(); n > 0 {
		return int(n)
	}
	return max(4, 4*runtime.GOMAXPROCS(0))
}

// SetDefaultWorkerPoolSize sets the size of worker pools created afterwards
// without a size, process-wide, and returns the previous setting (0 for the
// built-in default). Zero or negative restores the built-in default. Pools
// that already exist keep their size.
func SetDefaultWorkerPoolSize(n int) (previous int) {
	if n < 0 {
		n = 0
	}
	return int(defaultPoolSize.Swap(int64(n)))
}

// SetDefaultPool makes p the pool of every AsyncSignal created without
// [SignalOptions.Pool] that has not yet started its own pool, process-wide,
// and returns the previous default pool. Nil restores per-signal pools. The
// caller owns p and closes it when the process is done with it.
func SetDefaultPool(p *WorkerPool) (previous *WorkerPool) {
	return defaultPool.Swap(p)
}

// defaultPrimes is the capacity sequence of the default GrowthFunc.
var defaultPrimes = [...]int{11, 17, 23, 31, 47, 67, 97, 127, 197, 257, 389, 521, 769, 1031, 1543, 2053, 3079, 4099, 6151, 8209, 12289, 16381, 24593, 32771, 49157, 65537, 98317, 131071, 196613, 262147, 393241, 524287, 786433, 1048579, 1572869, 2097153, 3145739, 4194301, 6291469, 8388617, 12582917, 16777213, 25165843, 33554467, 50331653, 67108859, 100663319, 134217757, 201326611, 268435459, 402653189, 536870923, 805306457, 1073741827, 1610612741, 2147483647}

// defaultGrowth returns the first prime of defaultPrimes above currentCap, or
// doubles it past the end of the sequence.
func defaultGrowth(currentCap int) int {
	for _, p := range defaultPrimes {
		if p > currentCap {
			return p
		}
	}
	return currentCap*2 + 1
}
