package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// Order is what a client posts to /orders.
type Order struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
}

var errInvalid = errors.New("quantity must be above 0")

// service is the order API: an order placed is validated and reserved by
// the listeners of a synchronous signal, on the request's goroutine, and
// then shipped by those of an asynchronous one, after the response.
type service struct {
	log     *slog.Logger
	placed  *signals.SyncSignal[Order]
	shipped *signals.AsyncSignal[Order]
}

// newService builds the signals and their listeners and instruments them
// with opts. Without provider options, otelsignals uses the global
// providers, which otelsetup.Setup installs.
func newService(log *slog.Logger, opts ...otelsignals.Option) (*service, error) {
	s := &service{
		log:     log,
		placed:  signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed"}),
		shipped: signals.NewWithOptions[Order](&signals.SignalOptions{Name: "order.shipped"}),
	}
	s.placed.AddListenerWithErr(func(_ context.Context, o Order) error {
		if o.Quantity <= 0 {
			return fmt.Errorf("order %q: %w", o.ID, errInvalid)
		}
		return nil
	}, "validate")
	s.placed.AddListener(func(ctx context.Context, o Order) {
		s.log.InfoContext(ctx, "stock reserved", "order", o.ID, "quantity", o.Quantity)
	}, "reserve")
	s.shipped.AddListener(func(ctx context.Context, o Order) {
		s.log.InfoContext(ctx, "confirmation sent", "order", o.ID)
	}, "email")
	s.shipped.AddListener(func(ctx context.Context, o Order) {
		s.log.InfoContext(ctx, "invoice issued", "order", o.ID)
	}, "invoice")
	for _, err := range []error{otelsignals.Instrument(s.placed, opts...), otelsignals.Instrument(s.shipped, opts...)} {
		if err != nil {
			_ = s.shipped.Close() // nothing was enqueued
			return nil, err
		}
	}
	return s, nil
}

// handler serves POST /orders, traced by otelhttp: it reads the request's
// traceparent with the global propagator and starts the request's span with
// the global TracerProvider, and the emissions made with the request's
// context are spans of that trace.
func (s *service) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.placeOrder)
	return otelhttp.NewHandler(mux, "orders")
}

func (s *service) placeOrder(w http.ResponseWriter, r *http.Request) {
	var o Order
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&o); err != nil || o.ID == "" {
		http.Error(w, "want a JSON order with an id", http.StatusBadRequest)
		return
	}
	// Synchronous: the listeners run now, in the request's span.
	if err := s.placed.TryEmit(r.Context(), o); err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	// Asynchronous: delivered after the response. WithoutCancel keeps the
	// trace context but not the request's cancellation, which would skip
	// the listeners once the response is written.
	if err := s.shipped.Enqueue(context.WithoutCancel(r.Context()), o); err != nil {
		http.Error(w, "shipping unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]string{"id": o.ID, "status": "accepted"})
}

// close delivers what is queued and stops the asynchronous signal's
// workers.
func (s *service) close() error { return s.shipped.Close() }
