package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/signalkit/sdk/internal/testutil"
	"github.com/signalkit/sdk/otelsetup"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// span is what the test reads of a span that the stdout exporter printed.
type span struct {
	Name        string
	SpanKind    int // 2 server, 4 producer, 5 consumer
	SpanContext struct{ TraceID, SpanID string }
	Parent      struct{ TraceID, SpanID string }
}

const (
	serverKind   = 2
	producerKind = 4
	consumerKind = 5
)

// serve runs the service on a free port of 127.0.0.1, with its spans
// printed into a buffer, and returns its address and a function that stops
// it and returns its spans and log.
func serve(t *testing.T) (string, func() ([]span, string)) {
	t.Helper()
	for _, name := range []string{"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_PROPAGATORS", "OTEL_TRACES_SAMPLER"} {
		t.Setenv(name, "")
	}
	var spans, logs testutil.Buffer
	addrs := make(chan string, 1)
	o := options{
		listen: "127.0.0.1:0", serviceName: "orders-test",
		setup:    []otelsetup.Option{otelsetup.WithStdoutTraces(&spans)},
		onListen: func(addr string) { addrs <- addr },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, &logs) }()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-done:
		cancel()
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	stopped := false
	stop := func() ([]span, string) {
		if stopped {
			return nil, ""
		}
		stopped = true
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		var out []span
		sc := bufio.NewScanner(strings.NewReader(spans.String()))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var s span
			if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
				t.Fatalf("a span that is not JSON: %v\n%s", err, sc.Text())
			}
			out = append(out, s)
		}
		return out, logs.String()
	}
	t.Cleanup(func() { stop() })
	return addr, stop
}

