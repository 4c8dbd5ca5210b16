package signalz_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signalz"
)

// manyListeners returns a signal with n keyed listeners, "k00000" on, and
// 3 without a key; the breaker has disabled the listeners whose number is
// a multiple of 1000.
func manyListeners(tb testing.TB, n int) *signals.SyncSignal[int] {
	tb.Helper()
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{
		Name: "busy", BreakerThreshold: 1, ErrorHandler: func(context.Context, string, error) {},
	})
	for i := range n {
		if i%1000 == 0 {
			sig.AddListenerWithErr(func(context.Context, int) error { return fmt.Errorf("listener %d failed", i) }, fmt.Sprintf("k%05d", i))
		} else {
			sig.AddListener(func(context.Context, int) {}, fmt.Sprintf("k%05d", i))
		}
	}
	for range 3 {
		sig.AddListener(func(context.Context, int) {})
	}
	sig.Emit(context.Background(), 1)
	if st := sig.Stats(); st.DisabledListeners != (n+999)/1000 {
		tb.Fatalf("%d disabled", st.DisabledListeners)
	}
	return sig
}

func newRegistered(tb testing.TB, opts []signalz.Option, sigs ...signalz.Signal) *signalz.Handler {
	tb.Helper()
	h, err := signalz.New(signalz.BearerToken(readToken), append([]signalz.Option{signalz.WithInstrumented(false)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range sigs {
		if err := h.Register(s); err != nil {
			tb.Fatal(err)
		}
	}
	return h
}

// TestListenerPagination: a signal's page lists at most a page of
// listeners, walks through them with offset and limit, and filters them by
// key prefix and state.
func TestListenerPagination(t *testing.T) {
	sig := manyListeners(t, 2500)
	h := newRegistered(t, nil, sig)

	tests := []struct {
		query       string
		total       int
		first, last string // keys
		n           int
	}{
		{"", 2500, "k00000", "k00099", 100},
		{"&offset=100", 2500, "k00100", "k00199", 100},
		{"&offset=2450", 2500, "k02450", "k02499", 50},
		{"&offset=2500", 2500, "", "", 0},
		{"&offset=-5", 2500, "k00000", "k00099", 100},
		{"&limit=10", 2500, "k00000", "k00009", 10},
		{"&limit=5000", 2500, "k00000", "k00999", signalz.MaxPageSize},
		{"&limit=0", 2500, "k00000", "k00099", 100},
		{"&limit=x&offset=y", 2500, "k00000", "k00099", 100},
		{"&key=k012", 100, "k01200", "k01299", 100},
		{"&key=k0125", 10, "k01250", "k01259", 10},
		{"&key=nothing", 0, "", "", 0},
		{"&state=disabled", 3, "k00000", "k02000", 3},
		{"&state=disabled&key=k01", 1, "k01000", "k01000", 1},
		{"&state=disabled&offset=1&limit=1", 3, "k01000", "k01000", 1},
	}
	for _, tt := range tests {
		rep := getReport(t, h, "?id=r1"+tt.query, readToken)
		s := rep.Signals[0]
		lp := s.ListenerPage
		if s.Listeners != 2503 || s.KeyedListeners != 2500 || lp.Total != tt.total || len(lp.Listeners) != tt.n {
			t.Errorf("%s: %d listeners, %d keyed, total %d, %d shown; want total %d, %d shown", tt.query, s.Listeners, s.KeyedListeners, lp.Total, len(lp.Listeners), tt.total, tt.n)
			continue
		}
		if tt.n > 0 && (lp.Listeners[0].Key != tt.first || lp.Listeners[tt.n-1].Key != tt.last) {
			t.Errorf("%s: %s..%s, want %s..%s", tt.query, lp.Listeners[0].Key, lp.Listeners[tt.n-1].Key, tt.first, tt.last)
		}
		if strings.Contains(tt.query, "state=disabled") {
			for _, l := range lp.Listeners {
				if !l.Disabled {
					t.Errorf("%s: %s is listed but not disabled", tt.query, l.Key)
				}
			}
		}
	}

	// The HTML: a page of rows, and links to the neighbours that keep the
	// filter.
	_, page := get(t, h, "?id=r1&offset=100&limit=50&key=k0", readToken)
	if n := strings.Count(page, "<tr data-key="); n != 50 {
		t.Errorf("%d rows, want 50", n)
	}
	for _, want := range []string{
		"2500 keyed listeners match, 101–150 shown. 3 listeners without a key are counted but not listed.",
		`<a href="?id=r1&amp;key=k0&amp;limit=50&amp;offset=50" rel="prev">`,
		`<a href="?id=r1&amp;key=k0&amp;limit=50&amp;offset=150" rel="next">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	_, page = get(t, h, "?id=r1&offset=30", readToken)
	if !strings.Contains(page, `<a href="?id=r1" rel="prev">`) {
		t.Error("the first page's link has an offset")
	}
	_, page = get(t, h, "?id=r1&offset=2400", readToken)
	if strings.Contains(page, `rel="next"`) || !strings.Contains(page, "2401–2500 shown") {
		t.Error("the last page links further")
	}
	_, page = get(t, h, "?id=r1&state=disabled", readToken)
	if !strings.Contains(page, "3 keyed listeners match, 1–3 shown.") || !strings.Contains(page, `name="state" value="disabled" checked`) {
		t.Errorf("the disabled filter's page:\n%s", page)
	}
	_, page = get(t, h, "?id=r1&key=zzz", readToken)
	if !strings.Contains(page, "0 keyed listeners match.") || strings.Contains(page, `<table id="listeners">`) {
		t.Error("an empty filter's page")
	}

	// No disabled listener: the filter finds none without looking.
	sig.EnableListeners()
	if rep := getReport(t, h, "?id=r1&state=disabled", readToken); rep.Signals[0].ListenerPage.Total != 0 {
		t.Errorf("%d disabled after EnableListeners", rep.Signals[0].ListenerPage.Total)
	}
}

// TestSignalPagination: the index lists at most a page of signals, sorted
// by name.
func TestSignalPagination(t *testing.T) {
	var sigs []signalz.Signal
	for i := range 7 {
		sigs = append(sigs, signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "s" + strconv.Itoa(6-i)}))
	}
	h := newRegistered(t, []signalz.Option{signalz.WithPageSize(3), signalz.WithPageSize(0), nil}, sigs...)
	names := func(rep *signalz.Report) string {
		var out []string
		for _, s := range rep.Signals {
			out = append(out, s.Name)
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{
		"":                  "s0,s1,s2",
		"?offset=3":         "s3,s4,s5",
		"?offset=6":         "s6",
		"?offset=7":         "",
		"?limit=5":          "s0,s1,s2,s3,s4",
		"?offset=2&limit=2": "s2,s3",
	} {
		rep := getReport(t, h, q, readToken)
		if got := names(rep); got != want || rep.Total != 7 {
			t.Errorf("%q: %s of %d, want %s of 7", q, got, rep.Total, want)
		}
	}
	_, page := get(t, h, "?offset=3", readToken)
	for _, want := range []string{"7 signals, 4–6 shown.", `href="?" rel="prev"`, `href="?offset=6" rel="next"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the index lacks %s", want)
		}
	}
	if strings.Count(page, "<tr data-signal=") != 3 {
		t.Error("the index does not show 3 signals")
	}

	big := newRegistered(t, []signalz.Option{signalz.WithPageSize(1 << 20)}, sigs...)
	if rep := getReport(t, big, "", readToken); rep.Limit != signalz.MaxPageSize {
		t.Errorf("WithPageSize(2^20): limit %d", rep.Limit)
	}
	empty := newRegistered(t, nil)
	if _, page := get(t, empty, "", readToken); !strings.Contains(page, "<p>0 signals.</p>") || strings.Contains(page, "<table") {
		t.Errorf("the empty index:\n%s", page)
	}
}
