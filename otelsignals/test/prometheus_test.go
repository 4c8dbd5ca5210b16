package test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// newPrometheus returns a registry and a MeterProvider whose reader is the
// OpenTelemetry Prometheus exporter registered with it, as a process set up
// with otelsetup has.
func newPrometheus(t *testing.T) (*prometheus.Registry, *sdkmetric.MeterProvider) {
	t.Helper()
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return reg, mp
}

// scrape serves reg's metrics as /metrics does with promhttp's default
// options (an error while gathering is an HTTP 500), and returns the status
// and the body.
func scrape(t *testing.T, reg *prometheus.Registry) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Code, string(body)
}

// TestPrometheusListenerState checks the series that the alert
// SignalsListenerCircuitOpen (deploy/prometheus/alerts.yml) selects, as the
// real exporter serves them: signals_listeners with the label
// signals_listener_state, disabled 1 while the breaker holds a listener
// disabled and 0 once it is removed.
func TestPrometheusListenerState(t *testing.T) {
	reg, mp := newPrometheus(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "payment.requested", BreakerThreshold: 1, ErrorHandler: ignore})
	if err := otelsignals.Instrument(sig, otelsignals.WithMeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) {}, "ledger")
	sig.AddListenerWithErr(func(context.Context, int) error { return &boomError{} }, "fraud-check")
	sig.Emit(context.Background(), 1)

	series := func(body, state string) string {
		for line := range strings.Lines(body) {
			if strings.HasPrefix(line, "signals_listeners{") && strings.Contains(line, `signals_listener_state="`+state+`"`) &&
				strings.Contains(line, `signals_name="payment.requested"`) {
				return strings.Fields(line)[len(strings.Fields(line))-1]
			}
		}
		return "absent"
	}
	for _, step := range []struct {
		name              string
		do                func()
		enabled, disabled string
	}{
		{"the breaker disabled fraud-check", func() {}, "1", "1"},
		{"fraud-check removed", func() { sig.RemoveListener("fraud-check") }, "1", "0"},
	} {
		step.do()
		code, body := scrape(t, reg)
		if code != http.StatusOK {
			t.Fatalf("%s: status %d", step.name, code)
		}
		if got := series(body, "enabled"); got != step.enabled {
			t.Errorf("%s: signals_listeners{signals_listener_state=\"enabled\"} = %s, want %s", step.name, got, step.enabled)
		}
		if got := series(body, "disabled"); got != step.disabled {
			t.Errorf("%s: signals_listeners{signals_listener_state=\"disabled\"} = %s, want %s", step.name, got, step.disabled)
		}
	}
}
