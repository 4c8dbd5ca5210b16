package signals_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/signalkit/sdk/signals"
)

// Once RemoveListener or Reset has returned, the removed listener is not
// running on another goroutine and no emission calls it again (issue 17,
// defect 4). Calls on the remover's own goroutine are not waited for.

const (
	removeListener = "(*BaseSignal[...]).RemoveListener"
	reset          = "(*BaseSignal[...]).Reset"
)

// spanGate is a collector that asks for listener spans and holds the
// ListenerStart of the listener with key gated until released.
type spanGate struct {
	signals.NopCollector
	signals.NopObserver
	gated   string
	entered chan struct{}
	release chan struct{}
}

func (c *spanGate) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	return ctx, c
}

func (c *spanGate) Observe() signals.Observe { return signals.ObserveListenerStart }

func (c *spanGate) ListenerStart(ctx context.Context, l signals.ListenerInfo) context.Context {
	if l.Key == c.gated {
		c.entered <- struct{}{}
		<-c.release
	}
	return ctx
}

// removalPaths are emissionPaths, plus an enqueued delivery and the path where
// a collector's ListenerStart runs between the emission's check of a listener
// and its call, which made the old check-then-call deterministically wrong.
func removalPaths() []emissionPath {
	return append(emissionPaths(),
		emissionPath{name: "async/enqueue", async: true},
		emissionPath{name: "sync/listener-span"},
	)
}

func emitOn(s emitter, p emissionPath, ctx context.Context, v int) {
	if p.name == "async/enqueue" {
		if err := s.(*signals.AsyncSignal[int]).Enqueue(ctx, v); err != nil {
			panic(err)
		}
		return
	}
	s.Emit(ctx, v)
}

func TestRemovalWaitsForCallsInProgress(t *testing.T) {
	for _, how := range []string{"RemoveListener", "Reset"} {
		for _, p := range removalPaths() {
			t.Run(how+"/"+p.name, func(t *testing.T) {
				var h handlerLog
				s, _, ctx := newOnPath(t, p, &h)
				entered, release := make(chan struct{}), make(chan struct{})
				var returned atomic.Bool // RemoveListener or Reset has returned
				var inCall, late atomic.Int32
				gate := p.name == "sync/listener-span"
				if gate {
					s.(*signals.SyncSignal[int]).SetCollector(&spanGate{gated: "x", entered: entered, release: release})
				}
				s.AddListener(func(context.Context, int) {}, "before")
				s.AddListener(func(context.Context, int) {
					if returned.Load() {
						late.Add(1)
					}
					inCall.Add(1)
					defer inCall.Add(-1)
					if !gate {
						entered <- struct{}{}
						<-release
					}
				}, "x")
				s.AddListener(func(context.Context, int) {}, "after")

				emitted := make(chan struct{})
				go func() { defer close(emitted); emitOn(s, p, ctx, 1) }()
				await(t, entered, "the call of listener x")

				var during atomic.Int32 // calls of x in progress when the removal returned
				removed := make(chan struct{})
				go func() {
					defer close(removed)
					if how == "Reset" {
						s.Reset()
					} else if n := s.RemoveListener("x"); n != 2 {
						t.Errorf("RemoveListener = %d, want 2", n)
					}
					during.Store(inCall.Load())
					returned.Store(true)
				}()
				fn := removeListener
				if how == "Reset" {
					fn = reset
				}
				waitUntil(t, how+" to return or to wait", func() bool { return returned.Load() || blockedIn(fn) })
				close(release)
				await(t, removed, how)
				await(t, emitted, "the emission")
				emitOn(s, p, ctx, 2)
				if n := during.Load(); n != 0 {
					t.Errorf("%s returned while %d call(s) of the removed listener were in progress", how, n)
				}
				if n := late.Load(); n != 0 {
					t.Errorf("the removed listener was called %d time(s) after %s returned", n, how)
				}
			})
		}
	}
}

