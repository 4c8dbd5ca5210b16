// Command order is the order service of the NATS demo: POST /orders emits
// the order on a signal that natssignals publishes to NATS JetStream, in
// the request's trace; command worker (../worker) receives it.
//
//	nats-server -js -a 127.0.0.1 &
//	OTEL_TRACES_EXPORTER=console go run ./examples/nats/worker &
//	OTEL_TRACES_EXPORTER=console go run ./examples/nats/order &
//	curl -s -X POST -d '{"id":"A-1","quantity":2}' \
//	  -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
//	  http://127.0.0.1:8081/orders
//
// Both services print spans of trace 4bf92f3577b34da6a3ce929d0e0e4736: the
// request, the emission and its listener, the publish; the worker's
// process span, its emission and listener. With
// OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 they go to a
// Collector (docker-compose.yaml runs one, and NATS).
//
// Endpoints, on -listen (default 127.0.0.1:8081): POST /orders
// {"id": "A-1", "quantity": 2} (202; 422 for a quantity below 1), GET
// /metrics, GET /healthz. SIGINT or SIGTERM stops it: it stops serving,
// publishes what is buffered and flushes the telemetry.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/signalkit/sdk/examples/nats/internal/natsdemo"
)

func main() {
	var o natsdemo.OrderOptions
	fl := flag.NewFlagSet("order", flag.ContinueOnError)
	fl.StringVar(&o.Listen, "listen", "127.0.0.1:8081", "address of /orders, /metrics and /healthz")
	fl.StringVar(&o.NATS, "nats", cmp.Or(os.Getenv("NATS_URL"), "nats://127.0.0.1:4222"), "NATS server URL (default $NATS_URL)")
	fl.StringVar(&o.ServiceName, "service-name", cmp.Or(os.Getenv("OTEL_SERVICE_NAME"), "orders"), "the resource's service.name")
	if err := fl.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := natsdemo.RunOrderService(ctx, o, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "order:", err)
		os.Exit(1)
	}
}
