package signals

import (
	"sync"
	"sync/atomic"
)

// event is something that happens once, after the model of grpc-go's
// internal/grpcsync.Event: fire makes it happen, hasFired asks whether it has
// without taking a lock, and done returns a channel that is closed when it
// has, for a select. It replaces a channel closed once under a sync.Once.
//
// The zero value has not fired and is ready to use; its channel is made by
// the first call to done. An event must not be copied after first use.
type event struct {
	fired atomic.Bool
	mu    sync.Mutex                    // serializes fire and the making of the channel
	ch    atomic.Pointer[chan struct{}] // made by done; closed by fire
}

// fire makes the event happen. It reports whether this call did: only the
// first call does, and it returns once the channel of done is closed.
func (e *event) fire() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fired.Load() {
		return false
	}
	e.fired.Store(true)
	if ch := e.ch.Load(); ch != nil {
		close(*ch)
	}
	return true
}

// hasFired reports whether fire has been called.
func (e *event) hasFired() bool { return e.fired.Load() }

// done returns a channel that is closed when the event fires. Only the first
// call takes the lock.
func (e *event) done() <-chan struct{} {
	if ch := e.ch.Load(); ch != nil {
		return *ch
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if ch := e.ch.Load(); ch != nil {
		return *ch
	}
	ch := make(chan struct{})
	if e.fired.Load() {
		close(ch)
	}
	e.ch.Store(&ch)
	return ch
}
