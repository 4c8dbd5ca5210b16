package suite

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/svgplot"
)

func (s *Suite) subtitle(extra string) string {
	st := fmt.Sprintf("%s, %d cores, %s, %s", s.machine.CPU, s.machine.Cores, s.machine.GoVersion, s.machine.Time.Format("2006-01-02"))
	if s.cfg.Short {
		st += ", SHORT RUN"
	} else if s.machine.Load.One >= quietLoad || s.otherShare > maxOtherShare {
		st += ", PRELIMINARY (busy machine)"
	}
	if extra != "" {
		st += " — " + extra
	}
	return st
}

// seriesColors gives each implementation the same colour in every plot.
var seriesColors = map[string]string{
	"signals": "#0072B2", "plain": "#0072B2", "sync signals": "#0072B2",
	"v1.3": "#D55E00", "sync v1.3": "#D55E00",
	"signals + writer": "#56B4E9", "v1.3 + writer": "#E69F00",
	"async Emit signals": "#009E73", "async Emit v1.3": "#CC79A7",
	"metrics": "#009E73", "trace 0%": "#CC79A7", "trace 1%": "#E69F00", "trace 100%": "#56B4E9",
	"plain, WorkerSpin 100µs": "#000000", "Enqueue, shared pool": "#000000", chanFloor: "#999999", "floor": "#999999",
}

func (s *Suite) plot(c svgplot.Chart, file string) error {
	for i := range c.Series {
		if c.Series[i].Color == "" {
			c.Series[i].Color = seriesColors[c.Series[i].Name]
		}
	}
	return c.WriteFile(filepath.Join(s.cfg.Out, "perf", file))
}

// plainNumber formats axis values without SI suffixes: 0.01, 1, 1000.
func plainNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// --- latency ---

var percentileTicks = []svgplot.Tick{{Value: 2, Label: "50%"}, {Value: 10, Label: "90%"}, {Value: 100, Label: "99%"}, {Value: 1000, Label: "99.9%"}, {Value: 10000, Label: "99.99%"}, {Value: 100000, Label: "99.999%"}}

// percentileSeries returns the HDR-style percentile curve of r: x is
// 1/(1−q), y the latency in µs, for the quantiles the samples support.
func percentileSeries(name string, r *latencyResult) svgplot.Series {
	ss := svgplot.Series{Name: name}
	for _, q := range []float64{0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999, 0.99995, 0.99999} {
		if float64(r.Samples) < 10/(1-q) {
			break
		}
		ss.Points = append(ss.Points, svgplot.Point{X: 1 / (1 - q), Y: math.Max(float64(r.Per.Quantile(q)), 1) / 1000})
	}
	return ss
}

