package suite

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/gobench"
)

// metrics returns the named values of this run that targets.yaml reads with
// `metric:`, each with the text the summary shows. A section that did not
// run adds none of its names, and the targets that read them are "not
// run".
func (s *Suite) metrics() metricSet {
	m := metricSet{}
	one := func(v float64) gobench.Stat { return gobench.Summarize([]float64{v}) }
	set := func(name string, v gobench.Stat, format string, args ...any) {
		m[name] = metric{V: v, Text: fmt.Sprintf(format, args...)}
	}
	procs := runtime.GOMAXPROCS(0)
	set("machine/cores", one(float64(procs)), "%d", procs)
	set("machine/atomic", one(s.atomicNs), "%s", ns(s.atomicNs))
	set("machine/atomic-shared", one(s.sharedAtomicNs), "%s", ns(s.sharedAtomicNs))

	if sig := s.gotest.pkg("signals"); sig != nil {
		s.coreMetrics(sig.Rounds, set)
	}
	if ot := s.gotest.pkg("otelsignals"); ot != nil {
		st := ot.Rounds.Ratio("SlowListener/impl=metrics", "SlowListener/impl=plain", "ns/op")
		sh := gobench.Stat{Median: st.Median - 1, Min: st.Min - 1, Max: st.Max - 1, N: st.N}
		set("core/slow-listener-overhead", sh, "%s", statText(sh, func(v float64) string { return pct(100 * v) }))
	}
	if p := s.peers; p != nil {
		for _, x := range p.memory {
			set("peers/memory/"+x.Impl.Name, one(x.Bytes), "%.1f B (%d listeners)", x.Bytes, x.N)
		}
	}
	s.latencyMetrics(set)
	s.throughputMetrics(set, procs)
	s.scalingMetrics(set, procs)
	s.resourceMetrics(set)
	s.contentionMetrics(set)
	s.overheadMetrics(set)
	return m
}

type setFunc func(name string, v gobench.Stat, format string, args ...any)

func (s *Suite) coreMetrics(rs gobench.Rounds, set setFunc) {
	one := func(v float64) gobench.Stat { return gobench.Summarize([]float64{v}) }
	maxAllocs, found := 0.0, false
	for _, r := range rs {
		for name, res := range r {
			if (strings.HasPrefix(name, "SyncEmit") || strings.HasPrefix(name, "TryEmit") || name == "AsyncEmit/listeners=1/impl=signals") && strings.HasSuffix(name, "impl=signals") {
				maxAllocs, found = math.Max(maxAllocs, res.Metrics["allocs/op"]), true
			}
		}
	}
	if found {
		set("core/sync-allocs-max", one(maxAllocs), "at most %g allocs/op", maxAllocs)
	}
	worst, found := 0.0, false
	for _, n := range listenerCounts() {
		for _, op := range []string{"AsyncEmit", "Enqueue"} {
			if st := rs.Median(fmt.Sprintf("%s/listeners=%d/impl=signals", op, n), "allocs/op"); st.N > 0 {
				worst, found = math.Max(worst, st.Median), true
			}
		}
	}
	if found {
		set("core/async-allocs-max", one(worst), "%g allocs/op at most", worst)
	}
	var parts []string
	lowest := math.Inf(1)
	for _, n := range listenerCounts() {
		if st := rs.Median(fmt.Sprintf("EnqueueThroughput/listeners=%d/impl=signals", n), "calls/s"); st.N > 0 {
			parts = append(parts, fmt.Sprintf("%d listener(s): %s", n, rate(st.Median)))
			lowest = math.Min(lowest, st.Median)
		}
	}
	if len(parts) > 0 {
		set("core/enqueue-throughput-min", one(lowest), "%s calls/s", strings.Join(parts, "; "))
	}
	for _, spin := range []string{"0s", "100µs"} {
		name := "EnqueueLatency/spin=" + spin + "/impl=signals"
		p50, p99, p999 := rs.Median(name, "p50-ns"), rs.Median(name, "p99-ns"), rs.Median(name, "p999-ns")
		set("core/enqueue-latency-"+spin+"/p99", p99, "p50 %s, p99 %s, p999 %s", ns(p50.Median), ns(p99.Median), ns(p999.Median))
	}
}

