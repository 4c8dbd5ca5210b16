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
	"strings"
	"testing"
	"time"

	"github.com/signalkit/sdk/bench/internal/gobench"
	"github.com/signalkit/sdk/bench/internal/hdr"
	"github.com/signalkit/sdk/bench/internal/machine"
)

// tinySizes runs every in-process measurement in a few milliseconds, and with
// fewer goroutines than the race detector's limit.
var tinySizes = sizes{
	dur: 5 * time.Millisecond, latDur: 5 * time.Millisecond, enqDur: 10 * time.Millisecond,
	rounds: 1, testRounds: 1, benchtime: "1x",
	steadyDur: 20 * time.Millisecond, memN: 200, memKeyedN: 100, allocN: 200,
	contDur: 10 * time.Millisecond, overheadWin: 2 * time.Millisecond, overheadRnd: 1,
	emitters: []int{1, 50}, listeners: []int{1, 10}, signals: []int{1, 20},
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

func TestDiffStat(t *testing.T) {
	tests := []struct {
		st   gobench.Stat
		want string
	}{
		{gobench.Stat{Median: 12.34, Min: 12.34, Max: 12.34, N: 1}, "+12.3 ns"},
		{gobench.Stat{Median: -6.4, Min: -6.4, Max: -6.4, N: 1}, "-6.4 ns"},
		{gobench.Stat{}, "n/a"},
	}
	for _, tt := range tests {
		if got := diffStat(tt.st); got != tt.want {
			t.Errorf("diffStat(%+v) = %q, want %q", tt.st, got, tt.want)
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

// TestTargets checks that verdicts compare the right number with the
// right limit.
func TestTargets(t *testing.T) {
	hist := func(vs ...int64) *hdr.Histogram {
		h := hdr.New()
		for _, v := range vs {
			h.Record(v)
		}
		return h
	}
	s := &Suite{
		latency: &latencyResults{byCase: map[string][]latencyResult{
			// Batch means of 40 ns, but batch totals of 6 µs: the p50 bound
			// exceeds 5 µs, and the verdict must use the bound.
			"sync-1": {{Impl: "plain", Batch: 100, Per: hist(40, 40, 40), Total: hist(6000, 6000, 6000)}},
			"enqueue": {{Impl: "plain", Batch: 1, Per: hist(10_000, 90_000), Rounds: []*hdr.Histogram{
				hist(10_000), hist(20_000), hist(90_000), // the median round's p99 is 20 µs
			}}},
		}},
		resources: &resourceResults{
			steady: []steadyRow{
				{Name: "harness only", AllocsPerSec: 1e6},
				{Name: "low", AllocsPerSec: 50, GCShare: 0.005},
				{Name: "gc", AllocsPerSec: 50, GCShare: 0.02},
			},
			mem: []memRow{{Name: "signals: a", N: 10, Bytes: 99}, {Name: "signals: b", N: 10, Bytes: 100}},
		},
	}
	want := map[string]string{
		"p50 < 5 µs, single-listener emit":                                                          notMet,
		"p99 < 10 µs for signal emission (single listener)":                                         met,
		"Enqueue → listener start, unsaturated (suite: one every 20 µs, default pool): p99 < 50 µs": met,
		"< 100 allocs/s and < 1 % GC time in steady state: low":                                     met,
		"< 100 allocs/s and < 1 % GC time in steady state: gc":                                      notMet,
		"< 100 bytes per listener: a, 10 listeners":                                                 met,
		"< 100 bytes per listener: b, 10 listeners":                                                 notMet,
	}
	got := map[string]string{}
	for _, r := range s.targets() {
		got[r.Target] = r.Verdict
	}
	if _, ok := got["< 100 allocs/s and < 1 % GC time in steady state: harness only"]; ok {
		t.Error("the harness baseline is judged as a target")
	}
	for target, v := range want {
		if got[target] != v {
			t.Errorf("%q: verdict %q, want %q", target, got[target], v)
		}
	}
}
