package signals_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

// emitter is what the table-driven tests run against: both signal types, so
// that every behaviour common to them is checked on both.
type emitter interface {
	signals.Signal[int]
	SetErrorHandler(signals.ErrorHandler) signals.ErrorHandler
}

type signalCase struct {
	name string
	new  func(opts *signals.SignalOptions) emitter
}

func signalCases(t *testing.T) []signalCase {
	return []signalCase{
		{"sync", func(opts *signals.SignalOptions) emitter { return signals.NewSyncWithOptions[int](opts) }},
		{"async", func(opts *signals.SignalOptions) emitter {
			s := signals.NewWithOptions[int](opts)
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
}

func TestAddListenerCounts(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.new(nil)
			noop := func(context.Context, int) {}
			steps := []struct {
				do   func() int
				want int
			}{
				{func() int { return s.AddListener(noop) }, 1},
				{func() int { return s.AddListener(noop, "a") }, 2},
				{func() int { return s.AddListener(noop, "a") }, -1},
				{func() int { return s.AddListenerWithErr(func(context.Context, int) error { return nil }, "a") }, -1},
				{func() int { return s.AddListenerWithErr(func(context.Context, int) error { return nil }, "b") }, 3},
				{func() int { return s.AddListener(noop, "") }, 4}, // an empty key is no key
				{func() int { return s.AddListener(noop, "") }, 5},
				{func() int { return s.AddOnceWithKey(noop, "b") }, -1},
				{func() int { return s.AddOnceWithErrAndKey(func(context.Context, int) error { return nil }, "c") }, 6},
				{func() int { return s.RemoveListener("a") }, 5},
				{func() int { return s.RemoveListener("a") }, -1},
				{func() int { return s.RemoveListener("") }, -1},
				{func() int { return s.RemoveListener("missing") }, -1},
			}
			for i, st := range steps {
				if got := st.do(); got != st.want {
					t.Fatalf("step %d: got %d, want %d", i, got, st.want)
				}
			}
			if got := s.Len(); got != 5 {
				t.Errorf("Len = %d, want 5", got)
			}
			if !equal(s.Keys(), []string{"b", "c"}) {
				t.Errorf("Keys = %q, want [b c]", s.Keys())
			}
			s.Reset()
			if !s.IsEmpty() || s.Len() != 0 || len(s.Keys()) != 0 || s.HasKey("b") {
				t.Errorf("after Reset: IsEmpty=%v Len=%d Keys=%q HasKey(b)=%v", s.IsEmpty(), s.Len(), s.Keys(), s.HasKey("b"))
			}
			if got := s.AddListener(noop, "b"); got != 1 {
				t.Errorf("AddListener after Reset = %d, want 1 (the key is free again)", got)
			}
		})
	}
}

func TestNilListenerPanics(t *testing.T) {
	s := signals.NewSync[int]()
	adds := map[string]func(){
		"AddListener":          func() { s.AddListener(nil) },
		"AddListenerWithErr":   func() { s.AddListenerWithErr(nil) },
		"AddOnce":              func() { s.AddOnce(nil) },
		"AddOnceWithKey":       func() { s.AddOnceWithKey(nil, "k") },
		"AddOnceWithErr":       func() { s.AddOnceWithErr(nil) },
		"AddOnceWithErrAndKey": func() { s.AddOnceWithErrAndKey(nil, "k") },
	}
	for name, add := range adds {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.Contains(msg, "listener cannot be nil") || !strings.Contains(msg, name) {
					t.Errorf("panic = %v, want a message naming %s and a nil listener", r, name)
				}
			}()
			add()
		})
	}
	if s.Len() != 0 {
		t.Errorf("Len = %d after failed adds", s.Len())
	}
}

