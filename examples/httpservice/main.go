// Command httpservice is a small order API that shows one trace running
// from an HTTP request through signalkit signals: the request's span
// (otelhttp), the emission of a synchronous signal and its listener calls,
// and the enqueue, delivery and listener calls of an asynchronous one,
// delivered after the response.
//
//	OTEL_TRACES_EXPORTER=console go run ./examples/httpservice
//	curl -s -X POST -d '{"id":"A-1","quantity":2}' \
//	  -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
//	  http://127.0.0.1:8080/orders
//
// The spans of the request are printed with trace ID
// 4bf92f3577b34da6a3ce929d0e0e4736, and every log line of a listener
// carries it. Send the same header ending in -00 (not sampled) and no span
// is made. Without a traceparent, otelhttp starts a trace.
//
// otelsetup.Setup installs the global providers and the W3C propagator
// that otelhttp uses, and builds the exporters that the OpenTelemetry
// environment asks for: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
// sends the spans and metrics to a Collector.
//
// Endpoints, on -listen (default 127.0.0.1:8080):
//
//	POST /orders   {"id": "A-1", "quantity": 2}: 202, 422 for a quantity below 1
//	GET  /metrics  Prometheus
//	GET  /healthz  200 while the process runs
//
// SIGINT or SIGTERM stops it: it stops serving, delivers what is queued and
// flushes the telemetry.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/signalkit/sdk/examples/internal/serving"
	"github.com/signalkit/sdk/otelsetup"
	"github.com/signalkit/sdk/otelsignals"
)

// options are the flags, and what tests set besides.
type options struct {
	listen      string
	serviceName string

	setup    []otelsetup.Option // more options for otelsetup.Setup
	onListen func(addr string)  // called with the address once the server listens
}

func main() {
	var o options
	fl := flag.NewFlagSet("httpservice", flag.ContinueOnError)
	fl.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address of /orders, /metrics and /healthz")
	fl.StringVar(&o.serviceName, "service-name", cmp.Or(os.Getenv("OTEL_SERVICE_NAME"), "orders-http"), "the resource's service.name (default $OTEL_SERVICE_NAME, or orders-http)")
	serving.Main(fl, func(ctx context.Context, stderr io.Writer) error { return run(ctx, o, stderr) })
}

// run serves until ctx is done, then shuts down.
func run(ctx context.Context, o options, stderr io.Writer) (err error) {
	log := serving.Logger(stderr)

	p, err := otelsetup.Setup(ctx, append([]otelsetup.Option{otelsetup.WithServiceName(o.serviceName)}, o.setup...)...)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, serving.FlushTelemetry(p)) }()

	// The global providers (Setup installed them); a span per listener
	// call of a traced emission.
	svc, err := newService(log, otelsignals.WithListenerSpans(true))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, svc.close()) }() // after the server: delivers what is queued

	mux := http.NewServeMux()
	mux.Handle("/orders", svc.handler())
	mux.Handle("GET /metrics", p.MetricsHandler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	return serving.HTTP(ctx, o.listen, mux, log, o.onListen)
}