// removerOf returns a listener, of the kind named, that removes the listener
// with key from s and reports RemoveListener's result to got. The kinds
// cover the ways a function value may look on the stack.
func removerOf(kind string, s emitter, key string, got chan<- int) signals.SignalListener[int] {
	remove := func() { got <- s.RemoveListener(key) }
	switch kind {
	case "closure":
		return func(context.Context, int) { remove() }
	case "method":
		return (&remover{remove}).Listen
	case "value-method":
		return remover{remove}.ListenValue
	case "interface-method":
		var l listenerInterface = &remover{remove}
		return l.Listen
	case "promoted-method":
		return embedsRemover{&remover{remove}}.Listen
	case "generic":
		return genericRemover[int]
	case "reflect":
		fn := reflect.MakeFunc(reflect.TypeFor[func(context.Context, int)](), func([]reflect.Value) []reflect.Value {
			remove()
			return nil
		})
		return fn.Interface().(func(context.Context, int))
	}
	panic(kind)
}

type remover struct{ remove func() }

func (r *remover) Listen(context.Context, int)     { r.remove() }
func (r remover) ListenValue(context.Context, int) { r.remove() }

type listenerInterface interface{ Listen(context.Context, int) }

type embedsRemover struct{ *remover }

type removeKey struct{}

func genericRemover[T any](ctx context.Context, _ T) { ctx.Value(removeKey{}).(func())() }

var listenerKinds = []string{"closure", "method", "value-method", "interface-method", "promoted-method", "generic", "reflect"}

// TestRemoveListenerSelf: a listener that removes itself does not wait for its
// own call, whatever kind of function it is, on every path.
func TestRemoveListenerSelf(t *testing.T) {
	for _, kind := range listenerKinds {
		for _, p := range removalPaths() {
			if p.name == "sync/listener-span" {
				continue
			}
			t.Run(kind+"/"+p.name, func(t *testing.T) {
				var h handlerLog
				s, _, ctx := newOnPath(t, p, &h)
				got := make(chan int, 2)
				ctx = context.WithValue(ctx, removeKey{}, func() { got <- s.RemoveListener("self") })
				s.AddListener(func(context.Context, int) {})
				s.AddListener(removerOf(kind, s, "self", got), "self")
				s.AddListener(func(context.Context, int) {})
				go emitOn(s, p, ctx, 1)
				if n := await(t, got, "a listener's removal of itself"); n != 2 {
					t.Errorf("RemoveListener = %d, want 2", n)
				}
				emitOn(s, p, ctx, 2)
				if s.HasKey("self") || len(got) != 0 {
					t.Error("the listener was called again after removing itself")
				}
			})
		}
	}
}

// TestRemoveListenerSelfDeep: a listener that removes itself from deep in its
// own stack (more frames than the first read of the stack takes) still finds
// its own call.
func TestRemoveListenerSelfDeep(t *testing.T) {
	s := signals.NewSync[int]()
	got := make(chan int, 1)
	var deep func(n int)
	deep = func(n int) {
		if n == 0 {
			got <- s.RemoveListener("deep")
			return
		}
		deep(n - 1)
	}
	s.AddListener(func(context.Context, int) { deep(200) }, "deep")
	go s.Emit(context.Background(), 1)
	if n := await(t, got, "the removal from deep in the listener"); n != 0 {
		t.Errorf("RemoveListener = %d", n)
	}
}

// TestRemoveListenerSelfWaitsForOthers: a listener that removes itself waits
// for its calls on other goroutines.
func TestRemoveListenerSelfWaitsForOthers(t *testing.T) {
	s := signals.NewSync[int]()
	entered, release := make(chan struct{}), make(chan struct{})
	var otherRunning atomic.Bool
	var during atomic.Bool
	removed := make(chan struct{})
	s.AddListener(func(_ context.Context, v int) {
		if v == 1 { // the other goroutine's call
			otherRunning.Store(true)
			entered <- struct{}{}
			<-release
			otherRunning.Store(false)
			return
		}
		s.RemoveListener("x")
		during.Store(otherRunning.Load())
		close(removed)
	}, "x")
	go s.Emit(context.Background(), 1)
	await(t, entered, "the first call")
	go s.Emit(context.Background(), 2)
	waitUntil(t, "the self-removal to wait or return", func() bool {
		select {
		case <-removed:
			return true
		default:
			return blockedIn(removeListener)
		}
	})
	close(release)
	await(t, removed, "the self-removal")
	if during.Load() {
		t.Error("a listener's removal of itself returned while its call on another goroutine was in progress")
	}
}