func TestSyncEmitOrderAndPayload(t *testing.T) {
	s := signals.NewSync[int]()
	var got []int
	for i := range 5 {
		s.AddListener(func(_ context.Context, v int) { got = append(got, i*100+v) }, string(rune('a'+i)))
	}
	s.RemoveListener("b") // the others keep their order (v1.3 swapped the last one in)
	s.Emit(context.Background(), 7)
	if want := []int{7, 207, 307, 407}; !equal(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
}

func TestEmitCallsErrorAwareListeners(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			var rec recorder
			var h handlerLog
			s := c.new(&signals.SignalOptions{ErrorHandler: h.handle})
			s.AddListener(rec.listener("plain"))
			s.AddListenerWithErr(rec.failing("fails", boom), "f")
			s.AddListenerWithErr(rec.failing("ok", nil))
			s.Emit(context.Background(), 1)
			if got := rec.get(); len(got) != 3 {
				t.Fatalf("calls = %q, want all three listeners", got)
			}
			keys, errs := h.get()
			if !equal(keys, []string{"f"}) || len(errs) != 1 || !errors.Is(errs[0], boom) {
				t.Errorf("handler got keys %q errs %v, want [f] [boom]", keys, errs)
			}
			m := s.Metadata("f")
			if m == nil || m.ErrorCount != 1 || !errors.Is(m.LastError, boom) || !m.IsErrorAware || m.IsOnce {
				t.Errorf("Metadata(f) = %+v", m)
			}
		})
	}
}

func TestPanicIsolation(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			var rec recorder
			var h handlerLog
			s := c.new(&signals.SignalOptions{ErrorHandler: h.handle})
			s.AddListener(rec.listener("first"))
			s.AddListener(rec.panicking("p1", "first panic"), "p1")
			s.AddListener(rec.listener("middle"))
			s.AddListener(rec.panicking("p2", errors.ErrUnsupported), "p2")
			s.AddListener(rec.listener("last"))
			for range 3 {
				s.Emit(context.Background(), 1)
			}
			if got := rec.get(); len(got) != 15 {
				t.Fatalf("calls = %q, want every listener called 3 times", got)
			}
			keys, errs := h.get()
			if len(errs) != 6 {
				t.Fatalf("handler got %d errors, want 6", len(errs))
			}
			for i, err := range errs {
				var pe *signals.PanicError
				if !errors.As(err, &pe) || pe.Key != keys[i] || len(pe.Stack) == 0 {
					t.Fatalf("error %d = %v (key %q), want a *PanicError with key and stack", i, err, keys[i])
				}
				if pe.Key == "p2" && !errors.Is(err, errors.ErrUnsupported) {
					t.Errorf("a panic with an error value does not unwrap to it: %v", err)
				}
				if !strings.Contains(string(pe.Stack), "panicking") {
					t.Errorf("stack does not show the panicking listener:\n%s", pe.Stack)
				}
			}
			if m := s.Metadata("p1"); m.ErrorCount != 3 || m.LastError == nil {
				t.Errorf("Metadata(p1) = %+v, want 3 errors", m)
			}
		})
	}
}

func TestDefaultErrorHandlerLogsPanics(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)

	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders"})
	s.AddListener(func(context.Context, int) { panic("kaboom") }, "k")
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("quiet") })
	s.Emit(context.Background(), 1)
	out := buf.String()
	for _, want := range []string{"listener panicked", "signal=orders", "key=k", "panic=kaboom", "stack="} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "quiet") {
		t.Errorf("errors are logged by default: %q", out)
	}
	if prev := s.SetErrorHandler(func(context.Context, string, error) {}); prev != nil {
		t.Error("SetErrorHandler returned a previous handler where none was set")
	}
	if prev := s.SetErrorHandler(nil); prev == nil {
		t.Error("SetErrorHandler did not return the previous handler")
	}
}

