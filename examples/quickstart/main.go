// Command quickstart is the five-minute tour of package signals: a
// synchronous signal with validation, an asynchronous one with fire-and-forget
// delivery, a one-time listener, panic isolation, and stats.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync/atomic"

	"github.com/signalkit/sdk/signals"
)

// Order is the payload of the signals below.
type Order struct {
	ID       string
	Quantity int
}

var errInvalid = errors.New("invalid quantity")

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run is the tour, writing what happens to w.
func run(w io.Writer) error {
	ctx := context.Background()

	// A synchronous signal: listeners run in order on the emitting goroutine.
	orderPlaced := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed", Stats: true})
	orderPlaced.AddListenerWithErr(func(_ context.Context, o Order) error {
		if o.Quantity <= 0 {
			return fmt.Errorf("order %s: %w", o.ID, errInvalid)
		}
		return nil
	}, "validate")
	orderPlaced.AddListener(func(_ context.Context, o Order) {
		fmt.Fprintf(w, "reserved stock for %s (%d)\n", o.ID, o.Quantity)
	}, "reserve")
	orderPlaced.AddOnce(func(_ context.Context, o Order) {
		fmt.Fprintf(w, "first order of the day: %s\n", o.ID)
	})

	// TryEmit stops at the first failing listener and returns its error.
	for _, o := range []Order{{"A-1", 2}, {"A-2", 0}, {"A-3", 5}} {
		if err := orderPlaced.TryEmit(ctx, o); errors.Is(err, errInvalid) {
			fmt.Fprintln(w, "rejected:", err)
		}
	}

	// An asynchronous signal: listeners run concurrently on a worker pool.
	shipped := signals.NewWithOptions[Order](&signals.SignalOptions{Name: "order.shipped", Stats: true})
	defer shipped.Close()
	var emails, sms atomic.Int32
	shipped.AddListener(func(context.Context, Order) { emails.Add(1) }, "email")
	shipped.AddListener(func(context.Context, Order) { sms.Add(1) }, "sms")
	shipped.AddListener(func(_ context.Context, o Order) {
		if o.ID == "A-3" {
			panic("tracking service down") // recovered; the others still run
		}
	}, "tracking")
	shipped.SetErrorHandler(func(_ context.Context, key string, err error) {
		fmt.Fprintf(w, "listener %q failed: %v\n", key, err)
	})

	shipped.Emit(ctx, Order{"A-1", 2}) // waits for every listener
	for _, o := range []Order{{"A-3", 5}, {"A-4", 1}} {
		if err := shipped.Enqueue(ctx, o); err != nil { // returns at once
			return err
		}
	}
	if err := shipped.Close(); err != nil { // delivers what is queued
		return err
	}

	fmt.Fprintf(w, "emails sent: %d, sms sent: %d\n", emails.Load(), sms.Load())
	for _, st := range []signals.Stats{orderPlaced.Stats(), shipped.Stats()} {
		fmt.Fprintf(w, "%s: %d emissions, %d listener calls, %d errors, %d panics\n",
			st.Name, st.Emissions, st.ListenerCalls, st.Errors, st.Panics)
	}
	return nil
}
