package signalz_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signalz"
)

func TestNewRequiresAuthorizer(t *testing.T) {
	allow := func(*http.Request) bool { return true }
	tests := []struct {
		name string
		read signalz.Authorizer
		opts []signalz.Option
		ok   bool
	}{
		{"nil", nil, nil, false},
		{"nil, nil options", nil, []signalz.Option{nil}, false},
		{"nil actions", allow, []signalz.Option{signalz.WithActions(nil)}, false},
		{"authorizer", allow, nil, true},
		{"both", allow, []signalz.Option{signalz.WithActions(allow)}, true},
		{"loopback", nil, []signalz.Option{signalz.WithUnauthenticatedLoopback()}, true},
		{"loopback actions", nil, []signalz.Option{signalz.WithUnauthenticatedLoopback(), signalz.WithActions(nil)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := signalz.New(tt.read, tt.opts...)
			if tt.ok {
				if err != nil || h == nil {
					t.Fatalf("New = %v, %v", h, err)
				}
				return
			}
			if !errors.Is(err, signalz.ErrNoAuthorizer) || h != nil {
				t.Fatalf("New = %v, %v; want ErrNoAuthorizer", h, err)
			}
		})
	}
}

func TestBearerTokenEmpty(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "signalz: BearerToken") {
			t.Errorf("recovered %v", r)
		}
	}()
	signalz.BearerToken("")
}

// TestAuthorization: a request that the reading authorizer refuses gets
// 401 and none of the page's data, in HTML and in JSON.
func TestAuthorization(t *testing.T) {
	f := newFixture(t)
	id := f.ids["order.placed"]
	for _, target := range []string{"", "?format=json", "?id=" + id, "?id=" + id + "&format=json"} {
		for _, tok := range []string{"", "wrong", strings.ToUpper(readToken), readToken + "x"} {
			resp := do(t, f.h, request{target: target, token: tok, header: map[string]string{"Accept": "application/json"}})
			body := bodyOf(t, resp)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%q with token %q: %d, want 401", target, tok, resp.StatusCode)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != `Bearer realm="signalz"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			for _, secret := range []string{"order.placed", "legacy-export", "endpoint gone", "payment"} {
				if strings.Contains(body, secret) {
					t.Errorf("%q with token %q: the refusal shows %q: %s", target, tok, secret, body)
				}
			}
		}
		for _, tok := range []string{readToken, actToken} {
			if code, body := get(t, f.h, target, tok); code != http.StatusOK || !strings.Contains(body, "order.placed") {
				t.Errorf("%q with token %q: %d\n%s", target, tok, code, body)
			}
		}
	}
	// The scheme is case-insensitive, as httpguard checks it.
	resp := do(t, f.h, request{header: map[string]string{"Authorization": "bearer " + readToken}})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("lower-case scheme: %d", resp.StatusCode)
	}
}

// TestLoopback: without an authorizer, only loopback clients are served,
// by their connection's address; a header does not make a client local.
func TestLoopback(t *testing.T) {
	h, err := signalz.New(nil, signalz.WithUnauthenticatedLoopback(), signalz.WithInstrumented(false))
	if err != nil {
		t.Fatal(err)
	}
	for remote, want := range map[string]int{
		"127.0.0.1:5000":  http.StatusOK,
		"127.8.9.10:1":    http.StatusOK,
		"[::1]:5000":      http.StatusOK,
		"192.0.2.1:1234":  http.StatusForbidden,
		"[2001:db8::1]:1": http.StatusForbidden,
		"localhost:80":    http.StatusForbidden, // not an address
		"127.0.0.1":       http.StatusForbidden, // no port: malformed
	} {
		resp := do(t, h, request{remote: remote, header: map[string]string{"X-Forwarded-For": "127.0.0.1"}})
		if resp.StatusCode != want {
			t.Errorf("from %s: %d, want %d", remote, resp.StatusCode, want)
		}
		if want == http.StatusForbidden && resp.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("from %s: a challenge, with no authorizer to answer it", remote)
		}
	}
}

