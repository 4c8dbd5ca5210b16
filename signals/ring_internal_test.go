package signals

import (
	"sync"
	"testing"
)

type intTask int

func (intTask) run()  {}
func (intTask) drop() {}

func TestRingFIFO(t *testing.T) {
	r := newRing(5) // rounds up to 8
	if len(r.slots) != 8 {
		t.Fatalf("capacity %d", len(r.slots))
	}
	for lap := range 3 {
		for i := range 8 {
			if !r.push(intTask(lap*10 + i)) {
				t.Fatalf("push %d failed", i)
			}
		}
		if r.push(intTask(99)) {
			t.Fatal("push into a full ring succeeded")
		}
		for i := range 8 {
			if got := r.pop(); got != intTask(lap*10+i) {
				t.Fatalf("pop = %v, want %d", got, lap*10+i)
			}
		}
		if r.pop() != nil {
			t.Fatal("pop from an empty ring")
		}
	}
}

// TestRingConcurrent pushes from several goroutines and pops from several:
// every task comes out exactly once, and each producer's tasks in order.
func TestRingConcurrent(t *testing.T) {
	r := newRing(16)
	const producers, per = 4, 5000
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				for !r.push(intTask(p*per + i)) {
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
				tk := r.pop()
				if tk == nil {
					select {
					case <-done:
						if tk = r.pop(); tk == nil {
							return
						}
					default:
						continue
					}
				}
				v := int(tk.(intTask))
				p, i := v/per, v%per
				if i <= last[c][p] {
					t.Errorf("consumer %d saw producer %d's task %d after %d", c, p, i, last[c][p])
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
			t.Fatalf("task %d popped %d times", v, n)
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
