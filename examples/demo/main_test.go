package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/signalkit/sdk/internal/testutil"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signalz"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// waitFor polls cond until it holds, failing after 15 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRun runs the demo on a free port with a copy of its configuration,
// checks its endpoints and a reload of the configuration, and stops it.
func TestRun(t *testing.T) {
	data, err := os.ReadFile("config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}

	addrs := make(chan string, 1)
	o := options{
		configPath: cfg, configExplicit: true,
		rate: 100, listen: "127.0.0.1:0",
		stdoutSpans: true, exportInterval: time.Second, reloadInterval: 20 * time.Millisecond,
		serviceName: "demo-test", reenableAfter: 200 * time.Millisecond,
		debugToken: "s3cret",
		onListen:   func(addr string) { addrs <- addr },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr testutil.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, &stdout, &stderr) }()
	var base string
	select {
	case addr := <-addrs:
		base = "http://" + addr
	case err := <-done:
		t.Fatalf("run returned early: %v\n%s", err, stderr.String())
	}

	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	checkDebugEndpoint(t, base+"/debug/signals", "s3cret")
	// The circuit breaker trips on the third payment and is re-enabled
	// 200 ms later: not ready, then ready.
	waitFor(t, "the circuit breaker", func() bool {
		code, body := get(t, base+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "payment.requested: signals: listeners disabled by circuit breaker")
	})
	waitFor(t, "/readyz 200", func() bool {
		code, body := get(t, base+"/readyz")
		return code == http.StatusOK && body == "ready\n"
	})

	// Everything deploy/queries.txt needs, once it has happened.
	want := []string{
		`signals_emissions_total{`, `signals_name="order.placed"`, `signals_name="analytics.event"`,
		`signals_listener_invocations_total{`,
		`signals_listener_errors_total{error_type="panic"`,
		`signals_listener_errors_total{error_type="card_declined"`,
		`signals_listener_changes_total{otel_scope_name="github.com/signalkit/sdk/otelsignals",otel_scope_schema_url="https://opentelemetry.io/schemas/1.43.0",otel_scope_version="` + otelsignals.Version + `",signals_kind="async",signals_listener_change="disable",signals_name="payment.requested"} 1`,
		`signals_listener_changes_total{otel_scope_name="github.com/signalkit/sdk/otelsignals",otel_scope_schema_url="https://opentelemetry.io/schemas/1.43.0",otel_scope_version="` + otelsignals.Version + `",signals_kind="async",signals_listener_change="enable",signals_name="payment.requested"} 1`,
		`signals_listener_duration_seconds_bucket{`,
		`signals_emission_duration_seconds_bucket{`,
		`signals_queue_wait_duration_seconds_bucket{`,
		`signals_queue_depth{`, `signals_queue_capacity{`, `signals_pool_size{`,
		`signals_pool_workers{`, `signals_pool_worker_state="busy"`,
		`signals_queue_dropped_total{`,
		`signals_listeners{`,
		`# HELP signals_listener_duration_seconds Duration of a sampled listener call.`,
		`target_info{`, `service_name="demo-test"`,
		// The registry's own collectors, beside signalkit's metrics.
		"\ngo_goroutines ", "\ngo_memstats_heap_alloc_bytes ", "\nprocess_cpu_seconds_total ", "\nprocess_open_fds ",
	}
	var metrics string
	waitFor(t, "every metric", func() bool {
		_, metrics = get(t, base+"/metrics")
		for _, w := range want {
			if !strings.Contains(metrics, w) {
				return false
			}
		}
		// Drops happen in bursts.
		return !strings.Contains(metrics, `signals_drop_reason="queue_full",signals_name="analytics.event"} 0`)
	})

	// Hot reload: metrics off removes the observable series.
	off := strings.Replace(string(data), "metrics:\n  enabled: true", "metrics:\n  enabled: false", 1)
	if off == string(data) {
		t.Fatal("config.yaml does not start its metrics section with enabled: true")
	}
	if err := os.WriteFile(cfg+".tmp", []byte(off), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(cfg+".tmp", cfg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "metrics off", func() bool {
		_, m := get(t, base+"/metrics")
		return !strings.Contains(m, "signals_emissions_total{")
	})

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	logs := stderr.String()
	for _, w := range []string{
		`msg="signalkit config applied" source=startup`,
		`msg="signalkit config applied" source=file file=` + cfg + ` changes.metrics.enabled.old=true changes.metrics.enabled.new=false`,
		`msg="circuit breaker open"`, `msg="re-enabling listeners"`,
		`msg="listener panicked" listener=ledger`,
		`msg=summary orders=`,
	} {
		if !strings.Contains(logs, w) {
			t.Errorf("log lacks %q:\n%s", w, logs)
		}
	}
	if !strings.Contains(stdout.String(), `"Name":"try_emit order.placed"`) {
		t.Errorf("no order.placed span on stdout:\n%.2000s", stdout.String())
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("metrics: {enabled: sometimes}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := options{rate: 1, listen: "127.0.0.1:0", exportInterval: time.Second, reloadInterval: time.Second, serviceName: "x"}
	tests := []struct {
		name   string
		change func(*options)
		want   string
	}{
		{"invalid config file", func(o *options) { o.configPath, o.configExplicit = bad, true }, bad + ":1:20: metrics.enabled"},
		{"missing explicit config file", func(o *options) { o.configPath, o.configExplicit = filepath.Join(dir, "none.yaml"), true }, "none.yaml"},
		{"address in use or invalid", func(o *options) { o.listen = "127.0.0.1:-1" }, "listen tcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base
			tt.change(&o)
			var out testutil.Buffer
			err := run(context.Background(), o, io.Discard, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestRunWithoutConfigFile runs with the default configuration path
// missing: the environment and the defaults apply.
func TestRunWithoutConfigFile(t *testing.T) {
	t.Setenv("SIGNALKIT_TRACES_SAMPLER", "always_on")
	o := options{
		configPath: filepath.Join(t.TempDir(), "missing.yaml"), rate: 50, listen: "127.0.0.1:0", duration: 300 * time.Millisecond,
		stdoutSpans: true, exportInterval: time.Second, reloadInterval: time.Second, serviceName: "x", reenableAfter: time.Second,
	}
	var stdout, stderr testutil.Buffer
	if err := run(context.Background(), o, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "no configuration file") || !strings.Contains(stderr.String(), "changes.traces.sampler.new=always_on") {
		t.Errorf("log:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), `"Name":"emit order.notify"`) {
		t.Error("always_on from the environment traced nothing")
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args  []string
		check func(options) bool
		err   string
	}{
		{nil, func(o options) bool {
			return o.configPath == defaultConfig && !o.configExplicit && o.duration == 10*time.Second && o.rate == 20 &&
				o.listen == "127.0.0.1:9464" && o.otlpEndpoint == "" && o.stdoutSpans && o.exportInterval == 5*time.Second &&
				o.reloadInterval == time.Second && o.serviceName == "signalkit-demo" && o.reenableAfter == reenableAfter
		}, ""},
		{[]string{"-otlp-endpoint", "127.0.0.1:4317"}, func(o options) bool { return !o.stdoutSpans && o.otlpEndpoint == "127.0.0.1:4317" }, ""},
		{[]string{"-otlp-endpoint", "127.0.0.1:4317", "-stdout"}, func(o options) bool { return o.stdoutSpans }, ""},
		{[]string{"-stdout=false"}, func(o options) bool { return !o.stdoutSpans }, ""},
		{[]string{"-config", "", "-duration", "0", "-rate", "0.5"}, func(o options) bool {
			return o.configPath == "" && o.configExplicit && o.duration == 0 && o.rate == 0.5
		}, ""},
		{[]string{"-rate", "0"}, nil, "-rate 0: must be above 0"},
		{[]string{"-duration", "-1s"}, nil, "-duration -1s"},
		{[]string{"-export-interval", "0s"}, nil, "must be above 0"},
		{[]string{"extra"}, nil, "unexpected arguments"},
		{[]string{"-nope"}, nil, "flag provided but not defined"},
		{[]string{"-debug-action-token", "a"}, nil, "-debug-action-token needs -debug-token"},
		{[]string{"-debug-action-token", "a", "-debug-token", "a"}, nil, "must differ from -debug-token"},
		{[]string{"-debug-action-token", "a", "-debug-token", "r"}, func(o options) bool { return o.actionToken == "a" && o.debugToken == "r" }, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("parseFlags = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !tt.check(o) {
				t.Errorf("parseFlags = %+v, %v", o, err)
			}
		})
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// checkDebugEndpoint checks that /debug/signals refuses requests without the
// token, and shows every signal of the demo to one that has it, the scheme
// in any case.
func checkDebugEndpoint(t *testing.T, url, token string) {
	t.Helper()
	for _, auth := range []string{"", "Bearer wrong", token, "Bearer " + token + "x", "Basic " + token} {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || strings.Contains(string(body), "order.placed") {
			t.Errorf("/debug/signals with Authorization %q: %s, want 401 and no data", auth, resp.Status)
		}
	}
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		rep := debugReport(t, url+"?format=json", scheme+" "+token)
		seen := map[string]bool{}
		for _, s := range rep.Signals {
			if s.Listeners == 0 || s.Settings == nil {
				t.Errorf("/debug/signals: %s = %+v", s.Name, s)
			}
			seen[s.Name] = true
		}
		for _, name := range []string{"order.placed", "inventory.reserved", "payment.requested", "order.notify", "analytics.event"} {
			if !seen[name] {
				t.Errorf("/debug/signals lacks %s", name)
			}
		}
	}
}

// debugReport GETs url, a JSON page of /debug/signals, with the
// Authorization header auth.
func debugReport(t *testing.T, url, auth string) *signalz.Report {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep signalz.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s, %v", url, resp.Status, err)
	}
	return &rep
}

// TestStalledClient: a client that announces a 200 KB body and never sends
// it neither keeps a goroutine once the demo has stopped (TestMain checks)
// nor makes its shutdown fail.
func TestStalledClient(t *testing.T) {
	addrs := make(chan string, 1)
	o := options{
		rate: 10, listen: "127.0.0.1:0", exportInterval: time.Second, reloadInterval: time.Second,
		serviceName: "x", reenableAfter: time.Second, debugToken: "s3cret",
		onListen: func(addr string) { addrs <- addr },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr testutil.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, io.Discard, &stderr) }()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("run returned early: %v\n%s", err, stderr.String())
	}
	for _, path := range []string{"/metrics", "/debug/signals"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer s3cret\r\nContent-Length: 200000\r\n\r\n", path, addr); err != nil {
			t.Fatal(err)
		}
	}
	// The server has read both headers once a later request is answered.
	if code, _ := get(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz: %d", code)
	}
	http.DefaultClient.CloseIdleConnections()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run with a stalled client: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return within 30 s of its cancellation")
	}
}

// TestDebugPage: with an action token, both tokens read the page, and only
// the action token acts; without one, the page has no actions.
func TestDebugPage(t *testing.T) {
	var logs testutil.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	status := func(h http.Handler, method, token string) int {
		r := httptest.NewRequest(method, "/debug/signals", strings.NewReader("action=none&id=i0"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	page, err := debugPage(options{debugToken: "reader", actionToken: "operator"}, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method, token string
		want          int
	}{
		{http.MethodGet, "", http.StatusUnauthorized},
		{http.MethodGet, "reader", http.StatusOK},
		{http.MethodGet, "operator", http.StatusOK},
		{http.MethodPost, "", http.StatusUnauthorized},
		{http.MethodPost, "reader", http.StatusForbidden},
		{http.MethodPost, "operator", http.StatusNotFound}, // authorized; no signal i0
	} {
		if got := status(page, tt.method, tt.token); got != tt.want {
			t.Errorf("%s with %q: %d, want %d", tt.method, tt.token, got, tt.want)
		}
	}
	if !strings.Contains(logs.String(), `msg="signalkit introspection action refused"`) {
		t.Errorf("no refusal in the log:\n%s", logs.String())
	}
	readOnly, err := debugPage(options{debugToken: "reader"}, log)
	if err != nil {
		t.Fatal(err)
	}
	if got := status(readOnly, http.MethodPost, "reader"); got != http.StatusMethodNotAllowed {
		t.Errorf("POST without an action token: %d", got)
	}
}
