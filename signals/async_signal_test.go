package signals_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

// TestAsyncEmitRunsConcurrently registers listeners that can only all return
// if they run at the same time: each waits until every one has started.
func TestAsyncEmitRunsConcurrently(t *testing.T) {
	const n = 4
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: n})
	defer s.Close()
	var started sync.WaitGroup
	started.Add(n)
	for range n {
		s.AddListener(func(context.Context, int) {
			started.Done()
			started.Wait()
		})
	}
	done := make(chan struct{})
	go func() { s.Emit(context.Background(), 1); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("listeners did not run concurrently")
	}
}

// TestAsyncEmitWaitsForAll checks that Emit returns only after every
// listener has returned.
func TestAsyncEmitWaitsForAll(t *testing.T) {
	s := signals.New[int]()
	defer s.Close()
	var finished atomic.Int32
	for i := range 10 {
		s.AddListener(func(context.Context, int) {
			time.Sleep(time.Duration(i%3) * time.Millisecond)
			finished.Add(1)
		})
	}
	for range 20 {
		finished.Store(0)
		s.Emit(context.Background(), 1)
		if n := finished.Load(); n != 10 {
			t.Fatalf("Emit returned with %d of 10 listeners finished", n)
		}
	}
}

// TestAsyncEmitSingleListenerOnCaller checks that one listener runs on the
// emitting goroutine: a listener that blocks on something only the caller can
// see would otherwise not be on the same goroutine; we test it with a
// goroutine-local trick: the caller's stack.
func TestAsyncEmitSingleListenerOnCaller(t *testing.T) {
	s := signals.New[int]()
	defer s.Close()
	var local int // written by the listener without synchronization
	s.AddListener(func(context.Context, int) { local++ })
	for range 100 {
		s.Emit(context.Background(), 1)
	}
	if local != 100 { // the race detector would flag another goroutine
		t.Errorf("local = %d", local)
	}
	if st := s.Stats(); st.Workers != 0 || st.PoolSize != 0 {
		t.Errorf("a single listener started the pool: %+v", st)
	}
}

