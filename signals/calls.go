package signals

import (
	"sync/atomic"
	"unsafe"
)

// This file keeps track of the listener calls in progress, so that
// RemoveListener and Reset can wait for those of the listeners they remove
// (see removal.go), at the least cost to emission.
//
// Each part of an emission that runs on one goroutine (a synchronous
// emission, or one goroutine's share of an async one) claims a call slot when
// it starts and gives it back when it ends. The slot announces what the
// emission is calling:
//
//   - the view's generation (view.gen), while it calls listeners without a
//     handle. Only Reset removes those, and Reset removes every listener, so
//     "a call of one of them" is all a remover needs to know: the emission
//     announces it once, when it claims the slot, however many listeners it
//     then calls.
//   - the listener's handle, while it calls a keyed listener, which
//     RemoveListener removes on its own, or a one-time listener, which
//     leaves the signal when an emission claims it (see admit): the emission
//     announces each such call. A remover that found the listener still
//     registered waits for the call; one that comes after the claim does
//     not find it.
//   - noCall, while it calls no listener: the handling of a failure.
//
// An emission announces before it checks whether the listener is still
// registered, with a sequentially consistent store; a remover marks the
// listener removed before it reads the slots, with a sequentially consistent
// read-modify-write. Of two such pairs one must see the other: either the
// emission sees the listener removed and does not call it, or the remover
// sees the announcement and waits. (This is the store-then-load pattern of
// Dekker's algorithm; no weaker pairing is correct. Announcing each call is
// therefore one atomic store per call of a keyed listener: what lets
// RemoveListener wait for exactly the calls of the listener it removes and
// for nothing else. Listeners without a handle pay nothing per call.)
//
// A slot is padded to a cache line and chosen by the address of the emitting
// goroutine's stack, so that goroutines emitting at the same time, on one
// signal or on several, write different cache lines, and a goroutine finds
// the slot it used last, still in its processor's cache. When the slots it
// tries are taken (more than about numCallSlots emissions in progress at once,
// for instance many goroutines blocked inside listeners), an emission counts
// each of its calls in the state word of the listener's handle, or of the
// generation, instead: two atomic adds per call, the way every call was
// counted before call slots.

const (
	cacheLine    = 64
	numCallSlots = 256
	slotProbes   = 4 // slots tried before counting calls instead
)

// callSlot is one emission's announcement of what it is calling: the address
// of a handle (or generation), or 0 for a free slot.
//
// The address is kept as a uintptr, without a pointer: stores of a uintptr
// are single instructions, where those of a pointer call into the runtime
// for the garbage collector. Nothing is reached through it; it is only
// compared with the address of a handle that the remover holds, and the
// announced handle is kept alive by the emission that announces it
// (caller.held).
type callSlot struct {
	cur atomic.Uintptr
	_   [cacheLine - 8]byte
}

// id is the address of h, as call slots announce it.
func id(h *handle) uintptr { return uintptr(unsafe.Pointer(h)) } // #nosec G103 -- compared, never turned back into a pointer (see callSlot)

// callSlots are the process's call slots. They are shared by every signal: a
// handle identifies its listener, whatever signal it belongs to.
var callSlots struct {
	_     [cacheLine]byte
	slots [numCallSlots]callSlot
}

// noCall is the announcement of a slot whose emission calls no listener that
// a remover may wait for.
var noCall = new(handle)

// claimNextSlot is caller.begin after slot i was found taken: by a goroutine
// in a nested emission, or by another goroutine whose stack gave the same
// slot. It claims one of the next slots, announcing h, or returns nil.
func claimNextSlot(h *handle, i uintptr) *callSlot {
	for range slotProbes - 1 {
		i = (i + 1) % numCallSlots
		if s := &callSlots.slots[i]; s.cur.Load() == 0 && s.cur.CompareAndSwap(0, id(h)) {
			return s
		}
	}
	return nil
}

// caller is one goroutine's part of an emission, as the calls in progress see
// it: the call slot it holds and what the slot announces. It lives on that
// goroutine's stack.
type caller struct {
	slot *callSlot // nil: calls are counted in the handles instead
	gen  *handle   // the generation of the view the emission calls
	// held is what slot announces. In counting mode, it is the handle (or
	// generation) the call in progress is counted in, or nil between
	// calls.
	held *handle
	rm   *notifier // where the signal's removers wait
}

// begin starts an emission of the listeners of generation g, of a signal whose
// removers wait in rm: it claims a call slot, announcing g, or starts
// counting calls if the slots it tries are taken.
//
// The slot it tries first is given by the address of a local variable, which
// says which goroutine's stack this is: goroutines have stacks of at least 2
// KiB at different addresses. It is only a hint: any free slot is correct.
// begin and end are too large to be inlined (costs 111 and 161, against a
// budget of 80), and as calls they made a third of the cost of an emission to
// one listener (BenchmarkSyncEmit), so emitView and emitFast write them out.
func (c *caller) begin(rm *notifier, g *handle) {
	c.rm, c.gen = rm, g
	var anchor byte
	i := uintptr(unsafe.Pointer(&anchor)) >> 11 % numCallSlots // #nosec G103 -- the stack's address, only as a hint for a slot
	if c.slot = &callSlots.slots[i]; !c.slot.cur.CompareAndSwap(0, id(g)) {
		if c.slot = claimNextSlot(g, i); c.slot == nil {
			return
		}
	}
	c.held = g
}

