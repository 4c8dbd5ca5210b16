package signals

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// ring is a bounded multi-producer multi-consumer FIFO queue of values of
// type E, after Dmitry Vyukov's bounded MPMC queue: producers and consumers
// claim positions with a compare-and-swap and hand a slot over through its
// sequence number, so neither takes a lock. The sequentially consistent store
// of a slot's sequence number publishes the value written into the slot
// before it (to the consumer that loads that sequence number), and the
// consumer's store of the next lap's number hands the emptied slot back.
//
// A ring can be sealed: pushes fail from then on, so that a queue can move
// its producers to a larger ring (see queue).
type ring[E any] struct {
	_    [cacheLine]byte // keep head and tail on cache lines of their own
	head atomic.Uint64
	_    [cacheLine - 8]byte
	tail atomic.Uint64 // the next position to fill, with sealed set once sealed
	_    [cacheLine - 8]byte
	mask uint64
	// limit is how many values the ring holds at most: its size, or less
	// for a queue whose capacity is not a power of two.
	limit uint64
	slots []ringSlot[E]
	next  atomic.Pointer[ring[E]] // the larger ring that replaced it
}

// sealed is the bit of ring.tail that seals the ring.
const sealed = 1 << 63

type ringSlot[E any] struct {
	seq atomic.Uint64
	v   E
}

// newRing returns a ring of size slots (a power of two, at least 2: with one
// slot, a filled slot would look free for the next lap) that holds at most
// limit values.
func newRing[E any](size, limit int) *ring[E] {
	r := &ring[E]{mask: uint64(size - 1), limit: uint64(min(limit, size)), slots: make([]ringSlot[E], size)} // #nosec G115 -- size >= 1
	for i := range r.slots {
		r.slots[i].seq.Store(uint64(i))
	}
	return r
}

// Results of ring.push.
const (
	pushed = iota
	full
	isSealed
	// busy: the ring is full but for slots that a consumer has taken and
	// not yet handed back.
	busy
)

// push appends v, unless the ring is full or sealed. If the slot to fill has
// been taken by a consumer but not yet handed back, it waits for the slot,
// or, if busyOK is set, returns busy.
func (r *ring[E]) push(v *E, busyOK bool) int {
	pos := r.tail.Load()
	for {
		if pos&sealed != 0 {
			return isSealed
		}
		s := &r.slots[pos&r.mask]
		switch seq := s.seq.Load(); {
		case seq == pos:
			if r.limit <= r.mask && pos-r.head.Load() >= r.limit {
				return full
			}
			if r.tail.CompareAndSwap(pos, pos+1) {
				s.v = *v
				// The store of the sequence number publishes the
				// slot's contents: a consumer that loads pos+1 from
				// seq sees the value written above.
				s.seq.Store(pos + 1)
				return pushed
			}
			pos = r.tail.Load()
		case seq < pos:
			// The slot still holds a value of the previous lap: the
			// ring is full, or a consumer has taken that value (moved
			// head) but not yet handed the slot back. In the latter
			// case it will in a moment; wait for it rather than
			// report a full ring that has room.
			if pos-r.head.Load() >= uint64(len(r.slots)) {
				return full
			}
			if busyOK {
				return busy
			}
			runtime.Gosched()
			pos = r.tail.Load()
		default:
			pos = r.tail.Load()
		}
	}
}

// pop removes the oldest value into v and reports whether there was one. A
// value whose producer has claimed its slot but not yet filled it is not
// there yet: that producer looks for a consumer after it has (see
// AsyncSignal.Enqueue).
func (r *ring[E]) pop(v *E) bool {
	pos := r.head.Load()
	for {
		s := &r.slots[pos&r.mask]
		switch seq := s.seq.Load(); {
		case seq == pos+1:
			if r.head.CompareAndSwap(pos, pos+1) {
				*v = s.v
				var zero E
				s.v = zero // no reference kept to what the value refers to
				// Hands the emptied slot to the producer of the next
				// lap, after the value has been read out of it.
				s.seq.Store(pos + r.mask + 1)
				return true
			}
			pos = r.head.Load()
		case seq < pos+1:
			return false // empty: the slot has not been filled in this lap
		default:
			pos = r.head.Load()
		}
	}
}

// popBatch removes the oldest values into out, as many as are there in a row
// (at most len(out), at most the ring's size), and returns how many. It
// claims them with one compare-and-swap, so that a consumer that is alone
// pays one per batch; it may be called concurrently with pop and popBatch.
func (r *ring[E]) popBatch(out []E) int {
	pos := r.head.Load()
	for {
		k := uint64(0)
		for k < uint64(len(out)) && k <= r.mask && r.slots[(pos+k)&r.mask].seq.Load() == pos+k+1 {
			k++
		}
		if k == 0 {
			return 0
		}
		if r.head.CompareAndSwap(pos, pos+k) {
			var zero E
			for i := range k {
				s := &r.slots[(pos+i)&r.mask]
				out[i] = s.v
				s.v = zero
				s.seq.Store(pos + i + r.mask + 1)
			}
			return int(k) // #nosec G115 -- at most len(out)
		}
		pos = r.head.Load()
	}
}

// ready reports whether the oldest value in the ring has been published, so
// that a pop would find it.
func (r *ring[E]) ready() bool {
	pos := r.head.Load()
	return r.slots[pos&r.mask].seq.Load() == pos+1
}

