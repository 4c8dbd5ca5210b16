package signals

import "context"

// base lets signal types embed BaseSignal under an unexported field name, so
// that its methods are promoted without exposing the field.
type base[T any] = BaseSignal[T]

// SyncSignal is a signal whose emission calls the listeners one after another,
// in registration order, on the emitting goroutine. Emission takes no lock and
// allocates nothing.
//
// The zero value is a signal with no listeners, ready to use. A SyncSignal
// must not be copied after first use. All its methods are safe for concurrent
// use.
type SyncSignal[T any] struct {
	base[T]
}

// Emit calls the listeners in registration order and returns when the last
// one has returned. A listener's error or panic is recorded and passed to the
// error handler, and the next listener runs. If ctx is cancelled, the
// listeners that have not started are skipped. A nil ctx is treated as
// context.Background().
//
// Listeners added during an emission are not called by it; a listener removed
// during an emission is not called by it after its removal has returned.
func (s *SyncSignal[T]) Emit(ctx context.Context, payload T) {
	s.emitFast(ctx, payload, KindSync)
}

// TryEmit calls the listeners in registration order and stops at the first
// one that fails: it returns that listener's error, or a [*PanicError] if it
// panicked, and the listeners after it are not called. It returns the
// context's error if ctx is cancelled before or during the emission, and nil
// otherwise. Failures are recorded (see [ListenerMetadata]) but not passed to
// the error handler: they are the caller's to handle. A nil ctx is treated as
// context.Background().
func (s *SyncSignal[T]) TryEmit(ctx context.Context, payload T) error {
	return s.tryEmitFast(ctx, payload)
}

// Kind returns [KindSync].
func (s *SyncSignal[T]) Kind() Kind { return KindSync }
