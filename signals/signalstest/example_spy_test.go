package signalstest_test

import (
	"context"
	"fmt"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signals/signalstest"
)

func ExampleNewSpy() {
	sig := signals.NewSync[Order]()
	spy := signalstest.NewSpy[Order]()
	sig.AddListener(spy.Listener())

	for i := range 1000 {
		sig.Emit(context.Background(), Order{ID: fmt.Sprint("A-", i), Total: i})
	}
	last, _ := spy.LastPayload()
	fmt.Println(spy.CallCount(), last.ID)
	// Output:
	// 1000 A-999
}

func ExampleSpy_Listener() {
	sig := signals.NewSync[string]()
	spy := signalstest.NewSpy[string]()
	sig.AddOnce(spy.Listener()) // any kind of listener

	sig.Emit(context.Background(), "first")
	sig.Emit(context.Background(), "second")
	fmt.Println(spy.CallCount())
	// Output:
	// 1
}

func ExampleSpy_CallCount() {
	sig := signals.NewSync[int]()
	spy := signalstest.NewSpy[int]()
	sig.AddListener(spy.Listener(), "audit")

	sig.Emit(context.Background(), 1)
	sig.RemoveListener("audit")
	sig.Emit(context.Background(), 2)
	fmt.Println(spy.CallCount())
	// Output:
	// 1
}

func ExampleSpy_WasCalled() {
	sig := signals.NewSync[int]()
	spy := signalstest.NewSpy[int]()
	sig.AddListener(spy.Listener())
	fmt.Println(spy.WasCalled())

	sig.Emit(context.Background(), 1)
	fmt.Println(spy.WasCalled())
	// Output:
	// false
	// true
}

func ExampleSpy_LastPayload() {
	sig := signals.NewSync[string]()
	spy := signalstest.NewSpy[string]()
	sig.AddListener(spy.Listener())
	fmt.Println(spy.LastPayload())

	sig.Emit(context.Background(), "a")
	sig.Emit(context.Background(), "b")
	fmt.Println(spy.LastPayload())
	// Output:
	//  false
	// b true
}
