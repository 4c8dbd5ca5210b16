package suite

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/gobench"
	"github.com/signalkit/sdk/bench/internal/machine"
	"github.com/signalkit/sdk/bench/internal/peers"
)

// Report is what a run measured, shaped for report.md.tmpl: the template
// holds the prose and the layout, this model the numbers. A section that
// did not run is nil.
type Report struct {
	Preliminary   bool // the numbers are not final: a short run, or a busy or unknown machine
	Short         bool
	Command       string
	Generated     time.Time
	Took          time.Duration
	QuietLoad     float64 // 1-minute load average below which a machine counts as quiet
	MaxOtherShare float64 // share of the CPU other processes may use in a final run
	Sections      []string
	Durations     []SectionTime
	Procs         int

	Machine                machine.Info
	LoadEnd                machine.Load
	OtherShare, StealShare float64
	ClockNs                float64
	AtomicNs               float64
	SharedAtomicNs         float64

	Targets                []TargetRow
	Met, NotMet, Elsewhere int

	GoTest     *GoTestView
	Peers      *PeersView
	Latency    *LatencyView
	Throughput *ThroughputView
	Scaling    *ScalingView
	Resources  *ResourcesView
	Contention *ContentionView
	Overhead   *OverheadView
	Benchstat  []BenchstatView
}

// SectionTime is the time a section of the run took.
type SectionTime struct {
	Name string
	Took time.Duration
}

// SectionCmd is the command that runs one section into a directory of its
// own.
func (r *Report) SectionCmd(section string) string {
	return fmt.Sprintf("`go run ./bench/cmd/sigbench -only %s -out DIR`", section)
}

// GoTestView is the core and instrumentation benchmarks (section gotest).
type GoTestView struct {
	Rounds    int
	Benchtime string
	Signals   *SignalsBench // nil if not run
	OTel      *OTelBench    // nil if not run
	NATS      *NATSBench    // nil if not run
}

// NATSBench is natssignals' benchmarks: the bridge beside raw nats.go
// JetStream, in the same rounds.
type NATSBench struct {
	Command    string
	Throughput NATSRow // msgs/s
	Latency    NATSRow // ns per message, one in flight
}

// NATSRow is one benchmark for both implementations. Ratio is raw ÷
// bridge for throughput and bridge ÷ raw for latency (above 1: the bridge
// is slower); Added is bridge − raw, in the unit of the row (ns for
// latency); AddedAllocs is bridge − raw allocations per message.
type NATSRow struct {
	Raw, Bridge, Ratio, Added            gobench.Stat
	RawAllocs, BridgeAllocs, AddedAllocs gobench.Stat
}

// SignalsBench is package signals' benchmarks beside its yardsticks.
type SignalsBench struct {
	Command          string
	Sync             []CoreRow
	Parallel         CoreRow
	EmitWhileWriting struct{ None, Writer, Slowdown gobench.Stat }
	Async            []AsyncRow
	Enqueue          []EnqueueRow
	EnqueueLatency   []EnqueueLatencyRow
}

// CoreRow is one synchronous benchmark beside the yardsticks.
type CoreRow struct {
	Name                              string
	Signals, Allocs, Floor, DeferEach gobench.Stat
	V13, SignalsVsFloor, V13VsSignals gobench.Stat
}

// AsyncRow is AsyncSignal.Emit beside goroutine-per-listener.
type AsyncRow struct {
	Listeners                             int
	Signals, Allocs, V13, V13Allocs, Gain gobench.Stat
}

// EnqueueRow is Enqueue's publisher cost and sustained delivery.
type EnqueueRow struct {
	Listeners                           int
	Publisher, Allocs, VsOne, Sustained gobench.Stat
}

// EnqueueLatencyRow is BenchmarkEnqueueLatency for one WorkerSpin.
type EnqueueLatencyRow struct {
	Spin           string
	P50, P99, P999 gobench.Stat
}