func (s *Suite) reportLatency(m *md) error {
	m.h(2, "Latency")
	l := s.latency
	if l == nil {
		m.p("Not run in this report (section `latency`).")
		return nil
	}
	m.p("Command: %s. Method:", s.sectionCmd("latency"))
	m.p("- **Emission (closed loop).** One goroutine emits back to back for %v per implementation, after a warm-up. One emission of a "+
		"few tens of ns cannot be timed with a clock read that costs %.0f ns, so samples are **batches**: as many consecutive emissions as take "+
		"about 2 µs (at most 100; the batch size is in the tables). The percentiles are those of the batch mean per emission, which smooths "+
		"a slow emission over its batch; the columns *p99 ≤* and *p99.9 ≤* are the percentiles of the batch totals, which bound those of single "+
		"emissions from above (an emission slower than x lies in a batch whose total exceeds x). For slower paths the batch is 1 and both are "+
		"the same measurement. The clock reads' cost (%.0f ns per batch) is included.\n"+
		"- **Enqueue → listener start (open loop).** One `Enqueue` every %v (%s emissions/s, far below what the pool delivers: unsaturated), paced by "+
		"spinning on the clock; each is timed from its *intended* send time to the first instruction of the listener, so that a stall of the "+
		"publisher or of the pool counts against every emission it delays (the coordinated-omission correction). %v per implementation. "+
		"*Go channel (reference)* is the same pacing into a buffered channel read by one goroutine that parks when it is empty: the "+
		"wake-up floor of the OS and the Go scheduler, which any pool with parked workers pays.\n"+
		"- **Instrumented variants** use `otelsignals` with an in-memory SDK: a MeterProvider with a ManualReader (collected after each run to "+
		"check that `signals.emissions` counted every emission), and a TracerProvider whose BatchSpanProcessor (default options) feeds an "+
		"exporter that counts and drops the spans. Metrics are on in every instrumented variant, with the default duration sample rate (1 %% of "+
		"emissions timed); *trace 0%%* adds tracing with `sampling.Never()`, *trace 1%%* with `sampling.Ratio(0.01)`, *trace 100%%* with "+
		"`sampling.Always()`. *v1.3* is the v1.3 design (`bench/internal/ref`, the code of `signals/reference_test.go`).",
		s.sz.latDur, s.clockNs, s.clockNs, l.interval, rate(float64(time.Second/l.interval)), s.sz.enqDur)
	overview := svgplot.Chart{Title: "Latency percentiles, plain signals", Subtitle: s.subtitle("batched cases: batch means"),
		X: svgplot.Axis{Label: "percentile", Log: true, Ticks: percentileTicks}, Y: svgplot.Axis{Label: "latency (µs)", Log: true, Format: plainNumber}}
	for _, c := range latCases {
		results := l.byCase[c.Name]
		if len(results) == 0 {
			continue
		}
		m.h(3, c.Title)
		var rows [][]string
		chart := svgplot.Chart{Title: "Latency percentiles: " + c.Title, Subtitle: s.subtitle(""),
			X: svgplot.Axis{Label: "percentile", Log: true, Ticks: percentileTicks}, Y: svgplot.Axis{Label: "latency (µs)", Log: true, Format: plainNumber}}
		open := c.kind == enqueue
		for i := range results {
			r := &results[i]
			q := func(p float64) string { return ns(float64(r.q(p))) }
			b99, b999 := "=", "="
			if r.Total != nil {
				b99, b999 = ns(float64(r.Total.Quantile(0.99))), ns(float64(r.Total.Quantile(0.999)))
			}
			maxV := r.Per.Max()
			if r.Total != nil {
				maxV = r.Total.Max()
			}
			if open {
				rows = append(rows, []string{r.Impl, fmt.Sprint(r.Samples), fmt.Sprint(len(r.Rounds)), ns(r.MeanNs), q(0.5), q(0.95), q(0.99), q(0.999),
					ns(float64(r.worst(0.99))), ns(float64(r.worst(0.999))), ns(float64(maxV)), r.Note})
			} else {
				rows = append(rows, []string{r.Impl, fmt.Sprint(r.Batch), fmt.Sprint(r.Samples), ns(r.MeanNs), q(0.5), q(0.95), q(0.99), q(0.999), b99, b999, ns(float64(maxV)), r.Note})
			}
			if ss := percentileSeries(r.Impl, r); len(ss.Points) > 0 {
				ss.Dashed = r.Impl == "v1.3" || r.Impl == chanFloor
				chart.Series = append(chart.Series, ss)
			}
			if r.Impl == "plain" {
				if ss := percentileSeries(c.Name, r); len(ss.Points) > 0 {
					overview.Series = append(overview.Series, ss)
				}
			}
		}
		header := []string{"implementation", "batch", "samples", "mean", "p50", "p95", "p99", "p99.9", "p99 ≤", "p99.9 ≤", "max (batch)", "note"}
		if open {
			header = []string{"implementation", "samples", "rounds", "mean", "p50", "p95", "p99", "p99.9", "worst round: p99", "worst round: p99.9", "max", "note"}
			m.p("Percentiles are medians over the rounds (successive parts of the run, %v each); the worst round shows the stalls that the "+
				"median leaves out, and the plot pools every round.", s.sz.enqDur/time.Duration(max(s.sz.rounds, 1)))
		}
		m.table("lrrrrrrrrrrl", header, rows)
		file := "latency-" + c.Name + ".svg"
		if len(chart.Series) > 0 {
			if err := s.plot(chart, file); err != nil {
				return err
			}
			m.p("![%s](perf/%s)", c.Title, file)
		}
	}
	if len(overview.Series) > 0 {
		if err := s.plot(overview, "latency.svg"); err != nil {
			return err
		}
		m.p("All plain paths together:\n\n![latency percentiles, plain](perf/latency.svg)")
	}
	m.p("What the tail is made of: the synchronous paths never leave the emitting goroutine, so their tail is the VM's — timer interrupts, " +
		"vCPU preemption by the hypervisor, and the Go scheduler's own preemption — not the signal. Paths that hand work to another goroutine " +
		"(AsyncSignal.Emit to several listeners, Enqueue) add the wake-up of a parked worker by the operating system, which costs tens of µs " +
		"on this VM at the median, and up to milliseconds in the tail when the other vCPU is busy; `WorkerSpin` trades a busy core for a " +
		"shorter wake-up (see [capacity-planning.md](capacity-planning.md)).")
	return nil
}