func TestTryEmit(t *testing.T) {
	boom := errors.New("boom")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		listeners func(*signals.SyncSignal[int], *recorder)
		wantCalls []string
		wantErr   func(error) bool
	}{
		{"no listeners", context.Background(), func(*signals.SyncSignal[int], *recorder) {}, nil,
			func(err error) bool { return err == nil }},
		{"all succeed", context.Background(), func(s *signals.SyncSignal[int], r *recorder) {
			s.AddListener(r.listener("a"))
			s.AddListenerWithErr(r.failing("b", nil))
		}, []string{"a", "b"}, func(err error) bool { return err == nil }},
		{"stops at the first error", context.Background(), func(s *signals.SyncSignal[int], r *recorder) {
			s.AddListener(r.listener("a"))
			s.AddListenerWithErr(r.failing("b", boom))
			s.AddListener(r.listener("c"))
		}, []string{"a", "b"}, func(err error) bool { return err == boom }},
		{"stops at a panic", context.Background(), func(s *signals.SyncSignal[int], r *recorder) {
			s.AddListener(r.panicking("a", "oops"), "a")
			s.AddListener(r.listener("b"))
		}, []string{"a"}, func(err error) bool {
			var pe *signals.PanicError
			return errors.As(err, &pe) && pe.Key == "a" && pe.Value == "oops"
		}},
		{"cancelled before", cancelled, func(s *signals.SyncSignal[int], r *recorder) {
			s.AddListener(r.listener("a"))
		}, nil, func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"cancelled with no listeners", cancelled, func(*signals.SyncSignal[int], *recorder) {}, nil,
			func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"nil context", nil, func(s *signals.SyncSignal[int], r *recorder) {
			s.AddListener(func(ctx context.Context, _ int) {
				if ctx == nil {
					panic("nil ctx")
				}
				r.add("a")
			})
		}, []string{"a"}, func(err error) bool { return err == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			var h handlerLog
			s := signals.NewSyncWithOptions[int](&signals.SignalOptions{ErrorHandler: h.handle})
			tt.listeners(s, &rec)
			err := s.TryEmit(tt.ctx, 1)
			if !tt.wantErr(err) {
				t.Errorf("TryEmit = %v", err)
			}
			if got := rec.get(); !equal(got, tt.wantCalls) {
				t.Errorf("calls = %q, want %q", got, tt.wantCalls)
			}
			if _, errs := h.get(); len(errs) != 0 {
				t.Errorf("TryEmit passed failures to the error handler: %v", errs)
			}
		})
	}
}

func TestTryEmitCancelledDuringEmission(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rec recorder
	s := signals.NewSync[int]()
	s.AddListener(rec.listener("a"))
	s.AddListener(func(context.Context, int) { rec.add("cancel"); cancel() })
	s.AddListener(rec.listener("c"))
	if err := s.TryEmit(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("TryEmit = %v, want context.Canceled", err)
	}
	if got := rec.get(); !equal(got, []string{"a", "cancel"}) {
		t.Errorf("calls = %q", got)
	}
	// The last listener cancelling still makes TryEmit report it, as in v1.3.
	ctx2, cancel2 := context.WithCancel(context.Background())
	s2 := signals.NewSync[int]()
	s2.AddListener(func(context.Context, int) { cancel2() })
	if err := s2.TryEmit(ctx2, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("TryEmit = %v, want context.Canceled", err)
	}
}

func TestCancelledContextSkipsListeners(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var rec recorder
			s := c.new(&signals.SignalOptions{WorkerPoolSize: 1})
			s.AddListener(func(context.Context, int) { rec.add("a"); cancel() })
			for range 4 {
				s.AddListener(rec.listener("later"))
			}
			s.Emit(ctx, 1)
			got := rec.get()
			if len(got) == 0 || got[0] != "a" {
				t.Fatalf("calls = %q", got)
			}
			if c.name == "sync" && len(got) != 1 {
				t.Errorf("calls = %q, want none after the cancellation", got)
			}
			rec = recorder{}
			s.Emit(ctx, 2) // already cancelled: nothing starts
			if got := rec.get(); len(got) != 0 {
				t.Errorf("calls with a cancelled context = %q", got)
			}
		})
	}
}

func TestNilContextIsBackground(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.new(nil)
			var got context.Context
			s.AddListener(func(ctx context.Context, _ int) { got = ctx })
			//lint:ignore SA1012 a nil context is part of the v1.3 contract
			s.Emit(nil, 1)
			if got != context.Background() {
				t.Errorf("listener received %v, want context.Background()", got)
			}
		})
	}
}

