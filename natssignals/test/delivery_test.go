package test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/signals"
)

// restartEmissions is the size of TestAtLeastOnceAcrossServerRestart: 100,000
// emissions (about 20 s under the race detector on the
// 2-core test machine), 10,000 with -short unless the flag is given.
var restartEmissions = flag.Int("nats.restart.emissions", 100_000, "emissions of TestAtLeastOnceAcrossServerRestart")

// TestAtLeastOnceAcrossServerRestart stops the server in the middle of a
// stream of emissions and starts it again on the same port and store:
// every emission reaches the remote listener at least once.
func TestAtLeastOnceAcrossServerRestart(t *testing.T) {
	n := *restartEmissions
	if testing.Short() && !flagSet("nats.restart.emissions") {
		n = 10_000
	}
	srv := startServer(t)
	pubConn, subConn := srv.connect(t), srv.connect(t)
	createStreams(t, jetStream(t, pubConn))

	errs := &errorSink{}
	local := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "orders.created"})
	pub, err := natssignals.Publish(ctxT(t), pubConn, "orders.created", local,
		natssignals.WithErrorHandler(errs.handle),
		natssignals.WithAckTimeout(2*time.Second),
		natssignals.WithRetry(60, 20*time.Millisecond, 500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		seen  = make([]uint8, n)
		dups  int
		count atomic.Int64
	)
	remote := signals.NewSync[Order]()
	remote.AddListener(func(_ context.Context, o Order) {
		mu.Lock()
		if seen[o.Seq] > 0 {
			dups++
		} else {
			count.Add(1)
		}
		seen[o.Seq]++
		mu.Unlock()
	})
	sub, err := natssignals.Subscribe(ctxT(t), subConn, "orders.created", "restart", remote,
		natssignals.WithErrorHandler(errs.handle),
		natssignals.WithAckWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}

	emitted := make(chan error, 1)
	restartAt := int64(n / 3)
	var progress atomic.Int64
	go func() {
		for i := range n {
			if err := local.TryEmit(context.Background(), Order{ID: "R", Seq: i}); err != nil {
				emitted <- fmt.Errorf("emission %d: %w", i, err)
				return
			}
			progress.Store(int64(i + 1))
		}
		emitted <- nil
	}()
	if err := waitUntil(2*time.Minute, func() bool { return progress.Load() >= restartAt }, nil); err != nil {
		t.Fatalf("emissions before the restart: %v", err)
	}
	srv.stop()
	stoppedAt := progress.Load()
	time.Sleep(300 * time.Millisecond)
	srv.start()
	if err := <-emitted; err != nil {
		t.Fatal(err)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(3*time.Minute, func() bool { return count.Load() == int64(n) }, nil); err != nil {
		mu.Lock()
		missing := 0
		for _, c := range seen {
			if c == 0 {
				missing++
			}
		}
		mu.Unlock()
		t.Fatalf("%d of %d emissions never arrived (%v); publisher %+v, subscriber %+v", missing, n, err, pub.Stats(), sub.Stats())
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	st := pub.Stats()
	if st.Failed != 0 || st.Dropped != 0 {
		t.Errorf("publisher gave up on messages: %+v", st)
	}
	// The restart happened, in the middle of the stream, and the
	// connection had to recover from it: without a restart this test
	// must fail.
	if stoppedAt >= int64(n) {
		t.Errorf("the server was stopped after all %d emissions, not in the middle of the stream", n)
	}
	if r := pubConn.Stats().Reconnects; r < 1 {
		t.Errorf("the publisher's connection reconnected %d times, want at least once", r)
	}
	// Retries are not asserted: whether a publish is in flight at the
	// moment the server stops depends on the scheduling (under load the
	// publisher may be between two messages, and what the client buffers
	// while it reconnects is acknowledged after it), so a run may recover
	// with no retry at all. The log says how many there were.
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d emissions, server stopped after %d; publisher %+v; %d duplicate deliveries; subscriber %+v; %d error reports",
		n, stoppedAt, st, dups, sub.Stats(), len(errs.all()))
}

// TestDuplicatesSuppressedWithinWindow emits the same order twice with a
// message ID from its payload: JetStream stores it once.
func TestDuplicatesSuppressedWithinWindow(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, quiet(t),
		natssignals.WithMessageID(func(o Order) string { return "order-" + o.ID }))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"A", "B", "A", "A", "C"} {
		if err := local.TryEmit(context.Background(), Order{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	if st := pub.Stats(); st.Published != 5 || st.Duplicates != 2 {
		t.Errorf("stats %+v, want 5 published of which 2 duplicates", st)
	}
	if n := storedMessages(t, js, "ORDERS"); n != 3 {
		t.Errorf("the stream holds %d messages, want 3", n)
	}
}

// TestRedeliveryAfterListenerError: a listener fails on the first two
// deliveries of a message; JetStream delivers it again after the nak delay
// until it succeeds, and it is acknowledged once.
func TestRedeliveryAfterListenerError(t *testing.T) {
	for _, kind := range []string{"sync", "async"} {
		t.Run(kind, func(t *testing.T) {
			srv := startServer(t)
			nc := srv.connect(t)
			createStreams(t, jetStream(t, nc))
			local := signals.NewSync[Order]()
			pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, quiet(t))
			if err != nil {
				t.Fatal(err)
			}
			defer pub.Close()

			var calls, other atomic.Int64
			flaky := func(_ context.Context, o Order) error {
				if calls.Add(1) <= 2 {
					return errors.New("database unavailable")
				}
				return nil
			}
			done := make(chan struct{})
			var remote signals.Signal[Order]
			if kind == "sync" {
				s := signals.NewSync[Order]()
				s.AddListenerWithErr(flaky)
				remote = s
			} else {
				a := signals.New[Order]()
				defer a.Close()
				a.AddListenerWithErr(flaky)
				a.AddListener(func(context.Context, Order) { other.Add(1) })
				remote = a
			}
			sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "retrying", remote, quiet(t),
				natssignals.WithNakDelay(10*time.Millisecond, 50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			if err := local.TryEmit(context.Background(), Order{ID: "X"}); err != nil {
				t.Fatal(err)
			}
			go func() {
				_ = waitUntil(10*time.Second, func() bool { return sub.Stats().Acked == 1 }, nil)
				close(done)
			}()
			<-done
			if err := sub.Close(); err != nil {
				t.Fatal(err)
			}
			st := sub.Stats()
			if st.Received != 3 || st.Naked != 2 || st.Acked != 1 || st.DeadLettered != 0 {
				t.Errorf("stats %+v, want 3 received, 2 naked, 1 acked", st)
			}
			if calls.Load() != 3 {
				t.Errorf("the flaky listener was called %d times, want 3", calls.Load())
			}
			if kind == "async" && other.Load() != 3 {
				t.Errorf("the other listener was called %d times, want 3 (every delivery)", other.Load())
			}
		})
	}
}

// deadLetters reads every message of the DEADLETTER stream.
func deadLetters(t *testing.T, js jetstream.JetStream, want int) []jetstream.Msg {
	t.Helper()
	ctx := ctxT(t)
	cons, err := js.OrderedConsumer(ctx, "DEADLETTER", jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(want, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for m := range batch.Messages() {
		out = append(out, m)
	}
	if len(out) != want {
		t.Fatalf("%d dead letters, want %d", len(out), want)
	}
	return out
}

// TestDeadLetterAfterMaxDeliver: a message whose listener always fails is
// delivered MaxDeliver times, then published to the dead-letter subject
// with the error, and terminated.
func TestDeadLetterAfterMaxDeliver(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	var calls atomic.Int64
	remote := signals.NewSync[Order]()
	remote.AddListenerWithErr(func(_ context.Context, o Order) error {
		calls.Add(1)
		if o.ID == "poison" {
			return errors.New("cannot ship to the moon")
		}
		return nil
	})
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "poisoned", remote, quiet(t),
		natssignals.WithMaxDeliver(3), natssignals.WithNakDelay(5*time.Millisecond, 20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ok-1", "poison", "ok-2"} {
		if err := local.TryEmit(context.Background(), Order{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := waitUntil(10*time.Second, func() bool { st := sub.Stats(); return st.DeadLettered == 1 && st.Acked == 2 }, nil); err != nil {
		t.Fatalf("%v: %+v", err, sub.Stats())
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if st := sub.Stats(); st.Received != 5 || st.Naked != 2 || st.Undecodable != 0 {
		t.Errorf("stats %+v, want 5 received (2 + 3 of the poison), 2 naked", st)
	}
	dl := deadLetters(t, js, 1)[0]
	h := dl.Headers()
	for k, want := range map[string]string{
		natssignals.HeaderDeadLetterReason:    "max_deliver",
		natssignals.HeaderDeadLetterError:     "cannot ship to the moon",
		natssignals.HeaderDeadLetterErrorType: "_OTHER", // errors.New says nothing of its type (docs/semconv.md)
		natssignals.HeaderOriginalSubject:     "orders.created",
		natssignals.HeaderOriginalStream:      "ORDERS",
		natssignals.HeaderOriginalSequence:    "2",
		natssignals.HeaderDeliveries:          "3",
		natssignals.HeaderContentType:         "application/json",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("dead letter header %s = %q, want %q", k, got, want)
		}
	}
	if dl.Subject() != "deadletter.orders.created" || string(dl.Data()) != `{"id":"poison","seq":0}` {
		t.Errorf("dead letter %s %s", dl.Subject(), dl.Data())
	}
	// Terminated: not delivered again, even after the nak delays.
	time.Sleep(100 * time.Millisecond)
	if c := calls.Load(); c != 5 {
		t.Errorf("listener calls %d, want 5", c)
	}
}

// TestDeadLetterUndecodable: a message that does not decode goes to the
// dead-letter subject at once, with the codec's error, and never reaches a
// listener.
func TestDeadLetterUndecodable(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	var calls atomic.Int64
	remote := signals.NewSync[Order]()
	remote.AddListener(func(context.Context, Order) { calls.Add(1) })
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.>", "strict", remote, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if _, err := js.Publish(ctx, "orders.created", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	if _, err := js.PublishMsg(ctx, natsMsg("orders.updated", `{"id":"Y"}`, "Content-Type", "application/x-protobuf")); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "orders.created", []byte(`{"id":"fine"}`)); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(10*time.Second, func() bool { st := sub.Stats(); return st.Undecodable == 2 && st.Acked == 1 }, nil); err != nil {
		t.Fatalf("%v: %+v", err, sub.Stats())
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if c := calls.Load(); c != 1 {
		t.Errorf("listener calls %d, want 1 (the decodable message only)", c)
	}
	dls := deadLetters(t, js, 2)
	if r := dls[0].Headers().Get(natssignals.HeaderDeadLetterReason); r != "decode" {
		t.Errorf("reason %q", r)
	}
	if e := dls[0].Headers().Get(natssignals.HeaderDeadLetterError); e == "" || dls[0].Headers().Get(natssignals.HeaderDeadLetterErrorType) != "*natssignals.DecodeError" {
		t.Errorf("error headers %v", dls[0].Headers())
	}
	if dls[1].Subject() != "deadletter.orders.updated" || dls[1].Headers().Get(natssignals.HeaderDeadLetterReason) != "decode" {
		t.Errorf("second dead letter %s %v", dls[1].Subject(), dls[1].Headers())
	}
	if got := dls[1].Headers().Get(natssignals.HeaderDeadLetterError); !contains(got, "content type") {
		t.Errorf("content-type mismatch reported as %q", got)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestOrderedWithOneWorker: with one worker (the default), the remote
// listener receives the emissions in the order they were emitted.
func TestOrderedWithOneWorker(t *testing.T) {
	const n = 2000
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	got := newReceived()
	remote := signals.NewSync[Order]()
	remote.AddListener(got.add)
	sub, err := natssignals.Subscribe(ctxT(t), srv.connect(t), "orders.created", "ordered", remote, quiet(t))
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
	got.waitFor(t, 30*time.Second, strconv.Itoa(n)+" orders", func() bool { return got.len() == n })
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	for i, o := range got.snapshot() {
		if o.Seq != i {
			t.Fatalf("position %d holds emission %d: out of order", i, o.Seq)
		}
	}
	if st := pub.Stats(); st.Retries != 0 {
		t.Errorf("retries %d: the order is only promised without retries", st.Retries)
	}
}

// TestCloseDrainsWhatWasPublished: Close returns once every emission
// accepted before it is stored, so a subscriber started afterwards gets
// them all.
func TestCloseDrainsWhatWasPublished(t *testing.T) {
	const n = 5000
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	local := signals.NewSync[Order]()
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, quiet(t),
		natssignals.WithBufferSize(n), natssignals.WithMaxPending(64))
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
	if st := pub.Stats(); st.Published != n || st.Buffered != 0 || st.Pending != 0 {
		t.Fatalf("after Close: %+v", st)
	}
	if got := storedMessages(t, js, "ORDERS"); got != n {
		t.Fatalf("the stream holds %d messages after Close, want %d", got, n)
	}
	if err := local.TryEmit(context.Background(), Order{}); err != nil {
		t.Fatalf("TryEmit after Close: %v (the listener is gone)", err)
	}
	if err := pub.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