// bound returns the quantile q of the batch totals of r: an upper bound of
// the quantile of single emissions.
func bound(r *latencyResult, q float64) int64 {
	if r.Total != nil {
		return r.Total.Quantile(q)
	}
	return r.q(q)
}

func (s *Suite) latencyMetrics(set setFunc) {
	l := s.latency
	if l == nil {
		return
	}
	one := func(v float64) gobench.Stat { return gobench.Summarize([]float64{v}) }
	get := func(c, impl string) *latencyResult {
		for i, r := range l.byCase[c] {
			if r.Impl == impl {
				return &l.byCase[c][i]
			}
		}
		return nil
	}
	if r := get("sync-1", "plain"); r != nil {
		p50, b50 := r.Per.Quantile(0.5), bound(r, 0.5)
		set("latency/sync-1/p50", one(float64(b50)), "%s per emission (batch of %d: ≤ %s)", ns(float64(p50)), r.Batch, ns(float64(b50)))
		p99, b99 := r.Per.Quantile(0.99), bound(r, 0.99)
		set("latency/sync-1/p99", one(float64(b99)), "%s per emission (≤ %s)", ns(float64(p99)), ns(float64(b99)))
	}
	if r := get("sync-100", "plain"); r != nil {
		p95, b := r.Per.Quantile(0.95), bound(r, 0.95)
		set("latency/sync-100/p95", one(float64(b)), "sync %s (≤ %s)", ns(float64(p95)), ns(float64(b)))
	}
	if r := get("async-100", "plain"); r != nil {
		p95 := float64(r.q(0.95))
		set("latency/async-100/p95", one(p95), "%s", ns(p95))
	}
	if r := get("enqueue", "plain"); r != nil {
		p99 := float64(r.q(0.99))
		set("latency/enqueue/p99", one(p99), "p50 %s, p99 %s, p999 %s (median of %d rounds; worst round p99 %s)", ns(float64(r.q(0.5))), ns(p99),
			ns(float64(r.q(0.999))), len(r.Rounds), ns(float64(r.worst(0.99))))
	}
	if c := get("enqueue", chanFloor); c != nil {
		set("latency/enqueue/channel", one(float64(c.q(0.99))), "p50 %s and p99 %s", ns(float64(c.q(0.5))), ns(float64(c.q(0.99))))
	}
	var worst []string
	worstV, found := int64(0), false
	for _, c := range latCases {
		r := get(c.Name, "plain")
		if r == nil {
			continue
		}
		v := bound(r, 0.999) // the median of the rounds for open-loop runs
		worst = append(worst, fmt.Sprintf("%s %s", c.Name, ns(float64(v))))
		worstV, found = max(worstV, v), true
	}
	if found {
		set("latency/p999-worst", one(float64(worstV)), "%s", strings.Join(worst, "; "))
	}
	if r, v := get("sync-100", "plain"), get("sync-100", "v1.3"); r != nil && v != nil {
		a, b := float64(r.Per.Quantile(0.99)), float64(v.Per.Quantile(0.99))
		set("latency/sync-100/p99-vs-v13", one(a/b), "%s vs %s (%+.0f %%)", ns(a), ns(b), 100*(a/b-1))
	}
}

func (s *Suite) throughputMetrics(set setFunc, procs int) {
	t := s.throughput
	if t == nil {
		return
	}
	if one := t.find(tpConfig{"sync Emit", "signals", 1, 1}); one != nil {
		st := statOf(one.Emissions)
		set("throughput/sync-1-goroutine", st, "%s emissions/s (1 listener)", rate(st.Median))
	}
	if all := t.find(tpConfig{"sync Emit", "signals", 1, procs}); all != nil {
		st := statOf(all.Emissions)
		set("throughput/sync-all-cores", st, "%s emissions/s on one signal with %d cores", rate(st.Median), procs)
	}
	if e := t.find(tpConfig{"Enqueue", "signals", 1, 1}); e != nil {
		st := statOf(e.Emissions)
		set("throughput/enqueue-1", st, "%s Enqueue → delivery per second (1 listener)", rate(st.Median))
	}
}