// TestRemoveOtherFromListener: a listener that removes another waits for the
// other's calls on other goroutines, but not for a call it runs inside of.
func TestRemoveOtherFromListener(t *testing.T) {
	t.Run("running elsewhere", func(t *testing.T) {
		removalFromListener(t, "RemoveListener", removeListener, func(s *signals.SyncSignal[int]) { s.RemoveListener("x") })
	})
	t.Run("nested", func(t *testing.T) {
		// x emits on another signal, whose listener removes x: x's call is
		// the remover's own.
		s, inner := signals.NewSync[int](), signals.NewSync[int]()
		got := make(chan int, 1)
		inner.AddListener(func(context.Context, int) { got <- s.RemoveListener("x") })
		s.AddListener(func(ctx context.Context, v int) { inner.Emit(ctx, v) }, "x")
		go s.Emit(context.Background(), 1)
		if n := await(t, got, "the nested removal"); n != 0 {
			t.Errorf("RemoveListener = %d", n)
		}
	})
	t.Run("reset from a listener", func(t *testing.T) {
		removalFromListener(t, "Reset", reset, func(s *signals.SyncSignal[int]) { s.Reset() })
	})
}

// TestRemoveAfterFailureInSameEmission: after a listener of the emission failed
// (panic or Goexit), the frames of its call are still on the stack while the
// emission goes on; they are not calls in progress, so a later listener that
// removes it still waits for its call on another goroutine.
func TestRemoveAfterFailureInSameEmission(t *testing.T) {
	quietLog(t)
	for _, failure := range []string{"panic", "goexit"} {
		for _, p := range emissionPaths() {
			if p.async {
				continue // which goroutine runs which listener is not fixed
			}
			t.Run(failure+"/"+p.name, func(t *testing.T) {
				var h handlerLog
				s, _, ctx := newOnPath(t, p, &h)
				entered, release := make(chan struct{}), make(chan struct{})
				var aRunning, during atomic.Bool
				removed := make(chan struct{})
				s.AddListener(func(_ context.Context, v int) {
					if v == 1 {
						aRunning.Store(true)
						entered <- struct{}{}
						<-release
						aRunning.Store(false)
						return
					}
					if failure == "panic" {
						panic("a")
					}
					runtime.Goexit()
				}, "a")
				s.AddListener(func(_ context.Context, v int) {
					if v == 2 {
						s.RemoveListener("a")
						during.Store(aRunning.Load())
						close(removed)
					}
				}, "b")
				go s.Emit(ctx, 1)
				await(t, entered, "the first call of a")
				go s.Emit(ctx, 2)
				waitUntil(t, "the removal to wait or return", func() bool {
					select {
					case <-removed:
						return true
					default:
						return blockedIn(removeListener)
					}
				})
				close(release)
				await(t, removed, "the removal")
				if during.Load() {
					t.Error("RemoveListener returned while the removed listener ran on another goroutine")
				}
			})
		}
	}
}

// TestRemoveFromErrorHandler: the error handler runs after the failed call
// has ended, so it may remove the failing listener; it waits for calls on
// other goroutines.
func TestRemoveFromErrorHandler(t *testing.T) {
	for _, p := range emissionPaths() {
		t.Run(p.name, func(t *testing.T) {
			var h handlerLog
			s, _, ctx := newOnPath(t, p, &h)
			got := make(chan int, 4)
			s.SetErrorHandler(func(_ context.Context, key string, _ error) { got <- s.RemoveListener(key) })
			s.AddListenerWithErr(func(context.Context, int) error { return errors.New("boom") }, "fails")
			go s.Emit(ctx, 1)
			if n := await(t, got, "the removal from the error handler"); n != 0 {
				t.Errorf("RemoveListener = %d", n)
			}
		})
	}
}

