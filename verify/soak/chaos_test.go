package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/signalkit/sdk/signals"
)

// chaosEvent is the payload of a chaos emission.
type chaosEvent struct {
	id      uint64
	start   int64 // clock stamp taken just before the emission was called
	depth   int   // nesting: emissions made by listeners have depth > 0
	expired bool  // its context was done before the emission started
}

// chaos is one signal under chaos.
type chaos struct {
	name  string
	sync  *signals.SyncSignal[chaosEvent]
	as    *signals.AsyncSignal[chaosEvent]
	s     signals.Signal[chaosEvent]
	stats func() signals.Stats

	clock *atomic.Int64
	ids   atomic.Uint64

	emits    atomic.Int64 // Emit calls, nested ones included
	accepted atomic.Int64 // Enqueue calls that returned nil
	full     atomic.Int64 // Enqueue calls refused with ErrQueueFull
	failures atomic.Int64 // errors and panics of listeners
	handled  atomic.Int64

	mu    sync.Mutex
	churn []*churned // registered churn listeners
	keys  atomic.Int64

	violations atomic.Int64
	firstBad   atomic.Pointer[string]
}

// churned is a listener added and removed while the chaos runs.
type churned struct {
	key       string
	once      bool
	calls     atomic.Int64
	removedAt atomic.Int64 // clock stamp after RemoveListener returned; 0 while registered
}

func (c *chaos) bad(format string, args ...any) {
	c.violations.Add(1)
	msg := fmt.Sprintf(format, args...)
	c.firstBad.CompareAndSwap(nil, &msg)
}

func newChaos(name string, clock *atomic.Int64, opts *signals.SignalOptions, async bool) *chaos {
	c := &chaos{name: name, clock: clock}
	opts.Name, opts.Stats = name, true
	opts.ErrorHandler = func(context.Context, string, error) { c.handled.Add(1) }
	if async {
		c.as = signals.NewWithOptions[chaosEvent](opts)
		c.s, c.stats = c.as, c.as.Stats
	} else {
		c.sync = signals.NewSyncWithOptions[chaosEvent](opts)
		c.s, c.stats = c.sync, c.sync.Stats
	}
	for i := range 6 {
		c.s.AddListenerWithErr(c.wild(uint64(i)), fmt.Sprintf("wild%d", i))
	}
	return c
}

// wild returns a listener that, at random on each call, returns an error,
// panics, blocks until past its context's deadline, calls back into the
// signal (Emit, Enqueue, AddListener, AddOnce, RemoveListener), or returns.
func (c *chaos) wild(lid uint64) signals.SignalListenerErr[chaosEvent] {
	return func(ctx context.Context, ev chaosEvent) error {
		c.check(ev)
		rng := rand.New(rand.NewPCG(lid, ev.id))
		switch r := rng.IntN(100); {
		case r < 15:
			c.failures.Add(1)
			return errInjected
		case r < 22:
			c.failures.Add(1)
			panic("chaos")
		case r < 35:
			// Block past the deadline, if there is one.
			if _, ok := ctx.Deadline(); ok {
				<-ctx.Done()
			}
			time.Sleep(time.Duration(rng.IntN(100)) * time.Microsecond)
		case r < 55 && ev.depth < 2:
			c.reenter(ctx, rng, ev.depth+1)
		}
		return nil
	}
}

// check reports a call by an emission whose context was done before it
// started.
func (c *chaos) check(ev chaosEvent) {
	if ev.expired {
		c.bad("%s: emission %d, whose context was done before it started, called a listener", c.name, ev.id)
	}
}

// reenter does one random operation on the signal from inside a listener (or
// from the churn goroutine, with depth 0).
func (c *chaos) reenter(ctx context.Context, rng *rand.Rand, depth int) {
	switch rng.IntN(5) {
	case 0:
		c.emit(ctx, depth)
	case 1:
		if c.as != nil {
			c.enqueue(ctx, depth)
		} else {
			c.emit(ctx, depth)
		}
	case 2, 3:
		c.add(rng.IntN(3) == 0)
	case 4:
		c.remove(rng)
	}
}

func (c *chaos) event(ctx context.Context, depth int) chaosEvent {
	return chaosEvent{id: c.ids.Add(1), start: c.clock.Add(1), depth: depth, expired: ctx.Err() != nil}
}

func (c *chaos) emit(ctx context.Context, depth int) {
	c.s.Emit(ctx, c.event(ctx, depth))
	c.emits.Add(1)
}

func (c *chaos) enqueue(ctx context.Context, depth int) {
	err := c.as.Enqueue(ctx, c.event(ctx, depth))
	switch {
	case err == nil:
		c.accepted.Add(1)
	case errors.Is(err, signals.ErrQueueFull):
		c.full.Add(1)
	case errors.Is(err, signals.ErrClosed) || (ctx.Err() != nil && errors.Is(err, ctx.Err())):
	default:
		c.bad("%s: Enqueue = %v", c.name, err)
	}
}

