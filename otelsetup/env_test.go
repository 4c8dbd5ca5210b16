package otelsetup_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/signalkit/sdk/internal/testutil"
	"github.com/signalkit/sdk/otelsetup"
)

// clearEnv unsets, for the test, the variables that choose exporters, in
// case the environment the tests run in sets some.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range append(otelsetup.OTelEnv, "OTEL_PROPAGATORS") {
		t.Setenv(name, "")
	}
}

// TestEnvOTLPEndpoint: OTEL_EXPORTER_OTLP_ENDPOINT alone exports spans and
// metrics over OTLP/HTTP (the specification's default protocol).
func TestEnvOTLPEndpoint(t *testing.T) {
	clearEnv(t)
	var r receiver
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+httpReceiver(t, &r))
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false))
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 1)
	shutdown(t, p)
	r.check(t)
}

// TestEnvOTLPProtocol: OTEL_EXPORTER_OTLP_PROTOCOL=grpc switches the
// exporters of the environment to gRPC, here with the per-signal endpoint
// variables.
func TestEnvOTLPProtocol(t *testing.T) {
	clearEnv(t)
	var r receiver
	endpoint := "http://" + grpcReceiver(t, &r) // http: without TLS
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint)
	t.Setenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", endpoint)
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false))
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 1)
	shutdown(t, p)
	r.check(t)
}

// TestEnvExporterNone: OTEL_TRACES_EXPORTER=none turns the spans' exporter
// off while the endpoint still turns on the metrics'.
func TestEnvExporterNone(t *testing.T) {
	clearEnv(t)
	var r receiver
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+httpReceiver(t, &r))
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false))
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 1)
	shutdown(t, p)
	if spans, metrics := r.got(); spans != 0 || metrics == 0 {
		t.Errorf("received %d spans and %d metrics, want none and some", spans, metrics)
	}

	clearEnv(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1") // never reached
	t.Setenv("OTEL_METRICS_EXPORTER", "none")
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	p, err = otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false))
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 1)
	if err := p.ForceFlush(context.Background()); err != nil {
		t.Errorf("ForceFlush with no exporter: %v", err)
	}
	shutdown(t, p)
}

// TestEnvPrometheus: OTEL_METRICS_EXPORTER=prometheus serves /metrics on
// OTEL_EXPORTER_PROMETHEUS_HOST:OTEL_EXPORTER_PROMETHEUS_PORT until
// Shutdown.
func TestEnvPrometheus(t *testing.T) {
	clearEnv(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close() // a free port, for the exporter's server
	host, port, _ := net.SplitHostPort(addr)
	t.Setenv("OTEL_METRICS_EXPORTER", "prometheus")
	t.Setenv("OTEL_EXPORTER_PROMETHEUS_HOST", host)
	t.Setenv("OTEL_EXPORTER_PROMETHEUS_PORT", port)
	p, err := otelsetup.Setup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 2)
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		shutdown(t, p)
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `signals_name="orders"} 2`) {
		t.Errorf("the environment's Prometheus server lacks the emissions:\n%s", body)
	}
	if p.MetricsHandler() == nil {
		t.Error("WithPrometheus's handler is gone")
	}
	shutdown(t, p)
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("the Prometheus server still answers after Shutdown")
	}
}

// TestEnvInvalid: an unknown exporter, a list, or an unknown protocol is an
// error that names the variables, and the globals stay as they were.
func TestEnvInvalid(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, "span exporter from the environment (OTEL_TRACES_EXPORTER=zipkin): unknown exporter"},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp,console"}, "OTEL_TRACES_EXPORTER=otlp,console"},
		{map[string]string{"OTEL_METRICS_EXPORTER": "statsd"}, "metric reader from the environment (OTEL_METRICS_EXPORTER=statsd): unknown exporter"},
		{map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "udp"}, "(OTEL_EXPORTER_OTLP_PROTOCOL=udp): invalid OTLP protocol"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			before := otel.GetTracerProvider()
			p, err := otelsetup.Setup(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				if p != nil {
					shutdown(t, p)
				}
				t.Fatalf("Setup = %v, want an error with %q", err, tt.want)
			}
			if otel.GetTracerProvider() != before {
				t.Error("a failed Setup changed the global TracerProvider")
			}
		})
	}
}

// TestEnvOptionPrecedence: an option's exporter replaces the environment's
// of the same kind; one of another kind adds to it.
func TestEnvOptionPrecedence(t *testing.T) {
	clearEnv(t)
	var fromOption, fromEnv receiver
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+httpReceiver(t, &fromEnv))
	var spans testutil.Buffer
	p, err := otelsetup.Setup(context.Background(),
		otelsetup.WithPrometheus(false),
		otelsetup.WithOTLPTraces(grpcReceiver(t, &fromOption)),
		otelsetup.WithOTLPInsecure(true),
		otelsetup.WithStdoutTraces(&spans),
	)
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 1)
	shutdown(t, p)
	if s, _ := fromOption.got(); s != 1 {
		t.Errorf("WithOTLPTraces's endpoint received %d spans, want 1", s)
	}
	if s, m := fromEnv.got(); s != 0 || m == 0 {
		t.Errorf("the environment's endpoint received %d spans and %d metrics; want no span (the option's OTLP wins) and the metrics", s, m)
	}
	if !strings.Contains(spans.String(), `"Name":"emit orders"`) {
		t.Error("WithStdoutTraces got no span")
	}
}

// TestEnvPropagators: OTEL_PROPAGATORS chooses the propagator.
func TestEnvPropagators(t *testing.T) {
	tests := []struct {
		env  string
		want []string
	}{
		{"", []string{"baggage", "traceparent", "tracestate"}},
		{"tracecontext", []string{"traceparent", "tracestate"}},
		{"b3multi", []string{"x-b3-flags", "x-b3-sampled", "x-b3-spanid", "x-b3-traceid"}},
		{"none", nil},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("OTEL_PROPAGATORS", tt.env)
			p, err := otelsetup.Setup(context.Background(), otelsetup.WithGlobal(false), otelsetup.WithPrometheus(false))
			if err != nil {
				t.Fatal(err)
			}
			defer shutdown(t, p)
			got := sortedFields(p.Propagator)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("propagator fields %q, want %q", got, tt.want)
			}
		})
	}
}

func sortedFields(p propagation.TextMapPropagator) []string {
	f := p.Fields()
	slices.Sort(f)
	return f
}
