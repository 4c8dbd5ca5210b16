package test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/otelsignals/otelsignalstest"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

func TestPublishArguments(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	sig := signals.NewSync[Order]()
	closed := srv.connect(t)
	closed.Close()
	tests := []struct {
		name string
		nc   *nats.Conn
		subj string
		sig  signals.Signal[Order]
		opts []natssignals.PublishOption
		want error
	}{
		{"nil connection", nil, "orders.created", sig, nil, natssignals.ErrInvalidArgument},
		{"nil signal", nc, "orders.created", nil, nil, natssignals.ErrInvalidArgument},
		{"nil sync pointer", nc, "orders.created", (*signals.SyncSignal[Order])(nil), nil, natssignals.ErrInvalidArgument},
		{"nil async pointer", nc, "orders.created", (*signals.AsyncSignal[Order])(nil), nil, natssignals.ErrInvalidArgument},
		{"nil base pointer", nc, "orders.created", (*signals.BaseSignal[Order])(nil), nil, natssignals.ErrInvalidArgument},
		{"empty subject", nc, "", sig, nil, natssignals.ErrInvalidArgument},
		{"wildcard subject", nc, "orders.*", sig, nil, natssignals.ErrInvalidArgument},
		{"no stream", nc, "payments.created", sig, nil, natssignals.ErrNoStream},
		{"message ID of another type", nc, "orders.created", sig,
			[]natssignals.PublishOption{natssignals.WithMessageID(func(s string) string { return s })}, natssignals.ErrInvalidArgument},
		{"closed connection", closed, "orders.created", sig, nil, nats.ErrConnectionClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := natssignals.Publish(ctxT(t), tt.nc, tt.subj, tt.sig, tt.opts...)
			if !errors.Is(err, tt.want) || p != nil {
				t.Fatalf("Publish = %v, %v; want an error wrapping %v", p, err, tt.want)
			}
		})
	}
	if sig.Len() != 0 {
		t.Errorf("a failed Publish left %d listeners", sig.Len())
	}
	t.Run("twice", func(t *testing.T) {
		p, err := natssignals.Publish(ctxT(t), nc, "orders.created", sig, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if p.Subject() != "orders.created" {
			t.Errorf("Subject() = %q", p.Subject())
		}
		if _, err := natssignals.Publish(ctxT(t), nc, "orders.created", sig); !errors.Is(err, natssignals.ErrAlreadyPublished) {
			t.Errorf("second Publish = %v, want ErrAlreadyPublished", err)
		}
		other, err := natssignals.Publish(ctxT(t), nc, "orders.updated", sig)
		if err != nil {
			t.Fatalf("to another subject: %v", err)
		}
		if err := other.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSubscribeArguments(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	if _, err := js.CreateOrUpdateStream(ctxT(t), jetstream.StreamConfig{Name: "PAYMENTS", Subjects: []string{"payments.>"}}); err != nil {
		t.Fatal(err)
	}
	sig := signals.NewSync[Order]()
	closed := srv.connect(t)
	closed.Close()
	tests := []struct {
		name    string
		nc      *nats.Conn
		subj    string
		durable string
		sig     signals.Signal[Order]
		opts    []natssignals.SubscribeOption
		want    error
	}{
		{"nil connection", nil, "orders.created", "d", sig, nil, natssignals.ErrInvalidArgument},
		{"nil signal", nc, "orders.created", "d", nil, nil, natssignals.ErrInvalidArgument},
		{"nil sync pointer", nc, "orders.created", "d", (*signals.SyncSignal[Order])(nil), nil, natssignals.ErrInvalidArgument},
		{"empty subject", nc, "", "d", sig, nil, natssignals.ErrInvalidArgument},
		{"durable with a dot", nc, "orders.created", "a.b", sig, nil, natssignals.ErrInvalidArgument},
		{"empty durable", nc, "orders.created", "", sig, nil, natssignals.ErrInvalidArgument},
		{"base signal", nc, "orders.created", "d", signals.NewBaseSignal[Order](nil), nil, natssignals.ErrUnsupportedSignal},
		{"no stream", nc, "shipments.created", "d", sig, nil, natssignals.ErrNoStream},
		{"dead-letter prefix without stream", nc, "orders.created", "d", sig,
			[]natssignals.SubscribeOption{natssignals.WithDeadLetterPrefix("dlq.")}, natssignals.ErrNoStream},
		{"unknown stream", nc, "orders.created", "d", sig,
			[]natssignals.SubscribeOption{natssignals.WithStream("NOPE")}, jetstream.ErrStreamNotFound},
		{"closed connection", closed, "orders.created", "d", sig, nil, nats.ErrConnectionClosed},
		{"closed connection, stream given", closed, "orders.created", "d", sig,
			[]natssignals.SubscribeOption{natssignals.WithStream("ORDERS")}, nats.ErrConnectionClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := natssignals.Subscribe(ctxT(t), tt.nc, tt.subj, tt.durable, tt.sig, tt.opts...)
			if !errors.Is(err, tt.want) || s != nil {
				t.Fatalf("Subscribe = %v, %v; want an error wrapping %v", s, err, tt.want)
			}
		})
	}
	t.Run("stream given", func(t *testing.T) {
		s, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "named", sig, natssignals.WithStream("ORDERS"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.Stream() != "ORDERS" || s.Subject() != "orders.created" {
			t.Errorf("Stream %q, Subject %q", s.Stream(), s.Subject())
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		//lint:ignore SA1012 Shutdown documents a nil context as context.Background; this checks it
		if err := s.Shutdown(nil); err != nil {
			t.Errorf("second Shutdown: %v", err)
		}
	})
}

// failingCodec fails to encode payloads whose ID is "bad".
type failingCodec struct{ natssignals.Codec }

func (c failingCodec) Marshal(v any) ([]byte, error) {
	if o, ok := v.(Order); ok && o.ID == "bad" {
		return nil, errors.New("cannot encode bad")
	}
	return c.Codec.Marshal(v)
}

// plainCodec encodes the order's ID as the body, with no content type.
type plainCodec struct{}

func (plainCodec) Marshal(v any) ([]byte, error) { return []byte(v.(Order).ID), nil }
func (plainCodec) Unmarshal(b []byte, v any) error {
	v.(*Order).ID = string(b)
	return nil
}
func (plainCodec) ContentType() string { return "" }

func TestCodecs(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)

	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, quiet(t),
		natssignals.WithCodec(failingCodec{natssignals.JSON()}), natssignals.WithCodec(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := local.TryEmit(context.Background(), Order{ID: "bad"}); err == nil || !strings.Contains(err.Error(), "cannot encode bad") {
		t.Errorf("TryEmit of an unencodable payload = %v", err)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}

	plain := signals.NewSync[Order]()
	pub, err = natssignals.Publish(ctxT(t), nc, "orders.plain", plain, quiet(t), natssignals.WithCodec(plainCodec{}))
	if err != nil {
		t.Fatal(err)
	}
	got := newReceived()
	remote := signals.NewSync[Order]()
	remote.AddListener(got.add)
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.plain", "plain", remote, quiet(t), natssignals.WithCodec(plainCodec{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.TryEmit(context.Background(), Order{ID: "raw text"}); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, 10*time.Second, "the plain order", func() bool { return got.len() == 1 })
	if err := errors.Join(pub.Close(), sub.Close()); err != nil {
		t.Fatal(err)
	}
	if o := got.snapshot()[0]; o.ID != "raw text" {
		t.Errorf("received %+v", o)
	}
	stream, err := js.Stream(ctxT(t), "ORDERS")
	if err != nil {
		t.Fatal(err)
	}
	m, err := stream.GetLastMsgForSubject(ctxT(t), "orders.plain")
	if err != nil {
		t.Fatal(err)
	}
	if ct := m.Header.Get(natssignals.HeaderContentType); ct != "" || string(m.Data) != "raw text" {
		t.Errorf("stored %q with Content-Type %q", m.Data, ct)
	}
}

// TestOverflowFollowsTheSignal: without WithOverflow, the publisher of an
// AsyncSignal created with OverflowDrop drops when its buffer is full (its
// listener returns ErrBufferFull) instead of waiting for room.
func TestOverflowFollowsTheSignal(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	failures := make(chan error, 64)
	sig := signals.NewWithOptions[Order](&signals.SignalOptions{
		Overflow:     signals.OverflowDrop,
		ErrorHandler: func(_ context.Context, _ string, err error) { failures <- err },
	})
	defer sig.Close()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", sig, quiet(t),
		natssignals.WithBufferSize(1), natssignals.WithMaxPending(1), natssignals.WithAckTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { // the server is down: give up on what is pending
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = pub.Shutdown(ctx)
	}()
	srv.stop()
	for i := range 8 { // one pending, one buffered, then full
		if err := sig.Enqueue(context.Background(), Order{Seq: i}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-failures:
		if !errors.Is(err, natssignals.ErrBufferFull) {
			t.Errorf("the listener failed with %v, want ErrBufferFull", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no emission dropped in 10 s: the publisher waits for room (stats %+v)", pub.Stats())
	}
}

// TestBufferFull: with the server down, acknowledgements cannot come, so
// the publisher's pending messages and then its buffer fill up.
func TestBufferFull(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	sig := signals.NewSync[Order]()
	drop, err := natssignals.Publish(ctxT(t), nc, "orders.created", sig, quiet(t),
		natssignals.WithBufferSize(2), natssignals.WithMaxPending(1), natssignals.WithOverflow(signals.OverflowDrop),
		natssignals.WithAckTimeout(time.Hour), natssignals.WithBufferSize(0), natssignals.WithMaxPending(-1))
	if err != nil {
		t.Fatal(err)
	}
	block := signals.NewSync[Order]()
	blocking, err := natssignals.Publish(ctxT(t), nc, "orders.updated", block, quiet(t),
		natssignals.WithBufferSize(1), natssignals.WithMaxPending(1), natssignals.WithAckTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	srv.stop()

	// Drop: one pending, two buffered, then full.
	if err := sig.TryEmit(context.Background(), Order{Seq: -1}); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(5*time.Second, func() bool { return drop.Stats().Pending == 1 }, nil); err != nil {
		t.Fatal(err)
	}
	var full error
	for i := range 10 {
		if err := sig.TryEmit(context.Background(), Order{Seq: i}); err != nil {
			full = err
			break
		}
	}
	if !errors.Is(full, natssignals.ErrBufferFull) || !errors.Is(full, signals.ErrQueueFull) {
		t.Errorf("a full buffer under OverflowDrop: %v, want ErrBufferFull", full)
	}
	if st := drop.Stats(); st.Dropped != 1 || st.Buffered != 2 || st.Pending != 1 {
		t.Errorf("stats %+v, want 1 dropped, 2 buffered, 1 pending", st)
	}

	// Block: the emission waits, until its context ends.
	waitBlocked := func() {
		t.Helper()
		if err := waitUntil(5*time.Second, func() bool { return blocking.Stats().Buffered == 1 }, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		if err := block.TryEmit(context.Background(), Order{Seq: i}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := waitUntil(5*time.Second, func() bool { return blocking.Stats().Pending == 1 }, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitBlocked()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := block.TryEmit(ctx, Order{Seq: 2}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a blocked emission whose context ended: %v", err)
	}
	// ... or until the publisher closes.
	emitted := make(chan error, 1)
	go func() { emitted <- block.TryEmit(context.Background(), Order{Seq: 3}) }()
	time.Sleep(50 * time.Millisecond) // let it block
	sctx, scancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer scancel()
	if err := blocking.Shutdown(sctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with the server down = %v, want DeadlineExceeded", err)
	}
	if err := <-emitted; !errors.Is(err, natssignals.ErrClosed) && err != nil {
		t.Errorf("the blocked emission after Close: %v", err)
	}
	if st := blocking.Stats(); st.Dropped < 3 || st.Pending != 0 || st.Published != 0 {
		t.Errorf("after the deadline: %+v, want the pending and buffered messages dropped", st)
	}
	if err := blocking.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := drop.Shutdown(ctx2); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown with a cancelled context = %v", err)
	}
	if err := sig.TryEmit(context.Background(), Order{}); err != nil {
		t.Errorf("after Close the listener is gone: %v", err)
	}
}

// TestEmissionAfterClose: an emission that reaches the listener while the
// publisher closes gets ErrClosed.
func TestEmissionAfterClose(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	capture := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", capture, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	// Emit from many goroutines while closing: each emission either
	// publishes or gets ErrClosed, nothing else.
	stop := make(chan struct{})
	results := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-stop:
					results <- nil
					return
				default:
				}
				if err := capture.TryEmit(context.Background(), Order{}); err != nil && !errors.Is(err, natssignals.ErrClosed) {
					results <- err
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	for range 4 {
		if err := <-results; err != nil {
			t.Errorf("emission during Close: %v", err)
		}
	}
	st := pub.Stats()
	if st.Pending != 0 || st.Buffered != 0 || st.Failed != 0 {
		t.Errorf("after Close: %+v", st)
	}
}

// TestPublishGivesUp: when no stream captures the subject any more, every
// attempt fails; the publisher reports a PublishError and counts it.
func TestPublishGivesUp(t *testing.T) {
	tel := otelsignalstest.New(t)
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	errs := &errorSink{}
	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local,
		natssignals.WithErrorHandler(errs.handle), natssignals.WithErrorHandler(nil),
		natssignals.WithRetry(3, time.Millisecond, 2*time.Millisecond), natssignals.WithRetry(0, 0, 0),
		natssignals.WithAckTimeout(500*time.Millisecond), natssignals.WithAckTimeout(0),
		natssignals.WithMeterProvider(tel.MeterProvider()), natssignals.WithTracerProvider(tel.TracerProvider()),
		natssignals.WithSampler(sampling.Always()), natssignals.WithSampler(nil),
		natssignals.WithDurationSampleRate(math.NaN()), natssignals.WithDurationSampleRate(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(ctxT(t), "ORDERS"); err != nil {
		t.Fatal(err)
	}
	if err := local.TryEmit(context.Background(), Order{ID: "lost"}); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(20*time.Second, func() bool { return pub.Stats().Failed == 1 }, nil); err != nil {
		t.Fatalf("%v: %+v", err, pub.Stats())
	}
	sums := natsSums(tel.Collect(t).ResourceMetrics())
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	if st := pub.Stats(); st.Retries != 2 || st.Published != 0 {
		t.Errorf("stats %+v, want 2 retries", st)
	}
	pe, ok := findErr[*natssignals.PublishError](errs.all())
	if !ok {
		t.Fatalf("no PublishError reported: %v", errs.all())
	}
	if pe.Attempts != 3 || pe.Subject != "orders.created" || pe.MsgID == "" || !strings.Contains(pe.Error(), "after 3 attempts") {
		t.Errorf("PublishError %+v: %v", pe, pe)
	}
	if !errors.Is(pe, pe.Err) || pe.ErrorType() != semconv.ErrorTypeOf(pe.Err) {
		t.Errorf("Unwrap or ErrorType of %v", pe)
	}
	var failed int64
	for set, v := range sums[semconv.MessagingClientSentMessagesName] {
		if et, ok := set.Value(semconv.ErrorTypeKey); ok && et.AsString() == pe.ErrorType() {
			failed += v
		}
	}
	if failed != 1 {
		t.Errorf("sent messages with error.type %q: %d, want 1 (%v)", pe.ErrorType(), failed, sums)
	}
	spans := spansNamed(tel, "publish orders.created")
	if len(spans) != 1 {
		t.Fatalf("%d publish spans", len(spans))
	}
	if v, _ := attr(spans[0], semconv.NATSPublishAttemptsKey); v.AsInt64() != 3 {
		t.Errorf("attempts attribute %v", v.String())
	}
	if n := len(spans[0].Events()); n != 2 {
		t.Errorf("%d retry events, want 2", n)
	}
}

// TestLostAckIsDeduplicated: the first publish of a message is stored but
// its acknowledgement is lost; the retry carries the same Nats-Msg-Id, so
// JetStream stores the message once, and the subscriber receives it once.
func TestLostAckIsDeduplicated(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(loseFirstAck(ctxT(t)), nc, "orders.created", local, quiet(t),
		natssignals.WithRetry(5, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	got := newReceived()
	remote := signals.NewSync[Order]()
	remote.AddListener(got.add)
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "once", remote, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := local.TryEmit(context.Background(), Order{Seq: i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, 10*time.Second, "3 orders", func() bool { return got.len() == 3 })
	time.Sleep(100 * time.Millisecond) // a duplicate would arrive by now
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if st := pub.Stats(); st.Retries != 1 || st.Duplicates != 1 || st.Published != 3 {
		t.Errorf("publisher %+v, want 1 retry acknowledged as a duplicate", st)
	}
	if n := got.len(); n != 3 {
		t.Errorf("received %d, want 3", n)
	}
	if n := storedMessages(t, js, "ORDERS"); n != 3 {
		t.Errorf("the stream holds %d messages, want 3", n)
	}
}

// TestSubscriberWorkers: several workers process messages concurrently,
// every message once, and Close waits for them.
func TestSubscriberWorkers(t *testing.T) {
	const n = 200
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	var inFlight, most atomic.Int64
	got := newReceived()
	remote := signals.NewSync[Order]()
	remote.AddListener(func(ctx context.Context, o Order) {
		cur := inFlight.Add(1)
		for {
			m := most.Load()
			if cur <= m || most.CompareAndSwap(m, cur) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		inFlight.Add(-1)
		got.add(ctx, o)
	})
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "pool", remote, quiet(t),
		natssignals.WithWorkers(4), natssignals.WithWorkers(0), natssignals.WithMaxAckPending(50), natssignals.WithMaxAckPending(0))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := local.TryEmit(context.Background(), Order{Seq: i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, 20*time.Second, "every order", func() bool { return got.len() == n })
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	seen := make(map[int]bool)
	for _, o := range got.snapshot() {
		seen[o.Seq] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct orders of %d", len(seen), n)
	}
	if most.Load() < 2 {
		t.Errorf("at most %d listener calls at once with 4 workers", most.Load())
	}
}

// TestNoListeners: a message received while the signal has no listener is
// not acknowledged; it is delivered again once a listener is there.
func TestNoListeners(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	remote := signals.NewSync[Order]()
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "late", remote, quiet(t),
		natssignals.WithNakDelay(20*time.Millisecond, 20*time.Millisecond), natssignals.WithNakDelay(0, 0),
		natssignals.WithMaxDeliver(0), natssignals.WithAckWait(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctxT(t), "orders.created", []byte(`{"id":"early"}`)); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(10*time.Second, func() bool { return sub.Stats().Naked >= 1 }, nil); err != nil {
		t.Fatal(err)
	}
	got := newReceived()
	remote.AddListener(got.add)
	got.waitFor(t, 10*time.Second, "the early order", func() bool { return got.len() == 1 })
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAsyncSignalErrorHandler: the subscriber records the errors of an
// AsyncSignal's listeners through its error handler, calls the previous
// handler, and puts it back on Close; without one, panics are logged as
// the default handler does.
func TestAsyncSignalErrorHandler(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)

	var previous atomic.Int64
	withPrev := signals.NewWithOptions[Order](&signals.SignalOptions{
		ErrorHandler: func(context.Context, string, error) { previous.Add(1) },
	})
	defer withPrev.Close()
	withPrev.AddListenerWithErr(func(_ context.Context, o Order) error {
		if o.ID == "fail" {
			return errors.New("refused")
		}
		return nil
	}, "maybe")
	withPrev.AddListener(func(context.Context, Order) {})
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "async", withPrev, quiet(t),
		natssignals.WithMaxDeliver(1))
	if err != nil {
		t.Fatal(err)
	}
	// A local emission's error is not a delivery's: it only reaches the
	// previous handler.
	withPrev.Emit(context.Background(), Order{ID: "fail"})
	for _, id := range []string{"fail", "fine"} {
		if _, err := js.Publish(ctxT(t), "orders.created", []byte(`{"id":"`+id+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := waitUntil(10*time.Second, func() bool { st := sub.Stats(); return st.DeadLettered == 1 && st.Acked == 1 }, nil); err != nil {
		t.Fatalf("%v: %+v", err, sub.Stats())
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if previous.Load() != 2 {
		t.Errorf("the previous handler saw %d errors, want 2", previous.Load())
	}
	withPrev.Emit(context.Background(), Order{ID: "fail"})
	if previous.Load() != 3 {
		t.Errorf("after Close, the previous handler is back: %d calls, want 3", previous.Load())
	}

	// No previous handler: a panic is logged, as by default.
	var logged bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	defer slog.SetDefault(old)
	bare := signals.New[Order]()
	defer bare.Close()
	bare.AddListener(func(context.Context, Order) { panic("boom") }, "panicky")
	sub, err = natssignals.Subscribe(ctxT(t), nc, "orders.created", "bare", bare, quiet(t),
		natssignals.WithMaxDeliver(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctxT(t), "orders.created", []byte(`{"id":"p"}`)); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(10*time.Second, func() bool { return sub.Stats().DeadLettered >= 1 }, nil); err != nil {
		t.Fatalf("%v: %+v", err, sub.Stats())
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logged.String(), "listener panicked") || !strings.Contains(logged.String(), "boom") {
		t.Errorf("the panic was not logged: %s", logged.String())
	}
}

// TestSubscriberShutdownDeadline: a listener that does not return before
// the deadline gets its context cancelled; Shutdown returns the deadline's
// error once it has returned.
func TestSubscriberShutdownDeadline(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	started := make(chan struct{})
	var cancelled atomic.Bool
	remote := signals.NewSync[Order]()
	remote.AddListener(func(ctx context.Context, _ Order) {
		close(started)
		<-ctx.Done()
		cancelled.Store(true)
	})
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "slow", remote, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctxT(t), "orders.created", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := sub.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
	}
	if !cancelled.Load() {
		t.Error("the listener's context was not cancelled")
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := sub.Shutdown(done); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("second Shutdown = %v", err)
	}
}

// TestDeadLetterPublishFails: when the dead letter cannot be published,
// the subscriber reports a DeadLetterError and naks the message, which is
// delivered again.
func TestDeadLetterPublishFails(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	errs := &errorSink{}
	remote := signals.NewSync[Order]()
	remote.AddListener(func(context.Context, Order) {})
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "nodlq", remote,
		natssignals.WithErrorHandler(errs.handle), natssignals.WithNakDelay(10*time.Millisecond, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(ctxT(t), "DEADLETTER"); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctxT(t), "orders.created", []byte(`garbage`)); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(20*time.Second, func() bool { return sub.Stats().Naked >= 2 }, nil); err != nil {
		t.Fatalf("%v: %+v", err, sub.Stats())
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	de, ok := findErr[*natssignals.DeadLetterError](errs.all())
	if !ok {
		t.Fatalf("no DeadLetterError: %v", errs.all())
	}
	var decodeErr *natssignals.DecodeError
	if de.Reason != "decode" || de.Subject != "deadletter.orders.created" || !errors.As(de.ProcessErr, &decodeErr) ||
		!strings.Contains(de.Error(), "dead-lettering") || de.Unwrap() != de.Err {
		t.Errorf("DeadLetterError %+v: %v", de, de)
	}
	if !strings.Contains(decodeErr.Error(), "does not decode") || decodeErr.Unwrap() == nil {
		t.Errorf("DecodeError %v", decodeErr)
	}
	if st := sub.Stats(); st.DeadLettered != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestDefaultErrorHandlerLogs: without WithErrorHandler, errors are logged
// with slog at level Warn.
func TestDefaultErrorHandlerLogs(t *testing.T) {
	var logged bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	defer slog.SetDefault(old)
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, natssignals.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(ctxT(t), "ORDERS"); err != nil {
		t.Fatal(err)
	}
	if err := local.TryEmit(context.Background(), Order{}); err != nil {
		t.Fatal(err)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "natssignals: publish to") {
		t.Errorf("log: %s", logged.String())
	}
}
