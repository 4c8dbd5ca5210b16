// Package ref holds the yardsticks the suite measures package signals
// against. They are the designs of signals/reference_test.go, copied here
// line for line (only the names are exported), because a _test.go file cannot
// be imported (TestSameAsCoreReference fails if the two drift apart); the
// suite also runs the benchmarks of that file itself.
//
//   - Floor is the least any correct lock-free emitter does: one atomic load of
//     the listener list, one indirect call per listener, plus what every
//     correct emitter pays once per emission: one deferred recover and one
//     context check.
//   - V13 is the design of maniartech/signals v1.3: a sync.RWMutex around the
//     listener list, copied into a pooled slice for every emission, and for
//     async emission a goroutine per listener.
package ref

import (
	"context"
	"sync"
	"sync/atomic"
)

// Floor is the floor emitter. The zero value is ready to use.
type Floor[T any] struct {
	listeners atomic.Pointer[[]func(context.Context, T)]
}

// Add appends a listener. Add is not safe for concurrent use with itself.
func (s *Floor[T]) Add(l func(context.Context, T)) {
	var next []func(context.Context, T)
	if p := s.listeners.Load(); p != nil {
		next = append(next, *p...)
	}
	next = append(next, l)
	s.listeners.Store(&next)
}

// Emit calls every listener.
func (s *Floor[T]) Emit(ctx context.Context, v T) {
	defer func() { _ = recover() }()
	if ctx.Err() != nil {
		return
	}
	for _, l := range *s.listeners.Load() {
		l(ctx, v)
	}
}

type v13Listener[T any] struct {
	key string
	fn  func(context.Context, T)
}

// V13 is the v1.3-style emitter. The zero value is ready to use.
type V13[T any] struct {
	mu        sync.RWMutex
	listeners []v13Listener[T]
	pool      sync.Pool
}

// Add adds a listener with a key ("" for none).
func (s *V13[T]) Add(l func(context.Context, T), key string) {
	s.mu.Lock()
	s.listeners = append(s.listeners, v13Listener[T]{key: key, fn: l})
	s.mu.Unlock()
}

// Remove removes the listener with key, swapping the last one into its place
// as v1.3 did.
func (s *V13[T]) Remove(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, l := range s.listeners {
		if l.key == key {
			n := len(s.listeners)
			s.listeners[i] = s.listeners[n-1]
			s.listeners = s.listeners[:n-1]
			return
		}
	}
}

// snapshot copies the listeners into a pooled slice, as v1.3 did.
func (s *V13[T]) snapshot() (*[]v13Listener[T], bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, _ := s.pool.Get().(*[]v13Listener[T])
	if p == nil {
		p = new([]v13Listener[T])
	}
	*p = append((*p)[:0], s.listeners...)
	return p, true
}

func (s *V13[T]) release(p *[]v13Listener[T]) {
	clear(*p)
	s.pool.Put(p)
}

// Emit is v1.3's SyncSignal.Emit.
func (s *V13[T]) Emit(ctx context.Context, v T) {
	s.mu.RLock()
	if len(s.listeners) == 1 && s.listeners[0].key == "" {
		fn := s.listeners[0].fn
		s.mu.RUnlock()
		if ctx.Err() == nil {
			fn(ctx, v)
		}
		return
	}
	s.mu.RUnlock()
	p, _ := s.snapshot()
	for _, l := range *p {
		if ctx.Err() != nil {
			break
		}
		l.fn(ctx, v)
	}
	s.release(p)
}

// EmitAsync is v1.3's AsyncSignal.Emit: one goroutine per listener, and a
// wait for all of them.
func (s *V13[T]) EmitAsync(ctx context.Context, v T) {
	p, _ := s.snapshot()
	var wg sync.WaitGroup
	for _, l := range *p {
		wg.Add(1)
		go func(fn func(context.Context, T)) {
			defer wg.Done()
			fn(ctx, v)
		}(l.fn)
	}
	wg.Wait()
	s.release(p)
}
