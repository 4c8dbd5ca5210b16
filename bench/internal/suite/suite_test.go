package suite

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/signalkit/sdk/bench/internal/gobench"
	"github.com/signalkit/sdk/bench/internal/machine"
	"github.com/signalkit/sdk/bench/internal/peers"
)

// tinySizes runs every in-process measurement in a few milliseconds, and with
// fewer goroutines than the race detector's limit.
var tinySizes = sizes{
	dur: 5 * time.Millisecond, latDur: 5 * time.Millisecond, enqDur: 10 * time.Millisecond,
	rounds: 1, testRounds: 1, benchtime: "1x",
	steadyDur: 20 * time.Millisecond, memN: 200, memKeyedN: 100, allocN: 200,
	contDur: 10 * time.Millisecond, overheadWin: 2 * time.Millisecond, overheadRnd: 1,
	emitters: []int{1, 1000}, listeners: []int{1, 100, 1000}, signals: []int{1, 20},
}

// TestSuiteRuns runs every section but gotest (which builds and runs test
// binaries: scripts/perf.sh -short covers it) at tiny sizes, and checks the
// report and the plots. It asserts nothing about speed.
func TestSuiteRuns(t *testing.T) {
	out := t.TempDir()
	var log bytes.Buffer
	s, err := newSuite(Config{Out: out, Work: t.TempDir(), Short: true, Log: &log, Command: "test",
		Only: []string{"latency", "throughput", "scaling", "resources", "contention", "overhead"}})
	if err != nil {
		t.Fatal(err)
	}
	s.sz = tinySizes
	if err := s.run(context.Background()); err != nil {
		t.Fatalf("run: %v\nlog:\n%s", err, log.String())
	}
	report, err := os.ReadFile(filepath.Join(out, "performance.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"PRELIMINARY", "## Machine", "## Summary: targets on this machine", "## Latency", "## Throughput", "## Scaling",
		"## Allocations, GC and memory", "## Contention", "## Instrumentation overhead", "Not run in this report (section `gotest`)",
		"zero lock contention during emission", "p50 < 5 µs", "< 100 bytes per listener",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	checkCitesNoTracker(t, string(report))
	// Every plot the report links exists and is well-formed SVG.
	links := 0
	for _, line := range strings.Split(string(report), "\n") {
		i := strings.Index(line, "](perf/")
		if i < 0 {
			continue
		}
		name := line[i+len("](perf/"):]
		name = name[:strings.IndexByte(name, ')')]
		links++
		data, err := os.ReadFile(filepath.Join(out, "perf", name))
		if err != nil {
			t.Errorf("linked plot: %v", err)
			continue
		}
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s is not well-formed: %v", name, err)
				break
			}
		}
	}
	if links < 10 {
		t.Errorf("the report links %d plots, want at least 10", links)
	}
	// Every target of the in-process sections found its values: the
	// metric names of targets.yaml and metrics.go agree.
	tf, err := loadTargets(targetsYAML)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := judge(tf, nil, s.metrics())
	if err != nil {
		t.Fatal(err)
	}
	inProcess := map[string]bool{"latency": true, "throughput": true, "scaling": true, "allocations-gc-and-memory": true, "contention": true, "instrumentation-overhead": true}
	for _, r := range rows {
		if inProcess[r.Details] && r.Verdict == notRun {
			t.Errorf("%q (section %s) was not judged: a metric it reads is missing", r.Target, r.Details)
		}
	}
}

// trackerRef matches a reference to the project's issue tracker.
var trackerRef = regexp.MustCompile(`(?i)\bissues?\b[^|\n]{0,3}[0-9]|\bthe issue's\b`)

// checkCitesNoTracker fails the test if the report refers to the issue
// tracker: the page is user documentation, which cites the spec (every
// target names its section) or the docs themselves.
func checkCitesNoTracker(t *testing.T, report string) {
	t.Helper()
	for i, line := range strings.Split(report, "\n") {
		if m := trackerRef.FindString(line); m != "" {
			t.Errorf("report line %d cites the tracker (%q); cite the spec or the docs: %s", i+1, m, line)
		}
	}
}

