package test

import (
	"context"
	"testing"
	"time"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/signals"
)

// quiet is the options of tests that expect no error report.
func quiet(tb testing.TB) natssignals.Option {
	return natssignals.WithErrorHandler(func(err error) { tb.Errorf("unexpected error report: %v", err) })
}

func TestRoundTrip(t *testing.T) {
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))

	local := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "orders.created"})
	pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	remote := signals.NewSync[Order]()
	got := newReceived()
	remote.AddListener(got.add)
	sub, err := natssignals.Subscribe(ctxT(t), srv.connect(t), "orders.created", "worker", remote, quiet(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := local.TryEmit(context.Background(), Order{ID: "A", Seq: i}); err != nil {
			t.Fatal(err)
		}
	}
	got.waitFor(t, 10*time.Second, "10 orders", func() bool { return got.len() == 10 })
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	for i, o := range got.snapshot() {
		if o.Seq != i || o.ID != "A" {
			t.Errorf("order %d: got %+v", i, o)
		}
	}
	if st := pub.Stats(); st.Published != 10 || st.Pending != 0 || st.Failed != 0 {
		t.Errorf("publisher stats %+v", st)
	}
	if st := sub.Stats(); st.Received != 10 || st.Acked != 10 {
		t.Errorf("subscriber stats %+v", st)
	}
	if err := local.TryEmit(context.Background(), Order{}); err != nil {
		t.Errorf("after Close the listener is removed: TryEmit = %v", err)
	}
}
