package signals

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestViewPlain checks that a view's count of listeners that are not plain
// (view.special, which the emission loops read instead of looking at every
// listener) matches its entries after every change that publishes a view:
// adding listeners of every kind, removing, a one-time listener firing,
// turning the circuit breaker on and off, and Reset.
func TestViewPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := NewSync[int]()
	ctx := context.Background()
	plain := func(context.Context, int) {}
	errAware := func(context.Context, int) error { return nil }
	for step := range 2000 {
		key := fmt.Sprintf("k%d", rng.IntN(8))
		op := rng.IntN(9)
		switch op {
		case 0, 1:
			s.AddListener(plain)
		case 2:
			s.AddListener(plain, key)
		case 3:
			s.AddListenerWithErr(errAware)
		case 4:
			s.AddOnce(plain)
		case 5:
			s.RemoveListener(key)
		case 6:
			s.Emit(ctx, step) // fires the one-time listeners
		case 7:
			s.SetBreakerThreshold(rng.IntN(2) * 3)
		case 8:
			if rng.IntN(10) == 0 {
				s.Reset()
			}
		}
		v := s.load()
		if v == nil { // nothing published yet
			continue
		}
		want := 0
		for i := range v.entries {
			if !v.entries[i].plain() {
				want++
			}
		}
		if v.special != want {
			t.Fatalf("step %d (op %d): view counts %d listeners that are not plain, its entries %d", step, op, v.special, want)
		}
	}
}