// TestReportGoTestAndPeers fills the go test and peers sections from
// canned benchmark output (the in-process test above cannot build test
// binaries) and checks what the report says of them.
func TestReportGoTestAndPeers(t *testing.T) {
	rounds := func(t *testing.T, outputs ...string) gobench.Rounds {
		var rs gobench.Rounds
		for _, o := range outputs {
			if err := rs.Add(strings.NewReader(o)); err != nil {
				t.Fatal(err)
			}
		}
		return rs
	}
	signalsOut := `BenchmarkSyncEmit/listeners=1/impl=signals-2 100 20 ns/op 0 B/op 0 allocs/op
BenchmarkSyncEmit/listeners=1/impl=floor-2 100 10 ns/op 0 B/op 0 allocs/op
BenchmarkSyncEmit/listeners=1/impl=v1.3-2 100 40 ns/op 0 B/op 0 allocs/op
BenchmarkEnqueueThroughput/listeners=1/impl=signals-2 100 300 ns/op 3000000 calls/s 224 B/op 1 allocs/op
`
	peersOut := `BenchmarkFireForget/listeners=1/impl=signals-2 100 300 ns/op 2000000 calls/s 224 B/op 1 allocs/op
BenchmarkFireForget/listeners=1/impl=channel-2 100 70 ns/op 16000000 calls/s 0 B/op 0 allocs/op
BenchmarkFireForget/listeners=1/impl=kelindar-2 100 40 ns/op 20000000 calls/s 0 B/op 0 allocs/op
BenchmarkSyncEmit/listeners=1/impl=signals-2 100 20 ns/op 0 B/op 0 allocs/op
BenchmarkSyncEmit/listeners=1/impl=gookit-2 100 60 ns/op 24 B/op 1 allocs/op
`
	natsOut := `BenchmarkThroughput/impl=raw-2 100 40000 ns/op 25000 msgs/s 16000 B/op 106 allocs/op
BenchmarkThroughput/impl=bridge-2 100 44000 ns/op 22000 msgs/s 16500 B/op 107 allocs/op
BenchmarkLatency/impl=raw-2 100 110000 ns/op 12000 B/op 114 allocs/op
BenchmarkLatency/impl=bridge-2 100 120000 ns/op 12500 B/op 115 allocs/op
`
	out := t.TempDir()
	s, err := newSuite(Config{Out: out, Work: t.TempDir(), Command: "test", Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	s.gotest = &goTestResults{rounds: 2, benchtime: "1x", pkgs: []*goTestPkg{
		{Name: "signals", Module: "signals", Pkg: ".", Bench: ".", Rounds: rounds(t, signalsOut, signalsOut), Benchstat: "raw signals table"},
		{Name: "natssignals", Module: ".", Pkg: "./natssignals/test", Bench: "^Benchmark(Throughput|Latency)$", Rounds: rounds(t, natsOut, natsOut)},
	}}
	s.peers = &peersResults{
		gotest: &goTestResults{rounds: 2, benchtime: "1x", pkgs: []*goTestPkg{
			{Name: "peers", Module: "bench", Pkg: "./internal/peers", Bench: ".", Rounds: rounds(t, peersOut, peersOut), Benchstat: "raw peers table"},
		}},
		memory: []peerMemory{{Impl: peers.Signals(), N: 1000, Bytes: 40}, {Impl: peers.Kelindar(), N: 1000, Bytes: 4000}},
	}
	if err := os.MkdirAll(filepath.Join(out, "perf"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.writeReport(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "performance.md"))
	if err != nil {
		t.Fatal(err)
	}
	report := string(b)
	checkCitesNoTracker(t, report)
	for _, want := range []string{
		"| SyncEmit, 1 listener(s) | 20.0 ns (20.0 ns – 20.0 ns) | 0 | 10.0 ns (10.0 ns – 10.0 ns) | – | 40.0 ns (40.0 ns – 40.0 ns) | 2.00× (2.00–2.00) | 2.00× (2.00–2.00) |",
		"2 rounds of `(cd bench && go test -run '^$' -bench . -benchtime 1x -count 1 ./internal/peers)`",
		// Enqueue against the channel and kelindar: delivered calls, signals ÷ them.
		"| channel | 16.0 M (16.0 M – 16.0 M) calls/s | 0 | 0.12× (0.12–0.12) |",
		"| kelindar | 20.0 M (20.0 M – 20.0 M) calls/s | 0 | 0.10× (0.10–0.10) |",
		// Sync emit: gookit's time over signals'.
		"| gookit | 60.0 ns (60.0 ns – 60.0 ns) | 1 | 3.00× (3.00–3.00) |",
		"| kelindar | 1000 | 4000.0 | a goroutine (its stack) and a queue of 64 events per subscriber |",
		"| Throughput Requirements | project | Enqueue delivers listener calls at least as fast as a buffered channel drained by one goroutine: 1 listener ([details](#peers)) | 0.12× (0.12–0.12) | **not met** |",
		"| Resource Efficiency | project | an unkeyed listener no larger than in maniartech/signals v1.3.1: ≤ 36 bytes (100,000 listeners, heap after GC) ([details](#peers)) | 40.0 B (1000 listeners) | **not met** |",
		"raw peers table", "raw signals table",
		"Not run in this report (section `latency`).",
		// The NATS section: the table, the sentence drawn from the data, and the two targets judged from it.
		"| throughput (msgs/s) | 25 k (25 k – 25 k) | 22 k (22 k – 22 k) | 1.14× (1.14–1.14) | – | 106 | 107 | +1.0 |",
		"In these rounds the bridge moved fewer messages per second than raw (raw ÷ bridge: 1.14× (1.14–1.14)), and made 1.0 more allocations per message than raw",
		"1.14× (1.14–1.14) | met |",
		"+1.0 (+1.0 – +1.0) allocs/op | **not met** |",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestReportNATSSentence checks that the NATS section's sentence on the
// bridge's speed and allocations follows the measured data.
func TestReportNATSSentence(t *testing.T) {
	tmpl, err := parseReport()
	if err != nil {
		t.Fatal(err)
	}
	stat := func(v float64) gobench.Stat { return gobench.Stat{Median: v, Min: v, Max: v, N: 3} }
	for _, tt := range []struct {
		ratio, added float64
		want         string
	}{
		{0.9, -2, "the bridge moved at least as many messages per second as raw, and made 2.0 fewer allocations per message than raw"},
		{1.3, 3, "the bridge moved fewer messages per second than raw (raw ÷ bridge: 1.30× (1.30–1.30)), and made 3.0 more allocations per message than raw"},
		{1.0, 0.2, "the bridge moved at least as many messages per second as raw, and made as many allocations per message as raw, within one"},
	} {
		r := &Report{GoTest: &GoTestView{Rounds: 3, NATS: &NATSBench{Command: "go test",
			Throughput: NATSRow{Ratio: stat(tt.ratio), AddedAllocs: stat(tt.added)}}}}
		var b strings.Builder
		if err := tmpl.ExecuteTemplate(&b, "report.md.tmpl", r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tt.want) {
			i := strings.Index(b.String(), "The bridge's own work")
			t.Errorf("ratio %v, added allocations %v: want %q in\n%s", tt.ratio, tt.added, tt.want, b.String()[max(i, 0):])
		}
	}
}

func TestNewSuiteRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"unknown section", Config{Out: "x", Only: []string{"latency", "nope"}}},
		{"no output", Config{}},
	}
	for _, tt := range tests {
		if _, err := newSuite(tt.cfg); err == nil {
			t.Errorf("%s: newSuite accepted %+v", tt.name, tt.cfg)
		}
	}
}

func TestBatchFor(t *testing.T) {
	tests := []struct {
		ns   float64
		want int
	}{{0.5, 100}, {20, 100}, {40, 50}, {700, 3}, {5000, 1}, {1e9, 1}}
	for _, tt := range tests {
		if got := batchFor(tt.ns); got != tt.want {
			t.Errorf("batchFor(%g) = %d, want %d", tt.ns, got, tt.want)
		}
	}
}

func TestDiffText(t *testing.T) {
	tests := []struct {
		st   gobench.Stat
		want string
	}{
		{gobench.Stat{Median: 12.34, Min: 12.34, Max: 12.34, N: 1}, "+12.3 ns"},
		{gobench.Stat{Median: -6.4, Min: -6.4, Max: -6.4, N: 1}, "-6.4 ns"},
		{gobench.Stat{}, "–"},
	}
	for _, tt := range tests {
		if got := diffText(tt.st); got != tt.want {
			t.Errorf("diffText(%+v) = %q, want %q", tt.st, got, tt.want)
		}
	}
}

func TestNs(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{{12.34, "12.3 ns"}, {123, "123 ns"}, {1234, "1.2 µs"}, {45_600, "46 µs"}, {1_234_000, "1.23 ms"}, {2e9, "2.00 s"}}
	for _, tt := range tests {
		if got := ns(tt.v); got != tt.want {
			t.Errorf("ns(%g) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestOtherShares(t *testing.T) {
	cpu := func(busy, idle, steal float64) machine.CPUTimes {
		return machine.CPUTimes{Busy: busy, Idle: idle, Steal: steal, OK: true}
	}
	tests := []struct {
		name         string
		cpu0, cpu1   machine.CPUTimes
		own          time.Duration
		other, steal float64
	}{
		// 10 s of capacity: 6 s busy, of which 1 s steal and 4 s the suite's.
		{"steal is not other processes' work", cpu(100, 100, 10), cpu(106, 104, 11), 4 * time.Second, 0.1, 0.1},
		{"the suite alone", cpu(0, 0, 0), cpu(5, 5, 0), 5 * time.Second, 0, 0},
		{"never negative", cpu(0, 0, 0), cpu(5, 5, 0), 6 * time.Second, 0, 0},
		{"unknown", machine.CPUTimes{}, cpu(5, 5, 0), 0, -1, -1},
		{"no time passed", cpu(5, 5, 0), cpu(5, 5, 0), 0, -1, -1},
	}
	for _, tt := range tests {
		other, steal := otherShares(tt.cpu0, tt.cpu1, tt.own)
		if math.Abs(other-tt.other) > 1e-9 || math.Abs(steal-tt.steal) > 1e-9 {
			t.Errorf("%s: otherShares = %g, %g; want %g, %g", tt.name, other, steal, tt.other, tt.steal)
		}
	}
}

func TestRoundHists(t *testing.T) {
	r := newRoundHists(2, 100, 1000) // rounds of 500 ns of intended time after 100 ns of warm-up
	for _, x := range []struct{ intended, delay int64 }{
		{50, 1_000_000},      // warm-up: not recorded
		{100, 10}, {599, 20}, // round 1
		{600, 30}, {5000, 40}, // round 2; beyond the end counts in the last round
	} {
		r.record(x.intended, x.delay)
	}
	res := r.result("x", 7)
	if res.Per.Count() != 4 || res.Rounds[0].Count() != 2 || res.Rounds[1].Count() != 2 || res.Per.Max() != 40 || res.Ops != 7 {
		t.Fatalf("pooled %d values (max %d), rounds %d and %d; want 4 (max 40), 2 and 2", res.Per.Count(), res.Per.Max(), res.Rounds[0].Count(), res.Rounds[1].Count())
	}
	// Open loop: the median over rounds; the worst round.
	if got := res.q(1); got != 30 { // p100 of the rounds: 20 and 40
		t.Errorf("q(1) = %d, want 30, the median of 20 and 40", got)
	}
	if got := res.worst(1); got != 40 {
		t.Errorf("worst(1) = %d, want 40", got)
	}
}

// TestTargetsFile checks targets.yaml: it loads, and every target links to a
// section of the report.
func TestTargetsFile(t *testing.T) {
	tf, err := loadTargets(targetsYAML)
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, line := range strings.Split(reportTemplate, "\n") {
		if strings.HasPrefix(line, "#") && !strings.Contains(line, "{{") {
			title := strings.TrimSpace(strings.TrimLeft(line, "#"))
			anchor := strings.Map(func(r rune) rune {
				switch {
				case r == ' ':
					return '-'
				case r == '(' || r == ')' || r == ',' || r == ':':
					return -1
				}
				return unicode.ToLower(r)
			}, title)
			anchors[anchor] = true
		}
	}
	if len(tf.Targets) < 40 {
		t.Errorf("%d targets, want the spec's and the project's (at least 40)", len(tf.Targets))
	}
	for _, tg := range tf.Targets {
		if tg.Details != "" && !anchors[tg.Details] {
			t.Errorf("%q links to #%s, which is no heading of the report (%v)", tg.Target, tg.Details, anchors)
		}
		if strings.Contains(strings.ToLower(tg.Target+tg.Note+tg.IfMissed), "issue") {
			t.Errorf("%q cites the tracker; cite the spec", tg.Target)
		}
	}
}

func TestLoadTargetsRejects(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "targets:\n  - spec: x\n    colour: red\n", "colour"},
		{"unknown section", "spec_sections: {a: A}\ntargets:\n  - {spec: b, bar: spec, target: t, checks: [{metric: m, max: 1}]}\n", "unknown spec section"},
		{"bad bar", "spec_sections: {a: A}\ntargets:\n  - {spec: a, bar: maybe, target: t, checks: [{metric: m, max: 1}]}\n", "bar"},
		{"two values", "spec_sections: {a: A}\ntargets:\n  - {spec: a, bar: spec, target: t, checks: [{metric: m, median: [p, n], max: 1}]}\n", "2 values"},
		{"no limit", "spec_sections: {a: A}\ntargets:\n  - {spec: a, bar: spec, target: t, checks: [{metric: m}]}\n", "0 limits"},
		{"short ratio", "spec_sections: {a: A}\ntargets:\n  - {spec: a, bar: spec, target: t, checks: [{ratio: [p, a], max: 1}]}\n", "[package, a, b]"},
		{"no checks", "spec_sections: {a: A}\ntargets:\n  - {spec: a, bar: spec, target: t}\n", "checks"},
		{"bad note", "spec_sections: {a: A}\ntargets:\n  - {spec: a, bar: spec, target: t, note: '{{metric', checks: [{metric: m, max: 1}]}\n", "unclosed"},
	}
	for _, tt := range tests {
		_, err := loadTargets([]byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one that says %q", tt.name, err, tt.want)
		}
	}
}

// TestJudge checks that verdicts compare the right value with the right
// limit, and that notes follow the verdict.
func TestJudge(t *testing.T) {
	tf, err := loadTargets([]byte(`
spec_sections:
  lat: "Non-Functional Requirements › Latency Requirements"
targets:
  - {spec: lat, bar: spec, target: below-met, checks: [{metric: a, below: 5}]}
  - {spec: lat, bar: spec, target: below-equal, checks: [{metric: a, below: 4}], if_missed: "a is {{metric \"a\"}}"}
  - {spec: lat, bar: spec, target: max-equal, checks: [{metric: a, max: 4}], if_missed: never shown}
  - {spec: lat, bar: project, target: min, checks: [{metric: a, min: 5}], note: always}
  - {spec: lat, bar: spec, target: above-and-equal, checks: [{metric: a, above: 3}, {metric: z, equal: 0}]}
  - {spec: lat, bar: spec, target: missing, checks: [{metric: a, above: 3}, {metric: nope, equal: 0}]}
  - {spec: lat, bar: spec, target: ratio, checks: [{ratio: [signals, X, Y], max: 1.6, suffix: " faster"}]}
  - {spec: lat, bar: spec, target: diff, checks: [{diff: [signals, X, Y], max: 5}]}
  - {spec: lat, bar: spec, target: median-allocs, checks: [{median: [signals, X], unit: allocs/op, equal: 0}]}
  - {spec: lat, bar: spec, target: unmeasured, not_measured: true, note: "value {{value \"a\"}}"}
`))
	if err != nil {
		t.Fatal(err)
	}
	var rs gobench.Rounds
	for _, round := range []string{
		"BenchmarkX-2 100 30 ns/op 0 allocs/op\nBenchmarkY-2 100 20 ns/op\n",
		"BenchmarkX-2 100 16 ns/op 0 allocs/op\nBenchmarkY-2 100 10 ns/op\n",
	} {
		if err := rs.Add(strings.NewReader(round)); err != nil {
			t.Fatal(err)
		}
	}
	m := metricSet{"a": {V: gobench.Summarize([]float64{4}), Text: "4 units"}, "z": {V: gobench.Summarize([]float64{0}), Text: "none"}}
	rows, err := judge(tf, map[string]gobench.Rounds{"signals": rs}, m)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ verdict, measured, note string }{
		{met, "4 units", ""},
		{notMet, "4 units", "a is 4 units"},
		{met, "4 units", ""},
		{notMet, "4 units", "always"},
		{met, "4 units, none", ""},
		{notRun, "–", ""},
		{met, "1.55× (1.50–1.60) faster", ""}, // 30/20 and 16/10
		{notMet, "+8.0 ns (6.0 ns – 10.0 ns)", ""},
		{met, "0 allocs/op", ""},
		{notMeasure, "", "value 4"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		if r.Verdict != w.verdict || r.Measured != w.measured || r.Note != w.note {
			t.Errorf("%s: verdict %q, measured %q, note %q; want %q, %q, %q", r.Target, r.Verdict, r.Measured, r.Note, w.verdict, w.measured, w.note)
		}
		if r.Section != "Latency Requirements" {
			t.Errorf("%s: section %q, want the last heading of the path", r.Target, r.Section)
		}
	}
}