// OTelBench is otelsignals' benchmarks.
type OTelBench struct {
	Command   string
	Rows      []OTelRow
	Collector []OTelCollectorRow
	Parallel  []OTelParallelRow
	Slow      struct{ Plain, Metrics, Ratio gobench.Stat }
}

// OTelRow is one instrumentation variant of BenchmarkSyncEmit.
type OTelRow struct {
	Impl, What string
	Cells      []OTelCell // 1 and 10 listeners
}

// OTelCell is a variant's time, its difference to plain, and allocations.
type OTelCell struct{ Ns, Diff, Allocs gobench.Stat }

// OTelCollectorRow is BenchmarkCollector for one variant.
type OTelCollectorRow struct {
	Impl       string
	Ns, Allocs gobench.Stat
}

// OTelParallelRow is SyncEmitParallel and AsyncEnqueue for one variant.
type OTelParallelRow struct {
	Impl                      string
	Parallel, Enqueue, Allocs gobench.Stat
}

// PeersView is package signals beside other event libraries.
type PeersView struct {
	Rounds    int
	Benchtime string
	Command   string
	Impls     []PeerImpl
	Sync      PeerTable
	Parallel  PeerTable
	Wait      PeerTable
	Fire      PeerTable
	Memory    []PeerMemoryRow
}

// PeerImpl says what one implementation is and calls.
type PeerImpl struct {
	Name, Title, Note string
	API               []PeerAPI
}

// PeerAPI is what an implementation calls for one operation.
type PeerAPI struct{ Op, Call string }

// PeerTable is one operation: a row per implementation, a cell per number
// of listeners.
type PeerTable struct {
	Unit      string // of the values: "ns/op" or "calls/s"
	Listeners []int  // 0 for a benchmark without a listener count
	Rows      []PeerRow
}

// PeerRow is one implementation in a PeerTable.
type PeerRow struct {
	Impl  string
	Cells []PeerCell
}

// PeerCell is a value and package signals' advantage over it, within
// rounds: how many times faster signals is (above 1: signals is faster).
type PeerCell struct {
	Value, Allocs, SignalsGain gobench.Stat
	Has                        bool
}

// PeerMemoryRow is the memory of one implementation's listeners.
type PeerMemoryRow struct {
	Impl, Note string
	N          int
	Bytes      float64
}

// LatencyView is the latency section.
type LatencyView struct {
	LatDur, EnqDur, RoundDur time.Duration
	Interval                 time.Duration
	RatePerSec               float64
	Cases                    []LatencyCase
	Overview                 bool // perf/latency.svg was written
}

// LatencyCase is one emission path.
type LatencyCase struct {
	Name, Title string
	Open        bool   // paced, timed per round (Enqueue)
	Plot        string // file under perf/, or ""
	Rows        []LatencyRow
}

// LatencyRow is one implementation of a latency case (values in ns).
type LatencyRow struct {
	Impl                           string
	Batch                          int
	Samples                        int64
	Rounds                         int
	Mean, P50, P95, P99, P999, Max float64
	Bound99, Bound999              float64 // batch totals; < 0 when the batch is one emission
	Worst99, Worst999              float64
	Note                           string
}

// ThroughputView is the throughput section.
type ThroughputView struct {
	Dur    time.Duration
	Rounds int
	Rows   []ThroughputRow
}

// ThroughputRow is one operation from 1 and from GOMAXPROCS goroutines.
type ThroughputRow struct {
	Op, Impl               string
	Listeners              int
	Emissions1, Calls1     gobench.Stat
	EmissionsAll, CallsAll gobench.Stat
	SpeedUp                gobench.Stat
	HasAll                 bool
}

// ScalingView is the scaling section.
type ScalingView struct {
	Dur          time.Duration
	Rounds       int
	Batch        int
	Emitters     ScaleTable
	EmitterFits  []EmitterFit
	Listeners    ScaleTable
	ListenerFits []ListenerFit
	Signals      ScaleTable
	SignalsFlat  []SeriesChange
	LastSignals  int
}

