package signalstest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signals/signalstest"
)

// exampleT stands for the *testing.T that a test passes to the assertions,
// which an example does not have: it prints what the test would report.
type exampleT struct{ testing.TB }

func (exampleT) Helper() {}

func (exampleT) Errorf(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
}

func (exampleT) Fatalf(format string, args ...any) {
	fmt.Printf("FAIL (the test ends): "+format+"\n", args...)
}

// Order is the payload of the examples' signals.
type Order struct {
	ID    string
	Total int
}

// Checkout is code under test: it emits on the signal it is given.
type Checkout struct {
	Placed signals.Signal[Order]
}

// Place emits o on c.Placed, unless o is empty.
func (c *Checkout) Place(ctx context.Context, o Order) error {
	if o.Total <= 0 {
		return errors.New("empty order")
	}
	c.Placed.Emit(ctx, o)
	return nil
}

// A test of code that emits: the double stands for the signal, and the test
// asserts what was emitted. The failing assertion shows a failure message.
func Example() {
	t := exampleT{} // in a test: the test's *testing.T
	placed := signalstest.NewSignal[Order]()
	checkout := &Checkout{Placed: placed}

	_ = checkout.Place(context.Background(), Order{ID: "A-1", Total: 30})
	_ = checkout.Place(context.Background(), Order{ID: "A-2"}) // refused: not emitted

	placed.AssertEmitted(t, 1)
	placed.AssertEmittedWith(t, func(o Order) bool { return o.ID == "A-1" })
	placed.AssertEmittedWith(t, func(o Order) bool { return o.ID == "A-2" })
	// Output:
	// FAIL: signalstest: got 1 emission, none of which matches:
	// 	#1: {ID:A-1 Total:30}
}
