// Command demo runs a small order-processing workload on signalkit signals,
// instrumented with OpenTelemetry: orders flow through synchronous and
// asynchronous signals, with listener errors, a rare panic, a circuit
// breaker that trips once, a small queue that drops events in bursts, and
// sampled timings. It serves its metrics to Prometheus, prints its spans,
// reads its instrumentation settings from a file that it reloads when the
// file changes, and needs nothing else running.
//
//	go run ./examples/demo                          # 10 s; then it prints a summary
//	go run ./examples/demo -duration 0              # until Ctrl-C (SIGINT) or SIGTERM
//	go run ./examples/demo -otlp-endpoint 127.0.0.1:4317   # to a Collector
//
// Endpoints, on -listen (default 127.0.0.1:9464), with read, write and idle
// timeouts:
//
//	/metrics   the Prometheus exporter (signals_emissions_total, ...), the Go
//	           runtime's (go_*) and the process's (process_*) metrics
//	/healthz   liveness: 200 while the process runs
//	/readyz    readiness: 200 if every signal's Health() is nil, else 503 and the problems
//	/debug/signals  the introspection page of package signalz: every signal's
//	           listeners, pool, queue, health and instrumentation settings, as
//	           HTML, or JSON with ?format=json; only with -debug-token (or
//	           DEMO_DEBUG_TOKEN), to requests that carry
//	           "Authorization: Bearer <token>" (the scheme in any case). With
//	           -debug-action-token, requests bearing that token may also read,
//	           and may re-enable listeners and switch metrics or tracing;
//	           each action is logged
//
// Spans go to standard output, one JSON object per line (unless
// -otlp-endpoint is given without -stdout), the log to standard error.
// The OpenTelemetry SDK's variables add exporters: for example
// OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 sends spans and metrics
// to a Collector over OTLP/HTTP (see package otelsetup). SIGHUP reloads the
// configuration file at once.
//
// Flags:
//
//	-config path          instrumentation settings, reloaded on change (default examples/demo/config.yaml;
//	                      if that default is missing, the environment and the defaults apply; "" for none)
//	-duration d           how long to run; 0 runs until SIGINT or SIGTERM (default 10s)
//	-rate n               orders per second (default 20)
//	-listen addr          address of the HTTP endpoints (default 127.0.0.1:9464; port 0 picks one)
//	-otlp-endpoint h:p    send spans and metrics over OTLP/gRPC, without TLS, to a Collector
//	-stdout               print spans on standard output (default true, false with -otlp-endpoint)
//	-export-interval d    how often OTLP metrics are sent (default 5s)
//	-reload-interval d    how often the configuration file is read (default 1s)
//	-service-name name    the resource's service.name (default signalkit-demo)
//	-debug-token token    enables /debug/signals for requests bearing this token (default $DEMO_DEBUG_TOKEN)
//	-debug-action-token t enables the actions of /debug/signals for requests bearing this token
//	                      (default $DEMO_DEBUG_ACTION_TOKEN; needs -debug-token)
//	-v                    log every rejected order and listener error
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/signalkit/sdk/config"
	"github.com/signalkit/sdk/internal/httpguard"
	"github.com/signalkit/sdk/otelsetup"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signalz"
)

// version is the demo's service.version.
const version = "0.1.0"

// defaultConfig is the default of -config, relative to the repository root.
const defaultConfig = "examples/demo/config.yaml"

