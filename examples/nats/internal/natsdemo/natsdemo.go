// Package natsdemo is the code of the two services of examples/nats: an
// order service, whose HTTP API emits a signal that natssignals publishes
// to NATS JetStream, and a worker service, which subscribes and emits the
// orders into its own signal. Commands order and worker run them; the
// tests run both in one process against an embedded nats-server.
package natsdemo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace"
)

// Order is what a client posts to the order service, and what travels to
// the worker.
type Order struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
}

// Subject is the NATS subject of placed orders. The stream "ORDERS"
// captures orders.>, the stream "DEADLETTER" deadletter.>.
const Subject = "orders.placed"

// Connect connects to the NATS server at url and reconnects for ever. If
// the server is not up yet, the first connection is retried in the
// background.
func Connect(url, name string) (*nats.Conn, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(true))
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", url, err)
	}
	return nc, nil
}

// EnsureStreams creates or updates the streams both services need: ORDERS
// (file storage, a two-minute duplicate window) and DEADLETTER. It retries
// until ctx ends while the server is not reachable yet.
func EnsureStreams(ctx context.Context, nc *nats.Conn) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	for _, cfg := range []jetstream.StreamConfig{
		{Name: "ORDERS", Subjects: []string{"orders.>"}, Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute},
		{Name: "DEADLETTER", Subjects: []string{"deadletter.>"}, Storage: jetstream.FileStorage, MaxAge: 7 * 24 * time.Hour},
	} {
		for {
			_, err := js.CreateOrUpdateStream(ctx, cfg)
			if err == nil {
				break
			}
			if ctx.Err() != nil || !errors.Is(err, nats.ErrNoResponders) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
				return fmt.Errorf("stream %s: %w", cfg.Name, err)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("stream %s: %w", cfg.Name, ctx.Err())
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	return nil
}

// TraceHandler adds the trace_id and span_id of the context a record is
// logged with, so that a log line leads to its trace.
type TraceHandler struct{ slog.Handler }

// Handle adds the trace attributes and passes the record on.
func (h TraceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()),
			slog.Bool("sampled", sc.IsSampled()))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the trace attributes.
func (h TraceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return TraceHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the trace attributes.
func (h TraceHandler) WithGroup(name string) slog.Handler {
	return TraceHandler{h.Handler.WithGroup(name)}
}
