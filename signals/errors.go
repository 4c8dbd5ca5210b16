package signals

import (
	"errors"
	"fmt"
)

// Errors returned by the non-blocking [AsyncSignal.Enqueue], by lifecycle
// methods and by health checks. Test for them with [errors.Is].
var (
	// ErrClosed is returned by [AsyncSignal.Enqueue] after the signal or its
	// worker pool has been closed, including to calls that were waiting for
	// room in a full queue when it closed.
	ErrClosed = errors.New("signals: closed")

	// ErrQueueFull is returned by [AsyncSignal.Enqueue] when the queue is
	// full and the signal's overflow policy is [OverflowDrop]. The emission
	// is dropped and counted in [Stats.Dropped].
	ErrQueueFull = errors.New("signals: queue full")

	// ErrListenerDisabled is recorded as a listener's last error (see
	// [ListenerMetadata.LastError]) when the circuit breaker disables it.
	ErrListenerDisabled = errors.New("signals: listener disabled by circuit breaker")

	// ErrGoexit is the [PanicError.Value] of a listener that called
	// [runtime.Goexit], as t.FailNow and t.Fatal do: the listener did not
	// return, and is handled as if it had panicked. Test for it with
	// [errors.Is].
	ErrGoexit = errors.New("signals: listener called runtime.Goexit")

	// ErrCloseFromListener is returned by [AsyncSignal.Close],
	// [AsyncSignal.Shutdown], [WorkerPool.Close] and [WorkerPool.Shutdown]
	// when they are called on a goroutine that is delivering emissions of a
	// worker pool, that is, from a listener that a pool worker runs (or an
	// error handler or collector it calls). They cannot wait for the
	// delivery that called them, which would never end: they close the
	// signal or pool, start its shutdown and return at once. The queued
	// emissions are still delivered and the workers exit on their own, once
	// the listener has returned; a later Close on another goroutine waits
	// for that.
	ErrCloseFromListener = errors.New("signals: closed from a listener: shutdown started, not waited for")
)

// Health problems reported by Health methods, joined with [errors.Join]. Each
// is wrapped with the measured value, so test for them with [errors.Is].
var (
	// ErrQueueSaturated: the queue holds more than
	// [HealthOptions.QueueHighWater] of its capacity.
	ErrQueueSaturated = errors.New("signals: queue saturated")

	// ErrErrorRate: listeners returned errors faster than
	// [HealthOptions.MaxErrorsPerSecond].
	ErrErrorRate = errors.New("signals: listener error rate above threshold")

	// ErrPanicRate: listeners panicked faster than
	// [HealthOptions.MaxPanicsPerSecond].
	ErrPanicRate = errors.New("signals: listener panic rate above threshold")

	// ErrBreakerOpen: the circuit breaker has disabled at least one listener.
	ErrBreakerOpen = errors.New("signals: listeners disabled by circuit breaker")

	// ErrTooManyGoroutines: the process runs more goroutines than
	// [HealthOptions.MaxGoroutines].
	ErrTooManyGoroutines = errors.New("signals: goroutine count above threshold")

	// ErrHeapTooLarge: the heap holds more than [HealthOptions.MaxHeapBytes].
	ErrHeapTooLarge = errors.New("signals: heap size above threshold")
)

// PanicError is the error a listener's panic is turned into. The panic is
// recovered on the goroutine that ran the listener, the other listeners of the
// emission still run, and the PanicError is returned by [SyncSignal.TryEmit] or
// passed to the signal's error handler by Emit. It is also recorded as the
// listener's [ListenerMetadata.LastError].
//
// Every listener that does not return normally is a failure, whatever the
// panic value: panic(nil) under GODEBUG=panicnil=1 gives a PanicError whose
// Value is nil, and a listener that calls [runtime.Goexit] (as t.FailNow
// does) gives one whose Value is [ErrGoexit].
//
// If the panic value is itself an error, [errors.Is] and [errors.As] see it
// through [PanicError.Unwrap].
type PanicError struct {
	// Key is the key of the listener that panicked, or "" for an unkeyed
	// listener.
	Key string
	// Value is the value the listener passed to panic.
	Value any
	// Stack is the stack of the goroutine that panicked, as
	// [runtime/debug.Stack] formats it, taken before the panic was recovered.
	Stack []byte
}

// Error describes the panic without the stack.
func (e *PanicError) Error() string {
	if e.Value == ErrGoexit {
		if e.Key == "" {
			return "signals: listener called runtime.Goexit"
		}
		return fmt.Sprintf("signals: listener %q called runtime.Goexit", e.Key)
	}
	if e.Key == "" {
		return fmt.Sprintf("signals: listener panicked: %v", e.Value)
	}
	return fmt.Sprintf("signals: listener %q panicked: %v", e.Key, e.Value)
}

// Unwrap returns the panic value if it is an error, and nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// ErrorType returns "panic": the value OpenTelemetry instrumentation gives the
// error.type attribute of a listener call that panicked.
func (e *PanicError) ErrorType() string { return "panic" }
