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

// The error handler is user code, isolated like a listener: its panic or
// Goexit never reaches the emitter, never crashes a pool worker, and is counted
// in Stats.HandlerPanics (issue 17, defect 6).

func TestErrorHandlerPanics(t *testing.T) {
	quietLog(t)
	boom := errors.New("boom")
	handlers := []struct {
		name string
		h    func(context.Context, string, error)
	}{
		{"panic", func(context.Context, string, error) { panic("handler bug") }},
		{"goexit", func(context.Context, string, error) { runtime.Goexit() }},
	}
	for _, hc := range handlers {
		for _, p := range emissionPaths() {
			t.Run(hc.name+"/"+p.name, func(t *testing.T) {
				var rec recorder
				var handled atomic.Int32
				h := handlerLog{}
				s, stats, ctx := newOnPath(t, p, &h)
				s.(interface {
					SetErrorHandler(signals.ErrorHandler) signals.ErrorHandler
				}).SetErrorHandler(func(ctx context.Context, key string, err error) {
					handled.Add(1)
					hc.h(ctx, key, err)
				})
				s.AddListenerWithErr(rec.failing("fails", boom), "fails")
				s.AddListener(rec.panicking("panics", "listener bug"), "panics")
				s.AddListener(rec.listener("after"))
				exited := goexited(t, func() { s.Emit(ctx, 1) })
				if hc.name == "panic" && exited {
					t.Error("Emit did not return")
				}
				got := rec.get()
				slices.Sort(got)
				if want := []string{"after", "fails", "panics"}; !equal(got, want) {
					t.Errorf("calls = %q, want %q", got, want)
				}
				st := stats()
				if st.Errors != 1 || st.Panics != 1 || st.HandlerPanics != int64(handled.Load()) || handled.Load() != 2 {
					t.Errorf("Stats: Errors = %d, Panics = %d, HandlerPanics = %d; handler called %d times, want 1, 1, 2, 2",
						st.Errors, st.Panics, st.HandlerPanics, handled.Load())
				}
			})
		}
	}
}

// TestErrorHandlerPanicsOnDelivery: before the fix, a handler's panic on an
// Enqueue delivery crashed the process.
func TestErrorHandlerPanicsOnDelivery(t *testing.T) {
	quietLog(t)
	for _, name := range []string{"panic", "goexit"} {
		t.Run(name, func(t *testing.T) {
			s := signals.NewWithOptions[int](&signals.SignalOptions{
				WorkerPoolSize: 1,
				ErrorHandler: func(context.Context, string, error) {
					if name == "panic" {
						panic("handler bug")
					}
					runtime.Goexit()
				},
			})
			var calls atomic.Int32
			s.AddListenerWithErr(func(context.Context, int) error { calls.Add(1); return errors.New("boom") })
			s.AddListener(func(context.Context, int) { calls.Add(1) })
			for range 5 {
				if err := s.Enqueue(context.Background(), 1); err != nil {
					t.Fatal(err)
				}
			}
			closed := make(chan error, 1)
			go func() { closed <- s.Close() }()
			if err := await(t, closed, "Close"); err != nil {
				t.Fatal(err)
			}
			if st := s.Stats(); calls.Load() != 10 || st.HandlerPanics != 5 || st.Errors != 5 {
				t.Errorf("calls = %d, HandlerPanics = %d, Errors = %d, want 10, 5, 5", calls.Load(), st.HandlerPanics, st.Errors)
			}
			checkNoLeak(t)
		})
	}
}

// TestDefaultHandlerLoggerPanics: with no error handler, a listener's panic is
// logged; a logger that panics is counted as the handler.
func TestTryEmitDoesNotCallHandler(t *testing.T) {
	var h handlerLog
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{ErrorHandler: h.handle})
	s.AddListener(func(context.Context, int) { panic("x") })
	var pe *signals.PanicError
	if err := s.TryEmit(context.Background(), 1); !errors.As(err, &pe) {
		t.Fatalf("TryEmit = %v", err)
	}
	if _, errs := h.get(); len(errs) != 0 || s.Stats().HandlerPanics != 0 {
		t.Errorf("TryEmit passed its failure to the handler: %v", errs)
	}
}
