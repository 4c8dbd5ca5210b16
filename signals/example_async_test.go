package signals_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/signals"
)

func ExampleNew() {
	s := signals.New[string]()
	defer s.Close()
	var mu sync.Mutex
	var got []string
	for _, name := range []string{"email", "sms", "push"} {
		s.AddListener(func(_ context.Context, msg string) {
			mu.Lock()
			got = append(got, name+": "+msg)
			mu.Unlock()
		})
	}
	s.Emit(context.Background(), "hi") // concurrent; returns when all three have returned
	sort.Strings(got)
	fmt.Println(got)
	// Output:
	// [email: hi push: hi sms: hi]
}

func ExampleNewWithOptions() {
	s := signals.NewWithOptions[int](&signals.SignalOptions{
		Name:           "jobs",
		WorkerPoolSize: 2,
		QueueSize:      100,
		Overflow:       signals.OverflowDrop,
	})
	defer s.Close()
	s.AddListener(func(context.Context, int) {})
	s.Enqueue(context.Background(), 1)
	st := s.Stats()
	fmt.Println(st.Name, st.PoolSize, st.QueueCap)
	// Output:
	// jobs 2 100
}

func ExampleAsyncSignal_Emit() {
	s := signals.New[int]()
	defer s.Close()
	var sum atomic.Int64
	for range 10 {
		s.AddListener(func(_ context.Context, v int) {
			time.Sleep(time.Millisecond) // the ten sleeps overlap
			sum.Add(int64(v))
		})
	}
	s.Emit(context.Background(), 5)
	fmt.Println(sum.Load())
	// Output:
	// 50
}

func ExampleAsyncSignal_Enqueue() {
	s := signals.NewWithOptions[string](&signals.SignalOptions{WorkerPoolSize: 1})
	s.AddListener(func(_ context.Context, msg string) { fmt.Println("delivered", msg) })
	for _, msg := range []string{"a", "b", "c"} {
		if err := s.Enqueue(context.Background(), msg); err != nil { // returns at once
			fmt.Println(err)
		}
	}
	s.Close() // delivers what is queued
	fmt.Println(errors.Is(s.Enqueue(context.Background(), "d"), signals.ErrClosed))
	// Output:
	// delivered a
	// delivered b
	// delivered c
	// true
}

func ExampleAsyncSignal_Close() {
	s := signals.New[int]()
	var n atomic.Int32
	s.AddListener(func(context.Context, int) { n.Add(1) })
	for range 100 {
		s.Enqueue(context.Background(), 1)
	}
	fmt.Println(s.Close(), n.Load(), s.Stats().Workers)
	// Output:
	// <nil> 100 0
}

func ExampleAsyncSignal_Shutdown() {
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1})
	release := make(chan struct{})
	s.AddListener(func(context.Context, int) { <-release })
	for range 5 {
		s.Enqueue(context.Background(), 1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	fmt.Println(s.Shutdown(ctx)) // out of time: what is still queued is dropped
	close(release)
	s.Close() // waits for the running listener and the workers
	fmt.Println(s.Stats().Dropped)
	// Output:
	// context deadline exceeded
	// 4
}

func ExampleAsyncSignal_Pool() {
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 3})
	defer s.Close()
	fmt.Println(s.Pool().Size())
	// Output:
	// 3
}

func ExampleAsyncSignal_Stats() {
	s := signals.NewWithOptions[int](&signals.SignalOptions{Stats: true, WorkerPoolSize: 2})
	s.AddListener(func(context.Context, int) {})
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("e") })
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.Emit(context.Background(), 1)
	s.Enqueue(context.Background(), 2)
	s.Close()
	st := s.Stats()
	fmt.Println(st.Emissions, st.ListenerCalls, st.Errors, st.Listeners, st.PoolSize, st.QueueLen)
	// Output:
	// 2 4 2 2 2 0
}

func ExampleAsyncSignal_Health() {
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, QueueSize: 2, Overflow: signals.OverflowDrop})
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	s.AddListener(func(context.Context, int) {
		select {
		case started <- struct{}{}:
		default:
		}
		<-release
	})
	s.Enqueue(context.Background(), 0)
	<-started // the worker is busy; the next emissions wait in the queue
	s.Enqueue(context.Background(), 1)
	s.Enqueue(context.Background(), 2)
	err := s.Health()
	fmt.Println(errors.Is(err, signals.ErrQueueSaturated))
	fmt.Println(err)
	close(release)
	s.Close()
	// Output:
	// true
	// signals: queue saturated: 2 of 2 queued
}

func ExampleAsyncSignal_IsHealthy() {
	s := signals.New[int]()
	defer s.Close()
	fmt.Println(s.IsHealthy())
	// Output:
	// true
}

func ExampleAsyncSignal_Kind() {
	var s signals.AsyncSignal[int]
	fmt.Println(s.Kind())
	// Output:
	// async
}

func ExampleAsyncSignal_Overflow() {
	drops := signals.NewWithOptions[int](&signals.SignalOptions{Overflow: signals.OverflowDrop})
	defer drops.Close()
	waits := signals.New[int]()
	defer waits.Close()
	fmt.Println(drops.Overflow(), waits.Overflow())
	// Output:
	// drop block
}