func TestMethods(t *testing.T) {
	f := newFixture(t)
	resp := do(t, f.h, request{method: http.MethodPut, token: actToken})
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("PUT: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	readOnly, err := signalz.New(signalz.BearerToken(readToken))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{http.MethodPost, http.MethodDelete} {
		resp := do(t, readOnly, request{method: m, token: readToken})
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s without actions: %d, Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	resp = do(t, f.h, request{method: http.MethodHead, token: readToken})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestHeaders: the page is not cached, framed or sniffed, and allows no
// script.
func TestHeaders(t *testing.T) {
	f := newFixture(t)
	resp := do(t, f.h, request{token: readToken})
	for k, want := range map[string]string{
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'none'; style-src 'sha256-") || strings.Contains(csp, "script") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	resp = do(t, f.h, request{token: readToken, target: "?format=json"})
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("JSON Content-Type = %q", ct)
	}
}

// TestFormats: HTML by default and for a browser's Accept; JSON for
// ?format=json or an Accept that names it; ?format wins over Accept.
func TestFormats(t *testing.T) {
	f := newFixture(t)
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, tt := range []struct {
		target, accept string
		json           bool
	}{
		{"", "", false},
		{"", browser, false},
		{"?format=json", "", true},
		{"?format=json", browser, true},
		{"", "application/json", true},
		{"", "application/json, text/plain", true},
		{"?format=html", "application/json", false},
	} {
		resp := do(t, f.h, request{target: tt.target, token: readToken, header: map[string]string{"Accept": tt.accept}})
		body := bodyOf(t, resp)
		isJSON := json.Valid([]byte(body))
		if isJSON != tt.json || !tt.json && !strings.HasPrefix(body, "<!DOCTYPE html>") {
			t.Errorf("%q, Accept %q: JSON %v, want %v", tt.target, tt.accept, isJSON, tt.json)
		}
	}
}

// TestContents: the index and a signal's page show what the core and the
// instrumentation say of each signal.
func TestContents(t *testing.T) {
	f := newFixture(t, signalz.WithInstrumented(true))
	rep := getReport(t, f.h, "", readToken)
	var orders, payments *signalz.SignalReport
	for i := range rep.Signals {
		switch rep.Signals[i].ID {
		case f.ids["order.placed"]:
			orders = &rep.Signals[i]
		case f.ids["payment.requested"]:
			payments = &rep.Signals[i]
		}
	}
	if orders == nil || payments == nil {
		t.Fatalf("signals missing from the index: %+v", rep.Signals)
	}
	if orders.Name != "order.placed" || orders.Kind != "sync" || orders.Listeners != 4 || orders.KeyedListeners != 3 ||
		orders.DisabledListeners != 1 || orders.Emissions != 2 || orders.Errors != 2 || !orders.StatsEnabled || orders.Healthy ||
		len(orders.Health) != 1 || !strings.Contains(orders.Health[0], "disabled by circuit breaker") || orders.ListenerPage != nil {
		t.Errorf("order.placed: %+v", orders)
	}
	s := orders.Settings
	if s == nil || !s.Metrics || !s.Tracing || s.Sampler != "ParentBased{root:AlwaysOff}" || s.DurationBudget != 100 ||
		s.DurationSampleRate != 0.01 || s.Name != "order.placed" || s.RecordedName != "order.placed" || s.Override != nil {
		t.Errorf("order.placed settings: %+v", s)
	}
	if payments.Kind != "async" || payments.PoolSize != 2 || payments.QueueCap != 8 || !payments.Healthy {
		t.Errorf("payment.requested: %+v", payments)
	}

	// A signal's page: its listeners, in registration order.
	rep = getReport(t, f.h, "?id="+f.ids["order.placed"], readToken)
	if rep.Total != 1 || len(rep.Signals) != 1 || rep.Actions {
		t.Fatalf("signal page: %+v", rep)
	}
	lp := rep.Signals[0].ListenerPage
	if lp == nil || lp.Total != 3 || len(lp.Listeners) != 3 {
		t.Fatalf("listener page: %+v", lp)
	}
	keys := []string{lp.Listeners[0].Key, lp.Listeners[1].Key, lp.Listeners[2].Key}
	if strings.Join(keys, ",") != "validate,stock,legacy-export" {
		t.Errorf("keys %v", keys)
	}
	legacy := lp.Listeners[2]
	if !legacy.Disabled || legacy.Errors != 2 || legacy.Calls != 2 || !legacy.ErrorAware || legacy.Once ||
		!strings.Contains(legacy.LastError, "endpoint gone") || legacy.AddedAt.IsZero() || legacy.LastCalled.IsZero() {
		t.Errorf("legacy-export: %+v", legacy)
	}
	if lp.Listeners[0].Disabled || lp.Listeners[0].LastError != "" {
		t.Errorf("validate: %+v", lp.Listeners[0])
	}
	if rep := getReport(t, f.h, "?id="+f.ids["order.placed"], actToken); !rep.Actions {
		t.Error("the act token's report says no actions")
	}

	// The HTML shows the same, with the buttons for who may act only.
	_, page := get(t, f.h, "?id="+f.ids["order.placed"], readToken)
	for _, want := range []string{
		`<tr data-key="legacy-export" data-state="disabled">`, `<tr data-key="validate" data-state="enabled">`,
		"1 listener without a key is counted but not listed", "ParentBased{root:AlwaysOff}", "first 100/s, then 1 %",
		"2 / 0", "2, 8 listener calls",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "re-enable</button>") || strings.Contains(page, `method="post"`) {
		t.Error("the page shows actions to a reader")
	}
	_, page = get(t, f.h, "?id="+f.ids["order.placed"], actToken)
	if strings.Count(page, `<button type="submit" name="enable">re-enable</button>`) != 1 || strings.Count(page, `method="post"`) != 3 {
		t.Errorf("the actor's page lacks its three forms:\n%s", page)
	}
	_, page = get(t, f.h, "?id="+f.ids["payment.requested"], readToken)
	for _, want := range []string{"2 workers at most", "of 8", "charge-card"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page of payment.requested lacks %q", want)
		}
	}
}

// getReport GETs target as JSON and decodes it.
func getReport(t *testing.T, h http.Handler, target, token string) *signalz.Report {
	t.Helper()
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	code, body := get(t, h, target+sep+"format=json", token)
	if code != http.StatusOK {
		t.Fatalf("%s: %d\n%s", target, code, body)
	}
	var rep signalz.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}

func TestNotFound(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"i0", "r1", "x", "i99999999"} {
		code, body := get(t, f.h, "?id="+id, readToken)
		if code != http.StatusNotFound || !strings.Contains(body, "No signal has the ID <code>"+id+"</code>") {
			t.Errorf("%s: %d\n%s", id, code, body)
		}
		code, body = get(t, f.h, "?format=json&id="+id, readToken)
		if code != http.StatusNotFound || !strings.Contains(body, `"signals": []`) {
			t.Errorf("%s as JSON: %d\n%s", id, code, body)
		}
	}
}

