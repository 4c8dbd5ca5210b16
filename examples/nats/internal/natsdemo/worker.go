package natsdemo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/signalkit/sdk/examples/internal/serving"
	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// WorkerOptions configure RunWorker.
type WorkerOptions struct {
	ServiceOptions
	Durable string // the durable consumer's name
	// OnShipped, if set, is called after an order was shipped.
	OnShipped func(Order)
}

// RunWorker consumes orders.placed with a durable JetStream consumer until
// ctx is done, and emits each order on the synchronous signal
// order.received, whose listener ships it. The process span of each
// message continues the order service's trace, and the listener's span is
// its descendant. A listener error leaves the order unacknowledged, so
// that JetStream delivers it again; after five deliveries it goes to
// deadletter.orders.placed.
func RunWorker(ctx context.Context, o WorkerOptions, stderr io.Writer) (err error) {
	log := serving.Logger(stderr)
	p, nc, closeAll, err := o.start(ctx)
	defer func() { err = errors.Join(err, closeAll()) }()
	if err != nil {
		return err
	}

	received := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.received"})
	received.AddListenerWithErr(func(ctx context.Context, ord Order) error {
		if ord.Quantity > 1000 {
			return fmt.Errorf("order %q: %d items do not fit a truck", ord.ID, ord.Quantity)
		}
		log.InfoContext(ctx, "order shipped", "order", ord.ID, "quantity", ord.Quantity)
		if o.OnShipped != nil {
			o.OnShipped(ord)
		}
		return nil
	}, "ship")
	if err := otelsignals.Instrument(received, otelsignals.WithListenerSpans(true)); err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	sub, err := natssignals.Subscribe(sctx, nc, Subject, o.Durable, received,
		natssignals.WithErrorHandler(func(err error) { log.Warn("natssignals", "error", err) }))
	if err != nil {
		return err
	}
	defer func() {
		err = errors.Join(err, sub.Close())
		st := sub.Stats()
		log.Info("subscriber closed", "acked", st.Acked, "dead_lettered", st.DeadLettered)
	}()

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", p.MetricsHandler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	return serving.HTTP(ctx, o.Listen, mux, log, o.OnListen)
}