// options are the demo's flags, and what tests set besides.
type options struct {
	configPath     string
	configExplicit bool // -config was given
	duration       time.Duration
	rate           float64
	listen         string
	otlpEndpoint   string
	stdoutSpans    bool
	exportInterval time.Duration
	reloadInterval time.Duration
	serviceName    string
	debugToken     string
	actionToken    string
	verbose        bool

	reload        <-chan os.Signal  // reloads the configuration; nil: never
	onListen      func(addr string) // called with the address once the server listens
	reenableAfter time.Duration     // how long the circuit breaker stays open
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fl := flag.NewFlagSet("demo", flag.ContinueOnError)
	fl.SetOutput(stderr)
	o := options{reenableAfter: reenableAfter}
	fl.StringVar(&o.configPath, "config", defaultConfig, "instrumentation settings file, reloaded on change (\"\" for none)")
	fl.DurationVar(&o.duration, "duration", 10*time.Second, "how long to run; 0 runs until SIGINT or SIGTERM")
	fl.Float64Var(&o.rate, "rate", 20, "orders per second")
	fl.StringVar(&o.listen, "listen", "127.0.0.1:9464", "address of /metrics, /healthz and /readyz")
	fl.StringVar(&o.otlpEndpoint, "otlp-endpoint", "", "send spans and metrics over OTLP/gRPC (no TLS) to this host:port")
	stdout := fl.Bool("stdout", true, "print spans on standard output (default false with -otlp-endpoint)")
	fl.DurationVar(&o.exportInterval, "export-interval", 5*time.Second, "how often OTLP metrics are sent")
	fl.DurationVar(&o.reloadInterval, "reload-interval", config.DefaultInterval, "how often the configuration file is read")
	fl.StringVar(&o.serviceName, "service-name", "signalkit-demo", "the resource's service.name")
	fl.StringVar(&o.debugToken, "debug-token", os.Getenv("DEMO_DEBUG_TOKEN"), "enables /debug/signals for requests bearing this token")
	fl.StringVar(&o.actionToken, "debug-action-token", os.Getenv("DEMO_DEBUG_ACTION_TOKEN"), "enables the actions of /debug/signals for requests bearing this token")
	fl.BoolVar(&o.verbose, "v", false, "log every rejected order and listener error")
	if err := fl.Parse(args); err != nil {
		return o, err
	}
	if fl.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fl.Args())
	}
	set := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.configExplicit = set["config"]
	o.stdoutSpans = *stdout
	if !set["stdout"] && o.otlpEndpoint != "" {
		o.stdoutSpans = false
	}
	switch {
	case o.rate <= 0:
		return o, fmt.Errorf("-rate %v: must be above 0", o.rate)
	case o.duration < 0:
		return o, fmt.Errorf("-duration %v: must be 0 or more", o.duration)
	case o.exportInterval <= 0 || o.reloadInterval <= 0:
		return o, errors.New("-export-interval and -reload-interval must be above 0")
	case o.actionToken != "" && o.debugToken == "":
		return o, errors.New("-debug-action-token needs -debug-token")
	case o.actionToken != "" && o.actionToken == o.debugToken:
		return o, errors.New("-debug-action-token must differ from -debug-token: who may read need not act")
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	o.reload = hup
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// run runs the demo until o.duration has passed or ctx is done, then shuts
// everything down, flushing the telemetry.
func run(ctx context.Context, o options, stdout, stderr io.Writer) (err error) {
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// The shop's instrumentation is detached last, after the telemetry's
	// last export (deferred below, so run before this).
	var s *shop
	defer func() {
		if s != nil {
			err = errors.Join(err, s.detach())
		}
	}()

	// The instrumentation's settings: the file, watched, over the
	// environment and the defaults.
	cfgOpts, reloadConfig, closeConfig, err := setupConfig(o, log)
	if err != nil {
		return err
	}
	defer closeConfig()

	// The OpenTelemetry SDK: Prometheus always, on the registry that also
	// has the Go runtime's and the process's metrics; spans on stdout
	// and/or OTLP, and the exporters that the OTEL_* variables ask for.
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	setup := []otelsetup.Option{
		otelsetup.WithServiceName(o.serviceName),
		otelsetup.WithServiceVersion(version),
		otelsetup.WithMetricInterval(o.exportInterval),
		otelsetup.WithPrometheusRegistry(registry, registry),
	}
	if o.stdoutSpans {
		setup = append(setup, otelsetup.WithStdoutTraces(stdout))
	}
	if o.otlpEndpoint != "" {
		setup = append(setup,
			otelsetup.WithOTLPTraces(o.otlpEndpoint),
			otelsetup.WithOTLPMetrics(o.otlpEndpoint),
			otelsetup.WithOTLPInsecure(true))
	}
	providers, err := otelsetup.Setup(ctx, setup...)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if e := providers.Shutdown(sctx); e != nil {
			err = errors.Join(err, fmt.Errorf("flushing telemetry: %w", e))
		}
	}()

	s, err = newShop(log, append(providers.InstrumentOptions(), cfgOpts...))
	if err != nil {
		return err
	}
	defer func() { _ = s.close() }() // on an early return; a second close is harmless

	var stopping atomic.Bool
	srv, lis, err := serve(providers.MetricsHandler(), s.checks(), o, &stopping, log)
	if err != nil {
		return err
	}
	var serveErr error
	served := make(chan struct{}) // closed when Serve has returned serveErr
	go func() {
		defer close(served)
		serveErr = srv.Serve(lis)
	}()
	addr := lis.Addr().String()
	log.Info("demo running", "metrics", "http://"+addr+"/metrics", "ready", "http://"+addr+"/readyz",
		"duration", o.duration, "rate", o.rate, "config", o.configPath, "otlp", o.otlpEndpoint, "stdout_spans", o.stdoutSpans)
	if o.onListen != nil {
		o.onListen(addr)
	}

	err = workload(ctx, o, s, reloadConfig, served, log)

	// Shut down: not ready, deliver what is queued, stop serving; the
	// deferred calls flush the telemetry and stop watching the file.
	stopping.Store(true)
	if e := s.close(); e != nil {
		err = errors.Join(err, e)
	}
	s.summary()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if e := httpguard.Shutdown(sctx, srv); e != nil { // closes stalled connections at the deadline
		err = errors.Join(err, e)
	}
	<-served
	if !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("server: %w", serveErr))
	}
	return err
}

