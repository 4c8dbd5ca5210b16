package otelsetup_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	nooptrace "go.opentelemetry.io/otel/trace/noop"

	"github.com/signalkit/sdk/internal/testutil"
	"github.com/signalkit/sdk/otelsetup"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

func TestGlobal(t *testing.T) {
	clearEnv(t)
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, p)
	if otel.GetTracerProvider() != trace.TracerProvider(p.TracerProvider) {
		t.Error("the global TracerProvider is not Setup's")
	}
	if otel.GetMeterProvider() != p.MeterProvider {
		t.Error("the global MeterProvider is not Setup's")
	}
	if got := strings.Join(sortedFields(otel.GetTextMapPropagator()), ","); got != "baggage,traceparent,tracestate" {
		t.Errorf("the global propagator's fields are %s, want W3C TraceContext and Baggage", got)
	}

	// WithGlobal(false) leaves the globals alone.
	mine := nooptrace.NewTracerProvider()
	otel.SetTracerProvider(mine)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	q, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false), otelsetup.WithGlobal(false))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, q)
	if otel.GetTracerProvider() != trace.TracerProvider(mine) {
		t.Error("WithGlobal(false) replaced the global TracerProvider")
	}
	if otel.GetMeterProvider() != p.MeterProvider {
		t.Error("WithGlobal(false) replaced the global MeterProvider")
	}
	if got := strings.Join(sortedFields(otel.GetTextMapPropagator()), ","); got != "traceparent,tracestate" {
		t.Errorf("WithGlobal(false) replaced the global propagator: %s", got)
	}
}

// TestTraceContinuity: with the globals that Setup installs, the context of
// an incoming traceparent makes an emission on a signal instrumented
// without options a span of that trace, and a not-sampled parent none.
func TestTraceContinuity(t *testing.T) {
	clearEnv(t)
	var spans testutil.Buffer
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false), otelsetup.WithStdoutTraces(&spans))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, p)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders"})
	var seen trace.SpanContext
	sig.AddListener(func(ctx context.Context, _ int) { seen = trace.SpanContextFromContext(ctx) })
	if err := otelsignals.Instrument(sig); err != nil { // the globals
		t.Fatal(err)
	}

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	for _, flags := range []string{"01", "00"} {
		ctx := otel.GetTextMapPropagator().Extract(context.Background(), propagation.HeaderCarrier(http.Header{
			"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-" + flags},
		}))
		sig.Emit(ctx, 1)
		if err := p.ForceFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		n := strings.Count(spans.String(), `"SpanContext":{"TraceID":"`+traceID+`"`)
		if flags == "01" && (n != 1 || seen.TraceID().String() != traceID || seen.SpanID().String() == "00f067aa0ba902b7") {
			t.Errorf("sampled parent: %d spans in its trace, listener saw %v; want 1, and the emission's span", n, seen)
		}
		if flags == "00" && n != 1 {
			t.Errorf("not-sampled parent: %d spans in the trace, want none more", n-1)
		}
	}
}

// TestPrometheusRegistry: signalkit's metrics join the application's
// registry, beside its own collectors.
func TestPrometheusRegistry(t *testing.T) {
	clearEnv(t)
	reg := promclient.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector())
	orders := promclient.NewCounter(promclient.CounterOpts{Name: "app_orders_total", Help: "Orders."})
	reg.MustRegister(orders)
	orders.Add(4)

	p, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheusRegistry(reg, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, p)
	emit(t, p, "orders", 3)
	for name, h := range map[string]http.Handler{
		"MetricsHandler":            p.MetricsHandler(),
		"the application's handler": promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	} {
		srv := httptest.NewServer(h)
		resp, err := http.Get(srv.URL)
		if err != nil {
			srv.Close()
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		for _, want := range []string{"app_orders_total 4", "go_goroutines ", `signals_name="orders"} 3`} {
			if !strings.Contains(string(body), want) {
				t.Errorf("%s lacks %q:\n%.2000s", name, want, body)
			}
		}
	}

	// A Registerer that cannot gather needs its Gatherer.
	wrapped := promclient.WrapRegistererWithPrefix("x_", reg)
	if q, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheusRegistry(wrapped, nil)); err == nil || !strings.Contains(err.Error(), "is not a Gatherer") {
		if q != nil {
			shutdown(t, q)
		}
		t.Errorf("Setup with a Registerer alone = %v, want an error", err)
	}
	q, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheusRegistry(wrapped, reg))
	if err != nil {
		t.Fatal(err)
	}
	shutdown(t, q)
}