func TestRefresh(t *testing.T) {
	f := newFixture(t)
	for q, want := range map[string]string{
		"":                 "",
		"?refresh=5":       `<meta http-equiv="refresh" content="5">`,
		"?refresh=1000000": `<meta http-equiv="refresh" content="3600">`,
		"?refresh=0":       "",
		"?refresh=-3":      "",
		"?refresh=soon":    "",
	} {
		_, body := get(t, f.h, q, readToken)
		got := strings.Contains(body, `http-equiv="refresh"`)
		if want == "" && got || want != "" && !strings.Contains(body, want) {
			t.Errorf("%q: refresh tag %v, want %q", q, got, want)
		}
	}
	// The links keep the interval.
	_, body := get(t, f.h, "?refresh=5", readToken)
	if !strings.Contains(body, "<strong>5 s</strong>") || !strings.Contains(body, `href="?id=`+f.ids["order.placed"]+`&amp;refresh=5"`) {
		t.Errorf("the page at refresh 5 does not keep it in its links:\n%s", body)
	}
}

func TestRegister(t *testing.T) {
	h, err := signalz.New(signalz.BearerToken(readToken), signalz.WithInstrumented(false))
	if err != nil {
		t.Fatal(err)
	}
	plain := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "plain"})
	plain.AddListener(func(context.Context, string) {}, "only")
	traced := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "traced"})
	instrument(t, traced)
	other := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "not-registered"})
	instrument(t, other)

	if err := h.Register(nil); !errors.Is(err, signalz.ErrNilSignal) {
		t.Errorf("Register(nil) = %v", err)
	}
	if err := h.Register((*signals.SyncSignal[int])(nil)); !errors.Is(err, signalz.ErrNilSignal) {
		t.Errorf("Register(nil pointer) = %v", err)
	}
	for _, sig := range []signalz.Signal{plain, traced} {
		if err := h.Register(sig); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Register(plain); !errors.Is(err, signalz.ErrAlreadyRegistered) {
		t.Errorf("a second Register = %v", err)
	}

	// Without the instrumented signals: the registered ones only, the
	// instrumented one among them with its settings.
	rep := getReport(t, h, "", readToken)
	if rep.Total != 2 || rep.Signals[0].Name != "plain" || rep.Signals[1].Name != "traced" {
		t.Fatalf("%+v", rep.Signals)
	}
	if rep.Signals[0].ID != "r1" || rep.Signals[0].Settings != nil || rep.Signals[1].ID != "r2" || rep.Signals[1].Settings == nil {
		t.Errorf("%+v", rep.Signals)
	}
	if got := getReport(t, h, "?id=r1", readToken); got.Signals[0].ListenerPage.Listeners[0].Key != "only" {
		t.Errorf("r1: %+v", got.Signals[0].ListenerPage)
	}

	// With them: a signal registered and instrumented is listed once.
	all, err := signalz.New(signalz.BearerToken(readToken))
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []signalz.Signal{plain, traced} {
		if err := all.Register(sig); err != nil {
			t.Fatal(err)
		}
	}
	names := map[string]int{}
	for _, s := range getReport(t, all, "", readToken).Signals {
		names[s.Name]++
		if s.Name == "traced" && !strings.HasPrefix(s.ID, "i") {
			t.Errorf("traced is listed as %s, not as instrumented", s.ID)
		}
	}
	if names["plain"] != 1 || names["traced"] != 1 || names["not-registered"] != 1 {
		t.Errorf("listed %v", names)
	}

	if !h.Unregister(plain) || h.Unregister(plain) {
		t.Error("Unregister does not report what it removed")
	}
	if rep := getReport(t, h, "", readToken); rep.Total != 1 || rep.Signals[0].Name != "traced" {
		t.Errorf("after Unregister: %+v", rep.Signals)
	}
}