// ScaleTable is one axis: the series' names and a row per point.
type ScaleTable struct {
	Series []string
	Rows   []ScaleRow
}

// ScaleRow is the points of every series at one x.
type ScaleRow struct {
	X     int
	Cells []ScaleCell
}

// ScaleCell is one point: throughput, p99 per emission and its bound.
type ScaleCell struct {
	Emissions, Calls gobench.Stat
	NsPerCall        float64
	P99, P99Bound    float64
}

// EmitterFit is the linearity of one emitter series.
type EmitterFit struct {
	Name                 string
	R2, Slope, Spread    float64
	RelLo, RelHi         float64
	HasRel               bool
	ChangesLo, ChangesHi float64
	HasChanges           bool
}

// ListenerFit is time per emission against listeners for one series.
type ListenerFit struct {
	Name                 string
	Intercept, Slope, R2 float64
}

// SeriesChange is a series' throughput at the last point relative to the
// first, in percent.
type SeriesChange struct {
	Name string
	Pct  float64
}

// ResourcesView is the allocations, GC and memory section.
type ResourcesView struct {
	AllocN    int
	SteadyDur time.Duration
	Allocs    []allocRow
	Steady    []steadyRow
	Mem       []memRow
}

// ContentionView is the contention section.
type ContentionView struct {
	Dur  time.Duration
	Runs []contentionRun
}

// OverheadView is the instrumentation overhead section.
type OverheadView struct {
	Window   time.Duration
	Rounds   int
	CPUClock string
	Variants []string
	Rows     []OverheadRow
	Derived  []DerivedOverhead
}

// OverheadRow is one listener work: plain's cost and each variant's
// overhead, in CPU and in wall time (one value per round).
type OverheadRow struct {
	Work            string
	CPU, Wall       []float64
	CPUPct, WallPct [][]float64 // by variant
}

// DerivedOverhead is an instrumented variant's cost per emission from the
// latency section, and the overhead it predicts.
type DerivedOverhead struct {
	Impl                 string
	Ns, At1, At10, At100 float64
}

// BenchstatView is benchstat's summary of one package's rounds.
type BenchstatView struct {
	Name   string
	Rounds int
	Text   string
}

// model builds the report of this run, writing its plots on the way.
func (s *Suite) model() (*Report, error) {
	r := &Report{
		Short: s.cfg.Short, Command: s.cfg.Command, Generated: s.machine.Time, Took: time.Since(s.start),
		QuietLoad: quietLoad, MaxOtherShare: maxOtherShare, Sections: Sections, Procs: runtime.GOMAXPROCS(0),
		Machine: s.machine, LoadEnd: s.loadEnd, OtherShare: s.otherShare, StealShare: s.stealShare,
		ClockNs: s.clockNs, AtomicNs: s.atomicNs, SharedAtomicNs: s.sharedAtomicNs,
	}
	r.Preliminary = s.preliminary()
	for _, name := range Sections {
		if d, ok := s.durations[name]; ok {
			r.Durations = append(r.Durations, SectionTime{name, d})
		}
	}
	tf, err := loadTargets(targetsYAML)
	if err != nil {
		return nil, err
	}
	rounds := map[string]gobench.Rounds{}
	for _, g := range []*goTestResults{s.gotest, s.peersGoTest()} {
		if g != nil {
			for _, p := range g.pkgs {
				rounds[p.Name] = p.Rounds
			}
		}
	}
	if r.Targets, err = judge(tf, rounds, s.metrics()); err != nil {
		return nil, err
	}
	for _, t := range r.Targets {
		switch t.Verdict {
		case met:
			r.Met++
		case notMet:
			r.NotMet++
		default:
			r.Elsewhere++
		}
	}
	r.GoTest = s.goTestView()
	r.Peers = s.peersView()
	if r.Latency, err = s.latencyView(); err != nil {
		return nil, err
	}
	r.Throughput = s.throughputView()
	if r.Scaling, err = s.scalingView(); err != nil {
		return nil, err
	}
	r.Resources = s.resourcesView()
	if s.contention != nil {
		r.Contention = &ContentionView{Dur: s.sz.contDur, Runs: s.contention.runs}
	}
	if r.Overhead, err = s.overheadView(); err != nil {
		return nil, err
	}
	for _, g := range []*goTestResults{s.gotest, s.peersGoTest()} {
		if g == nil {
			continue
		}
		for _, p := range g.pkgs {
			r.Benchstat = append(r.Benchstat, BenchstatView{Name: p.Name, Rounds: g.rounds, Text: strings.TrimRight(p.Benchstat, "\n")})
		}
	}
	return r, nil
}

