package otelsetup_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/signalkit/sdk/internal/testutil"
	"github.com/signalkit/sdk/otelsetup"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

// TestMain fails the run if a goroutine outlives the tests: Shutdown must
// stop every processor, reader and connection.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// emit instruments a new sync signal named name with p, with every
// emission traced, and emits on it n times.
func emit(t *testing.T, p *otelsetup.Providers, name string, n int) {
	t.Helper()
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: name})
	sig.AddListener(func(context.Context, int) {})
	opts := append(p.InstrumentOptions(), otelsignals.WithSampler(sampling.Always()))
	if err := otelsignals.Instrument(sig, opts...); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		sig.Emit(context.Background(), i)
	}
}

func shutdown(t *testing.T, p *otelsetup.Providers) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestPrometheus(t *testing.T) {
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithServiceName("orders-service"), otelsetup.WithServiceVersion("1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, p)
	emit(t, p, "orders", 3)

	srv := httptest.NewServer(p.MetricsHandler()) // 127.0.0.1
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	for _, want := range []string{
		"# HELP signals_emissions_total Number of emissions of the signal",
		"# TYPE signals_emissions_total counter",
		`signals_emissions_total{otel_scope_name="github.com/signalkit/sdk/otelsignals",otel_scope_schema_url="https://opentelemetry.io/schemas/1.43.0",otel_scope_version="` + otelsignals.Version + `",signals_kind="sync",signals_name="orders"} 3`,
		`signals_listener_invocations_total{`,
		`service_name="orders-service"`, // WithServiceName over OTEL_SERVICE_NAME
		`service_version="1.2.3"`,
		`service_instance_id="`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, text)
		}
	}
	if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
		t.Errorf("Content-Type = %q", got)
	}
}

func TestResourceFromEnv(t *testing.T) {
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test,broken")
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, p)
	if p.MetricsHandler() != nil {
		t.Error("MetricsHandler without Prometheus is not nil")
	}
	attrs := map[attribute.Key]string{}
	for _, kv := range p.Resource.Attributes() {
		attrs[kv.Key] = kv.Value.String()
	}
	if attrs["service.name"] != "from-env" || attrs["deployment.environment.name"] != "test" || attrs["service.instance.id"] == "" {
		t.Errorf("resource = %v", attrs)
	}
}

func TestStdout(t *testing.T) {
	var traces, metrics testutil.Buffer
	p, err := otelsetup.Setup(context.Background(),
		otelsetup.WithPrometheus(false),
		otelsetup.WithStdoutTraces(&traces),
		otelsetup.WithStdoutMetrics(&metrics),
		otelsetup.WithMetricInterval(time.Hour), // only Shutdown exports
	)
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 2)
	shutdown(t, p)
	if err := p.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown = %v", err)
	}
	if got := strings.Count(traces.String(), `"Name":"emit orders"`); got != 2 {
		t.Errorf("%d spans named emit orders on stdout, want 2:\n%s", got, traces.String())
	}
	if lines := strings.Count(strings.TrimSpace(traces.String()), "\n") + 1; lines != 2 {
		t.Errorf("%d lines of spans, want one per span", lines)
	}
	if !strings.Contains(metrics.String(), `"Name":"signals.emissions"`) {
		t.Errorf("stdout metrics lack signals.emissions:\n%.500s", metrics.String())
	}
}

func TestForceFlush(t *testing.T) {
	var traces testutil.Buffer
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithStdoutTraces(&traces))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, p)
	emit(t, p, "orders", 1)
	if err := p.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(traces.String(), "emit orders") {
		t.Error("ForceFlush did not export the span")
	}
}

func TestInvalidProtocol(t *testing.T) {
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithOTLPProtocol("udp"))
	if err == nil || !strings.Contains(err.Error(), `OTLP protocol "udp"`) {
		t.Errorf("Setup = %v, %v; want an error about the protocol", p, err)
	}
}

// receiver records what OTLP exporters send: span names and metric names.
type receiver struct {
	mu      sync.Mutex
	spans   []string
	metrics []string
}

func (r *receiver) traces(req *coltracepb.ExportTraceServiceRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				r.spans = append(r.spans, s.GetName())
			}
		}
	}
}

func (r *receiver) metricNames(req *colmetricpb.ExportMetricsServiceRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rm := range req.GetResourceMetrics() {
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				r.metrics = append(r.metrics, m.GetName())
			}
		}
	}
}

func (r *receiver) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := slices.Index(r.spans, "emit orders"); n < 0 {
		t.Errorf("spans received: %q, want emit orders", r.spans)
	}
	if !slices.Contains(r.metrics, "signals.emissions") {
		t.Errorf("metrics received: %q, want signals.emissions", r.metrics)
	}
}

// httpReceiver starts an OTLP/HTTP receiver on 127.0.0.1 that records into
// r, stopped at the end of the test, and returns its host:port.
func httpReceiver(t *testing.T, r *receiver) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if req.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "not protobuf", http.StatusUnsupportedMediaType)
			return
		}
		switch req.URL.Path {
		case "/v1/traces":
			var m coltracepb.ExportTraceServiceRequest
			if err := proto.Unmarshal(body, &m); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.traces(&m)
			out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.Write(out)
		case "/v1/metrics":
			var m colmetricpb.ExportMetricsServiceRequest
			if err := proto.Unmarshal(body, &m); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.metricNames(&m)
			out, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceResponse{})
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.Write(out)
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestOTLPHTTP(t *testing.T) {
	var r receiver
	endpoint := httpReceiver(t, &r)
	p, err := otelsetup.Setup(context.Background(),
		otelsetup.WithPrometheus(false),
		otelsetup.WithOTLPTraces(endpoint),
		otelsetup.WithOTLPMetrics(endpoint),
		otelsetup.WithOTLPProtocol(otelsetup.ProtocolHTTP),
		otelsetup.WithOTLPInsecure(true),
	)
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 1)
	shutdown(t, p)
	r.check(t)
}

type traceServer struct {
	coltracepb.UnimplementedTraceServiceServer
	r *receiver
}

func (s traceServer) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	s.r.traces(req)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

type metricsServer struct {
	colmetricpb.UnimplementedMetricsServiceServer
	r *receiver
}

func (s metricsServer) Export(_ context.Context, req *colmetricpb.ExportMetricsServiceRequest) (*colmetricpb.ExportMetricsServiceResponse, error) {
	s.r.metricNames(req)
	return &colmetricpb.ExportMetricsServiceResponse{}, nil
}

// grpcReceiver starts an OTLP/gRPC receiver on 127.0.0.1 that records into
// r, stopped at the end of the test, and returns its host:port.
func grpcReceiver(t *testing.T, r *receiver) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, traceServer{r: r})
	colmetricpb.RegisterMetricsServiceServer(srv, metricsServer{r: r})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		<-served
	})
	return lis.Addr().String()
}

func TestOTLPGRPC(t *testing.T) {
	var r receiver
	endpoint := grpcReceiver(t, &r)
	p, err := otelsetup.Setup(context.Background(),
		otelsetup.WithPrometheus(false),
		otelsetup.WithOTLPTraces(endpoint),
		otelsetup.WithOTLPMetrics(endpoint),
		otelsetup.WithOTLPInsecure(true),
	)
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 1)
	shutdown(t, p)
	r.check(t)
}

// got returns how many spans and metrics r has received.
func (r *receiver) got() (spans, metrics int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.spans), len(r.metrics)
}
