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
	defer otelsignals.Detach(orders)

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
	defer jobs.Close()
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