// --- throughput ---

func (s *Suite) reportThroughput(m *md) {
	m.h(2, "Throughput")
	t := s.throughput
	if t == nil {
		m.p("Not run in this report (section `throughput`).")
		return
	}
	procs := runtime.GOMAXPROCS(0)
	m.p("Command: %s. One signal; 1 goroutine, then GOMAXPROCS (%d) goroutines emitting on it without pause for %v; median of %d rounds "+
		"(range in parentheses). Listeners do nothing (as in `BenchmarkParallelEmit`), so the numbers are the emission machinery's; for "+
		"`Enqueue` the listeners count their calls, and the rate is that of delivered listener calls from the first `Enqueue` until `Close` "+
		"has delivered everything (sustained, queue of 16,384). *signals + metrics* is instrumented with metrics on, tracing off.",
		s.sectionCmd("throughput"), procs, s.sz.dur, s.sz.rounds)
	var rows [][]string
	for _, row := range t.rows {
		if row.G != 1 {
			continue
		}
		par := t.find(tpConfig{row.Op, row.Impl, row.Listeners, procs})
		r := []string{row.Op, row.Impl, fmt.Sprint(row.Listeners), medianRange(row.Emissions, rate), medianRange(row.Calls, rate)}
		if par != nil && procs != 1 {
			r = append(r, medianRange(par.Emissions, rate), medianRange(par.Calls, rate),
				fmt.Sprintf("%.2f×", fit.MedianRatio(par.Emissions, row.Emissions)))
		}
		rows = append(rows, r)
	}
	m.table("lllrrrrr", []string{"operation", "implementation", "listeners", "1 goroutine: emissions/s", "listener calls/s",
		fmt.Sprintf("%d goroutines: emissions/s", procs), "listener calls/s", "speed-up"}, rows)
}

// --- scaling ---

