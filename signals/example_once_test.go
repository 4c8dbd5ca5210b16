package signals_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/signalkit/sdk/signals"
)

func ExampleBaseSignal_AddOnce() {
	ready := signals.NewSync[string]()
	ready.AddOnce(func(_ context.Context, v string) { fmt.Println("first:", v) })
	ready.Emit(context.Background(), "a")
	ready.Emit(context.Background(), "b") // the listener is gone
	fmt.Println(ready.Len())
	// Output:
	// first: a
	// 0
}

func ExampleBaseSignal_AddOnceWithKey() {
	s := signals.NewSync[int]()
	s.AddOnceWithKey(func(context.Context, int) { fmt.Println("never runs") }, "greeter")
	fmt.Println(s.HasKey("greeter"))
	s.RemoveListener("greeter") // a keyed one-time listener can be cancelled before it fires
	s.Emit(context.Background(), 1)
	fmt.Println(s.HasKey("greeter"))
	// Output:
	// true
	// false
}

func ExampleBaseSignal_AddOnceWithErr() {
	s := signals.NewSync[int]()
	s.AddOnceWithErr(func(context.Context, int) error { return errors.New("first delivery failed") })
	fmt.Println(s.TryEmit(context.Background(), 1))
	fmt.Println(s.TryEmit(context.Background(), 2)) // consumed on its one attempt
	// Output:
	// first delivery failed
	// <nil>
}

func ExampleBaseSignal_AddOnceWithErrAndKey() {
	s := signals.NewSync[int]()
	s.AddOnceWithErrAndKey(func(_ context.Context, v int) error {
		fmt.Println("handshake", v)
		return nil
	}, "handshake")
	fmt.Println(s.Metadata("handshake").IsOnce)
	s.Emit(context.Background(), 1)
	fmt.Println(s.Metadata("handshake") == nil)
	// Output:
	// true
	// handshake 1
	// true
}
