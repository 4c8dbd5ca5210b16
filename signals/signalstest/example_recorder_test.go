package signalstest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signals/signalstest"
)

func ExampleNewRecorder() {
	sig := signals.NewSync[Order]()
	rec := signalstest.NewRecorder[Order]()
	sig.AddListener(rec.Record)

	sig.Emit(context.Background(), Order{ID: "A-1", Total: 30})
	fmt.Println(rec.Events())
	// Output:
	// [{A-1 30}]
}

func ExampleRecorder_Record() {
	rec := signalstest.NewRecorder[string]()
	var listener signals.Listener[string] = rec.Record // Record is a listener

	listener(context.Background(), "called directly")
	fmt.Println(rec.Events())
	// Output:
	// [called directly]
}

func ExampleRecorder_Events() {
	sig := signals.NewSync[int]()
	rec := signalstest.NewRecorder[int]()
	sig.AddListener(rec.Record)
	for i := 1; i <= 3; i++ {
		sig.Emit(context.Background(), i*10)
	}
	fmt.Println(rec.Events()) // in arrival order
	// Output:
	// [10 20 30]
}

func ExampleRecorder_Len() {
	sig := signals.NewSync[int]()
	rec := signalstest.NewRecorder[int]()
	sig.AddListener(rec.Record)
	sig.Emit(context.Background(), 1)
	sig.Emit(context.Background(), 2)
	fmt.Println(rec.Len())
	// Output:
	// 2
}

// WaitFor waits for deliveries that happen on other goroutines, here the
// workers of an asynchronous signal. The second call waits for more than
// arrive and shows the failure message.
func ExampleRecorder_WaitFor() {
	t := exampleT{} // in a test: the test's *testing.T
	sig := signals.New[Order]()
	defer sig.Close()
	rec := signalstest.NewRecorder[Order]()
	sig.AddListener(rec.Record)

	_ = sig.Enqueue(context.Background(), Order{ID: "A-1", Total: 30}) // returns at once
	fmt.Println(rec.WaitFor(t, 1, time.Second))

	rec.WaitFor(t, 2, 10*time.Millisecond)
	// Output:
	// [{A-1 30}]
	// FAIL (the test ends): signalstest: got 1 event after waiting 10ms, want at least 2:
	// 	#1: {ID:A-1 Total:30}
}