func (s *Suite) reportScaling(m *md) error {
	m.h(2, "Scaling")
	sc := s.scaling
	if sc == nil {
		m.p("Not run in this report (section `scaling`).")
		return nil
	}
	procs := runtime.GOMAXPROCS(0)
	m.p("Command: %s. Each point runs %v; median of %d rounds. Latency columns are per emission, from batches of %d emissions "+
		"(*p99 ≤*: the bound from batch totals, as in the latency section).", s.sectionCmd("scaling"), s.sz.dur, s.sz.rounds, sc.batch)

	m.h(3, "Concurrent emitters")
	m.p("G goroutines emit on one `SyncSignal` with one listener that does nothing; each times batches of %d emissions and yields the "+
		"processor (`runtime.Gosched`) after each batch, so that all G take turns — without it a few goroutines would run whole 10 ms time "+
		"slices while the others wait, and the run would measure the scheduler, not concurrency. The *+ writer* series add a goroutine that "+
		"adds and removes a keyed listener about every 100 µs (v1.3's writer takes the write lock, which makes emitters wait).", sc.batch)
	header := []string{"emitters"}
	for _, ss := range sc.emitters {
		header = append(header, ss.Name+": emissions/s", "p99", "p99 ≤")
	}
	var rows [][]string
	for i, x := range sc.emitterCounts {
		row := []string{fmt.Sprint(x)}
		for _, ss := range sc.emitters {
			p := ss.Points[i]
			row = append(row, medianRange(p.Emissions, rate), ns(fit.Median(p.P99)), ns(fit.Median(p.P99Bound)))
		}
		rows = append(rows, row)
	}
	m.table("r"+strings.Repeat("r", 3*len(sc.emitters)), header, rows)
	var fits []string
	for _, ss := range sc.emitters {
		fl, spread := sc.emitterFit(ss)
		extra := ""
		if len(ss.Points) > 0 && len(ss.Points[0].Changes) > 0 {
			var ch []float64
			for _, p := range ss.Points {
				ch = append(ch, fit.Median(p.Changes))
			}
			extra = fmt.Sprintf("; the writer made %s–%s listener changes/s", rate(minf(ch)), rate(maxf(ch)))
		}
		rel := ""
		if floor := sc.series(sc.emitters, "floor"); floor != nil && ss.Name != "floor" {
			lo, hi := sc.relativeTo(ss, floor)
			rel = fmt.Sprintf("; throughput relative to the floor emitter in the same harness stays between %.2f and %.2f", lo, hi)
		}
		fits = append(fits, fmt.Sprintf("- %s: R² = %.3f (slope %+.1f M/s per core) for throughput against usable cores min(G, %d); per-core throughput from G = %d to %d spreads %.0f %%%s%s.",
			ss.Name, fl.R2, fl.Slope/1e6, procs, procs, sc.emitterCounts[len(sc.emitterCounts)-1], 100*spread, rel, extra))
	}
	m.p("Linearity. On %d cores, linear scaling can only mean that throughput follows the cores in use, min(G, %d), and stays flat per core "+
		"however many goroutines share them; the spec's R² > 0.95 is computed for that fit (two distinct x values here: 1 and %d cores), and "+
		"only counts with a positive slope. What this machine cannot show is scaling from 2 to 8 cores. The harness itself costs more as G "+
		"grows (every batch ends in `runtime.Gosched`, whose run queue and goroutine stacks stop fitting in the caches at thousands of "+
		"goroutines); the *floor* series, the floor emitter in the same harness, measures that cost, and the ratio to it is the signal's own "+
		"share.\n\n%s", procs, procs, procs, strings.Join(fits, "\n"))
	if err := s.scalePlots("emitters", "concurrent emitter goroutines", sc.emitters, false); err != nil {
		return err
	}
	m.p("![throughput vs emitters](perf/scaling-emitters.svg)\n\n![p99 vs emitters](perf/scaling-emitters-p99.svg)")

	m.h(3, "Listeners per signal")
	m.p("One goroutine emits on one signal with N listeners that do nothing. Rows: N; *ns/call* is the emission time divided by N.")
	header = []string{"listeners"}
	for _, ss := range sc.listeners {
		header = append(header, ss.Name+": listener calls/s", "ns/call", "p99/emission")
	}
	rows = nil
	for i, x := range sc.listenerCounts {
		row := []string{fmt.Sprint(x)}
		for _, ss := range sc.listeners {
			p := ss.Points[i]
			row = append(row, medianRange(p.Calls, rate), fmt.Sprintf("%.1f", 1e9/fit.Median(p.Calls)), ns(fit.Median(p.P99)))
		}
		rows = append(rows, row)
	}
	m.table("r"+strings.Repeat("r", 3*len(sc.listeners)), header, rows)
	fits = nil
	for _, ss := range sc.listeners {
		var xs, ys []float64
		for _, p := range ss.Points {
			if len(p.Emissions) > 0 {
				xs = append(xs, float64(p.X))
				ys = append(ys, 1e9/fit.Median(p.Emissions))
			}
		}
		fl := fit.Linear(xs, ys)
		fits = append(fits, fmt.Sprintf("- %s: time per emission = %.1f ns + %.2f ns × listeners, R² = %.4f.", ss.Name, fl.Intercept, fl.Slope, fl.R2))
	}
	m.p("Linear fit of the time per emission against the number of listeners (no degradation means a constant cost per listener, R² near 1):\n\n%s", strings.Join(fits, "\n"))
	if err := s.scalePlots("listeners", "listeners per signal", sc.listeners, true); err != nil {
		return err
	}
	m.p("![listener calls vs listeners](perf/scaling-listeners.svg)")

	m.h(3, "Active signals")
	m.p("S signals with one listener each; GOMAXPROCS goroutines go round all of them, each from a different starting point, for %v. "+
		"*Enqueue, shared pool*: S `AsyncSignal`s sharing one `WorkerPool` (queue of 16,384), rate of delivered calls including the drain.", s.sz.dur)
	header = []string{"signals"}
	for _, ss := range sc.signals {
		header = append(header, ss.Name+": calls/s", "p99", "p99 ≤")
	}
	rows = nil
	for i, x := range sc.signalCounts {
		row := []string{fmt.Sprint(x)}
		for _, ss := range sc.signals {
			p := ss.Points[i]
			row = append(row, medianRange(p.Calls, rate), ns(fit.Median(p.P99)), ns(fit.Median(p.P99Bound)))
		}
		rows = append(rows, row)
	}
	m.table("r"+strings.Repeat("r", 3*len(sc.signals)), header, rows)
	var flat []string
	for _, ss := range sc.signals {
		if len(ss.Points) > 1 {
			r := fit.MedianRatio(ss.Points[len(ss.Points)-1].Calls, ss.Points[0].Calls)
			flat = append(flat, fmt.Sprintf("%s %+.0f %%", ss.Name, 100*(r-1)))
		}
	}
	m.p("Throughput with %d signals compared with 1: %s. (With one listener each, 10,000 signals and their listener entries no longer fit "+
		"in the L1 and L2 caches, so some slowdown is memory, not the design.)", sc.signalCounts[len(sc.signalCounts)-1], strings.Join(flat, ", "))
	if err := s.scalePlots("signals", "active signals", sc.signals, true); err != nil {
		return err
	}
	m.p("![throughput vs signals](perf/scaling-signals.svg)")
	return nil
}

