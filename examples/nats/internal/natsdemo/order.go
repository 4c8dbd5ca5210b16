package natsdemo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/signalkit/sdk/examples/internal/serving"
	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// OrderOptions configure RunOrderService: the order service takes only
// what both services take.
type OrderOptions struct {
	ServiceOptions
}

var errInvalid = errors.New("quantity must be above 0")

// RunOrderService serves POST /orders until ctx is done. An order is
// emitted on the synchronous signal order.placed: its listener validates
// it on the request's goroutine, and natssignals publishes it to
// orders.placed. The request's span (otelhttp), the emission, its
// listener and the publish are one trace, which the worker continues.
func RunOrderService(ctx context.Context, o OrderOptions, stderr io.Writer) (err error) {
	log := serving.Logger(stderr)
	p, nc, closeAll, err := o.start(ctx)
	defer func() { err = errors.Join(err, closeAll()) }()
	if err != nil {
		return err
	}

	placed := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed"})
	placed.AddListenerWithErr(func(_ context.Context, o Order) error {
		if o.Quantity <= 0 {
			return fmt.Errorf("order %q: %w", o.ID, errInvalid)
		}
		return nil
	}, "validate")
	if err := otelsignals.Instrument(placed, otelsignals.WithListenerSpans(true)); err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// The order's ID is its message ID: a client that retries its POST
	// does not make JetStream store the order twice.
	pub, err := natssignals.Publish(sctx, nc, Subject, placed,
		natssignals.WithMessageID(func(o Order) string { return "order-" + o.ID }),
		natssignals.WithErrorHandler(func(err error) { log.Warn("natssignals", "error", err) }))
	if err != nil {
		return err
	}
	defer func() {
		err = errors.Join(err, pub.Close()) // after the server: publishes what is buffered
		log.Info("publisher closed", "published", pub.Stats().Published)
	}()

	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		var o Order
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&o); err != nil || o.ID == "" {
			http.Error(w, "want a JSON order with an id", http.StatusBadRequest)
			return
		}
		// Validation runs now; the publish is handed over and happens
		// asynchronously, in the request's trace.
		if err := placed.TryEmit(r.Context(), o); err != nil {
			status := http.StatusServiceUnavailable
			if errors.Is(err, errInvalid) {
				status = http.StatusUnprocessableEntity
			}
			http.Error(w, err.Error(), status)
			return
		}
		log.InfoContext(r.Context(), "order placed", "order", o.ID)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]string{"id": o.ID, "status": "placed"})
	})
	handler := http.NewServeMux()
	handler.Handle("/orders", otelhttp.NewHandler(mux, "orders"))
	handler.Handle("GET /metrics", p.MetricsHandler())
	handler.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	return serving.HTTP(ctx, o.Listen, handler, log, o.OnListen)
}