func (s *Suite) peersGoTest() *goTestResults {
	if s.peers == nil {
		return nil
	}
	return s.peers.gotest
}

// preliminary reports whether this run's numbers are not final: a short
// run, or a machine that was busy or whose load is unknown.
func (s *Suite) preliminary() bool {
	return s.cfg.Short || s.machine.Load.One >= quietLoad || s.machine.Load.One < 0 || s.otherShare > maxOtherShare
}

func (s *Suite) goTestView() *GoTestView {
	g := s.gotest
	if g == nil {
		return nil
	}
	v := &GoTestView{Rounds: g.rounds, Benchtime: g.benchtime}
	if p := g.pkg("signals"); p != nil {
		v.Signals = signalsBench(p, g.benchtime)
	}
	if p := g.pkg("otelsignals"); p != nil {
		v.OTel = otelBench(p, g.benchtime)
	}
	if p := g.pkg("natssignals"); p != nil {
		v.NATS = natsBench(p, g.benchtime)
	}
	return v
}

func natsBench(p *goTestPkg, benchtime string) *NATSBench {
	rs := p.Rounds
	row := func(bench, unit string, higherIsBetter bool) NATSRow {
		raw, bridge := bench+"/impl=raw", bench+"/impl=bridge"
		r := NATSRow{
			Raw: rs.Median(raw, unit), Bridge: rs.Median(bridge, unit), Added: rs.Diff(bridge, raw, unit),
			RawAllocs: rs.Median(raw, "allocs/op"), BridgeAllocs: rs.Median(bridge, "allocs/op"),
			AddedAllocs: rs.Diff(bridge, raw, "allocs/op"),
		}
		if higherIsBetter {
			r.Ratio = rs.Ratio(raw, bridge, unit)
		} else {
			r.Ratio = rs.Ratio(bridge, raw, unit)
		}
		return r
	}
	return &NATSBench{Command: p.Command(benchtime),
		Throughput: row("Throughput", "msgs/s", true), Latency: row("Latency", "ns/op", false)}
}

