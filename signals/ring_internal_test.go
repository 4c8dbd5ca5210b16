package signals

import (
	"sync"
	"testing"
)

func TestRingFIFO(t *testing.T) {
	r := newRing[int](8, 8)
	for lap := range 3 {
		for i := range 8 {
			v := lap*10 + i
			if r.push(&v, false) != pushed {
				t.Fatalf("push %d failed", i)
			}
		}
		v := 99
		if r.push(&v, false) != full {
			t.Fatal("push into a full ring succeeded")
		}
		for i := range 8 {
			var got int
			if !r.pop(&got) || got != lap*10+i {
				t.Fatalf("pop = %v, want %d", got, lap*10+i)
			}
		}
		var got int
		if r.pop(&got) {
			t.Fatal("pop from an empty ring")
		}
	}
}

// TestRingLimit: a ring holds no more than its limit, which may be less than
// its size; a sealed ring refuses pushes, and is drained once emptied.
func TestRingLimit(t *testing.T) {
	r := newRing[int](8, 5)
	for i := range 5 {
		if r.push(&i, false) != pushed {
			t.Fatalf("push %d failed", i)
		}
	}
	v := 5
	if r.push(&v, false) != full {
		t.Fatal("push beyond the limit succeeded")
	}
	var got int
	r.pop(&got)
	if r.push(&v, false) != pushed {
		t.Fatal("push after a pop failed")
	}
	r.tail.Or(sealed)
	if r.push(&v, false) != isSealed {
		t.Fatal("push into a sealed ring succeeded")
	}
	for r.pop(&got) {
	}
	if !r.drained() || r.len() != 0 {
		t.Fatalf("drained = %v, len = %d", r.drained(), r.len())
	}
}

// TestQueueGrows: a queue starts small and grows up to its capacity, keeping
// its values in order, and holds exactly its capacity.
func TestQueueGrows(t *testing.T) {
	for _, capacity := range []int{1, 3, 64, 200, 1000} {
		q := newQueue[int](capacity)
		for i := range capacity {
			if q.push(&i, false) != pushed {
				t.Fatalf("capacity %d: push %d failed", capacity, i)
			}
		}
		v := -1
		if q.push(&v, false) != full {
			t.Fatalf("capacity %d: push into a full queue succeeded", capacity)
		}
		if n := q.len(); n != capacity {
			t.Fatalf("capacity %d: len %d", capacity, n)
		}
		for i := range capacity {
			var got int
			if !q.pop(&got) || got != i {
				t.Fatalf("capacity %d: pop = %d, want %d", capacity, got, i)
			}
		}
		var got int
		if q.pop(&got) || q.len() != 0 {
			t.Fatalf("capacity %d: not empty after popping everything", capacity)
		}
		if r := q.head.Load(); r != q.tail.Load() || len(r.slots) != q.maxRing() && len(r.slots) != initialRing {
			t.Fatalf("capacity %d: the queue did not move to its last ring", capacity)
		}
	}
}

// TestQueueClose: a closed queue refuses pushes, gives out what it holds, and
// is drained once emptied.
func TestQueueClose(t *testing.T) {
	q := newQueue[int](100)
	for i := range 70 { // more than the first ring: the queue has grown
		if q.push(&i, false) != pushed {
			t.Fatal("push")
		}
	}
	q.close()
	v := 1
	if q.push(&v, false) != isSealed {
		t.Fatal("push into a closed queue succeeded")
	}
	var batch [16]int
	got := 0
	for {
		n := q.popBatch(batch[:])
		if n == 0 {
			break
		}
		for _, x := range batch[:n] {
			if x != got {
				t.Fatalf("popped %d, want %d", x, got)
			}
			got++
		}
	}
	if got != 70 || !q.drained() {
		t.Fatalf("popped %d of 70, drained %v", got, q.drained())
	}
}

// TestQueueConcurrent pushes from several goroutines and pops from several,
// while the queue grows: every value comes out exactly once, and each
// producer's values in order.
func TestQueueConcurrent(t *testing.T) {
	q := newQueue[int](4096)
	const producers, per = 4, 5000
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				v := p*per + i
				for q.push(&v, false) != pushed {
				}
			}
		}()
	}
	seen := make([]int, producers*per)
	last := make([][]int, 2)
	var mu sync.Mutex
	var cw sync.WaitGroup
	done := make(chan struct{})
	for c := range 2 {
		last[c] = make([]int, producers)
		for p := range last[c] {
			last[c][p] = -1
		}
		cw.Add(1)
		go func() {
			defer cw.Done()
			for {
				var v int
				if !q.pop(&v) {
					select {
					case <-done:
						if !q.pop(&v) {
							return
						}
					default:
						continue
					}
				}
				p, i := v/per, v%per
				if i <= last[c][p] {
					t.Errorf("consumer %d saw producer %d's value %d after %d", c, p, i, last[c][p])
				}
				last[c][p] = i
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(done)
	cw.Wait()
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("value %d popped %d times", v, n)
		}
	}
}

func TestActivity(t *testing.T) {
	var a activity
	for range 2 {
		if !a.acquire() {
			t.Fatal("acquire on an open activity")
		}
	}
	idle := a.close()
	if a.acquire() {
		t.Fatal("acquire after close")
	}
	select {
	case <-idle:
		t.Fatal("idle with work in progress")
	default:
	}
	select {
	case <-a.closingChan():
	default:
		t.Fatal("closing channel not closed")
	}
	a.release()
	a.release()
	<-idle
	if a.close() != idle || !a.closed() {
		t.Fatal("second close")
	}
	var b activity
	<-b.close() // no work: idle at once
}