// scalePlots writes perf/scaling-<name>.svg (throughput) and, for the
// emitters, perf/scaling-<name>-p99.svg.
func (s *Suite) scalePlots(name, xLabel string, group []*scaleSeries, calls bool) error {
	thr := svgplot.Chart{Title: "Throughput vs " + xLabel, Subtitle: s.subtitle(fmt.Sprintf("median of %d rounds", s.sz.rounds)),
		X: svgplot.Axis{Label: xLabel, Log: true}, Y: svgplot.Axis{Label: "million emissions per second", Zero: true}}
	if calls {
		thr.Y.Label = "million listener calls per second"
		thr.Y.Log, thr.Y.Zero = true, false
	}
	lat := svgplot.Chart{Title: "p99 emission latency vs " + xLabel, Subtitle: s.subtitle("per emission, from batch means"),
		X: svgplot.Axis{Label: xLabel, Log: true}, Y: svgplot.Axis{Label: "p99 latency (µs)", Log: true, Format: plainNumber}}
	for _, ss := range group {
		dashed := strings.Contains(ss.Name, "v1.3") || ss.Name == "floor"
		a, b := svgplot.Series{Name: ss.Name, Dashed: dashed}, svgplot.Series{Name: ss.Name, Dashed: dashed}
		for _, p := range ss.Points {
			if len(p.Emissions) == 0 {
				continue
			}
			v := fit.Median(p.Emissions)
			if calls {
				v = fit.Median(p.Calls)
			}
			a.Points = append(a.Points, svgplot.Point{X: float64(p.X), Y: math.Max(v/1e6, 1e-6)})
			b.Points = append(b.Points, svgplot.Point{X: float64(p.X), Y: math.Max(fit.Median(p.P99), 1) / 1000})
		}
		thr.Series = append(thr.Series, a)
		lat.Series = append(lat.Series, b)
	}
	if err := s.plot(thr, "scaling-"+name+".svg"); err != nil {
		return err
	}
	if name == "emitters" {
		return s.plot(lat, "scaling-"+name+"-p99.svg")
	}
	return nil
}

// medianIQR formats the median of xs with its interquartile range.
func medianIQR(xs []float64, f func(float64) string) string {
	if len(xs) == 0 {
		return "n/a"
	}
	if len(xs) < 4 {
		return medianRange(xs, f)
	}
	return fmt.Sprintf("%s (%s – %s)", f(fit.Median(xs)), f(fit.Quantile(xs, 0.25)), f(fit.Quantile(xs, 0.75)))
}

