package signalz_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signalz"
)

func ExampleNew() {
	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders.created"})
	orders.AddListener(func(context.Context, string) {}, "reserve-stock")
	if err := otelsignals.Instrument(orders); err != nil { // listed on the page from now on
		fmt.Println(err)
		return
	}
	defer func() {
		if err := otelsignals.Detach(orders); err != nil {
			fmt.Println(err)
		}
	}()

	page, err := signalz.New(signalz.BearerToken("s3cret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/signals", page)

	// Without the token: 401, and nothing of the page.
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/debug/signals", nil))
	fmt.Println(w.Code, strings.Contains(w.Body.String(), "orders.created"))

	// With it, as JSON (a browser gets HTML).
	r := httptest.NewRequest(http.MethodGet, "/debug/signals?format=json", nil)
	r.Header.Set("Authorization", "Bearer s3cret")
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	var rep signalz.Report
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range rep.Signals {
		if s.Name == "orders.created" { // the page lists every instrumented signal of the process
			fmt.Println(w.Code, s.Name, s.Kind, s.Listeners, "listener, metrics", s.Settings.Metrics)
		}
	}
	// Output:
	// 401 false
	// 200 orders.created sync 1 listener, metrics true
}

func ExampleBearerToken() {
	authorized := signalz.BearerToken("s3cret")
	for _, header := range []string{"Bearer s3cret", "bearer s3cret", "Bearer wrong", ""} {
		r := httptest.NewRequest(http.MethodGet, "/debug/signals", nil)
		r.Header.Set("Authorization", header)
		fmt.Printf("%q: %v\n", header, authorized(r))
	}
	// Output:
	// "Bearer s3cret": true
	// "bearer s3cret": true
	// "Bearer wrong": false
	// "": false
}

func ExampleWithActions() {
	payments := signals.NewSyncWithOptions[int](&signals.SignalOptions{
		Name: "payment.requested", BreakerThreshold: 1,
		ErrorHandler: func(context.Context, string, error) {},
	})
	payments.AddListenerWithErr(func(context.Context, int) error { return errors.New("fraud service down") }, "fraud-check")
	payments.Emit(context.Background(), 1) // the breaker disables fraud-check

	// Operators read with one token and act with another; every action is
	// written to the audit log (here without its time, for the example).
	audit := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	page, err := signalz.New(signalz.BearerToken("reader"),
		signalz.WithActions(signalz.BearerToken("operator")),
		signalz.WithAuditLogger(audit),
		signalz.WithInstrumented(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := page.Register(payments); err != nil {
		fmt.Println(err)
		return
	}

	// The form that the page's "re-enable" button posts.
	form := url.Values{"action": {"enable-listener"}, "id": {"r1"}, "key": {"fraud-check"}}
	for _, token := range []string{"reader", "operator"} {
		r := httptest.NewRequest(http.MethodPost, "/debug/signals?id=r1", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin") // as a browser sends it
		r.Header.Set("Authorization", "Bearer "+token)
		r.RemoteAddr = "192.0.2.7:50000"
		w := httptest.NewRecorder()
		page.ServeHTTP(w, r)
		fmt.Printf("%s: %d Location=%q\n", token, w.Code, w.Header().Get("Location"))
	}
	fmt.Println("disabled:", payments.Stats().DisabledListeners)
	// Output:
	// level=WARN msg="signalkit introspection action refused" source=introspection remote=192.0.2.7:50000 reason="not authorized to act"
	// reader: 403 Location=""
	// level=INFO msg="signalkit introspection action applied" source=introspection remote=192.0.2.7:50000 action=enable-listener signal_id=r1 signal=payment.requested listener=fraud-check changes.listeners[fraud-check].state.old=disabled changes.listeners[fraud-check].state.new=enabled
	// operator: 303 Location="?done=enabled&id=r1"
	// disabled: 0
}

func ExampleWithUnauthenticatedLoopback() {
	// Without an authorizer, New refuses...
	_, err := signalz.New(nil)
	fmt.Println(errors.Is(err, signalz.ErrNoAuthorizer))

	// ...unless the page is for loopback clients only, such as an operator
	// behind kubectl port-forward.
	page, err := signalz.New(nil, signalz.WithUnauthenticatedLoopback())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, remote := range []string{"127.0.0.1:50000", "[::1]:50000", "192.0.2.7:50000"} {
		r := httptest.NewRequest(http.MethodGet, "/debug/signals", nil)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		page.ServeHTTP(w, r)
		fmt.Println(remote, w.Code)
	}
	// Output:
	// true
	// 127.0.0.1:50000 200
	// [::1]:50000 200
	// 192.0.2.7:50000 403
}

func ExampleHandler_Register() {
	// A signal that is not instrumented is shown once registered.
	jobs := signals.New[string]()
	defer func() {
		if err := jobs.Close(); err != nil {
			fmt.Println(err)
		}
	}()
	jobs.AddListener(func(context.Context, string) {}, "worker")

	page, err := signalz.New(signalz.BearerToken("s3cret"), signalz.WithInstrumented(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := page.Register(jobs); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(errors.Is(page.Register(jobs), signalz.ErrAlreadyRegistered))

	r := httptest.NewRequest(http.MethodGet, "/debug/signals?id=r1", nil)
	r.Header.Set("Authorization", "Bearer s3cret")
	r.Header.Set("Accept", "application/json")
	w := httptest.NewRecorder()
	page.ServeHTTP(w, r)
	var rep signalz.Report
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		fmt.Println(err)
		return
	}
	s := rep.Signals[0]
	fmt.Println(s.ID, s.Name, s.Kind, s.ListenerPage.Listeners[0].Key, "instrumented:", s.Settings != nil)

	fmt.Println(page.Unregister(jobs))
	// Output:
	// true
	// r1 unnamed async worker instrumented: false
	// true
}

// readReport serves a GET of target on page with the token and decodes the
// JSON report; it returns nil after printing what went wrong.
func readReport(page http.Handler, target, token string) *signalz.Report {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Accept", "application/json")
	w := httptest.NewRecorder()
	page.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		fmt.Println(target, w.Code, w.Body.String())
		return nil
	}
	var rep signalz.Report
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		fmt.Println(err)
		return nil
	}
	return &rep
}

// signalNames returns the names of the signals of a report.
func signalNames(rep *signalz.Report) []string {
	var ns []string
	for _, s := range rep.Signals {
		ns = append(ns, s.Name)
	}
	return ns
}

// Write the audit log as JSON, for a log pipeline: here, an operator
// re-enables the listener that the circuit breaker disabled, and presses
// the button a second time.
func ExampleWithAuditLogger() {
	payments := signals.NewSyncWithOptions[int](&signals.SignalOptions{
		Name: "payment.requested", BreakerThreshold: 1,
		ErrorHandler: func(context.Context, string, error) {},
	})
	payments.AddListenerWithErr(func(context.Context, int) error { return errors.New("fraud service down") }, "fraud-check")
	payments.Emit(context.Background(), 1) // the breaker disables fraud-check

	audit := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey { // left out for the example
				return slog.Attr{}
			}
			return a
		},
	}))
	page, err := signalz.New(signalz.BearerToken("reader"),
		signalz.WithActions(signalz.BearerToken("operator")),
		signalz.WithAuditLogger(audit),
		signalz.WithInstrumented(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := page.Register(payments); err != nil {
		fmt.Println(err)
		return
	}
	form := url.Values{"action": {"enable-listener"}, "id": {"r1"}, "key": {"fraud-check"}}
	for range 2 {
		r := httptest.NewRequest(http.MethodPost, "/debug/signals?id=r1", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("Authorization", "Bearer operator")
		r.RemoteAddr = "192.0.2.7:50000"
		page.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Output:
	// {"level":"INFO","msg":"signalkit introspection action applied","source":"introspection","remote":"192.0.2.7:50000","action":"enable-listener","signal_id":"r1","signal":"payment.requested","listener":"fraud-check","changes":{"listeners[fraud-check].state":{"old":"disabled","new":"enabled"}}}
	// {"level":"INFO","msg":"signalkit introspection action unchanged","source":"introspection","remote":"192.0.2.7:50000","action":"enable-listener","signal_id":"r1","signal":"payment.requested","listener":"fraud-check"}
}

// Show fewer signals (and listeners) per page; the limit parameter of a
// request still asks for another number, up to MaxPageSize.
func ExampleWithPageSize() {
	page, err := signalz.New(signalz.BearerToken("s3cret"), signalz.WithPageSize(2), signalz.WithInstrumented(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"order.placed", "order.shipped", "payment.requested"} {
		if err := page.Register(signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: name})); err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, target := range []string{"/debug/signals", "/debug/signals?offset=2", "/debug/signals?limit=3"} {
		if rep := readReport(page, target, "s3cret"); rep != nil {
			fmt.Printf("%s: %d of %d, limit %d: %v\n", target, len(rep.Signals), rep.Total, rep.Limit, signalNames(rep))
		}
	}
	// Output:
	// /debug/signals: 2 of 3, limit 2: [order.placed order.shipped]
	// /debug/signals?offset=2: 1 of 3, limit 2: [payment.requested]
	// /debug/signals?limit=3: 3 of 3, limit 3: [order.placed order.shipped payment.requested]
}

// Let actions through from an operations console on another origin, which
// the default protection refuses, as it refuses every other origin.
func ExampleWithCrossOriginProtection() {
	jobs := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	jobs.AddListener(func(context.Context, int) {}, "worker")

	console := http.NewCrossOriginProtection()
	if err := console.AddTrustedOrigin("https://ops.example.com"); err != nil {
		fmt.Println(err)
		return
	}
	page, err := signalz.New(signalz.BearerToken("s3cret"),
		signalz.WithActions(signalz.BearerToken("s3cret")),
		signalz.WithCrossOriginProtection(console),
		signalz.WithAuditLogger(slog.New(slog.DiscardHandler)),
		signalz.WithInstrumented(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := page.Register(jobs); err != nil {
		fmt.Println(err)
		return
	}
	form := url.Values{"action": {"enable-listener"}, "id": {"r1"}, "key": {"worker"}}
	for _, origin := range []string{"https://ops.example.com", "https://elsewhere.example"} {
		r := httptest.NewRequest(http.MethodPost, "https://app.example.com/debug/signals?id=r1", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", "Bearer s3cret")
		r.Header.Set("Origin", origin) // as a browser sends them
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		w := httptest.NewRecorder()
		page.ServeHTTP(w, r)
		fmt.Println(origin, w.Code)
	}
	// Output:
	// https://ops.example.com 303
	// https://elsewhere.example 403
}

// Serve a page per component: with WithInstrumented(false), a page lists
// only the signals registered with it, not every signal the process
// instrumented.
func ExampleWithInstrumented() {
	orders := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders.created"})
	if err := otelsignals.Instrument(orders); err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		if err := otelsignals.Detach(orders); err != nil {
			fmt.Println(err)
		}
	}()
	jobs := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "billing.jobs"})

	for _, instrumented := range []bool{true, false} {
		page, err := signalz.New(signalz.BearerToken("s3cret"), signalz.WithInstrumented(instrumented))
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := page.Register(jobs); err != nil {
			fmt.Println(err)
			return
		}
		rep := readReport(page, "/debug/signals", "s3cret")
		if rep == nil {
			return
		}
		listed := signalNames(rep)
		fmt.Printf("WithInstrumented(%t): orders.created %t, billing.jobs %t\n",
			instrumented, slices.Contains(listed, "orders.created"), slices.Contains(listed, "billing.jobs"))
	}
	// Output:
	// WithInstrumented(true): orders.created true, billing.jobs true
	// WithInstrumented(false): orders.created false, billing.jobs true
}

// Take a component's signal off the page when the component stops, so that
// the handler keeps no reference to it.
func ExampleHandler_Unregister() {
	page, err := signalz.New(signalz.BearerToken("s3cret"), signalz.WithInstrumented(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	orders := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders"})
	reports := signals.NewWithOptions[int](&signals.SignalOptions{Name: "reports"})
	for _, sig := range []signalz.Signal{orders, reports} {
		if err := page.Register(sig); err != nil {
			fmt.Println(err)
			return
		}
	}

	// The reports component stops.
	if err := reports.Close(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(page.Unregister(reports))
	fmt.Println(page.Unregister(reports)) // no longer registered

	if rep := readReport(page, "/debug/signals", "s3cret"); rep != nil {
		fmt.Println(signalNames(rep))
	}
	// Output:
	// true
	// false
	// [orders]
}
