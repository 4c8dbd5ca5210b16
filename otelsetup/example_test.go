package otelsetup_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/signalkit/sdk/otelsetup"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// Serve the Prometheus exporter's metrics next to a health endpoint, and
// scrape them.
func ExampleSetup() {
	ctx := context.Background()
	p, err := otelsetup.Setup(ctx, otelsetup.WithServiceName("orders-service"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		if err := p.Shutdown(ctx); err != nil {
			fmt.Println(err)
		}
	}()

	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders"})
	orders.AddListener(func(context.Context, string) {})
	if err := otelsignals.Instrument(orders, p.InstrumentOptions()...); err != nil {
		fmt.Println(err)
		return
	}
	orders.Emit(ctx, "A-1")
	orders.Emit(ctx, "A-2")

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", p.MetricsHandler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	srv := httptest.NewServer(mux) // a real program listens on 127.0.0.1:9464
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "signals_emissions_total") {
			// The scope version changes with every release.
			fmt.Println(strings.Replace(line, `otel_scope_version="`+otelsignals.Version+`"`, `otel_scope_version="…"`, 1))
		}
	}
	// Output:
	// signals_emissions_total{otel_scope_name="github.com/signalkit/sdk/otelsignals",otel_scope_schema_url="https://opentelemetry.io/schemas/1.43.0",otel_scope_version="…",signals_kind="sync",signals_name="orders"} 2
}

// Send spans and metrics to a Collector over OTLP/gRPC, and print spans.
// (Not run: it needs a Collector listening on 127.0.0.1:4317.)
func ExampleWithOTLPTraces() {
	ctx := context.Background()
	p, err := otelsetup.Setup(ctx,
		otelsetup.WithServiceName("orders-service"),
		otelsetup.WithOTLPTraces("127.0.0.1:4317"),
		otelsetup.WithOTLPMetrics("127.0.0.1:4317"),
		otelsetup.WithOTLPInsecure(true),
		otelsetup.WithStdoutTraces(nil), // also print spans on standard output
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Shutdown flushes; give it a deadline, as the exporters retry while
	// the Collector is unreachable.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
}

// Serve signalkit's metrics on the application's existing /metrics, beside
// the Go runtime's and the process's collectors.
func ExampleWithPrometheusRegistry() {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	ctx := context.Background()
	p, err := otelsetup.Setup(ctx, otelsetup.WithPrometheusRegistry(reg, reg))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		if err := p.Shutdown(ctx); err != nil {
			fmt.Println(err)
		}
	}()
	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders"})
	if err := otelsignals.Instrument(orders); err != nil { // the global providers, Setup's
		fmt.Println(err)
		return
	}
	orders.Emit(ctx, "A-1")

	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})) // the application's handler
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		for _, family := range []string{"go_goroutines", "process_cpu_seconds_total", "signals_emissions_total"} {
			if strings.HasPrefix(sc.Text(), family) && !seen[family] {
				seen[family] = true
				fmt.Println(family)
			}
		}
	}
	// Output:
	// go_goroutines
	// process_cpu_seconds_total
	// signals_emissions_total
}

// In a program that manages the OpenTelemetry globals itself, leave them
// alone, and instrument signals with Setup's providers explicitly.
func ExampleWithGlobal() {
	mine := tracenoop.NewTracerProvider() // the program's own choice
	saved := otel.GetTracerProvider()
	otel.SetTracerProvider(mine)
	defer otel.SetTracerProvider(saved)

	ctx := context.Background()
	p, err := otelsetup.Setup(ctx, otelsetup.WithServiceName("orders-service"), otelsetup.WithGlobal(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		if err := p.Shutdown(ctx); err != nil {
			fmt.Println(err)
		}
	}()
	fmt.Println("global TracerProvider unchanged:", otel.GetTracerProvider() == trace.TracerProvider(mine))

	// Without the globals, otelsignals.Instrument needs Setup's providers.
	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders"})
	if err := otelsignals.Instrument(orders, p.InstrumentOptions()...); err != nil {
		fmt.Println(err)
		return
	}
	orders.Emit(ctx, "A-1")

	w := httptest.NewRecorder()
	p.MetricsHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for line := range strings.Lines(w.Body.String()) {
		if strings.HasPrefix(line, "signals_emissions_total{") && strings.Contains(line, `signals_name="orders"`) {
			fields := strings.Fields(line)
			fmt.Println("signals_emissions_total of orders:", fields[len(fields)-1])
		}
	}
	// Output:
	// global TracerProvider unchanged: true
	// signals_emissions_total of orders: 1
}