func signalsBench(p *goTestPkg, benchtime string) *SignalsBench {
	rs := p.Rounds
	b := &SignalsBench{Command: p.Command(benchtime)}
	row := func(title, base string) CoreRow {
		return CoreRow{Name: title,
			Signals: rs.Median(base+"signals", "ns/op"), Allocs: rs.Median(base+"signals", "allocs/op"),
			Floor: rs.Median(base+"floor", "ns/op"), DeferEach: rs.Median(base+"defer-each", "ns/op"), V13: rs.Median(base+"v1.3", "ns/op"),
			SignalsVsFloor: rs.Ratio(base+"signals", base+"floor", "ns/op"), V13VsSignals: rs.Ratio(base+"v1.3", base+"signals", "ns/op"),
		}
	}
	for _, bench := range []string{"SyncEmit", "SyncEmitKeyed", "TryEmit"} {
		for _, n := range listenerCounts() {
			base := fmt.Sprintf("%s/listeners=%d/impl=", bench, n)
			if rs.Median(base+"signals", "ns/op").N == 0 {
				continue
			}
			b.Sync = append(b.Sync, row(fmt.Sprintf("%s, %d listener(s)", bench, n), base))
		}
	}
	b.Parallel = row("ParallelEmit (GOMAXPROCS goroutines, 1 listener)", "ParallelEmit/impl=")
	const none, writer = "EmitWhileWriting/writer=none/impl=signals", "EmitWhileWriting/writer=add+remove/impl=signals"
	b.EmitWhileWriting.None, b.EmitWhileWriting.Writer = rs.Median(none, "ns/op"), rs.Median(writer, "ns/op")
	b.EmitWhileWriting.Slowdown = rs.Ratio(writer, none, "ns/op")
	for _, n := range listenerCounts() {
		base := fmt.Sprintf("AsyncEmit/listeners=%d/impl=", n)
		b.Async = append(b.Async, AsyncRow{Listeners: n,
			Signals: rs.Median(base+"signals", "ns/op"), Allocs: rs.Median(base+"signals", "allocs/op"),
			V13: rs.Median(base+"v1.3", "ns/op"), V13Allocs: rs.Median(base+"v1.3", "allocs/op"), Gain: rs.Ratio(base+"v1.3", base+"signals", "ns/op")})
		name := fmt.Sprintf("Enqueue/listeners=%d/impl=signals", n)
		b.Enqueue = append(b.Enqueue, EnqueueRow{Listeners: n,
			Publisher: rs.Median(name, "ns/op"), Allocs: rs.Median(name, "allocs/op"),
			VsOne:     rs.Ratio(name, "Enqueue/listeners=1/impl=signals", "ns/op"),
			Sustained: rs.Median(fmt.Sprintf("EnqueueThroughput/listeners=%d/impl=signals", n), "calls/s")})
	}
	for _, spin := range []string{"0s", "100µs"} {
		name := "EnqueueLatency/spin=" + spin + "/impl=signals"
		b.EnqueueLatency = append(b.EnqueueLatency, EnqueueLatencyRow{Spin: spin,
			P50: rs.Median(name, "p50-ns"), P99: rs.Median(name, "p99-ns"), P999: rs.Median(name, "p999-ns")})
	}
	return b
}

// otelImpls are the variants of otelsignals' BenchmarkSyncEmit.
var otelImpls = []struct{ impl, what string }{
	{"plain", "no instrumentation (the core's fast path)"},
	{"core-general", "a collector that only counts and returns no observer"},
	{"metrics", "metrics on, tracing off, durations timed for 1 % of emissions"},
	{"metrics-untimed", "metrics on, tracing off, no durations"},
	{"off", "instrumented, metrics and tracing switched off"},
	{"tracing-unsampled", "metrics off, tracing on (ParentBased(Never())), emission not sampled"},
	{"tracing-never", "metrics off, tracing on (Never()), emission not sampled"},
	{"tracing-ratio", "metrics off, tracing on (Ratio(1e-9)), emission not sampled"},
	{"tracing-ratelimited", "metrics off, tracing on (RateLimited(1e-9)), emission not sampled"},
	{"tracing-sampled", "metrics off, every emission traced"},
	{"manual-span", "an SDK span started and ended by hand around a plain emit"},
}

