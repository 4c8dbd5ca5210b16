package signals

import "time"

// ListenerMetadata describes one keyed listener. [BaseSignal.Metadata] returns a
// fresh copy that the caller may keep and modify.
type ListenerMetadata struct {
	Key          string    // Listener key (empty if no key)
	AddedAt      time.Time // When listener was added (to the second)
	CallCount    int64     // Number of times invoked (if listener metrics are enabled)
	ErrorCount   int64     // Number of errors returned or panics (always kept)
	LastError    error     // Most recent error or *PanicError (always kept)
	IsOnce       bool      // True if added via AddOnce*
	IsErrorAware bool      // True if added via *WithErr
	LastCalled   time.Time // Last invocation time (if listener metrics are enabled)
	// Disabled is true while the circuit breaker has the listener disabled
	// (see [SignalOptions.BreakerThreshold]); LastError then wraps
	// [ErrListenerDisabled]. [BaseSignal.EnableListener] clears it.
	Disabled bool
}
