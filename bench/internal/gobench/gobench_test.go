package gobench

import (
	"strings"
	"testing"
)

const round1 = `goos: linux
goarch: amd64
pkg: github.com/signalkit/sdk/signals
cpu: AMD EPYC
BenchmarkSyncEmit/listeners=1/impl=signals-2         	52133716	        22.50 ns/op	       0 B/op	       0 allocs/op
BenchmarkSyncEmit/listeners=1/impl=floor-2           	80000000	        15.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkEnqueueThroughput/listeners=10/impl=signals-2 	  1000	      1200 ns/op	  8333333 calls/s	     224 B/op	       1 allocs/op
BenchmarkNoProcs 	 100	 5.0 ns/op
some log line
BenchmarkBroken-2 	 abc	 5 ns/op
PASS
ok  	github.com/signalkit/sdk/signals	3.2s
`

const round2 = `BenchmarkSyncEmit/listeners=1/impl=signals-2         	52133716	        30.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkSyncEmit/listeners=1/impl=floor-2           	80000000	        20.00 ns/op	       0 B/op	       0 allocs/op
`

const round3 = `BenchmarkSyncEmit/listeners=1/impl=signals-2         	52133716	        16.00 ns/op	       0 B/op	       0 allocs/op
BenchmarkSyncEmit/listeners=1/impl=floor-2           	80000000	        10.00 ns/op	       0 B/op	       0 allocs/op
`

func TestParse(t *testing.T) {
	res, err := Parse(strings.NewReader(round1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		i     int
		name  string
		procs int
		iters int64
		unit  string
		value float64
	}{
		{0, "SyncEmit/listeners=1/impl=signals", 2, 52133716, "ns/op", 22.5},
		{1, "SyncEmit/listeners=1/impl=floor", 2, 80000000, "allocs/op", 0},
		{2, "EnqueueThroughput/listeners=10/impl=signals", 2, 1000, "calls/s", 8333333},
		{3, "NoProcs", 1, 100, "ns/op", 5},
	}
	if len(res) != len(tests) {
		t.Fatalf("parsed %d results, want %d: %+v", len(res), len(tests), res)
	}
	for _, tt := range tests {
		r := res[tt.i]
		if r.Name != tt.name || r.Procs != tt.procs || r.Iters != tt.iters || r.Metrics[tt.unit] != tt.value {
			t.Errorf("result %d = %+v, want %s-%d %d iterations, %g %s", tt.i, r, tt.name, tt.procs, tt.iters, tt.value, tt.unit)
		}
	}
}

func TestRounds(t *testing.T) {
	var rs Rounds
	for _, r := range []string{round1, round2, round3} {
		if err := rs.Add(strings.NewReader(r)); err != nil {
			t.Fatal(err)
		}
	}
	const a, b = "SyncEmit/listeners=1/impl=signals", "SyncEmit/listeners=1/impl=floor"
	tests := []struct {
		name string
		got  Stat
		want Stat
	}{
		{"median", rs.Median(a, "ns/op"), Stat{Median: 22.5, Min: 16, Max: 30, N: 3}},
		{"ratio within rounds", rs.Ratio(a, b, "ns/op"), Stat{Median: 1.5, Min: 1.5, Max: 1.6, N: 3}},
		{"diff within rounds", rs.Diff(a, b, "ns/op"), Stat{Median: 7.5, Min: 6, Max: 10, N: 3}},
		{"only in one round", rs.Median("EnqueueThroughput/listeners=10/impl=signals", "calls/s"), Stat{Median: 8333333, Min: 8333333, Max: 8333333, N: 1}},
		{"missing", rs.Ratio(a, "nope", "ns/op"), Stat{}},
	}
	for _, tt := range tests {
		g, w := tt.got, tt.want
		if g.N != w.N || (w.N > 0 && (!close(g.Median, w.Median) || !close(g.Min, w.Min) || !close(g.Max, w.Max))) {
			t.Errorf("%s = %+v, want %+v", tt.name, g, w)
		}
	}
}

func TestStatFormat(t *testing.T) {
	tests := []struct {
		s    Stat
		want string
	}{
		{Stat{Median: 1.25, Min: 1, Max: 2, N: 3}, "1.25 (1.00–2.00)"},
		{Stat{Median: 1.25, Min: 1.25, Max: 1.25, N: 1}, "1.25"},
		{Stat{}, "n/a"},
	}
	for _, tt := range tests {
		if got := tt.s.Format("%.2f"); got != tt.want {
			t.Errorf("Format = %q, want %q", got, tt.want)
		}
	}
}

func close(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
