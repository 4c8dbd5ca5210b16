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
	"context"
	"flag"
	"io"

	"github.com/signalkit/sdk/examples/internal/serving"
	"github.com/signalkit/sdk/examples/nats/internal/natsdemo"
)

func main() {
	var o natsdemo.OrderOptions
	fl := flag.NewFlagSet("order", flag.ContinueOnError)
	o.RegisterFlags(fl, "127.0.0.1:8081", "orders")
	serving.Main(fl, func(ctx context.Context, stderr io.Writer) error { return natsdemo.RunOrderService(ctx, o, stderr) })
}