// started reports whether begin was called.
func (c *caller) started() bool { return c.rm != nil }

// end ends the emission: it gives the slot back. Calling it again does
// nothing.
func (c *caller) end() {
	if c.slot == nil {
		c.settle()
		return
	}
	c.slot.cur.Store(0)
	left := c.held
	c.slot, c.held = nil, nil
	if left.state.Load()&stateWaited != 0 {
		c.rm.wake()
	}
}

// announce makes the slot announce h, and wakes a remover that waits for the
// call it announced before to end.
func (c *caller) announce(h *handle) {
	old := c.held
	c.slot.cur.Store(id(h))
	c.held = h
	c.left(old)
}

// left is called after the emission has stopped announcing or counting a call
// of h (a listener, or a generation): if a remover waits for calls of h to
// end, it wakes it to look again.
func (c *caller) left(h *handle) {
	if h.state.Load()&stateWaited != 0 {
		c.rm.wake()
	}
}

// enterGen decides whether a listener without a handle may be called and, if
// so, announces (or counts) its call. The fast paths inline it.
func (c *caller) enterGen() bool {
	if c.slot == nil {
		c.settle()
		c.held = c.gen
		if c.gen.state.Add(callUnit)&stateRemoved == 0 {
			return true
		}
		c.settle()
		return false
	}
	if c.held != c.gen {
		c.announce(c.gen)
	}
	return c.gen.state.Load()&stateRemoved == 0
}

// enter decides whether the listener with handle h may be called as it is
// and, if so, announces (or counts) its call. If it returns false, the state
// it returns has some of stateBlocks set: the listener is removed or disabled,
// or it is a one-time listener, which the emission may claim (admit), still
// announcing the call; otherwise the emission calls settle and skips it.
//
// After a call that enter let through, the emission calls settle before any
// code but the listener's runs on its goroutine, or enter (or enterGen) again
// for the next listener. It is written as one function, without calls but
// for the rare wake, because emissions call it for every listener with a
// handle (BenchmarkSyncEmitKeyed).
func (c *caller) enter(h *handle) (uint32, bool) {
	if c.slot == nil {
		return c.enterCounting(h)
	}
	// A keyed or one-time listener's call is announced; the call of an
	// unkeyed listener with a handle is covered by the generation, as for
	// listeners without one: only Reset removes it, and Reset marks its
	// handle removed too. The bits tested are immutable.
	next := c.gen
	if h.state.Load()&(stateKeyed|stateOnce) != 0 {
		next = h
	}
	if old := c.held; old != next {
		c.slot.cur.Store(id(next))
		c.held = next
		if old.state.Load()&stateWaited != 0 {
			c.rm.wake()
		}
	}
	st := h.state.Load() // after the announcement (see above)
	return st, st&stateBlocks == 0
}

// enterCounting is enter without a call slot: the call is counted in the
// listener's handle, or in the generation for a listener that only Reset
// removes, before the listener's state is read, in one atomic add.
func (c *caller) enterCounting(h *handle) (uint32, bool) {
	c.settle()
	if st := h.state.Load(); st&(stateKeyed|stateOnce) != 0 {
		c.held = h
		st = h.state.Add(callUnit)
		return st, st&stateBlocks == 0
	}
	c.held = c.gen
	if c.gen.state.Add(callUnit)&stateRemoved != 0 {
		return stateRemoved, false
	}
	st := h.state.Load()
	return st, st&stateBlocks == 0
}

// settle ends the announcement or the count of the listener call in
// progress, if any, and stops announcing anything a remover waits for: the
// code that runs next on this goroutine (an error handler, a collector, the
// end of the emission) is not part of a listener's call.
func (c *caller) settle() {
	if c.slot != nil {
		if c.held != noCall {
			c.announce(noCall)
		}
		return
	}
	if h := c.held; h != nil {
		c.held = nil
		if h.state.Add(^(callUnit-1))&stateWaited != 0 { // -callUnit
			c.rm.wake()
		}
	}
}

// enter is caller.enter (or enterGen) for the listener x, with the claim of
// a one-time listener: it reports whether x may be called.
func (s *BaseSignal[T]) enter(c *caller, x *entry[T]) bool {
	if x.h == nil {
		return c.enterGen()
	}
	return s.enterHandle(c, x.h)
}

// enterHandle is caller.enter with the claim of a one-time listener: it
// reports whether the listener with handle h may be called.
func (s *BaseSignal[T]) enterHandle(c *caller, h *handle) bool {
	if st, ok := c.enter(h); ok || s.admit(h, st) {
		return true
	}
	c.settle()
	return false
}

// admit decides whether an emission that is about to call the listener with
// handle h, whose state st has some of stateBlocks set, may call it: only if h
// is a one-time listener and this emission is the first to claim it, in which
// case admit unlinks it from the signal.
func (s *BaseSignal[T]) admit(h *handle, st uint32) bool {
	for st&stateBlocks == stateOnce {
		if h.state.CompareAndSwap(st, st|stateRemoved) {
			s.unlink(h)
			return true
		}
		st = h.state.Load() // a call was counted or ended meanwhile
	}
	return false
}
