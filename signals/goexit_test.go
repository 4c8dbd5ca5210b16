package signals_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/signalkit/sdk/signals"
)

// A listener that does not return normally is a failure on every path,
// whatever recover returns: runtime.Goexit (t.FailNow calls it) and panic(nil)
// under GODEBUG=panicnil=1 (issue 17, defect 2).

// endCollector asks for the given flags and counts EmitEnd calls.
type endCollector struct {
	signals.NopCollector
	signals.NopObserver
	flags signals.Observe
	ends  atomic.Int32
}

func (c *endCollector) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	return ctx, c
}

func (c *endCollector) Observe() signals.Observe { return c.flags }

func (c *endCollector) EmitEnd(context.Context, signals.Emission, signals.EmitResult) { c.ends.Add(1) }

// emissionPaths are the ways an emission runs: the signal type and what
// observes it select the fast, counted or general path.
type emissionPath struct {
	name      string
	async     bool
	stats     bool
	collector *endCollector
	cancel    bool // a context that can be cancelled
}

func emissionPaths() []emissionPath {
	return []emissionPath{
		{name: "sync/fast"},
		{name: "sync/general", cancel: true},
		{name: "sync/counted", collector: &endCollector{flags: signals.ObserveEnd}},
		{name: "sync/observed", stats: true, collector: &endCollector{flags: signals.ObserveEnd | signals.ObserveListenerStart}},
		{name: "async/emit", async: true},
		{name: "async/emit-observed", async: true, collector: &endCollector{flags: signals.ObserveEnd | signals.ObserveDurations}},
	}
}

// newOnPath returns a signal that emits on path p and passes failures to h.
func newOnPath(t *testing.T, p emissionPath, h *handlerLog) (emitter, func() signals.Stats, context.Context) {
	opts := &signals.SignalOptions{ErrorHandler: h.handle, Stats: p.stats, ListenerMetrics: p.stats}
	ctx := context.Background()
	if p.cancel {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		t.Cleanup(cancel)
	}
	if p.async {
		opts.QueueSize = 16 // a delivery enqueued now starts soon
		s := signals.NewWithOptions[int](opts)
		t.Cleanup(func() { s.Close() })
		if p.collector != nil {
			s.SetCollector(p.collector)
		}
		return s, s.Stats, ctx
	}
	s := signals.NewSyncWithOptions[int](opts)
	if p.collector != nil {
		s.SetCollector(p.collector)
	}
	return s, s.Stats, ctx
}

func TestListenerGoexit(t *testing.T) {
	for _, p := range emissionPaths() {
		t.Run(p.name, func(t *testing.T) {
			var rec recorder
			var h handlerLog
			s, stats, ctx := newOnPath(t, p, &h)
			s.AddListener(rec.listener("before"), "before")
			s.AddListener(func(context.Context, int) { rec.add("exit"); runtime.Goexit() }, "exit")
			s.AddListenerWithErr(rec.failing("after", nil), "after")

			exited := goexited(t, func() { s.Emit(ctx, 1) })
			if !p.async && !exited {
				t.Error("Emit returned: runtime.Goexit in a listener did not end the emitting goroutine")
			}
			got := rec.get()
			slices.Sort(got)
			if want := []string{"after", "before", "exit"}; !equal(got, want) {
				t.Errorf("calls = %q, want %q: a listener's Goexit kept others from running", got, want)
			}
			keys, errs := h.get()
			var pe *signals.PanicError
			if len(errs) != 1 || keys[0] != "exit" || !errors.Is(errs[0], signals.ErrGoexit) || !errors.As(errs[0], &pe) || pe.Key != "exit" {
				t.Fatalf("error handler got %q %v, want the Goexit of listener exit", keys, errs)
			}
			if st := stats(); st.Panics != 1 || st.Errors != 0 {
				t.Errorf("Stats: Panics = %d, Errors = %d, want 1, 0", st.Panics, st.Errors)
			}
			if m := s.Metadata("exit"); m.ErrorCount != 1 || !errors.Is(m.LastError, signals.ErrGoexit) {
				t.Errorf("Metadata: ErrorCount = %d, LastError = %v", m.ErrorCount, m.LastError)
			}
			if c := p.collector; c != nil && c.flags&signals.ObserveEnd != 0 {
				if n := c.ends.Load(); n != 1 {
					t.Errorf("EmitEnd called %d times, want 1", n)
				}
			}

			// The signal works on.
			s.RemoveListener("exit")
			if goexited(t, func() { s.Emit(ctx, 2) }) {
				t.Error("an emission without the exiting listener did not return")
			}
			if n := len(rec.get()); n != 5 {
				t.Errorf("%d calls after the second emission, want 5", n)
			}
		})
	}
}

