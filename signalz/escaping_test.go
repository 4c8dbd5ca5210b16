package signalz_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signalz"
)

// TestEscaping: keys, names and error texts are the application's data,
// and may hold markup. Every one of them renders as text: the page holds
// no element that the data brought, in the table, in attributes or in
// links, and the JSON holds no raw angle bracket.
func TestEscaping(t *testing.T) {
	const (
		name   = `<b>sig</b>"'&`
		key    = `<script>alert("key")</script>`
		attrK  = `"><img src=x onerror=alert(1)>`
		errMsg = `<img src=x onerror=alert("err")> & </td></tr></table><script>alert(2)</script>`
	)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{
		Name: name, BreakerThreshold: 1, ErrorHandler: func(context.Context, string, error) {},
	})
	sig.AddListenerWithErr(func(context.Context, int) error { return errors.New(errMsg) }, key)
	sig.AddListener(func(context.Context, int) {}, attrK)
	sig.Emit(context.Background(), 1)
	instrument(t, sig)

	h, err := signalz.New(signalz.BearerToken(readToken), signalz.WithActions(signalz.BearerToken(readToken)), signalz.WithInstrumented(false))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Register(sig); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"", "?id=r1", "?id=r1&key=" + strings.ReplaceAll(key[:8], "<", "%3C"), "?id=r1&state=disabled", "?id=%3Cscript%3E"} {
		_, page := get(t, h, target, readToken)
		for _, raw := range []string{"<script", "<img", "<b>sig", `"><img`, "</table><"} {
			if strings.Contains(page, raw) {
				t.Errorf("%q: the page holds %q unescaped", target, raw)
			}
		}
	}

	_, page := get(t, h, "?id=r1", readToken)
	for _, want := range []string{
		`<td class="key">&lt;script&gt;alert(&#34;key&#34;)&lt;/script&gt;</td>`,
		`data-key="&lt;script&gt;alert(&#34;key&#34;)&lt;/script&gt;"`,
		`<td class="err">signals: listener disabled by circuit breaker after 1 failures in a row: &lt;img src=x onerror=alert(&#34;err&#34;)&gt; &amp; &lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(2)&lt;/script&gt;</td>`,
		`<input type="hidden" name="key" value="&lt;script&gt;alert(&#34;key&#34;)&lt;/script&gt;">`,
		`<td class="key">&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</td>`,
		`<span class="key">&lt;b&gt;sig&lt;/b&gt;&#34;&#39;&amp;</span>`,
		`<title>&lt;b&gt;sig&lt;/b&gt;&#34;&#39;&amp; · signalz</title>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	// In a link, a name or key is a query value, percent-encoded.
	_, index := get(t, h, "", readToken)
	if !strings.Contains(index, `href="?id=r1"`) || !strings.Contains(index, `data-signal="&lt;b&gt;sig&lt;/b&gt;&#34;&#39;&amp;"`) {
		t.Errorf("index:\n%s", index)
	}

	// The filter's echo is escaped too.
	_, filtered := get(t, h, "?id=r1&key=%22%3E%3Cscript%3E", readToken)
	if !strings.Contains(filtered, `name="key" value="&#34;&gt;&lt;script&gt;"`) {
		t.Errorf("the filter's value is not escaped:\n%s", filtered)
	}

	_, doc := get(t, h, "?id=r1&format=json", readToken)
	if strings.ContainsAny(doc, "<>") {
		t.Errorf("the JSON holds < or >:\n%s", doc)
	}
	var rep signalz.Report
	if err := json.Unmarshal([]byte(doc), &rep); err != nil {
		t.Fatal(err)
	}
	lp := rep.Signals[0].ListenerPage
	if rep.Signals[0].Name != name || lp.Listeners[0].Key != key || !strings.HasSuffix(lp.Listeners[0].LastError, errMsg) {
		t.Errorf("the JSON does not carry the data as it is: %+v", rep.Signals[0])
	}
}

// TestLongAndInvalidText: an error text is cut to a bounded size at a rune
// boundary, and invalid UTF-8 is replaced, in the page and in JSON.
func TestLongAndInvalidText(t *testing.T) {
	long := "x" + strings.Repeat("é", 2000) // 4,001 bytes: byte 1,024 is inside a rune
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "long", ErrorHandler: func(context.Context, string, error) {}})
	sig.AddListenerWithErr(func(context.Context, int) error { return errors.New(long) }, "long")
	sig.AddListenerWithErr(func(context.Context, int) error { return errors.New("bad \xff byte") }, "invalid")
	sig.AddListenerWithErr(func(context.Context, int) error { return errors.New("short") }, "short")
	sig.Emit(context.Background(), 1)
	h, err := signalz.New(signalz.BearerToken(readToken), signalz.WithInstrumented(false))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Register(sig); err != nil {
		t.Fatal(err)
	}
	rep := getReport(t, h, "?id=r1", readToken)
	ls := rep.Signals[0].ListenerPage.Listeners
	if got := ls[0].LastError; len(got) > 1024+len("…") || !strings.HasSuffix(got, "é…") {
		t.Errorf("long error: %d bytes, ending %q", len(got), got[len(got)-8:])
	}
	if got := ls[1].LastError; got != "bad \uFFFD byte" {
		t.Errorf("invalid error: %q", got)
	}
	if got := ls[2].LastError; got != "short" {
		t.Errorf("short error: %q", got)
	}
}
