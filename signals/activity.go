package signals

import (
	"sync"
	"sync/atomic"
)

// activity counts work in progress and lets a closer wait until it has all
// ended. Once closed, acquire fails. The zero value is open with no work.
type activity struct {
	state atomic.Int64 // 2 × count, plus closedBit

	mu      sync.Mutex
	idle    chan struct{} // closed when closed and the count reaches zero
	ended   bool
	closing chan struct{} // closed by close; made on demand
}

const closedBit = 1

// acquire counts one more piece of work, or reports false if closed.
func (a *activity) acquire() bool {
	if a.state.Add(2)&closedBit != 0 {
		a.release()
		return false
	}
	return true
}

// release counts one piece of work as ended.
func (a *activity) release() {
	if a.state.Add(-2) == closedBit {
		a.end()
	}
}

// close refuses new work and returns a channel that is closed when the work in
// progress has ended. Calling it again returns the same channel.
func (a *activity) close() <-chan struct{} {
	a.mu.Lock()
	if a.idle == nil {
		a.idle = make(chan struct{})
	}
	idle := a.idle
	if a.closing == nil {
		a.closing = make(chan struct{})
	}
	select {
	case <-a.closing:
	default:
		close(a.closing)
	}
	a.mu.Unlock()
	if a.state.Or(closedBit) == 0 {
		a.end()
	}
	return idle
}

// closingChan returns a channel that is closed when close is called. It takes a
// lock: call it on slow paths only.
func (a *activity) closingChan() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closing == nil {
		a.closing = make(chan struct{})
	}
	return a.closing
}

// closed reports whether close has been called.
func (a *activity) closed() bool {
	return a.state.Load()&closedBit != 0
}

func (a *activity) end() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.ended {
		a.ended = true
		close(a.idle)
	}
}