func TestListenerChangesDuringEmission(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			var rec recorder
			s := c.new(&signals.SignalOptions{WorkerPoolSize: 1})
			s.AddListener(func(context.Context, int) {
				rec.add("first")
				s.AddListener(rec.listener("added")) // not called by this emission
			}, "first")
			s.AddListener(rec.listener("second"), "second")
			if c.name == "sync" {
				// Removing a later listener during a sync emission keeps it
				// from being called by that emission.
				s.AddListener(func(context.Context, int) { rec.add("remover"); s.RemoveListener("victim") }, "remover")
				s.AddListener(rec.listener("victim"), "victim")
			}
			s.Emit(context.Background(), 1)
			got := rec.get()
			for _, name := range got {
				if name == "added" || name == "victim" {
					t.Errorf("calls = %q: %s was called", got, name)
				}
			}
			if s.HasKey("victim") {
				t.Error("victim still registered")
			}
		})
	}
}

func TestReentrantEmit(t *testing.T) {
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.new(&signals.SignalOptions{WorkerPoolSize: 1})
			var depth, calls int
			var mu sync.Mutex
			s.AddListener(func(ctx context.Context, v int) {
				mu.Lock()
				calls++
				mu.Unlock()
				if v < 3 {
					s.Emit(ctx, v+1) // emits on its own signal
				}
			})
			s.AddListener(func(context.Context, int) {
				mu.Lock()
				depth++
				mu.Unlock()
				s.RemoveListener("x")
				s.AddListener(func(context.Context, int) {}, "x")
			})
			done := make(chan struct{})
			go func() { s.Emit(context.Background(), 0); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("reentrant emission deadlocked")
			}
			if calls != 4 || depth != 4 {
				t.Errorf("calls = %d, depth = %d, want 4 and 4", calls, depth)
			}
		})
	}
}

func TestZeroValues(t *testing.T) {
	var base signals.BaseSignal[int]
	var sync signals.SyncSignal[int]
	var async signals.AsyncSignal[int]
	defer async.Close()
	for _, s := range []signals.Signal[int]{&base, &sync, &async} {
		if s.Len() != 0 || !s.IsEmpty() || len(s.Keys()) != 0 || s.HasKey("k") || s.Metadata("k") != nil {
			t.Errorf("%T: zero value not empty", s)
		}
		if s.RemoveListener("k") != -1 {
			t.Errorf("%T: RemoveListener on the zero value", s)
		}
		s.Reset()
		if s.AddListener(func(context.Context, int) {}, "k") != 1 || !s.HasKey("k") {
			t.Errorf("%T: AddListener on the zero value", s)
		}
	}
	n := 0
	sync.AddListener(func(context.Context, int) { n++ })
	async.AddListener(func(context.Context, int) { n++ })
	sync.Emit(context.Background(), 1)
	async.Emit(context.Background(), 1)
	if n != 2 {
		t.Errorf("zero-value signals called %d listeners, want 2", n)
	}
	if err := sync.TryEmit(context.Background(), 1); err != nil {
		t.Errorf("TryEmit on the zero value = %v", err)
	}
	var empty signals.SyncSignal[int]
	//lint:ignore SA1012 a nil context is part of the v1.3 contract
	if err := empty.TryEmit(nil, 1); err != nil {
		t.Errorf("TryEmit on an empty zero value = %v", err)
	}
	empty.Emit(context.Background(), 1)
}

func TestBaseSignalEmitPanics(t *testing.T) {
	s := signals.NewBaseSignal[int](nil)
	s.AddListener(func(context.Context, int) {})
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "SyncSignal or an AsyncSignal") {
			t.Errorf("BaseSignal.Emit: recover() = %v", r)
		}
	}()
	s.Emit(context.Background(), 1)
}

func TestOptions(t *testing.T) {
	var grown []int
	opts := &signals.SignalOptions{
		Name:            "orders",
		InitialCapacity: 2,
		GrowthFunc:      func(c int) int { grown = append(grown, c); return c * 3 },
	}
	s := signals.NewSyncWithOptions[int](opts)
	for range 7 {
		s.AddListener(func(context.Context, int) {})
	}
	if !equal(grown, []int{2, 6}) {
		t.Errorf("GrowthFunc called with %v, want [2 6]", grown)
	}
	if s.Name() != "orders" {
		t.Errorf("Name = %q", s.Name())
	}
	if got := signals.NewSync[int]().Name(); got != signals.DefaultName {
		t.Errorf("unnamed signal's Name = %q", got)
	}
	if s.Kind() != signals.KindSync || signals.New[int]().Kind() != signals.KindAsync {
		t.Error("Kind")
	}
}

