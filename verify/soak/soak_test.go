package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/signalkit/sdk/signals"
)

// event is the payload of every emission.
type event struct {
	owner int   // the churner that emitted it, or -1
	seq   int64 // the owner's sequence number
	flags uint8
}

// Event flags.
const (
	flagFail      uint8 = 1 << iota // failing listeners return an error
	flagPanic                       // panicking listeners panic
	flagMaybe                       // the context may be cancelled while the emission runs
	flagCancelled                   // the context was cancelled before the emission started
)

// stable is a listener registered for a signal's whole run. It counts the
// emissions it receives: exactly, or as "maybe" for those whose context may
// have been cancelled midway.
type stable struct {
	exact, maybe atomic.Int64
}

// target is one signal under load and what its emitters know it must have
// done.
type target struct {
	name  string
	sync  *signals.SyncSignal[event]
	as    *signals.AsyncSignal[event]
	s     signals.Signal[event]
	stats func() signals.Stats

	stable []*stable

	live        atomic.Int64 // emissions every stable listener must receive
	maybe       atomic.Int64 // emissions stable listeners may receive
	completions atomic.Int64 // emissions that end in Stats.Emissions
	full        atomic.Int64 // Enqueue refused with ErrQueueFull
	calls       atomic.Int64 // listener calls, of every listener
	failures    atomic.Int64 // errors returned and panics, by every listener
	handled     atomic.Int64 // failures passed to the error handler
	violations  atomic.Int64
	firstBad    atomic.Pointer[string]
}

func (tg *target) bad(format string, args ...any) {
	tg.violations.Add(1)
	msg := fmt.Sprintf(format, args...)
	tg.firstBad.CompareAndSwap(nil, &msg)
}

// listener returns an error-aware listener for tg that counts its calls,
// fails on flagFail if fails is set and panics on flagPanic if panics is set,
// and reports any call by an emission whose context was cancelled before it
// started. each is called on every call with the event.
func (tg *target) listener(fails, panics bool, each func(event)) signals.SignalListenerErr[event] {
	return func(_ context.Context, ev event) error {
		tg.calls.Add(1)
		if ev.flags&flagCancelled != 0 {
			tg.bad("%s: a listener was called by an emission whose context was cancelled before it started", tg.name)
		}
		if each != nil {
			each(ev)
		}
		if panics && ev.flags&flagPanic != 0 {
			tg.failures.Add(1)
			panic("injected panic")
		}
		if fails && ev.flags&flagFail != 0 {
			tg.failures.Add(1)
			return errInjected
		}
		return nil
	}
}

var errInjected = errors.New("injected failure")

func newTarget(name string, opts *signals.SignalOptions, async bool) *target {
	tg := &target{name: name}
	opts.Name = name
	opts.Stats = true
	opts.ErrorHandler = func(_ context.Context, _ string, err error) {
		tg.handled.Add(1)
		var pe *signals.PanicError
		if !errors.Is(err, errInjected) && !errors.As(err, &pe) {
			tg.bad("%s: error handler received %v", name, err)
		}
	}
	if async {
		tg.as = signals.NewWithOptions[event](opts)
		tg.s, tg.stats = tg.as, tg.as.Stats
	} else {
		tg.sync = signals.NewSyncWithOptions[event](opts)
		tg.s, tg.stats = tg.sync, tg.sync.Stats
	}
	// Stable listeners: one that never fails, one that returns errors, one
	// that panics, keyed and not.
	for i, f := range []struct{ fails, panics bool }{{false, false}, {true, false}, {false, true}} {
		st := new(stable)
		tg.stable = append(tg.stable, st)
		l := tg.listener(f.fails, f.panics, func(ev event) {
			if ev.flags&flagMaybe != 0 {
				st.maybe.Add(1)
			} else {
				st.exact.Add(1)
			}
		})
		if i == 1 {
			tg.s.AddListenerWithErr(l)
		} else {
			tg.s.AddListenerWithErr(l, fmt.Sprintf("stable%d", i))
		}
	}
	return tg
}

