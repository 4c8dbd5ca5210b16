package signalz_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signalz"
)

// otelsignalsOverride is an override that sets the duration sample rate
// only.
func otelsignalsOverride(rate *float64) otelsignals.Override {
	return otelsignals.Override{DurationSampleRate: rate}
}

// newPlain returns a signal that is not instrumented, with a listener
// "legacy-export".
func newPlain(t *testing.T) *signals.SyncSignal[int] {
	t.Helper()
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "plain"})
	s.AddListener(func(context.Context, int) {}, "legacy-export")
	return s
}

// newTextLogger returns a logger that writes text to w.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}

// act POSTs an action as a same-origin form with the act token: kv are
// the form's fields after action and id.
func act(t testing.TB, f *fixture, id, action string, kv ...string) *http.Response {
	t.Helper()
	return actWith(t, f.h, request{token: actToken, target: "?id=" + id + "&offset=0"}, id, action, kv...)
}

func actWith(t testing.TB, h http.Handler, req request, id, action string, kv ...string) *http.Response {
	t.Helper()
	form := url.Values{"action": {action}, "id": {id}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	req.method, req.form = http.MethodPost, form
	if req.header == nil {
		req.header = map[string]string{}
	}
	if _, ok := req.header["Sec-Fetch-Site"]; !ok {
		req.header["Sec-Fetch-Site"] = "same-origin"
	}
	return do(t, h, req)
}

// TestDisabledIsTheBreakersState: a listener re-enabled while another of
// the same signal is still disabled shows as enabled, although its last
// error is still the breaker's, and the disabled filter finds only the
// other one.
func TestDisabledIsTheBreakersState(t *testing.T) {
	f := newFixture(t)
	id := f.ids["order.placed"]
	f.orders.AddListenerWithErr(func(context.Context, int) error { return errGone }, "audit-export")
	f.orders.Emit(context.Background(), 3)
	f.orders.Emit(context.Background(), 4) // audit-export disabled too
	if st := f.orders.Stats(); st.DisabledListeners != 2 {
		t.Fatalf("%d listeners disabled, want 2", st.DisabledListeners)
	}
	if !f.orders.EnableListener("legacy-export") {
		t.Fatal("legacy-export was not disabled")
	}
	if md := f.orders.Metadata("legacy-export"); !errors.Is(md.LastError, signals.ErrListenerDisabled) {
		t.Fatalf("legacy-export's last error %v: the test needs the breaker's", md.LastError)
	}
	_, page := get(t, f.h, "?id="+id, readToken)
	for _, want := range []string{`<tr data-key="legacy-export" data-state="enabled">`, `<tr data-key="audit-export" data-state="disabled">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s:\n%s", want, page)
		}
	}
	_, page = get(t, f.h, "?id="+id+"&state=disabled", readToken)
	if !strings.Contains(page, `data-key="audit-export"`) || strings.Contains(page, `data-key="legacy-export"`) {
		t.Errorf("the disabled filter:\n%s", page)
	}
}

// TestEnableListener re-enables the listener the breaker disabled: the
// signal's state changes, the browser goes back to the page with a notice,
// and the audit log says who did what.
func TestEnableListener(t *testing.T) {
	f := newFixture(t)
	id := f.ids["order.placed"]
	resp := act(t, f, id, "enable-listener", "key", "legacy-export")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: %d\n%s", resp.StatusCode, bodyOf(t, resp))
	}
	loc := resp.Header.Get("Location")
	if loc != "?done=enabled&id="+id+"&offset=0" {
		t.Errorf("Location %q", loc)
	}
	if st := f.orders.Stats(); st.DisabledListeners != 0 {
		t.Errorf("%d listeners disabled after re-enabling", st.DisabledListeners)
	}
	log := f.audit.take()
	for _, want := range []string{
		`level=INFO msg="signalkit introspection action applied" source=introspection remote=192.0.2.1:1234 action=enable-listener signal_id=` + id +
			` signal=order.placed listener=legacy-export changes.listeners[legacy-export].state.old=disabled changes.listeners[legacy-export].state.new=enabled`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks\n%s\nin\n%s", want, log)
		}
	}

	// The page the browser comes back to: the notice, and the state.
	_, page := get(t, f.h, loc, actToken)
	if !strings.Contains(page, `<p class="notice" role="status">The listener was re-enabled.</p>`) ||
		!strings.Contains(page, `<tr data-key="legacy-export" data-state="enabled">`) {
		t.Errorf("the page after re-enabling:\n%s", page)
	}

	// Again: nothing to re-enable, which is logged too.
	resp = act(t, f, id, "enable-listener", "key", "legacy-export")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=not-disabled") {
		t.Errorf("second POST: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if log := f.audit.take(); !strings.Contains(log, `msg="signalkit introspection action unchanged"`) || !strings.Contains(log, "listener=legacy-export") {
		t.Errorf("audit log: %s", log)
	}

	// JSON, for a script.
	f.orders.Emit(t.Context(), 3)
	f.orders.Emit(t.Context(), 4) // disabled again
	resp = actWith(t, f.h, request{token: actToken, header: map[string]string{"Accept": "application/json"}}, id, "enable-listener", "key", "legacy-export")
	var res map[string]any
	if err := json.Unmarshal([]byte(bodyOf(t, resp)), &res); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("JSON answer: %d, %v", resp.StatusCode, err)
	}
	if res["changed"] != true || res["result"] != "enabled" || res["listener"] != "legacy-export" || res["signal_id"] != id || res["action"] != "enable-listener" {
		t.Errorf("JSON answer %v", res)
	}
}

// TestSwitchSettings switches metrics and tracing of one signal through an
// override in its Settings, keeping the override's other fields.
func TestSwitchSettings(t *testing.T) {
	f := newFixture(t)
	id := f.ids["order.placed"]
	rate := 0.5
	if err := f.settings.SetOverride("order.placed", otelsignalsOverride(&rate)); err != nil {
		t.Fatal(err)
	}

	resp := act(t, f, id, "set-metrics", "on", "false")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=metrics-off") {
		t.Fatalf("set-metrics: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	o := f.settings.Config().Overrides["order.placed"]
	if o.Metrics == nil || *o.Metrics || o.DurationSampleRate == nil || *o.DurationSampleRate != 0.5 {
		t.Errorf("override after set-metrics: %+v", o)
	}
	if log := f.audit.take(); !strings.Contains(log, `msg="signalkit introspection action applied" source=introspection remote=192.0.2.1:1234 action=set-metrics signal_id=`+id+
		` signal=order.placed on=false changes.signals[order.placed].metrics.enabled.old=unset changes.signals[order.placed].metrics.enabled.new=false`) {
		t.Errorf("audit log: %s", log)
	}
	rep := getReport(t, f.h, "?id="+id, readToken)
	if s := rep.Signals[0].Settings; s.Metrics || !s.Tracing || s.Override == nil || s.Override.Metrics == nil || *s.Override.Metrics ||
		s.Override.DurationSampleRate == nil {
		t.Errorf("settings after set-metrics: %+v %+v", s, s.Override)
	}
	// The other signal of the same Settings is not switched.
	if rep := getReport(t, f.h, "?id="+f.ids["payment.requested"], readToken); !rep.Signals[0].Settings.Metrics {
		t.Error("payment.requested lost its metrics")
	}

	// The same again changes nothing.
	act(t, f, id, "set-metrics", "on", "false")
	if log := f.audit.take(); !strings.Contains(log, `msg="signalkit introspection action unchanged"`) {
		t.Errorf("audit log: %s", log)
	}

	for _, tt := range []struct{ action, on, done, key, old, new string }{
		{"set-tracing", "false", "tracing-off", "traces.enabled", "unset", "false"},
		{"set-tracing", "true", "tracing-on", "traces.enabled", "false", "true"},
		{"set-metrics", "1", "metrics-on", "metrics.enabled", "false", "true"},
	} {
		resp := act(t, f, id, tt.action, "on", tt.on)
		if !strings.Contains(resp.Header.Get("Location"), "done="+tt.done) {
			t.Errorf("%s %s: Location %s", tt.action, tt.on, resp.Header.Get("Location"))
		}
		want := "changes.signals[order.placed]." + tt.key + ".old=" + tt.old + " changes.signals[order.placed]." + tt.key + ".new=" + tt.new
		if log := f.audit.take(); !strings.Contains(log, want) {
			t.Errorf("%s %s: audit log lacks %s: %s", tt.action, tt.on, want, log)
		}
	}

	// The page shows the override, with buttons that switch the other way.
	_, page := get(t, f.h, "?id="+id+"&done=tracing-on", actToken)
	for _, want := range []string{
		`<p class="notice" role="status">Tracing is switched on for this signal.</p>`,
		`<tr><td>metrics</td><td data-value="true">on</td><td>on</td>`,
		`<input type="hidden" name="on" value="false"><button type="submit">switch off</button>`,
		`rate 50 %`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestActionRefusals: an action that is not authorized, comes from another
// origin or is malformed changes nothing, and is logged.
func TestActionRefusals(t *testing.T) {
	f := newFixture(t)
	id := f.ids["order.placed"]
	notInstrumented := "r1"
	plain := newPlain(t)
	if err := f.h.Register(plain); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		req    request
		id     string
		kv     []string
		status int
		reason string
	}{
		{"no token", request{}, id, nil, http.StatusUnauthorized, "not authorized"},
		{"wrong token", request{token: "nope"}, id, nil, http.StatusUnauthorized, "not authorized"},
		{"reader", request{token: readToken}, id, nil, http.StatusForbidden, "not authorized to act"},
		{"cross-site", request{token: actToken, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, id, nil, http.StatusForbidden, "cross-origin request"},
		{"other origin", request{token: actToken, header: map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}}, id, nil, http.StatusForbidden, "cross-origin request"},
		{"unknown signal", request{token: actToken}, "i0", nil, http.StatusNotFound, "no such signal"},
		{"unknown listener", request{token: actToken}, id, []string{"key", "nobody"}, http.StatusNotFound, "no listener with this key"},
		{"unknown action", request{token: actToken}, id, []string{"action", "explode"}, http.StatusBadRequest, "unknown action"},
		{"bad on", request{token: actToken}, id, []string{"action", "set-metrics", "on", "maybe"}, http.StatusBadRequest, "on must be true or false"},
		{"not instrumented", request{token: actToken}, notInstrumented, []string{"action", "set-tracing", "on", "false"}, http.StatusConflict, "the signal is not instrumented"},
		{"body too large", request{token: actToken}, id, []string{"pad", strings.Repeat("x", 20<<10)}, http.StatusBadRequest, "malformed form"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kv := append([]string{"key", "legacy-export"}, tt.kv...)
			action := "enable-listener"
			resp := actWith(t, f.h, tt.req, tt.id, action, kv...)
			body := bodyOf(t, resp)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.reason) {
				t.Errorf("%d %q, want %d %q", resp.StatusCode, body, tt.status, tt.reason)
			}
			log := f.audit.take()
			if !strings.Contains(log, `level=WARN msg="signalkit introspection action refused" source=introspection`) ||
				!strings.Contains(log, `reason="`+tt.reason+`"`) {
				t.Errorf("audit log: %s", log)
			}
			if strings.Contains(body, "endpoint gone") {
				t.Error("the refusal shows the page's data")
			}
		})
	}
	if st := f.orders.Stats(); st.DisabledListeners != 1 {
		t.Errorf("a refused action re-enabled the listener")
	}
	if o, ok := f.settings.Config().Overrides["order.placed"]; ok {
		t.Errorf("a refused action set an override: %+v", o)
	}
}

// TestLoopbackActions: actions without an authorizer are served to
// loopback clients only.
func TestLoopbackActions(t *testing.T) {
	f := newFixture(t)
	audit := new(auditLog)
	h, err := signalz.New(nil, signalz.WithUnauthenticatedLoopback(), signalz.WithActions(nil), signalz.WithAuditLogger(newTextLogger(audit)))
	if err != nil {
		t.Fatal(err)
	}
	id := f.ids["order.placed"]
	if resp := actWith(t, h, request{}, id, "enable-listener", "key", "legacy-export"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("from 192.0.2.1: %d", resp.StatusCode)
	}
	if resp := actWith(t, h, request{remote: "127.0.0.1:4000"}, id, "enable-listener", "key", "legacy-export"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("from loopback: %d", resp.StatusCode)
	}
	if log := audit.String(); !strings.Contains(log, "remote=127.0.0.1:4000") || !strings.Contains(log, "action applied") {
		t.Errorf("audit log: %s", log)
	}
}

// TestOverrideShown: every field of an override is shown.
func TestOverrideShown(t *testing.T) {
	f := newFixture(t)
	id := f.ids["order.placed"]
	if err := f.settings.SetOverride("order.placed", otelsignals.Override{
		Sampler: sampling.Ratio(0.25), DurationBudget: new(5), ListenerSpans: new(true),
	}); err != nil {
		t.Fatal(err)
	}
	_, page := get(t, f.h, "?id="+id, readToken)
	for _, want := range []string{
		`<tr><td>sampler</td><td><code>Ratio{0.25}</code></td><td><code>Ratio{0.25}</code></td>`,
		`<tr><td>listener spans</td><td>on</td><td>on</td>`,
		`<tr><td>durations timed</td><td>first 5/s, then 1 %</td><td>budget 5/s</td>`,
		`<tr><td>metrics</td><td data-value="true">on</td><td>unset</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if err := f.settings.SetOverride("order.placed", otelsignals.Override{Metrics: new(false)}); err != nil {
		t.Fatal(err)
	}
	_, page = get(t, f.h, "?id="+id, readToken)
	if !strings.Contains(page, `<tr><td>durations timed</td><td>first 100/s, then 1 %</td><td>unset</td>`) {
		t.Errorf("the page:\n%s", page)
	}
}

// TestTrustedOrigin: WithCrossOriginProtection replaces the protection,
// for example to trust another origin.
func TestTrustedOrigin(t *testing.T) {
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin("https://admin.example"); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, signalz.WithCrossOriginProtection(cop), signalz.WithCrossOriginProtection(nil))
	id := f.ids["order.placed"]
	for origin, want := range map[string]int{
		"https://admin.example": http.StatusSeeOther,
		"https://evil.example":  http.StatusForbidden,
	} {
		resp := actWith(t, f.h, request{token: actToken, header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": origin}},
			id, "enable-listener", "key", "legacy-export")
		if resp.StatusCode != want {
			t.Errorf("from %s: %d, want %d", origin, resp.StatusCode, want)
		}
	}
}
