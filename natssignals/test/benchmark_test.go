package test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/signals"
)

// The bridge beside raw nats.go JetStream, on the same embedded server on
// 127.0.0.1, in the same run: one publisher, one subscriber, a payload that
// encodes to about 1 KB of JSON. Streams are in memory, so that the numbers
// are the clients' and not the disk's.
//
// impl=raw is nats.go configured as the bridge configures it, so that the
// difference is the bridge's own work: the same JetStream options (at most
// DefaultMaxPending messages awaiting their acknowledgement, acknowledgements
// timed out after DefaultAckTimeout), the same headers (a Nats-Msg-Id of the
// same form, a random prefix and a sequence number, and Content-Type:
// application/json), and the same consumer (explicit acknowledgement,
// AckWait DefaultAckWait, MaxDeliver unlimited, MaxAckPending
// DefaultMaxAckPending, pulling 500 at a time). It marshals with
// encoding/json and publishes with PublishMsgAsync; its consumer unmarshals
// and acknowledges each message. impl=bridge emits into a SyncSignal that
// Publish forwards, and Subscribe emits into a SyncSignal whose listener
// counts. Neither traces (the global propagator and providers are no-ops).
//
// allocs/op counts every allocation of the process, the embedded server's
// included, so compare them between the two impls: the difference is what
// the bridge adds.

// Payload is the benchmarks' message: about 1 KB once encoded.
type Payload struct {
	ID    string `json:"id"`
	Seq   int    `json:"seq"`
	Items []Item `json:"items"`
}

// Item is a line of a Payload.
type Item struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Note     string `json:"note"`
}

func benchPayload() Payload {
	p := Payload{ID: "order-0123456789"}
	for i := range 10 {
		p.Items = append(p.Items, Item{SKU: "SKU-" + strconv.Itoa(100000+i), Quantity: i + 1, Note: strings.Repeat("n", 55)})
	}
	return p
}

func TestBenchPayloadSize(t *testing.T) {
	b, err := json.Marshal(benchPayload())
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 950 || len(b) > 1100 {
		t.Errorf("the benchmark payload encodes to %d bytes, want about 1 KB", len(b))
	}
}

// benchEnv is a server, a connection per side and a fresh stream per run.
type benchEnv struct {
	pubConn, subConn *nats.Conn
	js               jetstream.JetStream
	run              int
}

func newBenchEnv(b *testing.B) *benchEnv {
	srv := startServer(b)
	e := &benchEnv{pubConn: srv.connect(b), subConn: srv.connect(b)}
	e.js = jetStream(b, e.pubConn)
	return e
}

