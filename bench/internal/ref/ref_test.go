package ref

import (
	"context"
	"slices"
	"sync"
	"testing"
)

// recorder returns listeners that append their index to a shared list.
type recorder struct {
	mu  sync.Mutex
	got []int
}

func (r *recorder) listener(i int) func(context.Context, int) {
	return func(context.Context, int) {
		r.mu.Lock()
		r.got = append(r.got, i)
		r.mu.Unlock()
	}
}

func TestEmitters(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		build func(r *recorder) func(context.Context)
		want  []int
		order bool // whether the order is defined
	}{
		{"floor", context.Background(), func(r *recorder) func(context.Context) {
			var s Floor[int]
			for i := range 3 {
				s.Add(r.listener(i))
			}
			return func(ctx context.Context) { s.Emit(ctx, 0) }
		}, []int{0, 1, 2}, true},
		{"floor cancelled", cancelled, func(r *recorder) func(context.Context) {
			var s Floor[int]
			s.Add(r.listener(0))
			return func(ctx context.Context) { s.Emit(ctx, 0) }
		}, nil, true},
		{"floor recovers a panic", context.Background(), func(r *recorder) func(context.Context) {
			var s Floor[int]
			s.Add(r.listener(0))
			s.Add(func(context.Context, int) { panic("boom") })
			return func(ctx context.Context) { s.Emit(ctx, 0) }
		}, []int{0}, true},
		{"v1.3 single", context.Background(), func(r *recorder) func(context.Context) {
			var s V13[int]
			s.Add(r.listener(7), "")
			return func(ctx context.Context) { s.Emit(ctx, 0) }
		}, []int{7}, true},
		{"v1.3 keyed, removal swaps the last in", context.Background(), func(r *recorder) func(context.Context) {
			var s V13[int]
			for i, k := range []string{"a", "b", "c"} {
				s.Add(r.listener(i), k)
			}
			s.Remove("a")
			s.Remove("missing")
			return func(ctx context.Context) { s.Emit(ctx, 0) }
		}, []int{2, 1}, true},
		{"v1.3 cancelled", cancelled, func(r *recorder) func(context.Context) {
			var s V13[int]
			s.Add(r.listener(0), "a")
			s.Add(r.listener(1), "b")
			return func(ctx context.Context) { s.Emit(ctx, 0) }
		}, nil, true},
		{"v1.3 async waits for all", context.Background(), func(r *recorder) func(context.Context) {
			var s V13[int]
			for i := range 20 {
				s.Add(r.listener(i), "")
			}
			return func(ctx context.Context) { s.EmitAsync(ctx, 0) }
		}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			emit := tt.build(&r)
			for range 2 { // the second emission reuses pooled copies
				r.got = nil
				emit(tt.ctx)
				got := r.got
				if !tt.order {
					slices.Sort(got)
				}
				if !slices.Equal(got, tt.want) {
					t.Fatalf("listeners called %v, want %v", got, tt.want)
				}
			}
		})
	}
}
