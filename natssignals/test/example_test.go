package test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/signals"
)

// An order service publishes the emissions of its signal; a worker
// service subscribes and emits them into its own signal. (Both run in one
// process here, with an embedded server on 127.0.0.1.)
func Example() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	nc, err := nats.Connect(url)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	for _, cfg := range []jetstream.StreamConfig{
		{Name: "ORDERS", Subjects: []string{"orders.>"}, Duplicates: 2 * time.Minute},
		{Name: "DEADLETTER", Subjects: []string{"deadletter.>"}},
	} {
		if _, err := js.CreateOrUpdateStream(ctx, cfg); err != nil {
			log.Fatal(err)
		}
	}

	// The order service.
	placed := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed"})
	pub, err := natssignals.Publish(ctx, nc, "orders.placed", placed)
	if err != nil {
		log.Fatal(err)
	}

	// The worker service.
	done := make(chan struct{})
	received := signals.NewSync[Order]()
	received.AddListenerWithErr(func(_ context.Context, o Order) error {
		fmt.Println("shipping", o.ID)
		close(done)
		return nil
	}, "ship")
	sub, err := natssignals.Subscribe(ctx, nc, "orders.placed", "shipping", received)
	if err != nil {
		log.Fatal(err)
	}

	placed.Emit(ctx, Order{ID: "A-1"})
	<-done
	if err := pub.Close(); err != nil {
		log.Fatal(err)
	}
	if err := sub.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("published", pub.Stats().Published, "acknowledged", sub.Stats().Acked)
	// Output:
	// shipping A-1
	// published 1 acknowledged 1
}

// A payload ID as the message ID: JetStream stores an order once within
// its duplicate window, however many times it is emitted.
func Example_withMessageID() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	nc, err := nats.Connect(url)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Duplicates: time.Minute}); err != nil {
		log.Fatal(err)
	}
	placed := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctx, nc, "orders.placed", placed,
		natssignals.WithMessageID(func(o Order) string { return "order-" + o.ID }))
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []string{"A-1", "A-1", "B-2"} {
		placed.Emit(ctx, Order{ID: id})
	}
	if err := pub.Close(); err != nil {
		log.Fatal(err)
	}
	st := pub.Stats()
	fmt.Println("published", st.Published, "duplicates", st.Duplicates)
	// Output: published 3 duplicates 1
}

// exampleServer starts a nats-server with JetStream on 127.0.0.1, a free
// port and a temporary directory, and returns its URL and what stops it.
func exampleServer() (url string, stop func()) {
	dir, err := os.MkdirTemp("", "natssignals-example")
	if err != nil {
		log.Fatal(err)
	}
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		log.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		log.Fatal("nats-server not ready")
	}
	return srv.ClientURL(), func() {
		srv.Shutdown()
		srv.WaitForShutdown()
		os.RemoveAll(dir)
	}
}
