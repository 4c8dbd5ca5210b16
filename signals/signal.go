package signals

import "context"

// Signal is a typed event: listeners subscribe to it, and every emission calls
// them with a context and a payload of type T. [SyncSignal] calls them one after
// another on the emitting goroutine; [AsyncSignal] calls them concurrently.
//
// Implementations in this package are safe for concurrent use by multiple
// goroutines, and a listener may add, remove or emit on its own signal.
type Signal[T any] interface {
	// Emit calls every listener with ctx and payload and returns when all of
	// them have returned. A listener's error or panic is recorded and passed
	// to the signal's error handler; it never stops the other listeners. If
	// ctx is cancelled, listeners that have not started yet are skipped. A nil
	// ctx is treated as context.Background().
	Emit(ctx context.Context, payload T)

	// AddListener adds a listener and returns the number of listeners after
	// adding it. The optional key identifies the listener for RemoveListener,
	// HasKey and Metadata; if a listener with the same key is already
	// registered, AddListener changes nothing and returns -1. An empty key is
	// the same as no key. A nil listener panics.
	AddListener(handler SignalListener[T], key ...string) int

	// AddListenerWithErr adds a listener that can fail. It is otherwise like
	// AddListener.
	AddListenerWithErr(handler SignalListenerErr[T], key ...string) int

	// AddOnce adds a listener that is called by at most one emission, even
	// when several goroutines emit at once, and is removed as soon as an
	// emission claims it. It returns the number of listeners after adding.
	AddOnce(handler Listener[T]) int

	// AddOnceWithKey is AddOnce with a key; it returns -1 if the key is
	// already registered.
	AddOnceWithKey(handler Listener[T], key string) int

	// AddOnceWithErr is AddOnce for a listener that can fail.
	AddOnceWithErr(handler SignalListenerErr[T]) int

	// AddOnceWithErrAndKey is AddOnceWithKey for a listener that can fail.
	AddOnceWithErrAndKey(handler SignalListenerErr[T], key string) int

	// RemoveListener removes the listener with the given key and returns the
	// number of listeners left, or -1 if no listener has that key. Once it
	// has returned, the removed listener is not running on another goroutine
	// and no emission calls it again; see the package documentation,
	// "Ordering", for calls on the remover's own goroutine.
	RemoveListener(key string) int

	// Reset removes every listener, with the guarantee of RemoveListener.
	Reset()

	// Len returns the number of listeners.
	Len() int

	// IsEmpty reports whether the signal has no listeners.
	IsEmpty() bool

	// Keys returns the keys of the keyed listeners in registration order, in
	// a new slice the caller owns.
	Keys() []string

	// HasKey reports whether a listener with the given key is registered. It
	// takes time logarithmic in the number of keyed listeners.
	HasKey(key string) bool

	// Metadata returns a description of the listener with the given key, or
	// nil if there is none.
	Metadata(key string) *ListenerMetadata
}

// Compile-time checks that every signal type implements Signal.
var (
	_ Signal[int] = (*BaseSignal[int])(nil)
	_ Signal[int] = (*SyncSignal[int])(nil)
	_ Signal[int] = (*AsyncSignal[int])(nil)
)