// TestRemoveOnceListener: an unclaimed one-time listener that RemoveListener
// removes never runs; one that an emission has claimed is no longer
// registered, so RemoveListener returns -1 without waiting for it.
func TestRemoveOnceListener(t *testing.T) {
	t.Run("claimed", func(t *testing.T) {
		s := signals.NewSync[int]()
		entered, release := make(chan struct{}), make(chan struct{})
		s.AddOnceWithKey(func(context.Context, int) { entered <- struct{}{}; <-release }, "once")
		go s.Emit(context.Background(), 1)
		await(t, entered, "the one-time listener's call")
		done := make(chan int)
		go func() { done <- s.RemoveListener("once") }()
		if n := await(t, done, "RemoveListener of a claimed one-time listener"); n != -1 {
			t.Errorf("RemoveListener = %d, want -1", n)
		}
		close(release)
	})
	t.Run("racing", func(t *testing.T) {
		for round := range 500 {
			s := signals.NewSync[int]()
			var calls, late atomic.Int32
			var returned atomic.Bool
			s.AddOnceWithKey(func(context.Context, int) {
				if returned.Load() {
					late.Add(1)
				}
				calls.Add(1)
			}, "once")
			start := make(chan struct{})
			emitted := make(chan struct{})
			go func() { defer close(emitted); <-start; s.Emit(context.Background(), 1) }()
			close(start)
			n := s.RemoveListener("once")
			returned.Store(true)
			<-emitted
			s.Emit(context.Background(), 2)
			switch {
			case late.Load() != 0:
				t.Fatalf("round %d: the one-time listener ran after RemoveListener returned %d", round, n)
			case n == -1 && calls.Load() != 1:
				t.Fatalf("round %d: RemoveListener found it claimed, but it ran %d times", round, calls.Load())
			case calls.Load() > 1:
				t.Fatalf("round %d: the one-time listener ran %d times", round, calls.Load())
			}
		}
	})
}

// TestRemoveListenerAndResetAtOnce: of a RemoveListener and a Reset racing for
// a listener in a call, the one that removes it waits for the call.
func TestRemoveListenerAndResetAtOnce(t *testing.T) {
	s := signals.NewSync[int]()
	entered, release := make(chan struct{}), make(chan struct{})
	var running atomic.Bool
	s.AddListener(func(context.Context, int) {
		running.Store(true)
		entered <- struct{}{}
		<-release
		running.Store(false)
	}, "x")
	go s.Emit(context.Background(), 1)
	await(t, entered, "the call")
	var n int
	var removeRunning, resetRunning atomic.Bool
	done := make(chan struct{}, 2)
	go func() { n = s.RemoveListener("x"); removeRunning.Store(running.Load()); done <- struct{}{} }()
	go func() { s.Reset(); resetRunning.Store(running.Load()); done <- struct{}{} }()
	waitUntil(t, "a removal to wait", func() bool { return blockedIn(removeListener) || blockedIn(reset) })
	close(release)
	await(t, done, "a removal")
	await(t, done, "the other removal")
	if n == 0 && removeRunning.Load() {
		t.Error("RemoveListener removed the listener and returned while it was running")
	}
	if n == -1 && resetRunning.Load() {
		t.Error("Reset removed the listener and returned while it was running")
	}
}

// removalFromListener checks that remove, called by a listener of a signal
// (named op, blocking in the function named fn while it waits), does not
// return while the keyed listener "x" it removes runs on another goroutine.
func removalFromListener(t *testing.T, op, fn string, remove func(*signals.SyncSignal[int])) {
	t.Helper()
	s := signals.NewSync[int]()
	entered, release := make(chan struct{}), make(chan struct{})
	var xRunning, during atomic.Bool
	done := make(chan struct{})
	s.AddListener(func(_ context.Context, v int) {
		if v == 2 {
			remove(s) // Reset removes this listener too
			during.Store(xRunning.Load())
			close(done)
		}
	}, "remover")
	s.AddListener(func(_ context.Context, v int) {
		if v == 1 {
			xRunning.Store(true)
			entered <- struct{}{}
			<-release
			xRunning.Store(false)
		}
	}, "x")
	go s.Emit(context.Background(), 1)
	await(t, entered, "the call of x")
	go s.Emit(context.Background(), 2)
	waitUntil(t, op+" to wait or return", func() bool {
		select {
		case <-done:
			return true
		default:
			return blockedIn(fn)
		}
	})
	close(release)
	await(t, done, op)
	if during.Load() || s.HasKey("x") {
		t.Errorf("%s from a listener returned while x ran on another goroutine (%v), x still registered: %v", op, during.Load(), s.HasKey("x"))
	}
}

