package signals

import "sync/atomic"

// ring is a bounded multi-producer multi-consumer FIFO queue of tasks, after
// Dmitry Vyukov's bounded MPMC queue: producers and consumers claim positions
// with a compare-and-swap and hand a slot over through its sequence number, so
// neither takes a lock.
type ring struct {
	_     [64]byte // keep head and tail on cache lines of their own
	head  atomic.Uint64
	_     [56]byte
	tail  atomic.Uint64
	_     [56]byte
	mask  uint64
	slots []ringSlot
}

type ringSlot struct {
	seq atomic.Uint64
	t   task
}

// newRing returns a ring with room for at least n tasks (a power of two).
func newRing(n int) *ring {
	size := 1
	for size < n {
		size <<= 1
	}
	r := &ring{mask: uint64(size - 1), slots: make([]ringSlot, size)} // #nosec G115 -- size >= 1
	for i := range r.slots {
		r.slots[i].seq.Store(uint64(i))
	}
	return r
}

// push appends t and reports whether there was room.
func (r *ring) push(t task) bool {
	pos := r.tail.Load()
	for {
		s := &r.slots[pos&r.mask]
		switch seq := s.seq.Load(); {
		case seq == pos:
			if r.tail.CompareAndSwap(pos, pos+1) {
				s.t = t
				s.seq.Store(pos + 1)
				return true
			}
			pos = r.tail.Load()
		case seq < pos:
			return false // full: the slot still holds a task of the previous lap
		default:
			pos = r.tail.Load()
		}
	}
}

// pop removes and returns the oldest task, or nil if the ring is empty.
func (r *ring) pop() task {
	pos := r.head.Load()
	for {
		s := &r.slots[pos&r.mask]
		switch seq := s.seq.Load(); {
		case seq == pos+1:
			if r.head.CompareAndSwap(pos, pos+1) {
				t := s.t
				s.t = nil
				s.seq.Store(pos + r.mask + 1)
				return t
			}
			pos = r.head.Load()
		case seq < pos+1:
			return nil // empty: the slot has not been filled in this lap
		default:
			pos = r.head.Load()
		}
	}
}