func TestMetadata(t *testing.T) {
	before := time.Now()
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) {}, "plain")
	s.AddOnceWithErrAndKey(func(context.Context, int) error { return nil }, "once")
	after := time.Now()
	m := s.Metadata("plain")
	if m.Key != "plain" || m.IsOnce || m.IsErrorAware || m.CallCount != 0 || m.ErrorCount != 0 || m.LastError != nil || !m.LastCalled.IsZero() {
		t.Errorf("Metadata(plain) = %+v", m)
	}
	if m.AddedAt.Before(before.Truncate(time.Second)) || m.AddedAt.After(after) {
		t.Errorf("AddedAt = %v, want between %v and %v", m.AddedAt, before, after)
	}
	if m := s.Metadata("once"); !m.IsOnce || !m.IsErrorAware {
		t.Errorf("Metadata(once) = %+v", m)
	}
	if s.Metadata("missing") != nil || s.Metadata("") != nil {
		t.Error("Metadata of an unknown key is not nil")
	}
	keys := s.Keys()
	keys[0] = "changed"
	if s.Keys()[0] != "plain" {
		t.Error("Keys returned the signal's own slice")
	}
}

func TestListenerMetrics(t *testing.T) {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) {}, "k")
	s.Emit(context.Background(), 1)
	if m := s.Metadata("k"); m.CallCount != 0 || !m.LastCalled.IsZero() {
		t.Errorf("metrics kept while off: %+v", m)
	}
	s.EnableListenerMetrics(true)
	start := time.Now()
	for range 3 {
		s.Emit(context.Background(), 1)
	}
	m := s.Metadata("k")
	if m.CallCount != 3 || m.LastCalled.Before(start.Add(-time.Millisecond)) {
		t.Errorf("metrics on: %+v", m)
	}
	s.EnableListenerMetrics(false)
	s.Emit(context.Background(), 1)
	if m := s.Metadata("k"); m.CallCount != 3 {
		t.Errorf("metrics kept after switching off: %+v", m)
	}
	o := signals.NewSyncWithOptions[int](&signals.SignalOptions{ListenerMetrics: true})
	o.AddListener(func(context.Context, int) {}, "k")
	o.Emit(context.Background(), 1)
	if m := o.Metadata("k"); m.CallCount != 1 {
		t.Errorf("SignalOptions.ListenerMetrics: %+v", m)
	}
}

// TestManyKeyedListeners adds keyed listeners in an order that is not the
// keys' order, past the points where the key index merges its recent keys
// into its sorted ones, and removes some: every key is found, Keys are in
// registration order, and emissions call the listeners in the order they were added.
func TestManyKeyedListeners(t *testing.T) {
	const n = 300
	var sig signals.SyncSignal[int]
	var order []int
	key := func(i int) string { return fmt.Sprintf("k%03d", (i*7)%n) } // a permutation of 0..n-1
	for i := range n {
		sig.AddListener(func(context.Context, int) { order = append(order, i) }, key(i))
	}
	for i := range n {
		if !sig.HasKey(key(i)) {
			t.Fatalf("key %s not found", key(i))
		}
	}
	if sig.HasKey("k") || sig.HasKey("k999") {
		t.Error("HasKey finds a key never added")
	}
	keys := sig.Keys()
	for i := range n {
		if i >= len(keys) || keys[i] != key(i) {
			t.Fatalf("Keys: %d keys, not in registration order at %d", len(keys), i)
		}
	}
	for i := 0; i < n; i += 3 {
		if left := sig.RemoveListener(key(i)); left != n-1-i/3 {
			t.Fatalf("RemoveListener(%s) = %d, want %d", key(i), left, n-1-i/3)
		}
	}
	sig.Emit(context.Background(), 0)
	var want []int
	for i := range n {
		if i%3 != 0 {
			want = append(want, i)
		}
		if sig.HasKey(key(i)) != (i%3 != 0) {
			t.Fatalf("HasKey(%s) = %t after the removals", key(i), !(i%3 != 0))
		}
	}
	if !slices.Equal(order, want) {
		t.Errorf("emission called %d listeners, in order %t", len(order), slices.IsSorted(order))
	}
}