// stream creates a new in-memory stream for one run and returns its
// subject.
func (e *benchEnv) stream(b *testing.B) string {
	e.run++
	name := "BENCH" + strconv.Itoa(e.run)
	subject := "bench." + strconv.Itoa(e.run)
	ctx := context.Background()
	for _, cfg := range []jetstream.StreamConfig{
		{Name: name, Subjects: []string{subject}, Storage: jetstream.MemoryStorage, Duplicates: time.Minute},
		{Name: "DL" + name, Subjects: []string{"deadletter." + subject}, Storage: jetstream.MemoryStorage},
	} {
		if _, err := e.js.CreateOrUpdateStream(ctx, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() {
		_ = e.js.DeleteStream(context.Background(), name)
		_ = e.js.DeleteStream(context.Background(), "DL"+name)
	})
	return subject
}

// side is one implementation's publisher and subscriber for one run.
type side struct {
	publish  func(p Payload) error
	flush    func() // waits until every published message is acknowledged
	received *atomic.Int64
	wake     chan struct{}
	close    func()
}

func (e *benchEnv) raw(b *testing.B, subject string) *side {
	s := &side{received: new(atomic.Int64), wake: make(chan struct{}, 1)}
	js, err := jetstream.New(e.pubConn,
		jetstream.WithPublishAsyncMaxPending(natssignals.DefaultMaxPending),
		jetstream.WithPublishAsyncTimeout(natssignals.DefaultAckTimeout))
	if err != nil {
		b.Fatal(err)
	}
	prefix, seq := nuid.Next()+".", 0
	s.publish = func(p Payload) error {
		data, err := json.Marshal(p)
		if err != nil {
			return err
		}
		seq++
		m := nats.NewMsg(subject)
		m.Data = data
		m.Header.Set(jetstream.MsgIDHeader, prefix+strconv.Itoa(seq))
		m.Header.Set(natssignals.HeaderContentType, "application/json")
		_, err = js.PublishMsgAsync(m)
		return err
	}
	s.flush = func() { <-js.PublishAsyncComplete() }
	subJS := jetStream(b, e.subConn)
	ctx := context.Background()
	stream, err := subJS.StreamNameBySubject(ctx, subject)
	if err != nil {
		b.Fatal(err)
	}
	cons, err := subJS.CreateOrUpdateConsumer(ctx, stream, jetstream.ConsumerConfig{Durable: "raw", FilterSubject: subject,
		DeliverPolicy: jetstream.DeliverAllPolicy, AckPolicy: jetstream.AckExplicitPolicy, AckWait: natssignals.DefaultAckWait,
		MaxDeliver: -1, MaxAckPending: natssignals.DefaultMaxAckPending})
	if err != nil {
		b.Fatal(err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var p Payload
		if err := json.Unmarshal(m.Data(), &p); err != nil {
			b.Error(err)
		}
		_ = m.Ack()
		s.received.Add(1)
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}, jetstream.PullMaxMessages(min(natssignals.DefaultMaxAckPending, 500)))
	if err != nil {
		b.Fatal(err)
	}
	s.close = func() {
		cc.Drain()
		<-cc.Closed()
		js.CleanupPublisher()
	}
	return s
}

func (e *benchEnv) bridge(b *testing.B, subject string) *side {
	s := &side{received: new(atomic.Int64), wake: make(chan struct{}, 1)}
	ctx := context.Background()
	local := signals.NewSync[Payload]()
	pub, err := natssignals.Publish(ctx, e.pubConn, subject, local)
	if err != nil {
		b.Fatal(err)
	}
	s.publish = func(p Payload) error { return local.TryEmit(ctx, p) }
	s.flush = func() {
		for pub.Stats().Pending > 0 || pub.Stats().Buffered > 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	remote := signals.NewSync[Payload]()
	remote.AddListener(func(context.Context, Payload) {
		s.received.Add(1)
		select {
		case s.wake <- struct{}{}:
		default:
		}
	})
	sub, err := natssignals.Subscribe(ctx, e.subConn, subject, "bridge", remote)
	if err != nil {
		b.Fatal(err)
	}
	s.close = func() {
		if err := pub.Close(); err != nil {
			b.Error(err)
		}
		if err := sub.Close(); err != nil {
			b.Error(err)
		}
	}
	return s
}

var benchImpls = []struct {
	name string
	make func(*benchEnv, *testing.B, string) *side
}{
	{"raw", (*benchEnv).raw},
	{"bridge", (*benchEnv).bridge},
}

// BenchmarkThroughput publishes b.N messages as fast as the publisher
// takes them and stops when the subscriber has processed them all: ns/op
// is the time per message of the whole pipeline, msgs/s its rate.
func BenchmarkThroughput(b *testing.B) {
	e := newBenchEnv(b)
	payload := benchPayload()
	for _, impl := range benchImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			s := impl.make(e, b, e.stream(b))
			defer s.close()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				payload.Seq = i
				if err := s.publish(payload); err != nil {
					b.Fatal(err)
				}
			}
			s.flush()
			if err := waitUntil(time.Minute, func() bool { return s.received.Load() >= int64(b.N) }, s.wake); err != nil {
				b.Fatalf("%d of %d received: %v", s.received.Load(), b.N, err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
		})
	}
}

// BenchmarkLatency publishes one message at a time and waits until the
// subscriber has processed it: ns/op is the time from the publish (or
// emission) to the end of the remote listener, one message in flight.
func BenchmarkLatency(b *testing.B) {
	e := newBenchEnv(b)
	payload := benchPayload()
	for _, impl := range benchImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			s := impl.make(e, b, e.stream(b))
			defer s.close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				payload.Seq = i
				if err := s.publish(payload); err != nil {
					b.Fatal(err)
				}
				for s.received.Load() <= int64(i) {
					<-s.wake
				}
			}
		})
	}
}