// emitter emits on tg until stop is closed, choosing at random among Emit,
// TryEmit and Enqueue, with live, cancelled and expiring contexts, and
// payloads that make listeners fail or panic.
func (tg *target) emitter(rng *rand.Rand, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		ev := event{owner: -1}
		if rng.IntN(8) == 0 {
			ev.flags |= flagFail
		}
		if rng.IntN(16) == 0 {
			ev.flags |= flagPanic
		}
		ctx := context.Background()
		var cancel context.CancelFunc = func() {}
		switch rng.IntN(10) {
		case 0:
			ev.flags |= flagCancelled
			ctx, cancel = context.WithCancel(ctx)
			cancel()
		case 1:
			ev.flags |= flagMaybe
			ctx, cancel = context.WithCancel(ctx)
			// A timer cancels it while the emission may be running.
			time.AfterFunc(time.Duration(rng.IntN(200))*time.Microsecond, cancel)
		}
		switch {
		case tg.as != nil && rng.IntN(2) == 0:
			err := tg.as.Enqueue(ctx, ev)
			switch {
			case err == nil:
				tg.completions.Add(1)
				tg.count(ev)
			case errors.Is(err, signals.ErrQueueFull):
				tg.full.Add(1)
			case ev.flags&(flagCancelled|flagMaybe) != 0 && ctx.Err() != nil && errors.Is(err, ctx.Err()):
				// Blocked on a full queue until the context ended.
			default:
				tg.bad("%s: Enqueue = %v", tg.name, err)
			}
		case tg.sync != nil && ev.flags&(flagFail|flagPanic) == 0 && rng.IntN(2) == 0:
			// TryEmit stops at the first failure: only payloads that no
			// listener fails on, so that every listener is called.
			err := tg.sync.TryEmit(ctx, ev)
			if ev.flags&flagCancelled != 0 {
				if !errors.Is(err, context.Canceled) {
					tg.bad("%s: TryEmit with a cancelled context = %v", tg.name, err)
				}
			} else if err != nil && ev.flags&flagMaybe == 0 {
				tg.bad("%s: TryEmit = %v", tg.name, err)
			}
			tg.completions.Add(1)
			tg.count(ev)
		default:
			tg.s.Emit(ctx, ev)
			tg.completions.Add(1)
			tg.count(ev)
		}
		if ev.flags&flagCancelled == 0 {
			cancel()
		}
	}
}

// count records what an emission that was made (or accepted) must do.
func (tg *target) count(ev event) {
	switch {
	case ev.flags&flagCancelled != 0:
	case ev.flags&flagMaybe != 0:
		tg.maybe.Add(1)
	default:
		tg.live.Add(1)
	}
}

// churner adds listeners, emits to them, and removes them, until stop is
// closed, checking that a listener receives exactly the emissions made while
// it was registered and none made after its removal returned, and that a
// one-time listener runs exactly once.
func (tg *target) churner(id int, rng *rand.Rand, stop <-chan struct{}) {
	var seq int64
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("churn%d-%d", id, n)
		var own, all atomic.Int64
		l := tg.listener(true, false, func(ev event) {
			all.Add(1)
			if ev.owner == id {
				own.Add(1)
			}
		})
		emit := func() {
			seq++
			ev := event{owner: id, seq: seq}
			if rng.IntN(4) == 0 {
				ev.flags |= flagFail
			}
			tg.s.Emit(context.Background(), ev)
			tg.completions.Add(1)
			tg.live.Add(1)
		}
		if rng.IntN(3) == 0 {
			// A one-time listener: some emission, ours or another's, runs it.
			if tg.s.AddOnceWithErrAndKey(l, key) < 0 {
				tg.bad("%s: AddOnceWithErrAndKey(%q) refused a new key", tg.name, key)
			}
			emit()
			// Its claim may come from a concurrent emission that has not
			// called it yet: wait until it runs.
			if !eventually(func() bool { return all.Load() == 1 }) {
				tg.bad("%s: one-time listener %q ran %d times after an emission it was registered for", tg.name, key, all.Load())
			}
			if n := tg.s.RemoveListener(key); n != -1 {
				tg.bad("%s: RemoveListener of a one-time listener that ran = %d", tg.name, n)
			}
			emit()
			if all.Load() != 1 {
				tg.bad("%s: one-time listener %q ran %d times", tg.name, key, all.Load())
			}
			continue
		}
		if tg.s.AddListenerWithErr(l, key) < 0 {
			tg.bad("%s: AddListenerWithErr(%q) refused a new key", tg.name, key)
		}
		k := int64(rng.IntN(3) + 1)
		for range k {
			emit()
		}
		if got := own.Load(); got != k {
			tg.bad("%s: listener %q received %d of the %d emissions made while it was registered", tg.name, key, got, k)
		}
		if tg.s.RemoveListener(key) < 0 {
			tg.bad("%s: RemoveListener(%q) did not find it", tg.name, key)
		}
		emit()
		if got := own.Load(); got != k {
			tg.bad("%s: listener %q received an emission made after its removal returned", tg.name, key)
		}
	}
}

// eventually reports whether cond becomes true within a minute. The bound is
// not a timing assertion: what it waits for is already under way.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
	}
	return true
}

// drained waits until every emission made or accepted on tg has ended.
func (tg *target) drained() bool {
	return eventually(func() bool { return tg.stats().Emissions == tg.completions.Load() })
}

