package signalz_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/signalkit/sdk/internal/testutil"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signalz"
)

// Tokens of the tests: one that may read, one that may also act.
const (
	readToken = "read-s3cret"
	actToken  = "act-s3cret"
)

// errGone is the error of the listener that the breaker disables.
var errGone = errors.New("endpoint gone")

// fixture is two signals, instrumented with their own Settings, and a
// handler of them.
type fixture struct {
	settings *otelsignals.Settings
	orders   *signals.SyncSignal[int]
	payments *signals.AsyncSignal[int]
	h        *signalz.Handler
	audit    *auditLog
	ids      map[string]string // signal name -> ID on the page
}

// newFixture instruments order.placed (sync, with listeners "validate",
// "stock", "legacy-export", which the circuit breaker disabled, and one
// without a key) and payment.requested (async, "charge-card"), and builds a
// handler with the read token, actions for the act token, the audit log in
// f.audit, and then opts.
func newFixture(t *testing.T, opts ...signalz.Option) *fixture {
	t.Helper()
	f := &fixture{settings: new(otelsignals.Settings), audit: new(auditLog), ids: map[string]string{}}
	quiet := func(context.Context, string, error) {}
	f.orders = signals.NewSyncWithOptions[int](&signals.SignalOptions{
		Name: "order.placed", Stats: true, ListenerMetrics: true, BreakerThreshold: 2, ErrorHandler: quiet,
	})
	f.payments = signals.NewWithOptions[int](&signals.SignalOptions{
		Name: "payment.requested", Stats: true, WorkerPoolSize: 2, QueueSize: 8, ErrorHandler: quiet,
	})
	t.Cleanup(func() { _ = f.payments.Close() })
	for _, sig := range []otelsignals.Signal{f.orders, f.payments} {
		instrument(t, sig, otelsignals.WithSettings(f.settings))
	}
	f.orders.AddListener(func(context.Context, int) {}, "validate")
	f.orders.AddListener(func(context.Context, int) {}, "stock")
	f.orders.AddListenerWithErr(func(context.Context, int) error { return errGone }, "legacy-export")
	f.orders.AddListener(func(context.Context, int) {}) // unkeyed
	f.orders.Emit(context.Background(), 1)
	f.orders.Emit(context.Background(), 2) // the second failure in a row disables legacy-export
	if st := f.orders.Stats(); st.DisabledListeners != 1 {
		t.Fatalf("%d listeners disabled, want 1", st.DisabledListeners)
	}
	f.payments.AddListener(func(context.Context, int) {}, "charge-card")
	if err := f.payments.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}

	all := append([]signalz.Option{
		signalz.WithActions(signalz.BearerToken(actToken)),
		signalz.WithAuditLogger(slog.New(slog.NewTextHandler(f.audit, nil))),
	}, opts...)
	h, err := signalz.New(anyToken(readToken, actToken), all...)
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	for _, in := range otelsignals.InstrumentedSignals() {
		if in.Signal == otelsignals.Signal(f.orders) || in.Signal == otelsignals.Signal(f.payments) {
			f.ids[in.Name] = "i" + strconv.FormatUint(in.ID, 10)
		}
	}
	return f
}

// anyToken accepts a request bearing any of tokens: who may act may read.
func anyToken(tokens ...string) signalz.Authorizer {
	auths := make([]signalz.Authorizer, len(tokens))
	for i, tok := range tokens {
		auths[i] = signalz.BearerToken(tok)
	}
	return func(r *http.Request) bool {
		ok := false
		for _, a := range auths {
			ok = a(r) || ok // ask every one: the time taken does not tell which
		}
		return ok
	}
}

// noopProviders keep instrumentation away from the global providers.
var noopProviders = []otelsignals.Option{
	otelsignals.WithMeterProvider(metricnoop.NewMeterProvider()),
	otelsignals.WithTracerProvider(tracenoop.NewTracerProvider()),
}

// instrument instruments sig with the no-op providers and opts, and
// detaches it when the test ends.
func instrument(t testing.TB, sig otelsignals.Signal, opts ...otelsignals.Option) {
	t.Helper()
	if err := otelsignals.Instrument(sig, append(noopProviders, opts...)...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = otelsignals.Detach(sig) })
}

// request is a request to the handler.
type request struct {
	method string
	target string // "?..." (after /debug/signals) or a path with a query
	token  string // bearer token; "" for none
	form   url.Values
	header map[string]string
	remote string // RemoteAddr; "" for httptest's default, 192.0.2.1:1234
}

// do serves req with h and returns the response.
func do(t testing.TB, h http.Handler, req request) *http.Response {
	t.Helper()
	method := req.method
	if method == "" {
		method = http.MethodGet
	}
	target := req.target
	if !strings.HasPrefix(target, "/") {
		target = "/debug/signals" + target
	}
	var body io.Reader
	if req.form != nil {
		body = strings.NewReader(req.form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if req.form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if req.token != "" {
		r.Header.Set("Authorization", "Bearer "+req.token)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	if req.remote != "" {
		r.RemoteAddr = req.remote
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

// get serves a GET of target with token, and returns the status and body.
func get(t testing.TB, h http.Handler, target, token string) (int, string) {
	t.Helper()
	resp := do(t, h, request{target: target, token: token})
	return resp.StatusCode, bodyOf(t, resp)
}

// bodyOf returns the body of resp.
func bodyOf(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// auditLog is the audit log of a test: a testutil.Buffer, and what was
// written since the last look.
type auditLog struct {
	testutil.Buffer
	seen int
}

// take returns what was written since the last take.
func (a *auditLog) take() string {
	s := a.String()
	out := s[a.seen:]
	a.seen = len(s)
	return out
}
