package signalstest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signals/signalstest"
)

func ExampleNewSignal() {
	placed := signalstest.NewSignal[Order]()
	var _ signals.Signal[Order] = placed // what the code under test takes

	placed.AddListener(func(_ context.Context, o Order) { fmt.Println("listener:", o.ID) })
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	fmt.Println("emissions:", placed.Emissions())
	// Output:
	// listener: A-1
	// emissions: [{A-1 30}]
}

// Wrap records the emissions of a signal configured as in production, here
// an asynchronous one with a name and stats.
func ExampleWrap() {
	async := signals.NewWithOptions[Order](&signals.SignalOptions{Name: "orders.placed", Stats: true})
	defer async.Close()
	placed := signalstest.Wrap[Order](async)
	placed.AddListener(func(context.Context, Order) {})
	placed.AddListener(func(context.Context, Order) {})

	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	fmt.Println(placed.EmitCount(), async.Stats().ListenerCalls)
	// Output:
	// 1 2
}

func ExampleSignal_Emit() {
	placed := signalstest.NewSignal[Order]()
	placed.AddListener(func(ctx context.Context, o Order) {
		if o.Total > 100 {
			placed.Emit(ctx, Order{ID: o.ID + "-review"}) // a nested emission
		}
	})
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 500})
	fmt.Println(placed.Emissions()) // in the order of the Emit calls
	// Output:
	// [{A-1 500} {A-1-review 0}]
}

func ExampleSignal_AddListener() {
	placed := signalstest.NewSignal[Order]()
	fmt.Println(placed.AddListener(func(_ context.Context, o Order) { fmt.Println("audit", o.ID) }, "audit"))
	fmt.Println(placed.AddListener(func(context.Context, Order) {}, "audit")) // the key is taken
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	// Output:
	// 1
	// -1
	// audit A-1
}

func ExampleSignal_AddListenerWithErr() {
	var failures []error
	sync := signals.NewSyncWithOptions[Order](&signals.SignalOptions{
		ErrorHandler: func(_ context.Context, key string, err error) { failures = append(failures, err) },
	})
	placed := signalstest.Wrap[Order](sync)
	placed.AddListenerWithErr(func(context.Context, Order) error { return errors.New("out of stock") }, "stock")

	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	fmt.Println(failures, placed.Metadata("stock").ErrorCount)
	// Output:
	// [out of stock] 1
}

func ExampleSignal_AddOnce() {
	placed := signalstest.NewSignal[Order]()
	placed.AddOnce(func(_ context.Context, o Order) { fmt.Println("first order:", o.ID) })
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	placed.Emit(context.Background(), Order{ID: "A-2", Total: 40})
	fmt.Println(placed.EmitCount(), placed.Len())
	// Output:
	// first order: A-1
	// 2 0
}

func ExampleSignal_AddOnceWithKey() {
	placed := signalstest.NewSignal[Order]()
	placed.AddOnceWithKey(func(_ context.Context, o Order) { fmt.Println("welcome", o.ID) }, "welcome")
	fmt.Println(placed.HasKey("welcome"))
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	fmt.Println(placed.HasKey("welcome"))
	// Output:
	// true
	// welcome A-1
	// false
}

func ExampleSignal_AddOnceWithErr() {
	placed := signalstest.NewSignal[Order]()
	placed.AddOnceWithErr(func(_ context.Context, o Order) error {
		fmt.Println("charged", o.ID)
		return nil
	})
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	placed.Emit(context.Background(), Order{ID: "A-2", Total: 40})
	// Output:
	// charged A-1
}

func ExampleSignal_AddOnceWithErrAndKey() {
	placed := signalstest.NewSignal[Order]()
	placed.AddOnceWithErrAndKey(func(context.Context, Order) error { return nil }, "charge")
	m := placed.Metadata("charge")
	fmt.Println(m.Key, m.IsOnce, m.IsErrorAware)
	// Output:
	// charge true true
}

func ExampleSignal_RemoveListener() {
	placed := signalstest.NewSignal[Order]()
	placed.AddListener(func(_ context.Context, o Order) { fmt.Println("audit", o.ID) }, "audit")
	fmt.Println(placed.RemoveListener("audit"), placed.RemoveListener("audit"))
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	fmt.Println(placed.EmitCount())
	// Output:
	// 0 -1
	// 1
}

func ExampleSignal_Reset() {
	placed := signalstest.NewSignal[Order]()
	placed.AddListener(func(context.Context, Order) {})
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	placed.Reset() // removes the listeners, keeps the recorded emissions
	fmt.Println(placed.Len(), placed.EmitCount())
	// Output:
	// 0 1
}