// add adds a churn listener that checks it is never called by an emission
// that started after its removal returned, and that a one-time one runs at
// most once.
func (c *chaos) add(once bool) {
	ch := &churned{key: fmt.Sprintf("churn%d", c.keys.Add(1)), once: once}
	l := func(_ context.Context, ev chaosEvent) {
		c.check(ev)
		if n := ch.calls.Add(1); once && n > 1 {
			c.bad("%s: one-time listener %s ran %d times", c.name, ch.key, n)
		}
		if at := ch.removedAt.Load(); at != 0 && ev.start > at {
			c.bad("%s: listener %s called by emission %d, which started after its removal returned", c.name, ch.key, ev.id)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.churn) >= 32 {
		return
	}
	var n int
	if once {
		n = c.s.AddOnceWithKey(l, ch.key)
	} else {
		n = c.s.AddListener(l, ch.key)
	}
	if n < 0 {
		c.bad("%s: a new key %s was refused", c.name, ch.key)
		return
	}
	c.churn = append(c.churn, ch)
}

func (c *chaos) remove(rng *rand.Rand) {
	c.mu.Lock()
	if len(c.churn) == 0 {
		c.mu.Unlock()
		return
	}
	i := rng.IntN(len(c.churn))
	ch := c.churn[i]
	c.churn = append(c.churn[:i], c.churn[i+1:]...)
	c.mu.Unlock()
	if n := c.s.RemoveListener(ch.key); n >= 0 {
		ch.removedAt.Store(c.clock.Add(1))
	} else if !ch.once {
		c.bad("%s: RemoveListener(%s) did not find a registered listener", c.name, ch.key)
	}
}

// emitter emits with plain contexts, contexts with short deadlines, and
// contexts already done, until stop is closed.
func (c *chaos) emitter(rng *rand.Rand, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		ctx, cancel := context.Background(), context.CancelFunc(func() {})
		switch rng.IntN(4) {
		case 0:
			ctx, cancel = context.WithTimeout(ctx, time.Duration(rng.IntN(500))*time.Microsecond)
		case 1:
			ctx, cancel = context.WithDeadline(ctx, time.Now().Add(-time.Second))
		}
		if c.as != nil && rng.IntN(2) == 0 {
			c.enqueue(ctx, 0)
		} else {
			c.emit(ctx, 0)
		}
		cancel()
	}
}

// TestChaos runs, for half of -soak.duration, emitters and a churner on a
// SyncSignal and two AsyncSignals (small pools and queues, blocking and
// dropping, one with the circuit breaker) whose listeners fail, panic, block
// past their deadlines, and call back into the signal at random. It checks
// that no emission whose context was done before it started calls a
// listener, that no listener is called by an emission that started after its
// removal returned, that no one-time listener runs twice, that nothing
// deadlocks, that after a Shutdown under load that runs out of time and a
// Close every
// accepted emission was delivered or counted as dropped, that the failure
// counts agree, and that no goroutine is left.
func TestChaos(t *testing.T) {
	d := *duration / 2
	var clock atomic.Int64
	targets := []*chaos{
		newChaos("chaos-sync", &clock, &signals.SignalOptions{}, false),
		newChaos("chaos-block", &clock, &signals.SignalOptions{WorkerPoolSize: 2, QueueSize: 4}, true),
		newChaos("chaos-drop", &clock, &signals.SignalOptions{WorkerPoolSize: 2, QueueSize: 4, Overflow: signals.OverflowDrop, BreakerThreshold: 50}, true),
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %v", seed, d)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range targets {
		for e := range 4 {
			rng := rand.New(rand.NewPCG(seed, uint64(i*100+e)))
			wg.Go(func() { c.emitter(rng, stop) })
		}
		rng := rand.New(rand.NewPCG(seed, uint64(i*100+99)))
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
				c.reenter(context.Background(), rng, 0)
				c.s.(interface{ EnableListeners() int }).EnableListeners()
				_ = c.s.(interface{ Health() error }).Health()
			}
		})
	}
	time.Sleep(d)
	// The async signals shut down under load: a shutdown that runs out of
	// time drops what is still queued, and enqueues from then on are
	// refused; emitters and listeners go on until stopped.
	for _, c := range targets {
		if c.as != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Microsecond)
			err := c.as.Shutdown(ctx)
			cancel()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: Shutdown = %v", c.name, err)
			}
		}
	}
	time.Sleep(d / 10)
	close(stop)
	wg.Wait()

	for _, c := range targets {
		if c.as != nil {
			// Close waits for the listeners still running.
			if err := c.as.Close(); err != nil {
				t.Errorf("%s: Close = %v", c.name, err)
			}
		}
		if n := c.violations.Load(); n > 0 {
			t.Errorf("%s: %d violations, the first: %s", c.name, n, *c.firstBad.Load())
		}
		st := c.stats()
		shutdownDrops := st.Dropped - c.full.Load()
		if shutdownDrops < 0 || st.Emissions+shutdownDrops != c.emits.Load()+c.accepted.Load() {
			t.Errorf("%s: %d emissions ended and %d were dropped at shutdown, want %d Emit calls + %d accepted enqueues",
				c.name, st.Emissions, shutdownDrops, c.emits.Load(), c.accepted.Load())
		}
		if st.Errors+st.Panics != c.failures.Load() || c.handled.Load() != c.failures.Load() {
			t.Errorf("%s: Stats counts %d errors and %d panics, the handler received %d, the listeners failed %d times",
				c.name, st.Errors, st.Panics, c.handled.Load(), c.failures.Load())
		}
		t.Logf("%s: %d emits, %d enqueues accepted, %d refused as full, %d dropped at shutdown, %d failures",
			c.name, c.emits.Load(), c.accepted.Load(), c.full.Load(), shutdownDrops, c.failures.Load())
	}
	goleak.VerifyNone(t)
}
