package signals_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/signals"
)

func ExampleNewWorkerPool() {
	// One pool serves two signals of different payload types.
	pool := signals.NewWorkerPool(signals.PoolOptions{Size: 4, QueueSize: 1000, IdleTimeout: time.Minute})
	defer pool.Close() // the owner closes a shared pool
	orders := signals.NewWithOptions[string](&signals.SignalOptions{Pool: pool})
	prices := signals.NewWithOptions[float64](&signals.SignalOptions{Pool: pool})
	var n atomic.Int32
	orders.AddListener(func(context.Context, string) { n.Add(1) })
	prices.AddListener(func(context.Context, float64) { n.Add(1) })
	orders.Enqueue(context.Background(), "A-1")
	prices.Enqueue(context.Background(), 9.99)
	orders.Close() // delivers its queue; the shared pool keeps running
	prices.Close()
	fmt.Println(n.Load(), pool.Size())
	// Output:
	// 2 4
}

func ExampleWorkerPool_Stats() {
	pool := signals.NewWorkerPool(signals.PoolOptions{Size: 2, QueueSize: 10})
	defer pool.Close()
	st := pool.Stats()
	fmt.Printf("%+v\n", st)
	// Output:
	// {Size:2 Workers:0 Busy:0 QueueLen:0 QueueCap:10}
}

func ExampleWorkerPool_Size() {
	fmt.Println(signals.NewWorkerPool(signals.PoolOptions{Size: 8}).Size())
	// Output:
	// 8
}

func ExampleWorkerPool_Close() {
	pool := signals.NewWorkerPool(signals.PoolOptions{})
	s := signals.NewWithOptions[int](&signals.SignalOptions{Pool: pool})
	s.AddListener(func(context.Context, int) {})
	s.Enqueue(context.Background(), 1)
	fmt.Println(pool.Close(), pool.Stats().Workers)
	fmt.Println(s.Enqueue(context.Background(), 2))
	// Output:
	// <nil> 0
	// signals: closed
}

func ExampleWorkerPool_Shutdown() {
	pool := signals.NewWorkerPool(signals.PoolOptions{Size: 1})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	fmt.Println(pool.Shutdown(ctx))
	// Output:
	// <nil>
}

func ExampleSetDefaultPool() {
	pool := signals.NewWorkerPool(signals.PoolOptions{Size: 2})
	defer pool.Close()
	previous := signals.SetDefaultPool(pool) // signals created without a pool share this one
	defer signals.SetDefaultPool(previous)
	s := signals.New[int]()
	defer s.Close()
	fmt.Println(s.Pool() == pool)
	// Output:
	// true
}

func ExampleSetDefaultWorkerPoolSize() {
	previous := signals.SetDefaultWorkerPoolSize(16)
	defer signals.SetDefaultWorkerPoolSize(previous)
	s := signals.New[int]()
	defer s.Close()
	fmt.Println(s.Pool().Size())
	// Output:
	// 16
}

func ExampleDefaultWorkerPoolSize() {
	fmt.Println(signals.DefaultWorkerPoolSize() >= 4)
	// Output:
	// true
}