func (s *Suite) scalingMetrics(set setFunc, procs int) {
	sc := s.scaling
	if sc == nil {
		return
	}
	one := func(v float64) gobench.Stat { return gobench.Summarize([]float64{v}) }
	sig, v13 := sc.point(sc.emitters, "signals + writer", 1000), sc.point(sc.emitters, "v1.3 + writer", 1000)
	if sig != nil && v13 != nil {
		a, b, r := fit.Median(sig.P99), fit.Median(v13.P99), fit.MedianRatio(sig.P99, v13.P99)
		set("scaling/writer-1000/p99-vs-v13", one(r), "%s vs %s (%+.0f %%, within rounds)", ns(a), ns(b), 100*(r-1))
	}
	if p := sc.point(sc.emitters, "signals", 1000); p != nil {
		v, bd := fit.Median(p.P99), fit.Median(p.P99Bound)
		set("scaling/emitters-1000/p99", one(bd), "%s per emission (batch total ≤ %s)", ns(v), ns(bd))
	}
	if ss := sc.series(sc.emitters, "signals"); ss != nil {
		fl, flat := sc.emitterFit(ss)
		text := fmt.Sprintf("R² %.3f (slope %+.1f M/s per core) of throughput vs usable cores min(G, %d); per-core throughput from %d to %d emitters varies %.0f %%",
			fl.R2, fl.Slope/1e6, procs, procs, sc.emitterCounts[len(sc.emitterCounts)-1], 100*flat)
		if floor := sc.series(sc.emitters, "floor"); floor != nil {
			lo, hi := sc.relativeTo(ss, floor)
			text += fmt.Sprintf("; relative to the floor emitter in the same harness: %.2f–%.2f", lo, hi)
		}
		set("scaling/emitters/r2", one(fl.R2), "%s", text)
		set("scaling/emitters/slope", one(fl.Slope), "slope %+.1f M/s per core", fl.Slope/1e6)
	}
	if ss := sc.series(sc.signals, "sync signals"); ss != nil && len(ss.Points) > 1 {
		p0, pn := ss.Points[0], ss.Points[len(ss.Points)-1]
		first, last, r := fit.Median(p0.Emissions), fit.Median(pn.Emissions), fit.MedianRatio(pn.Emissions, p0.Emissions)
		set("scaling/signals/last-vs-first", one(r), "%s emissions/s with %d signal(s), %s with %d (%+.0f %%, within rounds)", rate(first), p0.X, rate(last), pn.X, 100*(r-1))
	}
	p100, p1000 := sc.point(sc.listeners, "sync signals", 100), sc.point(sc.listeners, "sync signals", 1000)
	if p100 != nil && p1000 != nil {
		a, b, r := fit.Median(p100.Calls), fit.Median(p1000.Calls), fit.MedianRatio(p1000.Calls, p100.Calls)
		set("scaling/listeners/1000-vs-100", one(r), "%s listener calls/s with 100, %s with 1,000 (%+.0f %%, within rounds)", rate(a), rate(b), 100*(r-1))
	}
}

// steadyIDs name the steady-state loads in targets.yaml.
var steadyIDs = map[string]string{"sync, plain": "sync-plain", "mix, instrumented": "mix-instrumented", "sync, trace 1%": "sync-trace1"}