func minf(xs []float64) float64 { lo, _ := fit.MinMax(xs); return lo }
func maxf(xs []float64) float64 { _, hi := fit.MinMax(xs); return hi }

// --- resources ---

func (s *Suite) reportResources(m *md) {
	m.h(2, "Allocations, GC and memory")
	r := s.resources
	if r == nil {
		m.p("Not run in this report (section `resources`).")
		return
	}
	m.p("Command: %s.", s.sectionCmd("resources"))
	m.p("**Allocations per emission**, from `runtime.MemStats` (Mallocs and TotalAlloc) around %d emissions after a warm-up, including "+
		"what the pool workers allocate to deliver them; listeners do one atomic add.", r.allocN)
	var rows [][]string
	for _, a := range r.allocs {
		rows = append(rows, []string{a.Path, fmt.Sprintf("%.3f", a.Allocs), fmt.Sprintf("%.1f", a.Bytes)})
	}
	m.table("lrr", []string{"path", "allocs/emission", "bytes/emission"}, rows)
	m.p("**Steady state.** A paced load for %v (bursts every millisecond), measured between two forced GCs: allocations per second "+
		"from `runtime.MemStats`, the GC's CPU from `runtime/metrics` (`/cpu/classes/gc/total:cpu-seconds`, which the runtime updates at each "+
		"GC, hence the forced GC at both ends; the cost of one forced GC, measured beforehand, is subtracted) relative to the CPU capacity "+
		"(`/cpu/classes/total`, GOMAXPROCS × wall time) and to the CPU used (capacity minus `/cpu/classes/idle`).", s.sz.steadyDur)
	rows = nil
	for _, st := range r.steady {
		rows = append(rows, []string{st.Name, st.Desc, fmt.Sprintf("%.0f", st.Emissions), fmt.Sprintf("%.1f", st.AllocsPerSec),
			fmt.Sprintf("%.0f", st.BytesPerSec), fmt.Sprintf("%.0f", st.GCCycles), fmt.Sprintf("%.3f %%", 100*st.GCShare), fmt.Sprintf("%.2f %%", 100*st.GCShareOfUsed), st.Note})
	}
	m.table("llrrrrrrl", []string{"load", "what", "emissions/s", "allocs/s", "bytes/s", "GC cycles", "GC / capacity", "GC / CPU used", "note"}, rows)
	m.p("**Memory.** The growth of the live heap (`HeapAlloc` after two GCs) when N listeners (or signals) are added, divided by N. Keys are " +
		"made inside the measurement, so a keyed listener's figure includes its key's own bytes (a 5-byte string takes 8). A keyed listener " +
		"also has an entry in the key index (a Go map), whose share per listener depends on where the map is in its growth cycle, hence two N.")
	rows = nil
	for _, x := range r.mem {
		rows = append(rows, []string{x.Name, fmt.Sprint(x.N), fmt.Sprintf("%.1f %s", x.Bytes, x.Unit)})
	}
	m.table("lrr", []string{"what", "N", "bytes"}, rows)
}

// --- contention ---

func (s *Suite) reportContention(m *md) {
	m.h(2, "Contention")
	c := s.contention
	if c == nil {
		m.p("Not run in this report (section `contention`).")
		return
	}
	m.p("Command: %s, which enables every block and mutex event (`runtime.SetBlockProfileRate(1)`, `runtime.SetMutexProfileFraction(1)`), "+
		"runs each load for %v, and looks for records with a frame in package `signals`. It also writes the cumulative profiles to the scratch "+
		"directory (`-work`, `profiles/block-after-<run>.pprof` and `mutex-after-<run>.pprof`); inspect them with, for example:",
		s.sectionCmd("contention"), s.sz.contDur)
	m.code("sh", "go run ./bench/cmd/sigbench -only contention -out /tmp/perf -work /tmp/perf-work\n"+
		"go tool pprof -top -focus 'signalkit/sdk/signals' /tmp/perf-work/profiles/block-after-sync.pprof\n"+
		"go tool pprof -top /tmp/perf-work/profiles/mutex-after-async.pprof")
	for _, run := range c.runs {
		m.h(3, "Run: "+run.Name)
		m.p("%s. %d emissions in %v%s.", run.Desc, run.Emissions, run.Dur.Round(time.Millisecond), changesNote(run.Changes))
		m.table("lrr", []string{"profile", "events (all)", "events with a frame in signals"}, [][]string{
			{"block", fmt.Sprint(run.Block.Events), fmt.Sprint(run.Block.InSignalsEvents)},
			{"mutex", fmt.Sprint(run.Mutex.Events), fmt.Sprint(run.Mutex.InSignalsEvents)},
		})
		var rows [][]string
		for _, w := range append(run.Block.Sites, run.Mutex.Sites...) {
			rows = append(rows, []string{"`" + w.Func + "`", "`" + w.Blocker + "`", fmt.Sprint(w.Events), explainWait(w)})
		}
		if len(rows) == 0 {
			m.p("No record has a frame in package signals: emission never waited for a lock or a channel.")
			continue
		}
		m.table("llrl", []string{"innermost signals frame", "waited in", "events", "what it is"}, rows)
	}
}