// TestPoolBound checks that no more than WorkerPoolSize listeners of
// enqueued emissions run at once, and that the pool does reach its size.
func TestPoolBound(t *testing.T) {
	const size = 3
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: size, QueueSize: 1000})
	var running, peak atomic.Int32
	for range 4 {
		s.AddListener(func(context.Context, int) {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(200 * time.Microsecond)
			running.Add(-1)
		})
	}
	for i := range 200 {
		if err := s.Enqueue(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p > size || p < 2 {
		t.Errorf("peak concurrency = %d, want between 2 and %d", p, size)
	}
	checkNoLeak(t)
}

// TestNestedEmitPoolOfOne emits from inside listeners, on the same and on
// another async signal, with every pool at size one: the caller runs what no
// worker can, so nothing deadlocks.
func TestNestedEmitPoolOfOne(t *testing.T) {
	opts := &signals.SignalOptions{WorkerPoolSize: 1, QueueSize: 1}
	a := signals.NewWithOptions[int](opts)
	b := signals.NewWithOptions[int](opts)
	var calls atomic.Int32
	for range 3 {
		a.AddListener(func(ctx context.Context, v int) {
			calls.Add(1)
			if v > 0 {
				a.Emit(ctx, v-1)
				b.Emit(ctx, v-1)
				if err := a.Enqueue(ctx, 0); err != nil {
					t.Error(err)
				}
			}
		})
		b.AddListener(func(ctx context.Context, v int) {
			calls.Add(1)
			if v > 0 {
				a.Emit(ctx, v-1)
			}
		})
	}
	done := make(chan struct{})
	go func() {
		a.Emit(context.Background(), 3)
		a.Close()
		b.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("nested emission deadlocked")
	}
	if calls.Load() == 0 {
		t.Error("no listener ran")
	}
	checkNoLeak(t)
}

func TestEnqueueDelivers(t *testing.T) {
	var h handlerLog
	s := signals.NewWithOptions[int](&signals.SignalOptions{ErrorHandler: h.handle, Stats: true})
	var sum atomic.Int64
	var once atomic.Int32
	s.AddListener(func(_ context.Context, v int) { sum.Add(int64(v)) })
	s.AddListener(func(context.Context, int) { panic("p") }, "p")
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("e") }, "e")
	s.AddOnce(func(context.Context, int) { once.Add(1) })
	for i := 1; i <= 100; i++ {
		if err := s.Enqueue(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if sum.Load() != 5050 || once.Load() != 1 {
		t.Errorf("sum = %d, once = %d", sum.Load(), once.Load())
	}
	keys, _ := h.get()
	if len(keys) != 200 {
		t.Errorf("handler got %d failures, want 200", len(keys))
	}
	st := s.Stats()
	if st.Emissions != 100 || st.ListenerCalls != 100*3+1 || st.Panics != 100 || st.Errors != 100 {
		t.Errorf("stats = %+v", st)
	}
	checkNoLeak(t)
}

// TestEnqueueOrderWithOneWorker checks the documented order: with a pool of
// one worker, every listener receives enqueued emissions in order.
func TestEnqueueOrderWithOneWorker(t *testing.T) {
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, QueueSize: 4096})
	var got [3][]int
	for i := range got {
		s.AddListener(func(_ context.Context, v int) { got[i] = append(got[i], v) })
	}
	for i := range 1000 {
		if err := s.Enqueue(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	for i := range got {
		if len(got[i]) != 1000 {
			t.Fatalf("listener %d got %d emissions", i, len(got[i]))
		}
		for j, v := range got[i] {
			if v != j {
				t.Fatalf("listener %d received %d at position %d", i, v, j)
			}
		}
	}
}

// TestEnqueueManyWorkersDeliversAll checks that with several workers every
// listener receives every emission exactly once, in some order.
func TestEnqueueManyWorkersDeliversAll(t *testing.T) {
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 4, QueueSize: 64})
	const n = 2000
	var seen [3][n]atomic.Int32
	for i := range seen {
		s.AddListener(func(_ context.Context, v int) { seen[i][v].Add(1) })
	}
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := p; v < n; v += 4 {
				if err := s.Enqueue(context.Background(), v); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	s.Close()
	for i := range seen {
		for v := range n {
			if c := seen[i][v].Load(); c != 1 {
				t.Fatalf("listener %d received emission %d %d times", i, v, c)
			}
		}
	}
}

// blockedSignal returns a signal whose single worker is stuck in a listener
// until release is closed, with a queue of capacity queue.
func blockedSignal(t *testing.T, overflow signals.OverflowPolicy, queue int) (s *signals.AsyncSignal[int], release func()) {
	s = signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, QueueSize: queue, Overflow: overflow, Stats: true})
	gate := make(chan struct{})
	entered := make(chan struct{}, 1)
	s.AddListener(func(context.Context, int) {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-gate
	})
	if err := s.Enqueue(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	<-entered // the worker holds emission 0; the queue is empty
	var once sync.Once
	return s, func() { once.Do(func() { close(gate) }) }
}

func TestOverflowDrop(t *testing.T) {
	s, release := blockedSignal(t, signals.OverflowDrop, 2)
	defer release()
	for i := range 2 {
		if err := s.Enqueue(context.Background(), i); err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
	}
	if err := s.Enqueue(context.Background(), 9); !errors.Is(err, signals.ErrQueueFull) {
		t.Fatalf("Enqueue into a full queue = %v, want ErrQueueFull", err)
	}
	st := s.Stats()
	if st.Dropped != 1 || st.QueueLen != 2 || st.QueueCap != 2 || st.BusyWorkers != 1 {
		t.Errorf("stats = %+v", st)
	}
	release()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Emissions != 3 || st.QueueLen != 0 || st.Workers != 0 {
		t.Errorf("after Close: %+v", st)
	}
}

