package natsdemo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/signalkit/sdk/internal/httpguard"
	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/otelsetup"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// OrderOptions configure RunOrderService.
type OrderOptions struct {
	Listen      string             // address of the HTTP API
	NATS        string             // URL of the NATS server
	ServiceName string             // the resource's service.name
	Setup       []otelsetup.Option // more options for otelsetup.Setup
	OnListen    func(addr string)  // called with the address once the server listens
}

var errInvalid = errors.New("quantity must be above 0")

// RunOrderService serves POST /orders until ctx is done. An order is
// emitted on the synchronous signal order.placed: its listener validates
// it on the request's goroutine, and natssignals publishes it to
// orders.placed. The request's span (otelhttp), the emission, its
// listener and the publish are one trace, which the worker continues.
func RunOrderService(ctx context.Context, o OrderOptions, stderr io.Writer) (err error) {
	log := slog.New(TraceHandler{slog.NewTextHandler(stderr, nil)})
	p, err := otelsetup.Setup(ctx, append([]otelsetup.Option{otelsetup.WithServiceName(o.ServiceName)}, o.Setup...)...)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, shutdown(p)) }()

	nc, err := Connect(o.NATS, o.ServiceName)
	if err != nil {
		return err
	}
	defer nc.Close()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := EnsureStreams(sctx, nc); err != nil {
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
	return serve(ctx, o.Listen, handler, log, o.OnListen)
}

// serve serves handler on listen until ctx is done, then shuts down.
func serve(ctx context.Context, listen string, handler http.Handler, log *slog.Logger, onListen func(string)) error {
	lis, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := httpguard.NewServer(handler, slog.NewLogLogger(log.Handler(), slog.LevelWarn))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	log.Info("serving", "addr", "http://"+lis.Addr().String())
	if onListen != nil {
		onListen(lis.Addr().String())
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("server: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = httpguard.Shutdown(sctx, srv)
	if e := <-served; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("server: %w", e))
	}
	return err
}

// shutdown flushes the telemetry.
func shutdown(p *otelsetup.Providers) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		return fmt.Errorf("flushing telemetry: %w", err)
	}
	return nil
}