func changesNote(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", while the writer made %d listener changes", n)
}

// explainWait says what a wait inside package signals is.
func explainWait(w waitSite) string {
	switch {
	case w.Alloc:
		return "a lock inside the Go runtime's allocator or GC (mallocgc), taken while allocating the emission's one object; not a lock of package signals"
	case strings.Contains(w.Func, "WorkerPool).pop"):
		return "a pool worker that took a task from a full queue takes the pool's spaceMu to wake the producers waiting for room; only under backpressure (OverflowBlock, queue full), on the worker's side"
	case strings.Contains(w.Func, "WorkerPool).worker"):
		return "an idle pool worker parked until work arrives (not a lock; emitters never wait for it)"
	case strings.Contains(w.Func, "waitForSpace"):
		return "Enqueue waiting for room in a full queue: the OverflowBlock backpressure, by design (OverflowDrop never waits)"
	case strings.Contains(w.Func, "Shutdown"), strings.Contains(w.Func, "Close"):
		return "Close waiting for the queue to drain and the workers to exit, at the end of the run"
	case strings.Contains(w.Func, "AsyncSignal") && strings.Contains(w.Func, "Emit"):
		return "AsyncSignal.Emit waiting for the workers that help it to return from their listeners (Emit returns when all listeners have)"
	case strings.Contains(w.Blocker, "Mutex"):
		return "a mutex wait: look at the profile"
	case strings.HasPrefix(w.Blocker, "runtime."):
		return "a lock inside the Go runtime (channel or scheduler): look at the profile"
	}
	return "see the profile"
}

// --- overhead ---

