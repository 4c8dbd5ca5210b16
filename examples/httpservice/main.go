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
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/signalkit/sdk/internal/httpguard"
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
	if err := fl.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "httpservice:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down.
func run(ctx context.Context, o options, stderr io.Writer) (err error) {
	log := slog.New(traceHandler{slog.NewTextHandler(stderr, nil)})

	p, err := otelsetup.Setup(ctx, append([]otelsetup.Option{otelsetup.WithServiceName(o.serviceName)}, o.setup...)...)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if e := p.Shutdown(sctx); e != nil {
			err = errors.Join(err, fmt.Errorf("flushing telemetry: %w", e))
		}
	}()

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
	lis, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	srv := httpguard.NewServer(mux, slog.NewLogLogger(log.Handler(), slog.LevelWarn))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	log.Info("serving", "orders", "http://"+lis.Addr().String()+"/orders")
	if o.onListen != nil {
		o.onListen(lis.Addr().String())
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
