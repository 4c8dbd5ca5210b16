package natsdemo

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/goleak"

	"github.com/signalkit/sdk/internal/testutil"
	"github.com/signalkit/sdk/otelsetup"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// span is what the test reads of a span the stdout exporter printed.
type span struct {
	Name        string
	SpanContext struct{ TraceID, SpanID string }
	Parent      struct{ TraceID, SpanID string }
}

func parseSpans(t *testing.T, out string) []span {
	t.Helper()
	var spans []span
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var s span
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("a span that is not JSON: %v", err)
		}
		spans = append(spans, s)
	}
	return spans
}

// startNATS starts a nats-server with JetStream on 127.0.0.1, a free port
// and a temporary directory.
func startNATS(t *testing.T) string {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv.ClientURL()
}

// TestOneTraceAcrossServices runs the worker and the order service in one
// process: an order posted with a sampled traceparent yields, in that
// trace, the request's span, the emission and its listener, the publish,
// and in the worker the process span, the emission and the listener, each
// the child of the one before.
func TestOneTraceAcrossServices(t *testing.T) {
	for _, name := range []string{"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_PROPAGATORS", "OTEL_TRACES_SAMPLER"} {
		t.Setenv(name, "")
	}
	url := startNATS(t)
	var workerSpans, orderSpans, logs testutil.Buffer
	shipped := make(chan Order, 1)

	// Each service instruments with the global providers that its Setup
	// installs, so the worker starts first and the order service after it.
	wctx, stopWorker := context.WithCancel(context.Background())
	defer stopWorker()
	wready, wdone := make(chan string, 1), make(chan error, 1)
	go func() {
		wdone <- RunWorker(wctx, WorkerOptions{
			ServiceOptions: ServiceOptions{Listen: "127.0.0.1:0", NATS: url, ServiceName: "worker-test",
				Setup:    []otelsetup.Option{otelsetup.WithStdoutTraces(&workerSpans)},
				OnListen: func(a string) { wready <- a }},
			Durable: "worker", OnShipped: func(o Order) { shipped <- o }}, &logs)
	}()
	select {
	case <-wready:
	case err := <-wdone:
		t.Fatalf("worker: %v\n%s", err, logs.String())
	}
	octx, stopOrder := context.WithCancel(context.Background())
	defer stopOrder()
	oready, odone := make(chan string, 1), make(chan error, 1)
	go func() {
		odone <- RunOrderService(octx, OrderOptions{ServiceOptions{Listen: "127.0.0.1:0", NATS: url, ServiceName: "orders-test",
			Setup:    []otelsetup.Option{otelsetup.WithStdoutTraces(&orderSpans)},
			OnListen: func(a string) { oready <- a }}}, &logs)
	}()
	var addr string
	select {
	case addr = <-oready:
	case err := <-odone:
		t.Fatalf("order service: %v\n%s", err, logs.String())
	}

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	post := func(body, trace string) int {
		req, err := http.NewRequest("POST", "http://"+addr+"/orders", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("traceparent", "00-"+trace+"-00f067aa0ba902b7-01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`{"id":"A-1","quantity":2}`, traceID); code != http.StatusAccepted {
		t.Fatalf("POST /orders: %d", code)
	}
	if code := post(`{"id":"A-2","quantity":0}`, "0af7651916cd43dd8448eb211c80319c"); code != http.StatusUnprocessableEntity {
		t.Errorf("POST /orders with quantity 0: %d, want 422", code)
	}
	select {
	case o := <-shipped:
		if o.ID != "A-1" {
			t.Errorf("shipped %+v", o)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the order was not shipped\n%s", logs.String())
	}
	http.DefaultClient.CloseIdleConnections()
	stopOrder()
	if err := <-odone; err != nil {
		t.Errorf("order service: %v", err)
	}
	stopWorker()
	if err := <-wdone; err != nil {
		t.Errorf("worker: %v", err)
	}

	byName := map[string][]span{}
	bySpanID := map[string]span{}
	for _, s := range append(parseSpans(t, orderSpans.String()), parseSpans(t, workerSpans.String())...) {
		if s.SpanContext.TraceID == traceID {
			byName[s.Name] = append(byName[s.Name], s)
			bySpanID[s.SpanContext.SpanID] = s
		}
	}
	for name, want := range map[string]int{
		"POST /orders": 1, "try_emit order.placed": 1, "process order.placed": 2, "publish orders.placed": 1,
		"process orders.placed": 1, "try_emit order.received": 1, "process order.received": 1,
	} {
		if got := len(byName[name]); got != want {
			t.Errorf("trace %s has %d spans %q, want %d; it has %v", traceID, got, name, want, keys(byName))
		}
	}
	// The ancestors of the remote listener's span, up to the request.
	var chain []string
	for s, ok := first(byName["process order.received"]); ok; s, ok = bySpanID[s.Parent.SpanID] {
		chain = append(chain, s.Name)
	}
	want := "process order.received < try_emit order.received < process orders.placed < publish orders.placed < " +
		"process order.placed < try_emit order.placed < POST /orders"
	if got := strings.Join(chain, " < "); got != want {
		t.Errorf("the remote listener's ancestors:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(logs.String(), "msg=\"order shipped\" order=A-1 quantity=2 trace_id="+traceID) {
		t.Errorf("the worker's listener did not log in the trace:\n%s", logs.String())
	}
}

func first(spans []span) (span, bool) {
	if len(spans) == 0 {
		return span{}, false
	}
	return spans[0], true
}

func keys(m map[string][]span) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