func (s *Suite) reportOverhead(m *md) error {
	m.h(2, "Instrumentation overhead")
	o := s.overhead
	if o == nil {
		m.p("Not run in this report (section `overhead`).")
		return nil
	}
	m.p("Command: %s. One `SyncSignal` with one listener that does calibrated busy work (integer arithmetic in a loop, no sleep; the "+
		"steps per µs are calibrated at the start), emitted on in a loop for %v per variant and round; %d rounds, the order of the variants "+
		"rotating between rounds, so that slow drifts of the VM's speed hit every variant alike. CPU time is the process's (%s), so the SDK's "+
		"background work (span batching and export, GC) counts. Overhead = CPU per emission of the variant / plain − 1, within each round; "+
		"the table shows the median of the rounds and, in parentheses, their interquartile range.",
		s.sectionCmd("overhead"), s.sz.overheadWin, s.sz.overheadRnd, cpuClock)
	header := []string{"listener work", "plain: CPU per emission"}
	for _, v := range o.variants[1:] {
		header = append(header, v.Name)
	}
	var rows [][]string
	chart := svgplot.Chart{Title: "CPU overhead of the instrumentation", Subtitle: s.subtitle("median of paired rounds; ≤ 0.01 % drawn at 0.01 %"),
		X: svgplot.Axis{Label: "listener work per call (µs)", Log: true, Format: plainNumber}, Y: svgplot.Axis{Label: "CPU overhead (%)", Log: true, Format: plainNumber}}
	series := map[string]*svgplot.Series{}
	for _, v := range o.variants[1:] {
		series[v.Name] = &svgplot.Series{Name: v.Name}
	}
	for i, w := range o.works {
		cells := o.cells[w]
		if cells == nil {
			continue
		}
		row := []string{fmt.Sprintf("%v (%d steps)", w, o.steps[i]), medianIQR(cells[plain.Name].CPUPerOp, ns)}
		for _, v := range o.variants[1:] {
			row = append(row, medianIQR(cells[v.Name].Pct, func(x float64) string { return fmt.Sprintf("%+.2f %%", x) }))
			series[v.Name].Points = append(series[v.Name].Points, svgplot.Point{X: w.Seconds() * 1e6, Y: math.Max(fit.Median(cells[v.Name].Pct), 0.01)})
		}
		rows = append(rows, row)
	}
	m.table("lr"+strings.Repeat("r", len(o.variants)-1), header, rows)
	rows = nil
	for i, w := range o.works {
		cells := o.cells[w]
		if cells == nil {
			continue
		}
		row := []string{fmt.Sprintf("%v (%d steps)", w, o.steps[i]), medianIQR(cells[plain.Name].WallPerOp, ns)}
		for _, v := range o.variants[1:] {
			row = append(row, medianIQR(cells[v.Name].WallPct, func(x float64) string { return fmt.Sprintf("%+.2f %%", x) }))
		}
		rows = append(rows, row)
	}
	m.p("The same runs in wall time per emission (the emitting goroutine's view). Where the CPU overhead exceeds the wall-time overhead, " +
		"the difference was spent on the other core: the span processor's goroutine, the GC, and the scheduler waking them.")
	header[1] = "plain: wall time per emission"
	m.table("lr"+strings.Repeat("r", len(o.variants)-1), header, rows)
	if l := s.latency; l != nil {
		var est []string
		var plainMean float64
		for _, r := range l.byCase["sync-1"] {
			if r.Impl == "plain" {
				plainMean = r.MeanNs
			}
		}
		for _, r := range l.byCase["sync-1"] {
			if r.Impl == "plain" || r.Impl == "v1.3" || plainMean == 0 {
				continue
			}
			d := r.MeanNs - plainMean
			est = append(est, fmt.Sprintf("%s %+.0f ns per emission → %s at 1 µs, %s at 10 µs, %s at 100 µs", r.Impl, d, pct(d/10), pct(d/100), pct(d/1000)))
		}
		if len(est) > 0 {
			m.p("The same derived from the per-emission cost measured in the latency section (1 listener; mean time per emission, instrumented − plain), "+
				"which is steadier than a difference of two noisy 10 µs measurements:\n\n- %s", strings.Join(est, "\n- "))
		}
	}
	for _, v := range o.variants[1:] {
		chart.Series = append(chart.Series, *series[v.Name])
	}
	if err := s.plot(chart, "overhead.svg"); err != nil {
		return err
	}
	m.p("![instrumentation overhead](perf/overhead.svg)")
	return nil
}

// --- method ---

func (s *Suite) reportMethod(m *md, procs int) {
	m.h(2, "Method notes")
	m.p("- The suite is `bench/cmd/sigbench` (runner) and `bench/internal/suite` (measurements), with its own log-bucketed histogram "+
		"(`bench/internal/hdr`: HdrHistogram-style, 256 exact values then 128 buckets per power of two, ≤ 0.8 %% relative error, exact count, "+
		"minimum, maximum and mean) and SVG plotter (`bench/internal/svgplot`), standard library only. Speed is never asserted in tests; "+
		"the tests of these packages check the histogram and the plots.\n"+
		"- Reference implementations in the in-process measurements are `bench/internal/ref`, a copy of the designs of "+
		"`signals/reference_test.go` (a test file cannot be imported); the go test section runs that file itself.\n"+
		"- GOMAXPROCS is %d everywhere (the default). Async signals use the default pool (4 × GOMAXPROCS workers, parked when idle) unless said.\n"+
		"- Noise: this is a shared VM. Compare numbers within one report; the ranges show the spread of the rounds. A run with a 1-minute load "+
		"average above %.1f at the start is marked preliminary.", procs, quietLoad)
}