func TestTryEmitGoexit(t *testing.T) {
	for _, p := range emissionPaths() {
		if p.async {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			var rec recorder
			var h handlerLog
			s, stats, ctx := newOnPath(t, p, &h)
			sync := s.(*signals.SyncSignal[int])
			s.AddListener(rec.listener("before"))
			s.AddListener(func(context.Context, int) { rec.add("exit"); runtime.Goexit() }, "exit")
			s.AddListener(rec.listener("after"))
			if !goexited(t, func() { _ = sync.TryEmit(ctx, 1) }) {
				t.Error("TryEmit returned: runtime.Goexit in a listener did not end the emitting goroutine")
			}
			if got, want := rec.get(), []string{"before", "exit"}; !equal(got, want) {
				t.Errorf("calls = %q, want %q", got, want)
			}
			// TryEmit cannot return the failure: the error handler gets it.
			if keys, errs := h.get(); len(errs) != 1 || keys[0] != "exit" || !errors.Is(errs[0], signals.ErrGoexit) {
				t.Errorf("error handler got %q %v, want the Goexit of listener exit", keys, errs)
			}
			if st := stats(); st.Panics != 1 {
				t.Errorf("Stats.Panics = %d, want 1", st.Panics)
			}
			if c := p.collector; c != nil && c.flags&signals.ObserveEnd != 0 {
				if n := c.ends.Load(); n != 1 {
					t.Errorf("EmitEnd called %d times, want 1", n)
				}
			}
		})
	}
}

// TestGoexitOnPoolWorker: a pool worker whose listener calls runtime.Goexit is
// replaced, the delivery it was part of completes, and Close returns.
func TestGoexitOnPoolWorker(t *testing.T) {
	for _, minWorkers := range []int{0, 1} {
		t.Run(map[int]string{0: "min-workers=0", 1: "min-workers=1"}[minWorkers], func(t *testing.T) {
			var h handlerLog
			s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, MinWorkers: minWorkers, ErrorHandler: h.handle})
			delivered := make(chan int, 16)
			s.AddListener(func(_ context.Context, v int) {
				if v == 0 {
					runtime.Goexit()
				}
				delivered <- v
			}, "exit")
			s.AddListener(func(_ context.Context, v int) { delivered <- 100 + v })
			s.AddListener(func(_ context.Context, v int) { delivered <- 200 + v })
			for v := range 4 {
				if err := s.Enqueue(context.Background(), v); err != nil {
					t.Fatal(err)
				}
			}
			var got []int
			for range 3 + 2*4 {
				got = append(got, await(t, delivered, "a delivery after a listener's Goexit"))
			}
			slices.Sort(got)
			if want := []int{1, 2, 3, 100, 101, 102, 103, 200, 201, 202, 203}; !equal(got, want) {
				t.Errorf("delivered %v, want %v", got, want)
			}
			if st := s.Stats(); st.Workers > 1 || st.Panics != 1 {
				t.Errorf("Stats: Workers = %d (pool of 1), Panics = %d", st.Workers, st.Panics)
			}
			if _, errs := h.get(); len(errs) != 1 || !errors.Is(errs[0], signals.ErrGoexit) {
				t.Errorf("error handler got %v", errs)
			}
			closed := make(chan error, 1)
			go func() { closed <- s.Close() }()
			if err := await(t, closed, "Close"); err != nil {
				t.Errorf("Close = %v", err)
			}
			checkNoLeak(t)
		})
	}
}