// verify checks tg's accounting after its load stopped and it drained.
func (tg *target) verify(t *testing.T) {
	t.Helper()
	if n := tg.violations.Load(); n > 0 {
		t.Errorf("%s: %d violations, the first: %s", tg.name, n, *tg.firstBad.Load())
	}
	live, maybe := tg.live.Load(), tg.maybe.Load()
	for i, st := range tg.stable {
		if got := st.exact.Load(); got != live {
			t.Errorf("%s: stable listener %d received %d emissions, want %d (nothing lost, nothing twice)", tg.name, i, got, live)
		}
		if got := st.maybe.Load(); got > maybe {
			t.Errorf("%s: stable listener %d received %d emissions with expiring contexts, of %d", tg.name, i, got, maybe)
		}
	}
	st := tg.stats()
	failures := tg.failures.Load()
	if st.Errors+st.Panics != failures || tg.handled.Load() != failures {
		t.Errorf("%s: Stats counts %d errors and %d panics, the handler received %d, the listeners failed %d times",
			tg.name, st.Errors, st.Panics, tg.handled.Load(), failures)
	}
	if st.Dropped != tg.full.Load() {
		t.Errorf("%s: Stats.Dropped = %d, want %d (refused with ErrQueueFull)", tg.name, st.Dropped, tg.full.Load())
	}
	if st.ListenerCalls != tg.calls.Load() || st.Emissions != tg.completions.Load() {
		t.Errorf("%s: Stats = %d emissions, %d listener calls; want %d, %d", tg.name, st.Emissions, st.ListenerCalls, tg.completions.Load(), tg.calls.Load())
	}
	if st.Listeners != len(tg.stable) {
		t.Errorf("%s: %d listeners left, want the %d stable ones", tg.name, st.Listeners, len(tg.stable))
	}
	t.Logf("%s: %d emissions (%d exact, %d with expiring contexts), %d listener calls, %d failures, %d dropped",
		tg.name, st.Emissions, live, maybe, st.ListenerCalls, failures, st.Dropped)
}

// heap returns the live heap after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestSoak runs sustained load on four signals (a SyncSignal, an AsyncSignal
// that blocks on a full queue, one that drops, and two sharing a worker pool)
// from ten emitters per processor plus churners, for half of -soak.duration.
// The load runs in two phases with a pause between them. After each phase it
// checks that every emission reached every stable listener exactly once, that
// churned listeners received exactly what was emitted while they were
// registered, and that the counters agree; it checks that the live heap at
// the end of the run is back near its level after the first phase, and, after
// Close, near its level before the signals existed, with no goroutine left.
func TestSoak(t *testing.T) {
	total := *duration / 2
	baseline := heap()
	pool := signals.NewWorkerPool(signals.PoolOptions{Size: 4, QueueSize: 32})
	targets := []*target{
		newTarget("sync", &signals.SignalOptions{}, false),
		newTarget("async-block", &signals.SignalOptions{WorkerPoolSize: 4, QueueSize: 64}, true),
		newTarget("async-drop", &signals.SignalOptions{WorkerPoolSize: 2, QueueSize: 16, Overflow: signals.OverflowDrop}, true),
		newTarget("shared-1", &signals.SignalOptions{Pool: pool}, true),
		newTarget("shared-2", &signals.SignalOptions{Pool: pool, Overflow: signals.OverflowDrop}, true),
	}
	emitters := 10 * runtime.GOMAXPROCS(0)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d emitters and %d churners per signal, %v", seed, emitters, 2, total)

	phase := func(d time.Duration, phaseSeed uint64) {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for i, tg := range targets {
			for e := range emitters {
				rng := rand.New(rand.NewPCG(phaseSeed, uint64(i*1000+e)))
				wg.Go(func() { tg.emitter(rng, stop) })
			}
			for c := range 2 {
				rng := rand.New(rand.NewPCG(phaseSeed, uint64(i*1000+500+c)))
				wg.Go(func() { tg.churner(c, rng, stop) })
			}
		}
		// Readers of stats and health run alongside.
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				for _, tg := range targets {
					_ = tg.stats()
					_ = tg.s.Keys()
				}
			}
		})
		time.Sleep(d)
		close(stop)
		wg.Wait()
		for _, tg := range targets {
			if !tg.drained() {
				t.Fatalf("%s: %d of %d emissions ended", tg.name, tg.stats().Emissions, tg.completions.Load())
			}
			tg.verify(t)
		}
	}

	phase(total/4, seed)
	warm := heap()
	phase(total-total/4, seed+1)
	end := heap()
	// The signals are still alive: the heap they hold must not have grown
	// with the amount of work done.
	if limit := warm + max(warm/2, 16<<20); end > limit {
		t.Errorf("live heap grew from %d to %d bytes between the phases (limit %d)", warm, end, limit)
	}
	for _, tg := range targets {
		if tg.as != nil {
			if err := tg.as.Close(); err != nil {
				t.Errorf("%s: Close = %v", tg.name, err)
			}
		}
	}
	if err := pool.Close(); err != nil {
		t.Errorf("pool Close = %v", err)
	}
	goleak.VerifyNone(t)
	targets, pool = nil, nil
	final := heap()
	if final > baseline+16<<20 {
		t.Errorf("live heap %d bytes after Close, %d before the signals existed", final, baseline)
	}
	t.Logf("live heap: %d before, %d after the first phase, %d at the end, %d after Close", baseline, warm, end, final)
}
