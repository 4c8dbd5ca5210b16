// Package signals provides typed in-process signals: events that listeners
// subscribe to and that emitters fire with a context and a payload. It is
// source-compatible with the v1.3 API of github.com/maniartech/signals, rebuilt
// on a lock-free copy-on-write listener list, and adds one-time listeners,
// listener introspection, a worker pool with non-blocking emission, panic
// isolation, a circuit breaker, stats and health checks, and a seam for
// metrics and tracing ([MetricsCollector]; package otelsignals maps it to
// OpenTelemetry). It imports only the standard library.
//
// # Getting started
//
// A [SyncSignal] calls its listeners one after another on the emitting
// goroutine; an [AsyncSignal] calls them concurrently on a [WorkerPool]:
//
//	orderPlaced := signals.NewSync[Order]()
//	orderPlaced.AddListener(func(ctx context.Context, o Order) {
//		log.Printf("order %s placed", o.ID)
//	}, "audit")
//	orderPlaced.AddListenerWithErr(func(ctx context.Context, o Order) error {
//		return stock.Reserve(ctx, o)
//	}, "stock")
//
//	orderPlaced.Emit(ctx, order)                   // every listener runs; failures go to the error handler
//	if err := orderPlaced.TryEmit(ctx, order); err != nil {
//		// the first failure stopped the emission
//	}
//
// Listeners are identified by an optional key, used by [BaseSignal.RemoveListener],
// [BaseSignal.HasKey], [BaseSignal.Keys] and [BaseSignal.Metadata]. A one-time
// listener ([BaseSignal.AddOnce]) runs on at most one emission and removes
// itself.
//
// The zero value of every signal type is ready to use, and [SignalOptions]
// configures a signal at creation: all its fields are opt-in.
//
// # Concurrency
//
// Every method of every signal type is safe for concurrent use. The listeners
// live in an immutable snapshot behind an atomic pointer: an emission loads it
// once and iterates it without taking any lock, so emitters never wait for
// each other or for a writer. Adding, removing and changing settings build a
// new snapshot under a mutex that only writers take; a one-time listener
// claimed by an emission unlinks itself with a compare-and-swap, without that
// mutex.
//
// A listener may add or remove listeners and emit on its own signal, or on any
// other, without deadlock. An [AsyncSignal] never waits for a worker: the
// emitting goroutine calls listeners itself while free workers help, so nested
// emissions complete even when every worker is busy. For the same reason, a
// listener that a worker runs and that enqueues into a full queue delivers
// that emission itself rather than waiting (see [OverflowBlock]).
//
// Every goroutine has an owner and an end: workers belong to their
// [WorkerPool], start when there is work, and exit after
// [PoolOptions.IdleTimeout] without work. [AsyncSignal.Close] and
// [WorkerPool.Close] deliver what is queued and wait for the workers to exit;
// once they have returned, no goroutine of the signal or pool is left,
// whatever ran at the same time. Called from a listener that a pool worker
// runs, they cannot wait for the delivery that called them: they close, start
// the shutdown, and return [ErrCloseFromListener] at once; the workers finish
// and exit after the listener has returned.
//
// # Ordering
//
// A [SyncSignal] calls its listeners in registration order; removing a
// listener keeps the order of the others. An emission calls the listeners
// registered when it started: a listener added during an emission is not
// called by it.
//
// Once [BaseSignal.RemoveListener] or [BaseSignal.Reset] has returned, the
// listeners it removed are not running on any other goroutine, and no
// emission calls them again, even one already under way: they wait for the
// calls in progress to return, so that what a listener uses may be released
// right after. They do not wait for calls on their own goroutine, so a
// listener may remove itself, another listener, or a listener it runs inside
// of (through a nested emission), and an error handler may remove the
// listener whose failure it handles.
//
// Go has no goroutine identity: the remover recognizes the calls on its own
// goroutine on its stack, by the listener's function. The one consequence:
// called on a goroutine that is inside a call of a listener with the same
// function as the removed listener (two listeners made by one function
// literal, or method values of methods with the same name), but not inside
// the removed listener itself, RemoveListener counts that call as its own and
// may return while as many calls of the removed listener are in progress on
// other goroutines. Two more rules: a listener must not wait for a removal of
// itself that runs on another goroutine (that removal waits for it), and a
// collector's ListenerStart, which runs as part of the listener's call, must
// not remove listeners. A one-time listener leaves the signal when an emission
// claims it, just before its call: RemoveListener then returns -1 for it, and
// neither it nor Reset waits for that call.
//
// An [AsyncSignal] starts its listeners in registration order but runs them
// concurrently. Enqueued emissions start in the order they were enqueued; with a
// pool of one worker every listener receives them in that order, with more
// workers a listener may receive them concurrently and in any order.
//
// # Errors
//
// A listener's failure never affects the other listeners. An error-aware
// listener ([BaseSignal.AddListenerWithErr]) reports failures by returning an
// error; a panic in any listener is recovered on the goroutine that ran it
// and turned into a [*PanicError] with the panic value and stack. A listener
// that does not return normally in another way is a failure too: panic(nil)
// under GODEBUG=panicnil=1 (a PanicError with the value nil), and
// [runtime.Goexit], which t.FailNow and t.Fatal call (a PanicError with the
// value [ErrGoexit]). Goexit cannot be stopped: the goroutine that called it
// runs the rest of its part of the emission (the listeners after, the end of
// the emission) and then exits. On the goroutine that called Emit, Emit does
// not return; a pool worker is replaced by a new one.
//
//   - [SyncSignal.TryEmit] stops at the first failure and returns it, as in
//     v1.3; the listeners after it are not called.
//   - Emit and [AsyncSignal.Enqueue] call every listener and pass each failure
//     to the signal's [ErrorHandler] (by default, panics are logged with
//     log/slog and errors are only recorded).
//   - Every failure is recorded in the listener's [ListenerMetadata] and
//     counted in [Stats], and can disable a listener through the circuit
//     breaker ([SignalOptions.BreakerThreshold]).
//   - The [ErrorHandler] is isolated like a listener: if it panics or calls
//     runtime.Goexit, that is logged with log/slog and counted in
//     [Stats.HandlerPanics], and the emission goes on.
//
// A cancelled context skips the listeners that have not started yet. Errors a
// caller can test with [errors.Is]: [ErrClosed], [ErrQueueFull], and the
// health problems [ErrQueueSaturated], [ErrErrorRate], [ErrPanicRate],
// [ErrBreakerOpen] and [ErrTooManyGoroutines]. Programming errors, such as a
// nil listener, panic with a message that says what is wrong.
//
// # Performance
//
// Emission on a [SyncSignal] allocates nothing, for any number of listeners,
// keyed or not, and takes no lock. When nothing observes the signal (no
// collector, stats, listener metrics or breaker; or a collector that returns
// no observer for the emission, or whose [Share] does not show it) and the
// context cannot be cancelled, it takes a fast path whose loop makes no call
// but the listener's own; panic isolation costs one deferred recover per
// emission, not one per listener. What lets RemoveListener and Reset wait
// for the calls in progress costs an emission two atomic operations, and one
// more per call of a keyed listener (the only kind RemoveListener removes on
// its own); it takes no lock, and emitters on different goroutines write
// different cache lines. [AsyncSignal.Emit] to one listener calls it on the
// emitting goroutine; to several, it takes one object from a pool, which the
// pool workers share through an atomic index, whatever the number of
// listeners: neither allocates. [AsyncSignal.Enqueue] costs the caller one
// lock-free queue operation, whatever the number of listeners.
//
// Stats, listener metrics and collectors cost only while enabled, and can be
// switched on and off while the program runs. docs/performance.md in the
// repository has the numbers, each with the command that measured it.
//
// # Migrating from v1.3
//
// Change the import path; the v1.3 API is all here, with the same
// signatures except that [NewWithOptions] returns *AsyncSignal instead of
// Signal. Where v1.3 was wrong, this package behaves differently:
// Emit calls error-aware listeners too, removal keeps the listeners' order,
// the zero value of the signal types is ready to use, an empty key means no
// key, and a listener's panic no longer reaches the emitter. See
// docs/migration.md in the repository.
package signals
