package natssignals_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/signals"
)

// The examples that need a NATS server have no output: they are compiled
// but not run here, since this module does not require nats-server. The
// same calls run against an embedded server, with their output checked,
// in the examples of module natssignals/test.

// Order is the payload of the examples.
type Order struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
}

// The emitting service: every emission of the local signal order.placed is
// also published to orders.placed, with the order's ID as its message ID.
func ExamplePublish() {
	ctx := context.Background()
	nc, err := nats.Connect(nats.DefaultURL, nats.MaxReconnects(-1))
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	// A stream captures the subject, with a duplicate window in which
	// JetStream stores a message ID once.
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "ORDERS",
		Subjects: []string{"orders.>"}, Duplicates: 2 * time.Minute}); err != nil {
		log.Fatal(err)
	}

	placed := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed"})
	pub, err := natssignals.Publish(ctx, nc, "orders.placed", placed,
		natssignals.WithMessageID(func(o Order) string { return "order-" + o.ID }))
	if err != nil {
		log.Fatal(err) // ErrNoStream if no stream captures the subject
	}
	// Local listeners run, and the order is handed to the publisher,
	// which publishes it asynchronously.
	if err := placed.TryEmit(ctx, Order{ID: "A-1", Quantity: 2}); err != nil {
		log.Print(err) // the payload did not encode, or the buffer was full
	}
	// Close publishes what is buffered and waits for the acknowledgements.
	if err := pub.Close(); err != nil {
		log.Print(err)
	}
	st := pub.Stats()
	fmt.Println("published", st.Published, "failed", st.Failed)
}

// The receiving service: a durable consumer named shipping emits every
// order into the local signal order.received. A message is acknowledged
// once the listener returned nil; an error makes JetStream deliver it
// again, and after MaxDeliver deliveries it goes to deadletter.orders.placed.
func ExampleSubscribe() {
	ctx := context.Background()
	nc, err := nats.Connect(nats.DefaultURL, nats.MaxReconnects(-1))
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

	received := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.received"})
	received.AddListenerWithErr(func(ctx context.Context, o Order) error {
		if o.Quantity > 1000 {
			return errors.New("too large for a truck") // delivered again, then dead-lettered
		}
		fmt.Println("shipping", o.ID)
		return nil
	}, "ship")
	sub, err := natssignals.Subscribe(ctx, nc, "orders.placed", "shipping", received)
	if err != nil {
		log.Fatal(err)
	}
	// ... until the service stops: Close settles what was received.
	if err := sub.Close(); err != nil {
		log.Print(err)
	}
}

// The publisher's options: its buffer and what a full one does, how many
// messages await their acknowledgement, and how failed publishes are
// retried. The emissions of a service that must not wait for NATS are
// dropped and counted when the buffer is full.
func ExamplePublish_options() {
	ctx := context.Background()
	nc, err := nats.Connect(nats.DefaultURL)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	placed := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctx, nc, "orders.placed", placed,
		natssignals.WithBufferSize(10_000),
		natssignals.WithOverflow(signals.OverflowDrop), // ErrBufferFull rather than waiting
		natssignals.WithMaxPending(512),
		natssignals.WithAckTimeout(2*time.Second),
		natssignals.WithRetry(20, 100*time.Millisecond, 5*time.Second),
		natssignals.WithDurationBudget(50),
		natssignals.WithErrorHandler(func(err error) {
			var pe *natssignals.PublishError
			if errors.As(err, &pe) {
				log.Printf("order %s lost after %d attempts: %v", pe.MsgID, pe.Attempts, pe.Err)
			}
		}))
	if err != nil {
		log.Fatal(err)
	}
	defer pub.Close()
	if err := placed.TryEmit(ctx, Order{ID: "A-1"}); errors.Is(err, natssignals.ErrBufferFull) {
		log.Print("NATS is behind: order not forwarded")
	}
}

// The subscriber's options: four workers emit at once (the order of the
// messages is then not kept), JetStream sends at most 100 messages before
// it waits for acknowledgements, and a message is dead-lettered on its
// third failed delivery, after waits of 1 s and 2 s.
func ExampleSubscribe_options() {
	ctx := context.Background()
	nc, err := nats.Connect(nats.DefaultURL)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	received := signals.NewSync[Order]()
	received.AddListener(func(context.Context, Order) {})
	sub, err := natssignals.Subscribe(ctx, nc, "orders.placed", "shipping", received,
		natssignals.WithWorkers(4),
		natssignals.WithMaxAckPending(100),
		natssignals.WithAckWait(time.Minute),
		natssignals.WithMaxDeliver(3),
		natssignals.WithNakDelay(time.Second, 10*time.Second),
		natssignals.WithDeadLetterPrefix("dlq."))
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()
	st := sub.Stats()
	fmt.Println("acknowledged", st.Acked, "dead-lettered", st.DeadLettered, "lag", st.Lag)
}

// Shutdown bounds how long a publisher waits for its acknowledgements when
// the service stops: what is not acknowledged by then is dropped and
// counted.
func ExamplePublisher_Shutdown() {
	nc, err := nats.Connect(nats.DefaultURL)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	placed := signals.NewSync[Order]()
	pub, err := natssignals.Publish(context.Background(), nc, "orders.placed", placed)
	if err != nil {
		log.Fatal(err)
	}
	// ... the service runs, then stops:
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pub.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
		log.Printf("%d orders not acknowledged in time", pub.Stats().Dropped)
	}
}

// gobCodec encodes payloads with encoding/gob. A protobuf codec is the
// same shape: assert that v is a proto.Message and call proto.Marshal and
// proto.Unmarshal.
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

// A codec of one's own: what the publisher marshals, the subscriber
// unmarshals into a pointer to a zero payload. Publisher and subscriber of
// a subject pass the same codec with [natssignals.WithCodec]; a subscriber
// dead-letters a message whose Content-Type names another encoding.
func ExampleCodec() {
	var c natssignals.Codec = gobCodec{}
	data, err := c.Marshal(Order{ID: "A-1", Quantity: 2})
	if err != nil {
		log.Fatal(err)
	}
	var o Order
	if err := c.Unmarshal(data, &o); err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.ContentType(), o.ID, o.Quantity)

	// Both sides:
	//	natssignals.Publish(ctx, nc, "orders.placed", placed, natssignals.WithCodec(gobCodec{}))
	//	natssignals.Subscribe(ctx, nc, "orders.placed", "shipping", received, natssignals.WithCodec(gobCodec{}))
	// Output: application/x-gob A-1 2
}

// The default codec encodes with encoding/json.
func ExampleJSON() {
	data, err := natssignals.JSON().Marshal(Order{ID: "A-1", Quantity: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(natssignals.JSON().ContentType(), string(data))
	// Output: application/json {"id":"A-1","quantity":2}
}
