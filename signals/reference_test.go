package signals_test

import (
	"context"
	"sync"
	"sync/atomic"
)

// This file holds the three yardsticks the benchmarks compare signals with, in
// the same package so that every run shows the ratios:
//
//   - floorSignal, the least any correct lock-free emitter does: one atomic
//     load of the listener list, one indirect call per listener, plus what
//     every correct emitter pays once per emission: one deferred recover and
//     one context check.
//   - deferEachSignal, the floor with panic isolation done the simple way: a
//     deferred recover around every listener call. It shows what signals
//     saves by recovering once per emission instead.
//   - v13Signal, the design of maniartech/signals v1.3: a sync.RWMutex around
//     the listener list, copied into a pooled slice for every emission, and
//     for async emission a goroutine per listener.

type floorSignal[T any] struct {
	listeners atomic.Pointer[[]func(context.Context, T)]
}

func (s *floorSignal[T]) add(l func(context.Context, T)) {
	var next []func(context.Context, T)
	if p := s.listeners.Load(); p != nil {
		next = append(next, *p...)
	}
	next = append(next, l)
	s.listeners.Store(&next)
}

func (s *floorSignal[T]) emit(ctx context.Context, v T) {
	defer func() { _ = recover() }()
	if ctx.Err() != nil {
		return
	}
	for _, l := range *s.listeners.Load() {
		l(ctx, v)
	}
}

type deferEachSignal[T any] struct {
	floorSignal[T]
}

func (s *deferEachSignal[T]) emit(ctx context.Context, v T) {
	if ctx.Err() != nil {
		return
	}
	for _, l := range *s.listeners.Load() {
		callIsolated(ctx, v, l)
	}
}

func callIsolated[T any](ctx context.Context, v T, l func(context.Context, T)) {
	defer func() { _ = recover() }()
	l(ctx, v)
}

type v13Listener[T any] struct {
	key string
	fn  func(context.Context, T)
}

type v13Signal[T any] struct {
	mu        sync.RWMutex
	listeners []v13Listener[T]
	pool      sync.Pool
}

func (s *v13Signal[T]) add(l func(context.Context, T), key string) {
	s.mu.Lock()
	s.listeners = append(s.listeners, v13Listener[T]{key: key, fn: l})
	s.mu.Unlock()
}

// remove removes the listener with key, swapping the last one into its place
// as v1.3 did.
func (s *v13Signal[T]) remove(key string) {
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
func (s *v13Signal[T]) snapshot() (*[]v13Listener[T], bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, _ := s.pool.Get().(*[]v13Listener[T])
	if p == nil {
		p = new([]v13Listener[T])
	}
	*p = append((*p)[:0], s.listeners...)
	return p, true
}

func (s *v13Signal[T]) release(p *[]v13Listener[T]) {
	clear(*p)
	s.pool.Put(p)
}

func (s *v13Signal[T]) emit(ctx context.Context, v T) {
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

// emitAsync is v1.3's AsyncSignal.Emit: one goroutine per listener, and a wait
// for all of them.
func (s *v13Signal[T]) emitAsync(ctx context.Context, v T) {
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