func TestOverflowBlock(t *testing.T) {
	s, release := blockedSignal(t, signals.OverflowBlock, 1)
	defer release()
	if err := s.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	// The queue is full: Enqueue waits until its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.Enqueue(ctx, 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Enqueue = %v, want DeadlineExceeded", err)
	}
	// ... or until there is room.
	result := make(chan error, 1)
	go func() { result <- s.Enqueue(context.Background(), 3) }()
	time.Sleep(10 * time.Millisecond)
	release()
	if err := <-result; err != nil {
		t.Fatalf("Enqueue after room was made = %v", err)
	}
	s.Close()
	if st := s.Stats(); st.Emissions != 3 || st.Dropped != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestEnqueueBlockedThenClosed(t *testing.T) {
	s, release := blockedSignal(t, signals.OverflowBlock, 1)
	if err := s.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	result := make(chan error, 1)
	go func() { result <- s.Enqueue(context.Background(), 2) }()
	time.Sleep(10 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	if err := <-result; !errors.Is(err, signals.ErrClosed) {
		t.Errorf("a blocked Enqueue = %v when the signal closed, want ErrClosed", err)
	}
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	checkNoLeak(t)
}

func TestCloseLifecycle(t *testing.T) {
	s := signals.New[int]()
	var calls atomic.Int32
	s.AddListener(func(context.Context, int) { time.Sleep(time.Millisecond); calls.Add(1) })
	s.AddListener(func(context.Context, int) { calls.Add(1) })
	for range 50 {
		if err := s.Enqueue(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 100 {
		t.Errorf("Close delivered %d of 100 queued listener calls", n)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := s.Enqueue(context.Background(), 1); !errors.Is(err, signals.ErrClosed) {
		t.Errorf("Enqueue after Close = %v", err)
	}
	// Emit after Close still calls the listeners, on the caller.
	s.Emit(context.Background(), 1)
	if n := calls.Load(); n != 102 {
		t.Errorf("Emit after Close made %d calls", n-100)
	}
	checkNoLeak(t)
}

func TestShutdownDropsWhenOutOfTime(t *testing.T) {
	s, release := blockedSignal(t, signals.OverflowBlock, 10)
	for i := range 5 {
		if err := s.Enqueue(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v", err)
	}
	release() // the running listener returns; the queued emissions are dropped
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Dropped != 5 || st.Emissions != 1 {
		t.Errorf("stats = %+v, want 5 dropped and 1 delivered", st)
	}
	checkNoLeak(t)
}

func TestSharedPool(t *testing.T) {
	pool := signals.NewWorkerPool(signals.PoolOptions{Size: 2, QueueSize: 100})
	a := signals.NewWithOptions[int](&signals.SignalOptions{Pool: pool})
	b := signals.NewWithOptions[string](&signals.SignalOptions{Pool: pool})
	if a.Pool() != pool || b.Pool() != pool {
		t.Fatal("signals do not use the shared pool")
	}
	var n atomic.Int32
	a.AddListener(func(context.Context, int) { n.Add(1) })
	b.AddListener(func(context.Context, string) { n.Add(1) })
	for range 10 {
		a.Enqueue(context.Background(), 1)
		b.Enqueue(context.Background(), "x")
	}
	a.Close() // does not close the shared pool
	if err := b.Enqueue(context.Background(), "y"); err != nil {
		t.Errorf("Enqueue on b after a closed: %v", err)
	}
	b.Close()
	if n.Load() != 21 {
		t.Errorf("delivered %d of 21", n.Load())
	}
	if st := pool.Stats(); st.Size != 2 || st.QueueCap != 100 || pool.Size() != 2 {
		t.Errorf("pool stats = %+v", st)
	}
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pool.Close(); err != nil {
		t.Errorf("second pool Close = %v", err)
	}
	c := signals.NewWithOptions[int](&signals.SignalOptions{Pool: pool})
	c.AddListener(func(context.Context, int) { n.Add(1) })
	if err := c.Enqueue(context.Background(), 1); !errors.Is(err, signals.ErrClosed) {
		t.Errorf("Enqueue on a closed pool = %v", err)
	}
	c.AddListener(func(context.Context, int) { n.Add(1) })
	c.Emit(context.Background(), 1) // a closed pool: the caller runs every listener
	if n.Load() != 23 {
		t.Errorf("Emit on a closed pool made %d calls", n.Load()-21)
	}
	checkNoLeak(t)
}

func TestDefaults(t *testing.T) {
	if n := signals.DefaultWorkerPoolSize(); n < 4 {
		t.Errorf("DefaultWorkerPoolSize = %d", n)
	}
	if prev := signals.SetDefaultWorkerPoolSize(7); prev != 0 {
		t.Errorf("previous = %d", prev)
	}
	if signals.DefaultWorkerPoolSize() != 7 || signals.NewWorkerPool(signals.PoolOptions{}).Size() != 7 {
		t.Error("SetDefaultWorkerPoolSize did not take effect")
	}
	if prev := signals.SetDefaultWorkerPoolSize(-1); prev != 7 {
		t.Errorf("previous = %d", prev)
	}
	pool := signals.NewWorkerPool(signals.PoolOptions{Size: 1})
	if prev := signals.SetDefaultPool(pool); prev != nil {
		t.Error("a default pool was already set")
	}
	s := signals.New[int]()
	if s.Pool() != pool {
		t.Error("SetDefaultPool did not take effect")
	}
	if prev := signals.SetDefaultPool(nil); prev != pool {
		t.Error("SetDefaultPool did not return the previous pool")
	}
	s.Close()
	pool.Close()
	own := signals.New[int]()
	if own.Pool() == pool {
		t.Error("SetDefaultPool(nil) did not restore per-signal pools")
	}
	own.Close()
}

// TestIdleWorkersExit checks dynamic scaling: workers start under load and
// exit after the idle timeout, down to MinWorkers.
func TestIdleWorkersExit(t *testing.T) {
	for _, min := range []int{0, 1} {
		s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 4, MinWorkers: min, IdleTimeout: 20 * time.Millisecond})
		s.AddListener(func(context.Context, int) { time.Sleep(time.Millisecond) })
		for range 40 {
			s.Enqueue(context.Background(), 1)
		}
		deadline := time.Now().Add(5 * time.Second)
		for s.Stats().Workers > min && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if st := s.Stats(); st.Workers != min || st.Emissions != 0 {
			t.Errorf("MinWorkers %d: %d workers after idling; stats %+v", min, st.Workers, st)
		}
		s.Close()
	}
	checkNoLeak(t)
}

// TestEnqueueAsLastWorkerRetires queues emissions at about the moment the
// only worker's idle timeout expires: an emission queued while that worker
// retires must still be delivered, without waiting for another Enqueue.
func TestEnqueueAsLastWorkerRetires(t *testing.T) {
	const idle = 50 * time.Microsecond
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, IdleTimeout: idle})
	got := make(chan int, 1)
	s.AddListener(func(_ context.Context, v int) { got <- v })
	rounds := 4000
	if testing.Short() {
		rounds = 500
	}
	for i := range rounds {
		if err := s.Enqueue(context.Background(), i); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatalf("emission %d of %d not delivered in 5s: stranded in the queue", i, rounds)
		}
		// Wait about as long as the idle timeout, a little less or more
		// each round, so that some Enqueue calls meet a retiring worker.
		wait := idle - 10*time.Microsecond + time.Duration(i%21)*time.Microsecond
		for start := time.Now(); time.Since(start) < wait; {
		}
	}
	s.Close()
	checkNoLeak(t)
}

