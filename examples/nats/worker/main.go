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
	"context"
	"flag"
	"io"

	"github.com/signalkit/sdk/examples/internal/serving"
	"github.com/signalkit/sdk/examples/nats/internal/natsdemo"
)

func main() {
	var o natsdemo.WorkerOptions
	fl := flag.NewFlagSet("worker", flag.ContinueOnError)
	o.RegisterFlags(fl, "127.0.0.1:8082", "worker")
	fl.StringVar(&o.Durable, "durable", "worker", "name of the durable JetStream consumer")
	serving.Main(fl, func(ctx context.Context, stderr io.Writer) error { return natsdemo.RunWorker(ctx, o, stderr) })
}
