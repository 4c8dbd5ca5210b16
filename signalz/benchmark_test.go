package signalz_test

import (
	"net/http"
	"testing"
)

// BenchmarkPage100k measures a page of a signal with 100,000 keyed
// listeners (100 of them disabled by the breaker): what bounds it is the
// core's walk over the listeners (Stats, Health, Keys), while the page
// itself holds at most a page of listeners.
//
//	go test -run '^$' -bench Page100k -benchmem ./signalz
func BenchmarkPage100k(b *testing.B) {
	sig := manyListeners(b, 100_000)
	h := newRegistered(b, nil, sig)
	for _, bm := range []struct{ name, target string }{
		{"index", ""},
		{"signal-html", "?id=r1"},
		{"signal-json", "?id=r1&format=json"},
		{"signal-html-last-page", "?id=r1&offset=99900"},
		{"signal-html-limit-1000", "?id=r1&limit=1000"},
		{"disabled-filter", "?id=r1&state=disabled"},
		{"key-prefix", "?id=r1&key=k0999"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			size := 0
			for b.Loop() {
				resp := do(b, h, request{target: bm.target, token: readToken})
				if resp.StatusCode != http.StatusOK {
					b.Fatal(resp.StatusCode)
				}
				size = int(resp.ContentLength)
				if size < 0 {
					size = len(bodyOf(b, resp))
				}
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}