// TestGoexitInEmitHelper: a blocking Emit returns when a listener that a pool
// worker runs for it calls runtime.Goexit. Which of the two listeners the
// emitting goroutine runs is the scheduler's choice, so the test runs rounds.
func TestGoexitInEmitHelper(t *testing.T) {
	for range 20 {
		s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, ErrorHandler: func(context.Context, string, error) {}})
		var started, calls atomic.Int32
		second := make(chan struct{})
		l := func(context.Context, int) {
			calls.Add(1)
			if started.Add(1) == 1 {
				<-second // the other listener runs on the other goroutine
				return
			}
			close(second)
			runtime.Goexit()
		}
		s.AddListener(l)
		s.AddListener(l)
		goexited(t, func() { s.Emit(context.Background(), 1) }) // fails t if Emit hangs
		if n, p := calls.Load(), s.Stats().Panics; n != 2 || p != 1 {
			t.Fatalf("calls = %d, Panics = %d, want 2, 1", n, p)
		}
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		if err := await(t, closed, "Close"); err != nil {
			t.Fatalf("Close = %v", err)
		}
	}
	checkNoLeak(t)
}

// TestPanicNilIsAFailure runs with GODEBUG=panicnil=1, under which panic(nil)
// makes recover return nil.
func TestPanicNilIsAFailure(t *testing.T) {
	t.Setenv("GODEBUG", "panicnil=1")
	if func() (p any) {
		defer func() { p = recover() }()
		panic(nil)
	}() != nil {
		t.Skip("GODEBUG=panicnil=1 set at run time has no effect on this Go version")
	}
	nilPanic := func(rec *recorder) signals.SignalListener[int] {
		return func(context.Context, int) { rec.add("nil"); panic(nil) }
	}
	for _, p := range emissionPaths() {
		t.Run(p.name, func(t *testing.T) {
			var rec recorder
			var h handlerLog
			s, stats, ctx := newOnPath(t, p, &h)
			s.AddListener(rec.listener("before"))
			s.AddListener(nilPanic(&rec), "nil")
			s.AddListener(rec.listener("after"))
			if goexited(t, func() { s.Emit(ctx, 1) }) {
				t.Error("Emit did not return")
			}
			got := rec.get()
			slices.Sort(got)
			if want := []string{"after", "before", "nil"}; !equal(got, want) {
				t.Errorf("calls = %q, want %q", got, want)
			}
			var pe *signals.PanicError
			if keys, errs := h.get(); len(errs) != 1 || keys[0] != "nil" || !errors.As(errs[0], &pe) || pe.Value != nil {
				t.Errorf("error handler got %q %v, want a PanicError with the value nil", keys, errs)
			}
			if st := stats(); st.Panics != 1 {
				t.Errorf("Stats.Panics = %d", st.Panics)
			}
			if sync, ok := s.(*signals.SyncSignal[int]); ok {
				if err := sync.TryEmit(ctx, 2); !errors.As(err, &pe) || pe.Key != "nil" {
					t.Errorf("TryEmit = %v, want the PanicError of listener nil", err)
				}
			}
		})
	}
	t.Run("async/enqueue", func(t *testing.T) {
		var rec recorder
		s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, ErrorHandler: func(context.Context, string, error) {}})
		s.AddListener(nilPanic(&rec))
		s.AddListener(rec.listener("after"))
		for range 3 {
			if err := s.Enqueue(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
		}
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		if err := await(t, closed, "Close"); err != nil {
			t.Fatal(err)
		}
		if n := len(rec.get()); n != 6 || s.Stats().Panics != 3 {
			t.Errorf("%d calls, %d panics, want 6, 3", n, s.Stats().Panics)
		}
	})
}

func TestPanicErrorOfGoexit(t *testing.T) {
	for _, c := range []struct{ key, want string }{
		{"", "signals: listener called runtime.Goexit"},
		{"k", `signals: listener "k" called runtime.Goexit`},
	} {
		err := &signals.PanicError{Key: c.key, Value: signals.ErrGoexit}
		if err.Error() != c.want || !errors.Is(err, signals.ErrGoexit) {
			t.Errorf("Error() = %q, want %q", err.Error(), c.want)
		}
	}
}