// limited is a signal that offers only what otelsignals.Signal requires.
type limited struct{ s *signals.SyncSignal[int] }

func (l limited) Name() string       { return l.s.Name() }
func (l limited) Kind() signals.Kind { return l.s.Kind() }
func (l limited) SetCollector(c signals.MetricsCollector) signals.MetricsCollector {
	return l.s.SetCollector(c)
}
func (l limited) Collector() signals.MetricsCollector { return l.s.Collector() }
func (l limited) EnableCollector(on bool)             { l.s.EnableCollector(on) }
func (l limited) Stats() signals.Stats                { return l.s.Stats() }
func (l limited) Len() int                            { return l.s.Len() }

// TestLimited: a signal instrumented through a type without Health, Keys,
// Metadata and EnableListener is listed with what it has.
func TestLimited(t *testing.T) {
	sig := limited{signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "wrapped"})}
	sig.s.AddListener(func(context.Context, int) {}, "k")
	instrument(t, sig)
	f := newFixture(t)
	var id string
	for _, s := range getReport(t, f.h, "", readToken).Signals {
		if s.Name == "wrapped" {
			id = s.ID
			if !s.Limited || s.Listeners != 1 || s.Settings == nil {
				t.Errorf("wrapped: %+v", s)
			}
		}
	}
	rep := getReport(t, f.h, "?id="+id, readToken)
	if s := rep.Signals[0]; !s.Limited || s.ListenerPage != nil {
		t.Errorf("wrapped's page: %+v", s)
	}
	_, page := get(t, f.h, "?id="+id, readToken)
	if !strings.Contains(page, `<span class="muted">unknown</span>`) || strings.Contains(page, "<h2>Listeners</h2>") {
		t.Errorf("wrapped's page:\n%s", page)
	}
	resp := act(t, f, id, "enable-listener", "key", "k")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("re-enable on a limited signal: %d", resp.StatusCode)
	}
}

// TestConcurrent serves pages and actions while listeners come and go and
// signals are instrumented and detached: under -race, nothing breaks.
func TestConcurrent(t *testing.T) {
	f := newFixture(t)
	stop := make(chan struct{})
	var churn, readers sync.WaitGroup
	churn.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			f.orders.AddListener(func(context.Context, int) {}, "churn")
			f.orders.Emit(context.Background(), i)
			f.orders.RemoveListener("churn")
			s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "short-lived"})
			if err := otelsignals.Instrument(s, noopProviders...); err != nil {
				t.Error(err)
				return
			}
			if err := otelsignals.Detach(s); err != nil {
				t.Error(err)
				return
			}
		}
	})
	id := f.ids["order.placed"]
	for range 3 {
		readers.Go(func() {
			for i := range 50 {
				for _, target := range []string{"", "?id=" + id, "?format=json&id=" + id + "&state=disabled"} {
					if code, _ := get(t, f.h, target, readToken); code != http.StatusOK {
						t.Errorf("%s: %d", target, code)
					}
				}
				on := "false"
				if i%2 == 0 {
					on = "true"
				}
				act(t, f, id, "set-tracing", "on", on)
				act(t, f, id, "enable-listener", "key", "legacy-export")
			}
		})
	}
	readers.Wait()
	close(stop)
	churn.Wait()
}