func ExampleSignal_Len() {
	placed := signalstest.NewSignal[Order]()
	placed.AddListener(func(context.Context, Order) {})
	placed.AddListener(func(context.Context, Order) {})
	placed.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	fmt.Println("listeners:", placed.Len(), "emissions:", placed.EmitCount())
	// Output:
	// listeners: 2 emissions: 1
}

func ExampleSignal_IsEmpty() {
	placed := signalstest.NewSignal[Order]()
	fmt.Println(placed.IsEmpty())
	placed.AddListener(func(context.Context, Order) {})
	fmt.Println(placed.IsEmpty())
	// Output:
	// true
	// false
}

func ExampleSignal_Keys() {
	placed := signalstest.NewSignal[Order]()
	placed.AddListener(func(context.Context, Order) {}, "audit")
	placed.AddListener(func(context.Context, Order) {}) // no key
	placed.AddListener(func(context.Context, Order) {}, "stock")
	fmt.Println(placed.Keys())
	// Output:
	// [audit stock]
}

func ExampleSignal_HasKey() {
	placed := signalstest.NewSignal[Order]()
	placed.AddListener(func(context.Context, Order) {}, "audit")
	fmt.Println(placed.HasKey("audit"), placed.HasKey("stock"))
	// Output:
	// true false
}

func ExampleSignal_Metadata() {
	placed := signalstest.NewSignal[Order]()
	placed.AddListener(func(context.Context, Order) {}, "audit")
	m := placed.Metadata("audit")
	fmt.Println(m.Key, m.IsOnce, m.IsErrorAware, placed.Metadata("stock") == nil)
	// Output:
	// audit false false true
}

func ExampleSignal_Emissions() {
	placed := signalstest.NewSignal[Order]()
	checkout := &Checkout{Placed: placed}
	for _, total := range []int{30, 0, 40} {
		_ = checkout.Place(context.Background(), Order{ID: fmt.Sprint("A-", total), Total: total})
	}
	for _, o := range placed.Emissions() {
		fmt.Println(o.ID)
	}
	// Output:
	// A-30
	// A-40
}

func ExampleSignal_EmitCount() {
	placed := signalstest.NewSignal[Order]()
	checkout := &Checkout{Placed: placed}
	_ = checkout.Place(context.Background(), Order{ID: "A-1", Total: 30})
	_ = checkout.Place(context.Background(), Order{ID: "A-2"})
	fmt.Println(placed.EmitCount())
	// Output:
	// 1
}

// WaitForEmissions waits for code under test that emits from a goroutine
// of its own.
func ExampleSignal_WaitForEmissions() {
	t := exampleT{} // in a test: the test's *testing.T
	placed := signalstest.NewSignal[Order]()
	checkout := &Checkout{Placed: placed}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = checkout.Place(context.Background(), Order{ID: "A-1", Total: 30})
	}()
	fmt.Println(placed.WaitForEmissions(t, 1, time.Second))
	<-done
	// Output:
	// [{A-1 30}]
}

func ExampleSignal_AssertEmitted() {
	t := exampleT{} // in a test: the test's *testing.T
	placed := signalstest.NewSignal[Order]()
	checkout := &Checkout{Placed: placed}
	_ = checkout.Place(context.Background(), Order{ID: "A-1", Total: 30})
	_ = checkout.Place(context.Background(), Order{ID: "A-2", Total: 40})

	fmt.Println(placed.AssertEmitted(t, 2))
	placed.AssertEmitted(t, 1)
	// Output:
	// true
	// FAIL: signalstest: got 2 emissions, want 1:
	// 	#1: {ID:A-1 Total:30}
	// 	#2: {ID:A-2 Total:40}
}

func ExampleSignal_AssertEmittedWith() {
	t := exampleT{} // in a test: the test's *testing.T
	placed := signalstest.NewSignal[Order]()
	checkout := &Checkout{Placed: placed}
	_ = checkout.Place(context.Background(), Order{ID: "A-1", Total: 30})

	fmt.Println(placed.AssertEmittedWith(t, func(o Order) bool { return o.Total == 30 }))
	placed.AssertEmittedWith(t, func(o Order) bool { return o.Total > 100 })
	// Output:
	// true
	// FAIL: signalstest: got 1 emission, none of which matches:
	// 	#1: {ID:A-1 Total:30}
}

func ExampleSignal_AssertNotEmitted() {
	t := exampleT{} // in a test: the test's *testing.T
	placed := signalstest.NewSignal[Order]()
	checkout := &Checkout{Placed: placed}
	_ = checkout.Place(context.Background(), Order{ID: "A-1"}) // refused

	fmt.Println(placed.AssertNotEmitted(t))
	// Output:
	// true
}
