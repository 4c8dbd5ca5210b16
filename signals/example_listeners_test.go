package signals_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/signalkit/sdk/signals"
)

func ExampleBaseSignal_AddListener() {
	s := signals.NewSync[string]()
	fmt.Println(s.AddListener(func(_ context.Context, v string) { fmt.Println("got", v) }, "printer"))
	fmt.Println(s.AddListener(func(context.Context, string) {}, "printer")) // the key is taken
	fmt.Println(s.AddListener(func(context.Context, string) {}))            // no key
	s.Emit(context.Background(), "hello")
	// Output:
	// 1
	// -1
	// 2
	// got hello
}

func ExampleBaseSignal_AddListenerWithErr() {
	var h signals.ErrorHandler = func(_ context.Context, key string, err error) {
		fmt.Printf("listener %q failed: %v\n", key, err)
	}
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{ErrorHandler: h})
	s.AddListenerWithErr(func(_ context.Context, v int) error {
		if v < 0 {
			return errors.New("negative")
		}
		return nil
	}, "validator")
	s.Emit(context.Background(), -1)
	fmt.Println(s.Metadata("validator").ErrorCount)
	// Output:
	// listener "validator" failed: negative
	// 1
}

func ExampleBaseSignal_RemoveListener() {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) { fmt.Println("a") }, "a")
	s.AddListener(func(context.Context, int) { fmt.Println("b") }, "b")
	s.AddListener(func(context.Context, int) { fmt.Println("c") }, "c")
	fmt.Println(s.RemoveListener("a"), s.RemoveListener("a"))
	s.Emit(context.Background(), 0) // b and c keep their order
	// Output:
	// 2 -1
	// b
	// c
}

func ExampleBaseSignal_Reset() {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) {}, "a")
	s.AddListener(func(context.Context, int) {})
	s.Reset()
	fmt.Println(s.Len(), s.HasKey("a"))
	// Output:
	// 0 false
}

func ExampleBaseSignal_Len() {
	s := signals.New[int]()
	defer s.Close()
	s.AddListener(func(context.Context, int) {})
	s.AddOnce(func(context.Context, int) {})
	fmt.Println(s.Len())
	s.Emit(context.Background(), 1) // the one-time listener goes
	fmt.Println(s.Len())
	// Output:
	// 2
	// 1
}

func ExampleBaseSignal_IsEmpty() {
	var s signals.SyncSignal[int] // the zero value is ready to use
	fmt.Println(s.IsEmpty())
	s.AddListener(func(context.Context, int) {})
	fmt.Println(s.IsEmpty())
	// Output:
	// true
	// false
}

func ExampleBaseSignal_Keys() {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) {}, "audit")
	s.AddListener(func(context.Context, int) {}) // unkeyed: not listed
	s.AddListener(func(context.Context, int) {}, "billing")
	fmt.Println(s.Keys())
	// Output:
	// [audit billing]
}

func ExampleBaseSignal_HasKey() {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) {}, "audit")
	fmt.Println(s.HasKey("audit"), s.HasKey("billing"))
	// Output:
	// true false
}

func ExampleBaseSignal_Metadata() {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{
		ListenerMetrics: true, // keep CallCount and LastCalled
		ErrorHandler:    func(context.Context, string, error) {},
	})
	s.AddListenerWithErr(func(_ context.Context, v int) error {
		if v%2 == 1 {
			return fmt.Errorf("odd %d", v)
		}
		return nil
	}, "even-only")
	for v := range 5 {
		s.Emit(context.Background(), v)
	}
	m := s.Metadata("even-only")
	fmt.Println(m.Key, m.IsErrorAware, m.IsOnce, m.CallCount, m.ErrorCount, m.LastError, !m.LastCalled.IsZero())
	fmt.Println(s.Metadata("missing") == nil)
	// Output:
	// even-only true false 5 2 odd 3 true
	// true
}

func ExampleBaseSignal_Name() {
	fmt.Println(signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders"}).Name())
	fmt.Println(signals.NewSync[int]().Name())
	// Output:
	// orders
	// unnamed
}

func ExampleNewBaseSignal() {
	// A BaseSignal holds listeners but cannot emit: embed it to build a
	// signal type of your own, or use NewSync or New.
	b := signals.NewBaseSignal[int](&signals.SignalOptions{Name: "registry"})
	b.AddListener(func(context.Context, int) {}, "a")
	fmt.Println(b.Name(), b.Keys())
	// Output:
	// registry [a]
}

func ExampleBaseSignal_Emit() {
	b := signals.NewBaseSignal[int](nil)
	defer func() { fmt.Println("recovered:", recover()) }()
	b.Emit(context.Background(), 1)
	// Output:
	// recovered: signals: BaseSignal.Emit called; emit on a SyncSignal or an AsyncSignal
}
