// Package natsdemo is the code of the two services of examples/nats: an
// order service, whose HTTP API emits a signal that natssignals publishes
// to NATS JetStream, and a worker service, which subscribes and emits the
// orders into its own signal. Commands order and worker run them; the
// tests run both in one process against an embedded nats-server.
package natsdemo

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/signalkit/sdk/examples/internal/serving"
	"github.com/signalkit/sdk/otelsetup"
)

// Order is what a client posts to the order service, and what travels to
// the worker.
type Order struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
}

// ServiceOptions are what both services take.
type ServiceOptions struct {
	Listen      string             // address of the service's HTTP endpoints
	NATS        string             // URL of the NATS server
	ServiceName string             // the resource's service.name
	Setup       []otelsetup.Option // more options for otelsetup.Setup
	OnListen    func(addr string)  // called with the address once the server listens
}

// RegisterFlags registers on fl the flags both services take: -listen,
// -nats (default $NATS_URL, or the local server) and -service-name
// (default $OTEL_SERVICE_NAME, or serviceName).
func (o *ServiceOptions) RegisterFlags(fl *flag.FlagSet, listen, serviceName string) {
	fl.StringVar(&o.Listen, "listen", listen, "address of the HTTP endpoints")
	fl.StringVar(&o.NATS, "nats", cmp.Or(os.Getenv("NATS_URL"), "nats://127.0.0.1:4222"), "NATS server URL (default $NATS_URL)")
	fl.StringVar(&o.ServiceName, "service-name", cmp.Or(os.Getenv("OTEL_SERVICE_NAME"), serviceName), "the resource's service.name (default $OTEL_SERVICE_NAME)")
}

// start sets up the telemetry and connects to NATS, creating the streams:
// what both services do first. close flushes the telemetry and closes the
// connection; it must be called, also after an error.
func (o *ServiceOptions) start(ctx context.Context) (p *otelsetup.Providers, nc *nats.Conn, close func() error, err error) {
	p, err = otelsetup.Setup(ctx, append([]otelsetup.Option{otelsetup.WithServiceName(o.ServiceName)}, o.Setup...)...)
	if err != nil {
		return nil, nil, func() error { return nil }, err
	}
	close = func() error { return serving.FlushTelemetry(p) }
	if nc, err = Connect(o.NATS, o.ServiceName); err != nil {
		return nil, nil, close, err
	}
	close = func() error {
		nc.Close()
		return serving.FlushTelemetry(p)
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := EnsureStreams(sctx, nc); err != nil {
		return nil, nil, close, err
	}
	return p, nc, close, nil
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