// len returns the number of values in the ring, or being pushed into it. It
// reads head before tail: read the other way, pops after the read of tail
// (of values pushed after it) made the difference negative.
func (r *ring[E]) len() int {
	head := r.head.Load()
	return max(int(r.tail.Load()&^sealed-head), 0) // #nosec G115 -- at most the ring's size
}

// drained reports whether the ring is sealed and every value pushed into it
// has been popped.
func (r *ring[E]) drained() bool {
	t := r.tail.Load()
	return t&sealed != 0 && r.head.Load() == t&^sealed
}

// queue is an unbounded or bounded FIFO queue of values of type E, for many
// producers and many consumers, without locks. It is a ring that grows: when
// the ring is full and the queue may hold more, a producer links a ring twice
// as large after it, seals it, and producers go on in the new ring; consumers
// move to the new ring once they have emptied the sealed one, so that values
// come out in the order they went in. A queue takes memory as it fills, not
// when it is created, and only allocates while it grows.
//
// A queue can be closed: pushes fail from then on, and those that claimed a
// slot before are completed, so that a consumer can tell when the last value
// has come out (drained).
//
// The zero queue is not usable; see newQueue.
type queue[E any] struct {
	head atomic.Pointer[ring[E]] // where consumers pop
	tail atomic.Pointer[ring[E]] // where producers push
	// capacity is how many values the queue holds at most.
	capacity int
	maxSize  int // the size of its largest ring (see maxRing)
	closed   atomic.Bool
	growMu   sync.Mutex // serializes growing and closing
}

// initialRing is the size of a queue's first ring, at most.
const initialRing = 64

// newQueue returns a queue that holds at most capacity values (at least 1).
func newQueue[E any](capacity int) *queue[E] {
	q := &queue[E]{capacity: max(capacity, 1)}
	q.maxSize = max(pow2(q.capacity), 2)
	r := newRing[E](min(q.maxRing(), initialRing), q.capacity)
	q.head.Store(r)
	q.tail.Store(r)
	return q
}

// maxRing returns the size of the queue's largest ring.
func (q *queue[E]) maxRing() int { return q.maxSize }

// pow2 returns the least power of two that is at least n (n ≥ 1, at most
// 2^31).
func pow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// push appends v, unless the queue is full or closed: it returns pushed,
// full or isSealed (closed). If busyOK is set, it may also return busy: the
// queue has grown as large as it may and is full, but for slots that a
// consumer is handing back; otherwise it waits for them.
func (q *queue[E]) push(v *E, busyOK bool) int {
	for {
		r := q.tail.Load()
		if q.head.Load() != r && q.len() >= q.capacity {
			// The queue has grown, and the rings it is leaving still
			// hold values: count them too. (Producers that push at the
			// same moment may together go a few values over.)
			return full
		}
		switch st := r.push(v, busyOK && len(r.slots) >= q.maxRing()); st {
		case pushed, busy:
			return st
		case full:
			if len(r.slots) >= q.maxRing() {
				return full
			}
			q.grow(r)
		case isSealed:
			if q.closed.Load() {
				return isSealed
			}
		}
		// Grown: push into the new ring.
	}
}

// close closes the queue: pushes fail from then on. A push that has claimed
// its slot before completes.
func (q *queue[E]) close() {
	q.growMu.Lock()
	defer q.growMu.Unlock()
	q.closed.Store(true)
	q.tail.Load().tail.Or(sealed)
}

// drained reports whether the queue is closed and every value pushed into it
// has been popped.
func (q *queue[E]) drained() bool {
	return q.closed.Load() && q.head.Load() == q.tail.Load() && q.tail.Load().drained()
}

// grow replaces r, a full ring, by one twice as large, unless another
// producer has already done so, or the queue has been closed.
func (q *queue[E]) grow(r *ring[E]) {
	q.growMu.Lock()
	defer q.growMu.Unlock()
	if q.tail.Load() != r || q.closed.Load() {
		return
	}
	size := 2 * len(r.slots)
	next := newRing[E](size, q.capacity)
	// Link before sealing: a consumer that sees r sealed finds next.
	r.next.Store(next)
	r.tail.Or(sealed)
	q.tail.Store(next)
}

// pop removes the oldest value into v and reports whether there was one.
func (q *queue[E]) pop(v *E) bool {
	for {
		r := q.head.Load()
		if r.pop(v) {
			return true
		}
		if !q.advance(r) {
			return false
		}
	}
}

// popBatch is ring.popBatch on the queue: it removes the oldest values into
// out, at most len(out), and returns how many.
func (q *queue[E]) popBatch(out []E) int {
	for {
		r := q.head.Load()
		if n := r.popBatch(out); n > 0 {
			return n
		}
		if !q.advance(r) {
			return 0
		}
	}
}

// advance moves consumers from r, an empty ring, to the ring that replaced
// it, and reports whether there is one.
func (q *queue[E]) advance(r *ring[E]) bool {
	next := r.next.Load()
	if next == nil || !r.drained() {
		return false
	}
	q.head.CompareAndSwap(r, next)
	return true
}

// ready reports whether a pop would find a value (it may not, if another
// consumer takes it first).
func (q *queue[E]) ready() bool {
	r := q.head.Load()
	return r.ready() || r.next.Load() != nil
}

// len returns the number of values in the queue. While other goroutines push
// and pop, it is a snapshot that may be off by the values in flight.
func (q *queue[E]) len() int {
	n := 0
	for r := q.head.Load(); r != nil; r = r.next.Load() {
		n += r.len()
	}
	return n
}