// TestResetWaitsForPlainListeners is TestRemovalWaitsForCallsInProgress for
// Reset and plain listeners (unkeyed, not error-aware), which Emit and the
// delivery of a batch call without a per-listener step: one listener, called
// directly; three, called by one loop; five, called two at a turn. Reset
// waits for the call in progress and the rest of its emission, and no
// listener is called after it has returned.
func TestResetWaitsForPlainListeners(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		async bool
	}{{"emit/1", 1, false}, {"emit/3", 3, false}, {"enqueue/1", 1, true}, {"enqueue/5", 5, true}} {
		t.Run(tc.name, func(t *testing.T) {
			var s emitter = signals.NewSync[int]()
			if tc.async {
				s = signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1})
			}
			entered, release := make(chan struct{}), make(chan struct{})
			var returned atomic.Bool // Reset has returned
			var inCall, late, after atomic.Int32
			blocking := tc.n / 2
			for i := range tc.n {
				s.AddListener(func(_ context.Context, v int) {
					if returned.Load() {
						late.Add(1)
					}
					inCall.Add(1)
					defer inCall.Add(-1)
					if i == blocking && v == 1 {
						entered <- struct{}{}
						<-release
					}
					if i > blocking {
						after.Add(1)
					}
				})
			}
			ctx := context.Background()
			emitted := make(chan struct{})
			go func() {
				defer close(emitted)
				if !tc.async {
					s.Emit(ctx, 1)
				} else if err := s.(*signals.AsyncSignal[int]).Enqueue(ctx, 1); err != nil {
					t.Error(err)
				}
			}()
			await(t, entered, "the call of the blocking listener")
			var during, rest atomic.Int32
			removed := make(chan struct{})
			go func() {
				defer close(removed)
				s.Reset()
				during.Store(inCall.Load())
				rest.Store(after.Load())
				returned.Store(true)
			}()
			waitUntil(t, "Reset to return or to wait", func() bool { return returned.Load() || blockedIn(reset) })
			if returned.Load() {
				t.Fatal("Reset returned while a listener was in its call")
			}
			close(release)
			await(t, removed, "Reset")
			await(t, emitted, "the emission")
			s.Emit(ctx, 2)
			if as, ok := s.(*signals.AsyncSignal[int]); ok {
				if err := as.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if n := during.Load(); n != 0 {
				t.Errorf("Reset returned while %d call(s) were in progress", n)
			}
			if got, want := rest.Load(), int32(tc.n-1-blocking); got != want {
				t.Errorf("%d listener(s) after the blocking one were called before Reset returned, want %d (the rest of the emission)", got, want)
			}
			if n := late.Load(); n != 0 {
				t.Errorf("listeners were called %d time(s) after Reset returned", n)
			}
		})
	}
}

// TestResetFromPlainListener: a plain listener that calls Reset does not wait
// for its own call, whichever loop calls it (Emit's, one listener or several;
// a batch delivery's, one at a turn or two), and the listeners are gone after
// it. (Found by FuzzMachine: Reset from the listener of a zero-value
// SyncSignal hung once Emit called plain listeners through a loop of its
// own.)
func TestResetFromPlainListener(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		async bool
	}{{"emit/1", 1, false}, {"emit/3", 3, false}, {"enqueue/1", 1, true}, {"enqueue/2", 2, true}, {"enqueue/5", 5, true}} {
		for _, at := range []int{0, tc.n - 1} {
			t.Run(fmt.Sprintf("%s/reset-by=%d", tc.name, at), func(t *testing.T) {
				var s emitter = new(signals.SyncSignal[int])
				if tc.async {
					s = signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1})
				}
				var calls atomic.Int32
				done := make(chan struct{})
				for i := range tc.n {
					s.AddListener(func(context.Context, int) {
						calls.Add(1)
						if i == at {
							s.Reset()
							close(done)
						}
					})
				}
				emitted := make(chan struct{})
				go func() { // on a goroutine, so that a hang is reported
					defer close(emitted)
					if !tc.async {
						s.Emit(context.Background(), 1)
					} else if err := s.(*signals.AsyncSignal[int]).Enqueue(context.Background(), 1); err != nil {
						t.Error(err)
					}
				}()
				await(t, done, "Reset from the listener")
				await(t, emitted, "the emission")
				if as, ok := s.(*signals.AsyncSignal[int]); ok {
					if err := as.Close(); err != nil {
						t.Fatal(err)
					}
				}
				if got := calls.Load(); got != int32(tc.n) {
					t.Errorf("%d calls, want %d (the rest of the emission)", got, tc.n)
				}
				if n := s.Len(); n != 0 {
					t.Errorf("Len = %d after Reset, want 0", n)
				}
			})
		}
	}
}
