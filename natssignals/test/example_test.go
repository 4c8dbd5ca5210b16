package test

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
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

// gobCodec encodes payloads with encoding/gob: a codec of one's own. A
// protobuf codec is the same shape, with proto.Marshal and proto.Unmarshal.
type gobCodec struct{}

func (gobCodec) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (gobCodec) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}

func (gobCodec) ContentType() string { return "application/x-gob" }

// Publisher and subscriber of a subject use the same codec of their own;
// the message carries its content type.
func Example_codec() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	nc, js := exampleConnect(url)
	defer nc.Close()

	placed := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctx, nc, "orders.placed", placed, natssignals.WithCodec(gobCodec{}))
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	received := signals.NewSync[Order]()
	received.AddListener(func(_ context.Context, o Order) {
		fmt.Println("received", o.ID, o.Seq)
		close(done)
	})
	sub, err := natssignals.Subscribe(ctx, nc, "orders.placed", "shipping", received, natssignals.WithCodec(gobCodec{}))
	if err != nil {
		log.Fatal(err)
	}
	placed.Emit(ctx, Order{ID: "A-1", Seq: 7})
	<-done
	if err := errors.Join(pub.Close(), sub.Close()); err != nil {
		log.Fatal(err)
	}
	stored, err := js.Stream(ctx, "ORDERS")
	if err != nil {
		log.Fatal(err)
	}
	m, err := stored.GetLastMsgForSubject(ctx, "orders.placed")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Content-Type:", m.Header.Get(natssignals.HeaderContentType))
	// Output:
	// received A-1 7
	// Content-Type: application/x-gob
}

// A message whose listener keeps failing is delivered again after a delay,
// and on its MaxDeliver-th delivery it goes to the dead-letter subject,
// with why in its headers.
func Example_deadLetter() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	nc, js := exampleConnect(url)
	defer nc.Close()

	received := signals.NewSync[Order]()
	received.AddListenerWithErr(func(_ context.Context, o Order) error {
		return fmt.Errorf("order %s: no truck", o.ID)
	}, "ship")
	sub, err := natssignals.Subscribe(ctx, nc, "orders.placed", "shipping", received,
		natssignals.WithMaxDeliver(3), natssignals.WithNakDelay(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := js.Publish(ctx, "orders.placed", []byte(`{"id":"A-1"}`)); err != nil {
		log.Fatal(err)
	}
	// The dead letter, read from the DEADLETTER stream.
	cons, err := js.OrderedConsumer(ctx, "DEADLETTER", jetstream.OrderedConsumerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	dl, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		log.Fatal(err)
	}
	if err := sub.Close(); err != nil {
		log.Fatal(err)
	}
	h := dl.Headers()
	fmt.Println(dl.Subject(), string(dl.Data()))
	fmt.Println(h.Get(natssignals.HeaderDeadLetterReason), "after", h.Get(natssignals.HeaderDeliveries), "deliveries:", h.Get(natssignals.HeaderDeadLetterError))
	st := sub.Stats()
	fmt.Println("received", st.Received, "naked", st.Naked, "dead-lettered", st.DeadLettered)
	// Output:
	// deadletter.orders.placed {"id":"A-1"}
	// max_deliver after 3 deliveries: order A-1: no truck
	// received 3 naked 2 dead-lettered 1
}

// A publisher that must not hold up its emitters drops what does not fit
// in its buffer while JetStream does not acknowledge: here, while the
// server is stopped.
func Example_overflowDrop() {
	url, stop := exampleServer()
	ctx := context.Background()
	nc, _ := exampleConnect(url)
	defer nc.Close()

	placed := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctx, nc, "orders.placed", placed,
		natssignals.WithBufferSize(2), natssignals.WithMaxPending(1),
		natssignals.WithOverflow(signals.OverflowDrop), natssignals.WithErrorHandler(func(error) {}))
	if err != nil {
		log.Fatal(err)
	}
	stop()
	var dropped int
	for i := range 10 {
		err := placed.TryEmit(ctx, Order{ID: "A", Seq: i})
		if errors.Is(err, natssignals.ErrBufferFull) {
			dropped++
		}
		if i == 0 {
			// Wait until the publisher took the first message out of the
			// buffer: it waits for its acknowledgement.
			for pub.Stats().Pending == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	fmt.Println("dropped", dropped, "buffered", pub.Stats().Buffered, "pending", pub.Stats().Pending)
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := pub.Shutdown(sctx); errors.Is(err, context.DeadlineExceeded) {
		fmt.Println("not acknowledged in time, dropped at shutdown:", pub.Stats().Dropped-int64(dropped))
	}
	// Output:
	// dropped 7 buffered 2 pending 1
	// not acknowledged in time, dropped at shutdown: 3
}

// exampleConnect connects to url and creates the streams ORDERS (on
// orders.>, with a duplicate window) and DEADLETTER (on deadletter.>).
func exampleConnect(url string) (*nats.Conn, jetstream.JetStream) {
	nc, err := nats.Connect(url)
	if err != nil {
		log.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	for _, cfg := range []jetstream.StreamConfig{
		{Name: "ORDERS", Subjects: []string{"orders.>"}, Duplicates: 2 * time.Minute},
		{Name: "DEADLETTER", Subjects: []string{"deadletter.>"}},
	} {
		if _, err := js.CreateOrUpdateStream(context.Background(), cfg); err != nil {
			log.Fatal(err)
		}
	}
	return nc, js
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
