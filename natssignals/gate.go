package natssignals

import (
	"sync"
	"sync/atomic"
)

// gate counts the calls of a publisher's listener in progress, without a
// lock, and lets Close wait until none is left once it has shut the gate.
// The zero gate is open.
type gate struct {
	state   atomic.Int64 // closedBit | number of calls inside
	once    sync.Once
	drained chan struct{} // closed once the gate is shut and empty
}

const closedBit = 1 << 62

func newGate() *gate { return &gate{drained: make(chan struct{})} }

// enter admits a call, or reports false if the gate is shut.
func (g *gate) enter() bool {
	if g.state.Add(1)&closedBit != 0 {
		g.leave()
		return false
	}
	return true
}

// leave ends a call that enter admitted (or refused).
func (g *gate) leave() {
	if g.state.Add(-1) == closedBit {
		g.once.Do(func() { close(g.drained) })
	}
}

// shut refuses further calls and returns a channel closed when the calls
// inside have left. Calling it again returns the same channel.
func (g *gate) shut() <-chan struct{} {
	for {
		s := g.state.Load()
		if s&closedBit != 0 {
			return g.drained
		}
		if g.state.CompareAndSwap(s, s|closedBit) {
			if s == 0 {
				g.once.Do(func() { close(g.drained) })
			}
			return g.drained
		}
	}
}
