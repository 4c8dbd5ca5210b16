package serving

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLoggerAddsTheTrace(t *testing.T) {
	var buf bytes.Buffer
	log := Logger(&buf).With("service", "test").WithGroup("g")
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 1},
		SpanID:     trace.SpanID{0x00, 0xf0, 2},
		TraceFlags: trace.FlagsSampled,
	})
	log.InfoContext(trace.ContextWithSpanContext(context.Background(), sc), "traced", "k", 1)
	log.InfoContext(context.Background(), "untraced")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log:\n%s", buf.String())
	}
	for _, want := range []string{"service=test", "g.k=1", "trace_id=" + sc.TraceID().String(), "span_id=" + sc.SpanID().String(), "sampled=true"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("traced line %q lacks %q", lines[0], want)
		}
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Errorf("untraced line %q has a trace", lines[1])
	}
}

func TestHTTPServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	go func() { done <- HTTP(ctx, "127.0.0.1:0", h, Logger(io.Discard), func(a string) { addr <- a }) }()
	a := <-addr
	resp, err := http.Get("http://" + a + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Errorf("body %q", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("HTTP = %v after the context ended", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("HTTP did not return after the context ended")
	}
	if err := HTTP(context.Background(), "127.0.0.1:-1", h, Logger(io.Discard), nil); err == nil {
		t.Error("HTTP on a bad address returned nil")
	}
}