// setupConfig starts watching the configuration file, or applies the
// environment and the defaults without one. It returns the options that
// make an instrumentation follow the configuration, a function that
// reloads the file, and one that stops watching it.
func setupConfig(o options, log *slog.Logger) (opts []otelsignals.Option, reload func() error, closeFn func(), err error) {
	noop := func() {}
	if o.configPath != "" {
		_, statErr := os.Stat(o.configPath)
		if o.configExplicit || !errors.Is(statErr, fs.ErrNotExist) {
			w, err := config.Watch(o.configPath, nil, config.WithLogger(log), config.WithInterval(o.reloadInterval))
			if err != nil {
				return nil, nil, noop, err
			}
			return w.InstrumentOptions(), w.Reload, func() { _ = w.Close() }, nil // Close returns nil
		}
		log.Warn("no configuration file: using the environment and the defaults, without reloading", "file", o.configPath)
	}
	c, err := config.FromEnv(config.Default())
	if err != nil {
		return nil, nil, noop, err
	}
	m, err := config.NewManager(nil, c, config.WithLogger(log))
	if err != nil {
		return nil, nil, noop, err
	}
	return m.InstrumentOptions(), func() error { return nil }, noop, nil
}

// serve listens on o.listen and returns the server of /metrics, /healthz,
// /readyz and, with a debug token, /debug/signals.
func serve(metrics http.Handler, checks []named, o options, stopping *atomic.Bool, log *slog.Logger) (*http.Server, net.Listener, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		var problems []string
		if stopping.Load() {
			problems = append(problems, "shutting down")
		}
		for _, c := range checks {
			if err := c.health(); err != nil {
				problems = append(problems, c.name+": "+strings.ReplaceAll(err.Error(), "\n", "; "))
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if len(problems) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, strings.Join(problems, "\n"))
			return
		}
		fmt.Fprintln(w, "ready")
	})
	if o.debugToken != "" {
		page, err := debugPage(o, log)
		if err != nil {
			return nil, nil, err
		}
		mux.Handle("/debug/signals", page)
	}
	lis, err := net.Listen("tcp", o.listen)
	if err != nil {
		return nil, nil, err
	}
	// Timeouts on reading, writing and idle connections: a client that
	// stalls cannot hold a goroutine, nor make the shutdown fail.
	srv := httpguard.NewServer(mux, slog.NewLogLogger(log.Handler(), slog.LevelWarn))
	return srv, lis, nil
}

// workload places orders at o.rate until o.duration has passed or ctx is
// done, reloading the configuration on o.reload.
func workload(ctx context.Context, o options, s *shop, reload func() error, served <-chan struct{}, log *slog.Logger) error {
	// Emissions do not see the cancellation of ctx: what is queued at the
	// end is delivered.
	work := context.WithoutCancel(ctx)
	ticker := time.NewTicker(max(time.Duration(float64(time.Second)/o.rate), time.Microsecond))
	defer ticker.Stop()
	var deadline <-chan time.Time
	if o.duration > 0 {
		t := time.NewTimer(o.duration)
		defer t.Stop()
		deadline = t.C
	}
	s.reenable = o.reenableAfter
	for {
		select {
		case <-ctx.Done():
			log.Info("stopping", "reason", context.Cause(ctx))
			return nil
		case <-deadline:
			log.Info("stopping", "reason", "duration reached")
			return nil
		case <-served:
			return errors.New("the server stopped")
		case <-o.reload:
			_ = reload() // logged
		case now := <-ticker.C:
			s.placeOrder(work, now)
		}
	}
}

// debugPage returns the introspection page of package signalz, which
// lists every instrumented signal. A request bearing the debug token may
// read it; one bearing the action token may also act (re-enable a listener,
// switch a signal's metrics or tracing), and every action is written to
// the log, beside the configuration's audit records. A runtime
// introspection endpoint must not be open to anyone who can reach the port.
func debugPage(o options, log *slog.Logger) (*signalz.Handler, error) {
	read := signalz.BearerToken(o.debugToken)
	opts := []signalz.Option{signalz.WithAuditLogger(log)}
	if o.actionToken != "" {
		act := signalz.BearerToken(o.actionToken)
		opts = append(opts, signalz.WithActions(act))
		readOnly := read
		read = func(r *http.Request) bool {
			// Ask both, so that the time taken does not tell which token
			// a request bears.
			a, b := readOnly(r), act(r)
			return a || b
		}
	}
	return signalz.New(read, opts...)
}