func otelBench(p *goTestPkg, benchtime string) *OTelBench {
	rs := p.Rounds
	o := &OTelBench{Command: p.Command(benchtime)}
	for _, im := range otelImpls {
		row := OTelRow{Impl: im.impl, What: im.what}
		for _, n := range []int{1, 10} {
			name := fmt.Sprintf("SyncEmit/listeners=%d/impl=%s", n, im.impl)
			row.Cells = append(row.Cells, OTelCell{Ns: rs.Median(name, "ns/op"),
				Diff:   rs.Diff(name, fmt.Sprintf("SyncEmit/listeners=%d/impl=plain", n), "ns/op"),
				Allocs: rs.Median(name, "allocs/op")})
		}
		o.Rows = append(o.Rows, row)
	}
	for _, impl := range []string{"metrics-rate0", "metrics", "tracing-never", "tracing-unsampled", "tracing-sampled"} {
		name := "Collector/impl=" + impl
		o.Collector = append(o.Collector, OTelCollectorRow{Impl: impl, Ns: rs.Median(name, "ns/op"), Allocs: rs.Median(name, "allocs/op")})
	}
	for _, impl := range []string{"plain", "core-general", "metrics", "off"} {
		o.Parallel = append(o.Parallel, OTelParallelRow{Impl: impl, Parallel: rs.Median("SyncEmitParallel/impl="+impl, "ns/op"),
			Enqueue: rs.Median("AsyncEnqueue/impl="+impl, "ns/op"), Allocs: rs.Median("AsyncEnqueue/impl="+impl, "allocs/op")})
	}
	o.Slow.Plain, o.Slow.Metrics = rs.Median("SlowListener/impl=plain", "ns/op"), rs.Median("SlowListener/impl=metrics", "ns/op")
	o.Slow.Ratio = rs.Ratio("SlowListener/impl=metrics", "SlowListener/impl=plain", "ns/op")
	return o
}

// opNames are the peers' operations as the report names them.
var opNames = map[peers.Op]string{peers.SyncEmit: "sync emit", peers.EmitWait: "emit and wait", peers.FireForget: "fire and forget"}

func (s *Suite) peersView() *PeersView {
	if s.peers == nil {
		return nil
	}
	v := &PeersView{}
	if g := s.peers.gotest; g != nil {
		p := g.pkg("peers")
		v.Rounds, v.Benchtime, v.Command = g.rounds, g.benchtime, p.Command(g.benchtime)
		rs := p.Rounds
		all := peers.All()
		for _, im := range all {
			pi := PeerImpl{Name: im.Name, Title: im.Title(), Note: im.Note}
			for _, op := range peers.Ops {
				if im.Has(op) {
					pi.API = append(pi.API, PeerAPI{Op: opNames[op], Call: im.API[op]})
				}
			}
			v.Impls = append(v.Impls, pi)
		}
		// table returns the implementations of op, a cell per listener
		// count; higherIsBetter says whether a larger value is better.
		table := func(op peers.Op, bench string, counts []int, unit string, higherIsBetter bool) PeerTable {
			t := PeerTable{Unit: unit, Listeners: counts}
			for _, im := range all {
				if !im.Has(op) {
					continue
				}
				row := PeerRow{Impl: im.Name}
				for _, n := range counts {
					name := func(impl string) string {
						if n == 0 {
							return bench + "/impl=" + impl
						}
						return fmt.Sprintf("%s/listeners=%d/impl=%s", bench, n, impl)
					}
					c := PeerCell{Value: rs.Median(name(im.Name), unit), Allocs: rs.Median(name(im.Name), "allocs/op")}
					c.Has = c.Value.N > 0
					if im.Name != "signals" {
						if higherIsBetter {
							c.SignalsGain = rs.Ratio(name("signals"), name(im.Name), unit)
						} else {
							c.SignalsGain = rs.Ratio(name(im.Name), name("signals"), unit)
						}
					}
					row.Cells = append(row.Cells, c)
				}
				t.Rows = append(t.Rows, row)
			}
			return t
		}
		v.Sync = table(peers.SyncEmit, "SyncEmit", listenerCounts(), "ns/op", false)
		v.Parallel = table(peers.SyncEmit, "ParallelEmit", []int{0}, "ns/op", false)
		v.Wait = table(peers.EmitWait, "EmitWait", listenerCounts(), "ns/op", false)
		v.Fire = table(peers.FireForget, "FireForget", listenerCounts(), "calls/s", true)
	}
	for _, m := range s.peers.memory {
		v.Memory = append(v.Memory, PeerMemoryRow{Impl: m.Impl.Name, Note: m.Impl.MemoryNote, N: m.N, Bytes: m.Bytes})
	}
	return v
}

