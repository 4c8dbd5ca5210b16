// Command worker is the worker service of the NATS demo: a durable
// JetStream consumer emits the orders that command order (../order)
// publishes into a local signal, whose listener ships them, in the order
// request's trace. See ../order for how to run both.
//
// Endpoints, on -listen (default 127.0.0.1:8082): GET /metrics, GET
// /healthz. SIGINT or SIGTERM stops it: it settles the messages it has
// received and flushes the telemetry; the durable consumer keeps its place
// on the server for the next start.
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
	var o natsdemo.WorkerOptions
	fl := flag.NewFlagSet("worker", flag.ContinueOnError)
	fl.StringVar(&o.Listen, "listen", "127.0.0.1:8082", "address of /metrics and /healthz")
	fl.StringVar(&o.NATS, "nats", cmp.Or(os.Getenv("NATS_URL"), "nats://127.0.0.1:4222"), "NATS server URL (default $NATS_URL)")
	fl.StringVar(&o.ServiceName, "service-name", cmp.Or(os.Getenv("OTEL_SERVICE_NAME"), "worker"), "the resource's service.name")
	fl.StringVar(&o.Durable, "durable", "worker", "name of the durable JetStream consumer")
	if err := fl.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := natsdemo.RunWorker(ctx, o, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}