// post places an order with a traceparent header, if any, and returns the
// status code.
func post(t *testing.T, addr, body, traceparent string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/orders", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if traceparent != "" {
		req.Header.Set("traceparent", traceparent)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestOneTrace: a request that carries a sampled traceparent yields the
// request's span, the emission's, the listener calls', and the enqueue's,
// delivery's and its listener calls', all in the request's trace; the
// listeners see their span.
func TestOneTrace(t *testing.T) {
	const (
		traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		parent  = "00f067aa0ba902b7"
	)
	addr, stop := serve(t)
	if code := post(t, addr, `{"id":"A-1","quantity":2}`, "00-"+traceID+"-"+parent+"-01"); code != http.StatusAccepted {
		t.Fatalf("POST /orders: %d", code)
	}
	spans, logs := stop()

	byName := map[string][]span{}
	for _, s := range spans {
		if s.SpanContext.TraceID == traceID {
			byName[s.Name] = append(byName[s.Name], s)
		}
	}
	one := func(name string, kind int, parentID string) span {
		t.Helper()
		got := byName[name]
		if len(got) != 1 {
			t.Fatalf("%d spans %q in the trace, want 1; trace: %v", len(got), name, byName)
		}
		if got[0].SpanKind != kind || got[0].Parent.SpanID != parentID {
			t.Errorf("%s: kind %d, parent %s; want %d, %s", name, got[0].SpanKind, got[0].Parent.SpanID, kind, parentID)
		}
		return got[0]
	}
	server := one("POST /orders", serverKind, parent)
	emit := one("try_emit order.placed", producerKind, server.SpanContext.SpanID)
	enqueue := one("enqueue order.shipped", producerKind, server.SpanContext.SpanID)

	listenerSpans := map[string]bool{} // span IDs of listener calls
	var placed []span
	for _, s := range byName["process order.placed"] {
		if s.Parent.SpanID == emit.SpanContext.SpanID && s.SpanKind == consumerKind {
			placed = append(placed, s)
			listenerSpans[s.SpanContext.SpanID] = true
		}
	}
	if len(placed) != 2 {
		t.Errorf("%d listener spans under %s, want 2 (validate, reserve): %v", len(placed), emit.Name, byName["process order.placed"])
	}
	var delivery span
	var shipped []span
	for _, s := range byName["process order.shipped"] {
		if s.Parent.SpanID == enqueue.SpanContext.SpanID {
			delivery = s
		}
	}
	if delivery.SpanKind != consumerKind {
		t.Fatalf("no delivery span under %s: %v", enqueue.Name, byName["process order.shipped"])
	}
	for _, s := range byName["process order.shipped"] {
		if s.Parent.SpanID == delivery.SpanContext.SpanID && s.SpanKind == consumerKind {
			shipped = append(shipped, s)
			listenerSpans[s.SpanContext.SpanID] = true
		}
	}
	if len(shipped) != 2 {
		t.Errorf("%d listener spans under the delivery, want 2 (email, invoice)", len(shipped))
	}

	// The listeners log with their context: the trace and their own span.
	for _, msg := range []string{"stock reserved", "confirmation sent", "invoice issued"} {
		m := regexp.MustCompile(`msg="` + msg + `" .*trace_id=(\w+) span_id=(\w+) sampled=(\w+)`).FindStringSubmatch(logs)
		if m == nil {
			t.Errorf("no log line %q with a trace:\n%s", msg, logs)
			continue
		}
		if m[1] != traceID || !listenerSpans[m[2]] || m[3] != "true" {
			t.Errorf("%q logged in trace %s span %s (sampled %s), want the trace %s and a listener's span", msg, m[1], m[2], m[3], traceID)
		}
	}
}

// TestNotSampled: a parent that is not sampled yields no span, neither the
// request's nor the signals'; the listeners still see the trace.
func TestNotSampled(t *testing.T) {
	const traceID = "0af7651916cd43dd8448eb211c80319c"
	addr, stop := serve(t)
	if code := post(t, addr, `{"id":"B-1","quantity":1}`, "00-"+traceID+"-b7ad6b7169203331-00"); code != http.StatusAccepted {
		t.Fatalf("POST /orders: %d", code)
	}
	// A request without a traceparent starts a trace of its own, which
	// shows that spans are exported at all.
	if code := post(t, addr, `{"id":"B-2","quantity":1}`, ""); code != http.StatusAccepted {
		t.Fatalf("POST /orders: %d", code)
	}
	spans, logs := stop()
	var signalSpans int
	for _, s := range spans {
		if s.SpanContext.TraceID == traceID || s.Parent.TraceID == traceID {
			t.Errorf("span %q in the not-sampled trace", s.Name)
		}
		if strings.HasSuffix(s.Name, "order.placed") || strings.HasSuffix(s.Name, "order.shipped") {
			signalSpans++
		}
	}
	if signalSpans != 7 { // try_emit + 2 listeners, enqueue + delivery + 2 listeners, of B-2
		t.Errorf("%d spans of the signals, want 7 of the request without a traceparent", signalSpans)
	}
	// The listener's context holds the request's span, which otelhttp
	// started and the SDK's sampler did not record.
	if !regexp.MustCompile(`msg="stock reserved" order=B-1 .*trace_id=` + traceID + ` span_id=\w+ sampled=false`).MatchString(logs) {
		t.Errorf("the listener of the not-sampled request did not see its parent:\n%s", logs)
	}
}

// TestRejected: a failing listener fails the request, and the emission's
// span says so.
func TestRejected(t *testing.T) {
	addr, stop := serve(t)
	if code := post(t, addr, `{"id":"C-1","quantity":0}`, "00-11111111111111111111111111111111-2222222222222222-01"); code != http.StatusUnprocessableEntity {
		t.Errorf("POST /orders with quantity 0: %d, want 422", code)
	}
	if code := post(t, addr, `not json`, ""); code != http.StatusBadRequest {
		t.Errorf("POST /orders with a bad body: %d, want 400", code)
	}
	spans, _ := stop()
	for _, s := range spans {
		if s.Name == "enqueue order.shipped" && s.SpanContext.TraceID == "11111111111111111111111111111111" {
			t.Error("a rejected order was shipped")
		}
	}
}