func (s *Suite) latencyView() (*LatencyView, error) {
	l := s.latency
	if l == nil {
		return nil, nil
	}
	v := &LatencyView{LatDur: s.sz.latDur, EnqDur: s.sz.enqDur, RoundDur: s.sz.enqDur / time.Duration(max(s.sz.rounds, 1)),
		Interval: l.interval, RatePerSec: float64(time.Second / l.interval)}
	for _, c := range latCases {
		results := l.byCase[c.Name]
		if len(results) == 0 {
			continue
		}
		lc := LatencyCase{Name: c.Name, Title: c.Title, Open: c.kind == enqueue}
		for i := range results {
			r := &results[i]
			row := LatencyRow{Impl: r.Impl, Batch: r.Batch, Samples: r.Samples, Rounds: len(r.Rounds), Mean: r.MeanNs,
				P50: float64(r.q(0.5)), P95: float64(r.q(0.95)), P99: float64(r.q(0.99)), P999: float64(r.q(0.999)),
				Bound99: -1, Bound999: -1, Max: float64(r.Per.Max()),
				Worst99: float64(r.worst(0.99)), Worst999: float64(r.worst(0.999)), Note: r.Note}
			if r.Total != nil {
				row.Bound99, row.Bound999, row.Max = float64(r.Total.Quantile(0.99)), float64(r.Total.Quantile(0.999)), float64(r.Total.Max())
			}
			lc.Rows = append(lc.Rows, row)
		}
		var err error
		if lc.Plot, err = s.latencyPlot(c, results); err != nil {
			return nil, err
		}
		v.Cases = append(v.Cases, lc)
	}
	var err error
	v.Overview, err = s.latencyOverviewPlot()
	return v, err
}

