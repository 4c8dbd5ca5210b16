package signals_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/signalkit/sdk/signals"
)

type Order struct {
	ID     string
	Amount int
}

func ExampleNewSync() {
	orderPlaced := signals.NewSync[Order]()
	orderPlaced.AddListener(func(ctx context.Context, o Order) {
		fmt.Println("audit:", o.ID)
	})
	orderPlaced.Emit(context.Background(), Order{ID: "A-1", Amount: 30})
	// Output:
	// audit: A-1
}

func ExampleNewSyncWithOptions() {
	s := signals.NewSyncWithOptions[Order](&signals.SignalOptions{
		Name:            "orders.placed",
		InitialCapacity: 4,
		Stats:           true,
	})
	s.AddListener(func(context.Context, Order) {})
	s.Emit(context.Background(), Order{ID: "A-1"})
	st := s.Stats()
	fmt.Println(s.Name(), st.Emissions, st.ListenerCalls)
	// Output:
	// orders.placed 1 1
}

func ExampleSyncSignal_Emit() {
	s := signals.NewSync[int]()
	s.AddListener(func(_ context.Context, v int) { fmt.Println("first", v) })
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("ignored by Emit") })
	s.AddListener(func(_ context.Context, v int) { fmt.Println("third", v) })
	s.Emit(context.Background(), 7) // every listener runs, in order
	// Output:
	// first 7
	// third 7
}

func ExampleSyncSignal_TryEmit() {
	errOutOfStock := errors.New("out of stock")
	s := signals.NewSync[Order]()
	s.AddListenerWithErr(func(_ context.Context, o Order) error {
		if o.Amount > 10 {
			return errOutOfStock
		}
		return nil
	}, "stock")
	s.AddListener(func(_ context.Context, o Order) { fmt.Println("shipped", o.ID) }, "ship")

	fmt.Println(s.TryEmit(context.Background(), Order{ID: "A-1", Amount: 3}))
	err := s.TryEmit(context.Background(), Order{ID: "A-2", Amount: 50})
	fmt.Println(errors.Is(err, errOutOfStock))
	// Output:
	// shipped A-1
	// <nil>
	// true
}

func ExampleSyncSignal_Kind() {
	fmt.Println(signals.NewSync[int]().Kind(), signals.New[int]().Kind())
	// Output:
	// sync async
}
