// Package serving is what the example services share around their own
// code: a logger whose lines carry the trace of their context, an HTTP
// server that shuts down when its context ends, the flush of the telemetry
// on the way out, and a main function that runs a service until SIGINT or
// SIGTERM. examples/httpservice and the two services of examples/nats use
// it.
package serving

import (
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

	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/internal/httpguard"
	"github.com/signalkit/sdk/otelsetup"
)

// shutdownTimeout bounds the shutdown of the HTTP server and the flush of
// the telemetry.
const shutdownTimeout = 5 * time.Second

// Logger returns a text logger on w whose records carry the trace_id,
// span_id and sampled flag of the context they are logged with
// ([TraceHandler]).
func Logger(w io.Writer) *slog.Logger {
	return slog.New(TraceHandler{slog.NewTextHandler(w, nil)})
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

// HTTP serves handler on listen until ctx is done, then shuts the server
// down, waiting up to 5 s for the requests in progress. The server has
// httpguard's timeouts and logs its errors to log at level Warn. onListen,
// if not nil, is called with the address once the server listens. It
// returns the error that stopped the server early, or the shutdown's.
func HTTP(ctx context.Context, listen string, handler http.Handler, log *slog.Logger, onListen func(addr string)) error {
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
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = httpguard.Shutdown(sctx, srv)
	if e := <-served; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("server: %w", e))
	}
	return err
}

// FlushTelemetry shuts the providers down, exporting what they hold, within
// 5 s.
func FlushTelemetry(p *otelsetup.Providers) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		return fmt.Errorf("flushing telemetry: %w", err)
	}
	return nil
}

// Main is a service's main function: it parses the command line with fl
// (exiting with status 0 after -h, 2 after a bad flag, which fl reports),
// runs run until SIGINT or SIGTERM cancels its context, and exits with
// status 1 if run returns an error, which it prints first.
func Main(fl *flag.FlagSet, run func(ctx context.Context, stderr io.Writer) error) {
	if err := fl.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", fl.Name(), err)
		os.Exit(1)
	}
}
