package signals

// NewSync returns a [SyncSignal] with the default options.
func NewSync[T any]() *SyncSignal[T] {
	return new(SyncSignal[T])
}

// NewSyncWithOptions returns a [SyncSignal] configured by opts; nil means the
// defaults.
func NewSyncWithOptions[T any](opts *SignalOptions) *SyncSignal[T] {
	s := new(SyncSignal[T])
	s.init(opts)
	return s
}

// New returns an [AsyncSignal] with the default options.
func New[T any]() *AsyncSignal[T] {
	return new(AsyncSignal[T])
}

// NewWithOptions returns an [AsyncSignal] configured by opts; nil means the
// defaults.
//
// In v1.3 it returned a Signal[T]; it now returns the concrete type, so that
// the v1.4 methods (Enqueue, Close, Stats, ...) are reachable without a type
// assertion. Code that assigned the result to a Signal[T] still compiles.
func NewWithOptions[T any](opts *SignalOptions) *AsyncSignal[T] {
	s := new(AsyncSignal[T])
	s.initAsync(opts)
	return s
}
