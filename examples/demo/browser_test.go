package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/signalkit/sdk/internal/testutil"
)

// screenshot is where TestBrowser writes a screenshot of the page of
// payment.requested, with its disabled listener, if set:
//
//	go test ./examples/demo -run TestBrowser -args -screenshot=$PWD/docs/img/signalz.png
var screenshot = flag.String("screenshot", "", "write a PNG screenshot of the introspection page to this file")

// ciEnv is the variable that .ci/run sets: there, a browser test without a
// browser fails instead of skipping.
const ciEnv = "SIGNALKIT_CI"

// chromium returns the path of the browser: $SIGNALKIT_CHROMIUM, or
// chromium (Debian's package) or chromium-browser on the PATH. Without
// one, the test skips, or fails in CI.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SIGNALKIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(ciEnv) != "" {
		t.Fatalf("no chromium on the PATH, and %s is set: CI installs it with scripts/install-tools.sh", ciEnv)
	}
	t.Skip("no chromium on the PATH: install Debian's chromium (scripts/install-tools.sh) to run the browser test; CI runs it")
	return ""
}

// TestBrowser drives a real headless Chromium through the demo's
// introspection page (package signalz, mounted at /debug/signals): a
// request without authorization gets 401 and nothing of the page; with the
// operator's token, the browser reads the signals and the listener table,
// presses "re-enable" on the listener that the circuit breaker disabled,
// and sees its state change, which the signal and the audit log confirm.
func TestBrowser(t *testing.T) {
	execPath := chromium(t)

	// The demo, with an operator who never steps in: the breaker's
	// listener stays disabled until the browser re-enables it.
	const readerToken, operatorToken = "reader-s3cret", "operator-s3cret"
	addrs := make(chan string, 1)
	o := options{
		rate: 50, listen: "127.0.0.1:0", exportInterval: time.Second, reloadInterval: time.Second,
		serviceName: "demo-browser", reenableAfter: time.Hour,
		debugToken: readerToken, actionToken: operatorToken,
		onListen: func(addr string) { addrs <- addr },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr testutil.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, io.Discard, &stderr) }()
	var base string
	select {
	case addr := <-addrs:
		base = "http://" + addr + "/debug/signals"
	case err := <-done:
		t.Fatalf("run returned early: %v\n%s", err, stderr.String())
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	paymentID := ""
	waitFor(t, "the circuit breaker to disable fraud-check", func() bool {
		for _, s := range debugReport(t, base+"?format=json", "Bearer "+readerToken).Signals {
			if s.Name == "payment.requested" && s.DisabledListeners == 1 {
				paymentID = s.ID
				return true
			}
		}
		return false
	})

	// Chromium as the machine runs it: headless, no sandbox (root), and no
	// connection of its own beyond the demo's loopback address.
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1400, 1000),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	browser, cancelTimeout := context.WithTimeout(browser, 90*time.Second)
	defer cancelTimeout()

	// Without authorization: 401, and nothing of the page, in HTML and
	// in JSON.
	for _, target := range []string{base, base + "?format=json", base + "?id=" + paymentID} {
		resp, err := chromedp.Run(browser, chromedp.NavigateResponse(target))
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		body, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != http.StatusUnauthorized || strings.TrimSpace(body) != "unauthorized" {
			t.Errorf("%s without authorization: %d %q, want 401 and no data", target, resp.Status, body)
		}
	}

	// The operator's browser sends the token with every request.
	if _, err := chromedp.Call(browser, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + operatorToken},
	}); err != nil {
		t.Fatal(err)
	}

	// The index lists the demo's signals; a click opens payment.requested.
	if resp, err := chromedp.Run(browser, chromedp.NavigateResponse(base)); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("index: %v, %v", resp, err)
	}
	rows, err := chromedp.Run(browser, chromedp.Nodes(chromedp.CSSAll("#signals tbody tr")))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range rows {
		listed[r.AttributeValue("data-signal")] = true
	}
	for _, name := range []string{"order.placed", "inventory.reserved", "payment.requested", "order.notify", "analytics.event"} {
		if !listed[name] {
			t.Errorf("the index lacks %s: %v", name, listed)
		}
	}
	resp, err := chromedp.RunResponse(browser, chromedp.Click(chromedp.CSS(`tr[data-signal="payment.requested"] a`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("opening payment.requested: %v, %v", resp, err)
	}
	if u, _ := url.Parse(resp.URL); u.Query().Get("id") != paymentID {
		t.Errorf("the link opened %s, want ?id=%s", resp.URL, paymentID)
	}

	// The listener table: fraud-check disabled, with the only button.
	states := listenerStates(t, browser)
	want := map[string]string{"fraud-check": "disabled", "charge-card": "enabled", "ledger": "enabled"}
	for key, state := range want {
		if states[key] != state {
			t.Errorf("listener %s is %q on the page, want %q (table: %v)", key, states[key], state, states)
		}
	}
	// payment.requested keeps listener metrics: every listener's calls are
	// counted (a signal without them shows "–").
	for key := range want {
		calls, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`tr[data-key="`+key+`"] td:nth-child(3)`)))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := strconv.Atoi(strings.TrimSpace(calls)); err != nil || n <= 0 {
			t.Errorf("listener %s: calls %q on the page, want a count", key, calls)
		}
	}
	lastError, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`tr[data-key="fraud-check"] td.err`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lastError, "disabled by circuit breaker") || !strings.HasSuffix(lastError, "fraud service warming up") {
		t.Errorf("fraud-check's last error on the page: %q", lastError)
	}
	buttons, err := chromedp.Run(browser, chromedp.Nodes(chromedp.CSSAll(`button[name="enable"]`), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatal(err)
	}
	if len(buttons) != 1 {
		t.Errorf("%d re-enable buttons, want 1", len(buttons))
	}
	if *screenshot != "" {
		png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(*screenshot), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*screenshot, png, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", *screenshot, len(png))
	}

	// Re-enable: the form posts, the browser follows the redirect back to
	// the page, which says so and shows the listener enabled.
	resp, err = chromedp.RunResponse(browser, chromedp.Click(chromedp.CSS(`tr[data-key="fraud-check"] button[name="enable"]`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("re-enable: %v, %v", resp, err)
	}
	notice, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(".notice")))
	if err != nil {
		t.Fatal(err)
	}
	if notice != "The listener was re-enabled." {
		t.Errorf("notice %q", notice)
	}
	if states := listenerStates(t, browser); states["fraud-check"] != "enabled" {
		t.Errorf("after re-enable, fraud-check is %q on the page", states["fraud-check"])
	}
	for _, s := range debugReport(t, base+"?format=json", "Bearer "+readerToken).Signals {
		if s.Name == "payment.requested" && s.DisabledListeners != 0 {
			t.Errorf("payment.requested still has %d disabled listeners", s.DisabledListeners)
		}
	}
	logs := stderr.String()
	if !strings.Contains(logs, `msg="signalkit introspection action applied" source=introspection remote=127.0.0.1:`) ||
		!strings.Contains(logs, `action=enable-listener signal_id=`+paymentID+` signal=payment.requested listener=fraud-check changes.listeners[fraud-check].state.old=disabled changes.listeners[fraud-check].state.new=enabled`) {
		t.Errorf("the audit log lacks the re-enable:\n%s", logs)
	}

	// A reader's browser sees the page without any action.
	reader, cancelReader := chromedp.NewContext(browser)
	defer cancelReader()
	if _, err := chromedp.Call(reader, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + readerToken},
	}); err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.Run(reader, chromedp.NavigateResponse(base+"?id="+paymentID)); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("reader: %v, %v", resp, err)
	}
	forms, err := chromedp.Run(reader, chromedp.Nodes(chromedp.CSSAll(`form[method="post"]`), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 0 {
		t.Errorf("the reader's page has %d action forms", len(forms))
	}
}

// listenerStates reads the listener table of the page in the browser:
// state by key.
func listenerStates(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	rows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#listeners tbody tr")))
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, r := range rows {
		states[r.AttributeValue("data-key")] = r.AttributeValue("data-state")
	}
	return states
}