// TestSlowListenersBringInHelpers: when enqueued emissions pile up and their
// listener is slow, the owning worker brings in the pool's other workers,
// which deliver from the same queue: listeners then run on several workers
// at once, and every emission is delivered once.
func TestSlowListenersBringInHelpers(t *testing.T) {
	const n = 400
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 3, QueueSize: n})
	defer s.Close()
	var (
		mu            sync.Mutex
		order         []int
		running, most atomic.Int32
		done          = make(chan struct{})
	)
	s.AddListener(func(_ context.Context, v int) {
		mu.Lock()
		order = append(order, v)
		mu.Unlock()
		r := running.Add(1)
		for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
		}
		time.Sleep(50 * time.Microsecond)
		running.Add(-1)
		if v == n-1 {
			close(done)
		}
	})
	for i := range n {
		if err := s.Enqueue(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if m := most.Load(); m < 2 {
		t.Errorf("at most %d listener calls ran at once: no helper joined the owner", m)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(order)
	for i, v := range order {
		if v != i {
			t.Fatalf("%d deliveries; emission %d delivered %s", len(order), i, map[bool]string{true: "twice", false: "never"}[v < i])
		}
	}
	if len(order) != n {
		t.Errorf("%d deliveries of %d emissions", len(order), n)
	}
}

// TestBatchSurvivesGoexitWhileFinishingAFailure: when a plain listener fails
// in the middle of a batch of enqueued emissions, and finishing that
// emission does not return (a later listener, or the error handler, calls
// runtime.Goexit), the rest of the batch is still delivered, and the queue
// depth comes back to zero.
func TestBatchSurvivesGoexitWhileFinishingAFailure(t *testing.T) {
	for _, tt := range []struct {
		name                       string
		first                      func() // what the first listener does with emission 0
		laterGoexits, handlerExits bool
	}{
		{"panic, then a later listener's Goexit", func() { panic("boom") }, true, false},
		{"panic, then the error handler's Goexit", func() { panic("boom") }, false, true},
		{"Goexit, then the error handler's Goexit", runtime.Goexit, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const n = 40
			handler := func(context.Context, string, error) {}
			if tt.handlerExits {
				handler = func(context.Context, string, error) { runtime.Goexit() }
			}
			// No Stats: measuring queue waits would take the emissions off the plain loop.
			s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, ErrorHandler: handler})
			entered, release := make(chan struct{}), make(chan struct{})
			var got atomic.Int32
			s.AddListener(func(_ context.Context, v int) {
				switch v {
				case -1: // holds the owner while the batch is enqueued
					close(entered)
					<-release
				case 0:
					tt.first()
				}
			})
			s.AddListener(func(_ context.Context, v int) {
				if v == 0 && tt.laterGoexits {
					runtime.Goexit()
				}
			})
			s.AddListener(func(_ context.Context, v int) {
				if v >= 0 {
					got.Add(1)
				}
			})
			if err := s.Enqueue(context.Background(), -1); err != nil {
				t.Fatal(err)
			}
			<-entered
			for i := range n {
				if err := s.Enqueue(context.Background(), i); err != nil {
					t.Fatal(err)
				}
			}
			close(release)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			want := int32(n)
			if tt.laterGoexits || tt.handlerExits {
				want = n - 1 // emission 0 ends where its goroutine exits
			}
			if st := s.Stats(); got.Load() < want || st.QueueLen != 0 || st.Dropped != 0 {
				t.Errorf("last listener called %d times, want %d; queue depth %d, dropped %d", got.Load(), want, st.QueueLen, st.Dropped)
			}
		})
	}
}

// TestQueueLenNeverNegative polls Stats().QueueLen while producers enqueue
// and the pool's workers deliver.
func TestQueueLenNeverNegative(t *testing.T) {
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 4})
	s.AddListener(func(context.Context, int) {})
	stop, polled := make(chan struct{}), make(chan int)
	go func() {
		low := 0
		for {
			select {
			case <-stop:
				polled <- low
				return
			default:
			}
			low = min(low, s.Stats().QueueLen)
		}
	}()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20_000 {
				_ = s.Enqueue(context.Background(), i)
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if low := <-polled; low < 0 {
		t.Errorf("Stats().QueueLen was %d", low)
	}
}