func (s *Suite) throughputView() *ThroughputView {
	t := s.throughput
	if t == nil {
		return nil
	}
	procs := runtime.GOMAXPROCS(0)
	v := &ThroughputView{Dur: s.sz.dur, Rounds: s.sz.rounds}
	for _, row := range t.rows {
		if row.G != 1 {
			continue
		}
		r := ThroughputRow{Op: row.Op, Impl: row.Impl, Listeners: row.Listeners, Emissions1: statOf(row.Emissions), Calls1: statOf(row.Calls)}
		if par := t.find(tpConfig{row.Op, row.Impl, row.Listeners, procs}); par != nil && procs != 1 {
			r.HasAll = true
			r.EmissionsAll, r.CallsAll = statOf(par.Emissions), statOf(par.Calls)
			r.SpeedUp = gobench.Summarize([]float64{fit.MedianRatio(par.Emissions, row.Emissions)})
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}

func (s *Suite) scalingView() (*ScalingView, error) {
	sc := s.scaling
	if sc == nil {
		return nil, nil
	}
	v := &ScalingView{Dur: s.sz.dur, Rounds: s.sz.rounds, Batch: sc.batch, LastSignals: sc.signalCounts[len(sc.signalCounts)-1]}
	table := func(group []*scaleSeries, xs []int) ScaleTable {
		t := ScaleTable{}
		for _, ss := range group {
			t.Series = append(t.Series, ss.Name)
		}
		for i, x := range xs {
			row := ScaleRow{X: x}
			for _, ss := range group {
				p := ss.Points[i]
				c := ScaleCell{Emissions: statOf(p.Emissions), Calls: statOf(p.Calls), P99: fit.Median(p.P99), P99Bound: fit.Median(p.P99Bound)}
				c.NsPerCall = 1e9 / c.Calls.Median
				row.Cells = append(row.Cells, c)
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	}
	v.Emitters = table(sc.emitters, sc.emitterCounts)
	v.Listeners = table(sc.listeners, sc.listenerCounts)
	v.Signals = table(sc.signals, sc.signalCounts)
	floor := sc.series(sc.emitters, "floor")
	for _, ss := range sc.emitters {
		fl, spread := sc.emitterFit(ss)
		ef := EmitterFit{Name: ss.Name, R2: fl.R2, Slope: fl.Slope, Spread: spread}
		if len(ss.Points) > 0 && len(ss.Points[0].Changes) > 0 {
			var ch []float64
			for _, p := range ss.Points {
				ch = append(ch, fit.Median(p.Changes))
			}
			ef.HasChanges = true
			ef.ChangesLo, ef.ChangesHi = fit.MinMax(ch)
		}
		if floor != nil && ss.Name != "floor" {
			ef.HasRel = true
			ef.RelLo, ef.RelHi = sc.relativeTo(ss, floor)
		}
		v.EmitterFits = append(v.EmitterFits, ef)
	}
	for _, ss := range sc.listeners {
		var xs, ys []float64
		for _, p := range ss.Points {
			if len(p.Emissions) > 0 {
				xs = append(xs, float64(p.X))
				ys = append(ys, 1e9/fit.Median(p.Emissions))
			}
		}
		fl := fit.Linear(xs, ys)
		v.ListenerFits = append(v.ListenerFits, ListenerFit{Name: ss.Name, Intercept: fl.Intercept, Slope: fl.Slope, R2: fl.R2})
	}
	for _, ss := range sc.signals {
		if len(ss.Points) > 1 {
			r := fit.MedianRatio(ss.Points[len(ss.Points)-1].Calls, ss.Points[0].Calls)
			v.SignalsFlat = append(v.SignalsFlat, SeriesChange{Name: ss.Name, Pct: 100 * (r - 1)})
		}
	}
	for _, axis := range []struct {
		name, label string
		group       []*scaleSeries
		calls       bool
	}{
		{"emitters", "concurrent emitter goroutines", sc.emitters, false},
		{"listeners", "listeners per signal", sc.listeners, true},
		{"signals", "active signals", sc.signals, true},
	} {
		if err := s.scalePlots(axis.name, axis.label, axis.group, axis.calls); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Suite) resourcesView() *ResourcesView {
	r := s.resources
	if r == nil {
		return nil
	}
	return &ResourcesView{AllocN: r.allocN, SteadyDur: s.sz.steadyDur, Allocs: r.allocs, Steady: r.steady, Mem: r.mem}
}

func (s *Suite) overheadView() (*OverheadView, error) {
	o := s.overhead
	if o == nil {
		return nil, nil
	}
	v := &OverheadView{Window: s.sz.overheadWin, Rounds: s.sz.overheadRnd, CPUClock: cpuClock}
	for _, vr := range o.variants[1:] {
		v.Variants = append(v.Variants, vr.Name)
	}
	for i, w := range o.works {
		cells := o.cells[w]
		if cells == nil {
			continue
		}
		row := OverheadRow{Work: fmt.Sprintf("%v (%d steps)", w, o.steps[i]), CPU: cells[plain.Name].CPUPerOp, Wall: cells[plain.Name].WallPerOp}
		for _, vr := range o.variants[1:] {
			row.CPUPct = append(row.CPUPct, cells[vr.Name].Pct)
			row.WallPct = append(row.WallPct, cells[vr.Name].WallPct)
		}
		v.Rows = append(v.Rows, row)
	}
	if l := s.latency; l != nil {
		var plainMean float64
		for _, r := range l.byCase["sync-1"] {
			if r.Impl == plain.Name {
				plainMean = r.MeanNs
			}
		}
		for _, r := range l.byCase["sync-1"] {
			if r.Impl == plain.Name || r.Impl == "v1.3" || plainMean == 0 {
				continue
			}
			d := r.MeanNs - plainMean
			v.Derived = append(v.Derived, DerivedOverhead{Impl: r.Impl, Ns: d, At1: d / 10, At10: d / 100, At100: d / 1000})
		}
	}
	return v, s.overheadPlot()
}