func (s *Suite) resourceMetrics(set setFunc) {
	r := s.resources
	if r == nil {
		return
	}
	one := func(v float64) gobench.Stat { return gobench.Summarize([]float64{v}) }
	for _, a := range r.allocs {
		if a.Path == "SyncSignal.Emit, 1 listener" {
			set("allocs/sync-1", one(a.Allocs), "%.3f allocs/emission", a.Allocs)
		}
	}
	for _, st := range r.steady {
		id, ok := steadyIDs[st.Name]
		if !ok {
			continue
		}
		set("steady/"+id+"/allocs", one(st.AllocsPerSec), "%.0f allocs/s", st.AllocsPerSec)
		set("steady/"+id+"/gc", one(st.GCShare), "GC %.2f %% of CPU capacity (%.2f %% of CPU used)", 100*st.GCShare, 100*st.GCShareOfUsed)
	}
	for _, x := range r.mem {
		if x.ID == "" {
			continue
		}
		if x.ID == "otelsignals" {
			set("memory/"+x.ID, one(x.Bytes), "%.2f MB for the SDK and %d instrumented signals", x.Bytes/(1<<20), x.N)
			continue
		}
		set("memory/"+x.ID, one(x.Bytes), "%.1f B (%d listeners)", x.Bytes, x.N)
	}
}

func (s *Suite) contentionMetrics(set setFunc) {
	c := s.contention
	if c == nil {
		return
	}
	one := func(v float64) gobench.Stat { return gobench.Summarize([]float64{v}) }
	for _, run := range c.runs {
		if run.Name != "sync" {
			b, bf := run.Block.lockWaits()
			mu, mf := run.Mutex.lockWaits()
			set("contention/"+run.Name+"/lock-waits", one(float64(b+mu)), "%d block and %d mutex events waited for a lock in %s", b, mu, orNone(append(bf, mf...)))
			continue
		}
		n := run.Block.InSignalsEvents + run.Mutex.InSignalsEvents
		set("contention/sync/in-signals", one(float64(n)), "%d block and %d mutex events with a frame in package signals (of %d and %d in all)",
			run.Block.InSignalsEvents, run.Mutex.InSignalsEvents, run.Block.Events, run.Mutex.Events)
		if n > 0 {
			set("contention/sync/summary", one(float64(n)), "the contention section shows %d waits with a frame in package signals during emission", n)
		} else {
			set("contention/sync/summary", one(0), "the contention section shows no waits in package signals during emission")
		}
	}
}

func orNone(funcs []string) string {
	if len(funcs) == 0 {
		return "no function"
	}
	return strings.Join(slices.Compact(slices.Sorted(slices.Values(funcs))), ", ")
}

func (s *Suite) overheadMetrics(set setFunc) {
	o := s.overhead
	if o == nil {
		return
	}
	for _, w := range o.works {
		c := o.cells[w][metricsOn.Name]
		if c == nil {
			continue
		}
		shares := make([]float64, len(c.Pct))
		for i, p := range c.Pct {
			shares[i] = p / 100
		}
		med := fit.Median(c.Pct)
		name := "overhead/" + w.String()
		set(name, statOf(shares), "%+.2f %% (interquartile range %+.2f – %+.2f, %d rounds)", med, fit.Quantile(c.Pct, 0.25), fit.Quantile(c.Pct, 0.75), len(c.Pct))
		if d, ok := s.metricsCostNs(); ok {
			set(name+"/predicted", gobench.Summarize([]float64{d / float64(w)}), "predicted from the per-emission cost (%+.0f ns, latency section): %+.2f %%", d, 100*d/float64(w))
		}
	}
}

// metricsCostNs returns what metrics add to one emission to one listener, as
// the latency section measured it (mean time per emission, metrics − plain).
func (s *Suite) metricsCostNs() (float64, bool) {
	if s.latency == nil {
		return 0, false
	}
	var plainNs, metricsNs float64
	for _, r := range s.latency.byCase["sync-1"] {
		switch r.Impl {
		case plain.Name:
			plainNs = r.MeanNs
		case metricsOn.Name:
			metricsNs = r.MeanNs
		}
	}
	return metricsNs - plainNs, plainNs != 0 && metricsNs != 0
}

func listenerCounts() []int { return []int{1, 10, 100} }
