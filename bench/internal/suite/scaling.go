package suite

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/hdr"
	"github.com/signalkit/sdk/bench/internal/ref"
	"github.com/signalkit/sdk/signals"
)

// Scaling: throughput and latency as the load grows along one axis at a
// time — concurrent emitter goroutines on one signal, listeners per signal,
// active signals — for signals and the v1.3 design. Each point is the median
// of the paired rounds.

type scalePoint struct {
	X         int
	Emissions []float64 // emissions per second, one per round
	Calls     []float64 // listener calls per second
	P99       []float64 // per-emission p99 (of batch means), ns
	P99Bound  []float64 // p99 of batch totals, an upper bound for single emissions
	Batch     int
	Changes   []float64 // listener changes per second made by the writer, if any
}

type scaleSeries struct {
	Name   string
	Points []*scalePoint
}

type scalingResults struct {
	emitters, listeners, signals []*scaleSeries
	emitterCounts                []int
	listenerCounts               []int
	signalCounts                 []int
	batch                        int
}

func (s *Suite) runScaling(ctx context.Context) error {
	r := &scalingResults{
		emitterCounts:  s.sz.emitters,
		listenerCounts: s.sz.listeners,
		signalCounts:   s.sz.signals,
		batch:          100,
	}
	s.scaling = r
	mk := func(names []string, xs []int) []*scaleSeries {
		var out []*scaleSeries
		for _, n := range names {
			ss := &scaleSeries{Name: n}
			for _, x := range xs {
				ss.Points = append(ss.Points, &scalePoint{X: x})
			}
			out = append(out, ss)
		}
		return out
	}
	r.emitters = mk([]string{"signals", "v1.3", "signals + writer", "v1.3 + writer", "floor"}, r.emitterCounts)
	r.listeners = mk([]string{"sync signals", "sync v1.3", "async Emit signals", "async Emit v1.3"}, r.listenerCounts)
	r.signals = mk([]string{"sync signals", "sync v1.3", "Enqueue, shared pool"}, r.signalCounts)

	for round := range s.sz.rounds {
		for i := range r.emitterCounts {
			for _, ss := range r.emitters {
				if err := ctx.Err(); err != nil {
					return err
				}
				p := ss.Points[i]
				emittersPoint(ss.Name, p, r.batch, s.sz.dur)
				runtime.GC()
			}
		}
		for i := range r.listenerCounts {
			for _, ss := range r.listeners {
				listenersPoint(ss.Name, ss.Points[i], s.sz.dur)
				runtime.GC()
			}
		}
		for i := range r.signalCounts {
			for _, ss := range r.signals {
				signalsPoint(ss.Name, ss.Points[i], r.batch, s.sz.dur)
				runtime.GC()
			}
		}
		s.logf("scaling round %d/%d done", round+1, s.sz.rounds)
	}
	for _, group := range [][]*scaleSeries{r.emitters, r.listeners, r.signals} {
		for _, ss := range group {
			for _, p := range ss.Points {
				s.logf("scaling %-22s x=%-5d %s emissions/s, %s calls/s, p99 %s (≤ %s)", ss.Name, p.X,
					rate(fit.Median(p.Emissions)), rate(fit.Median(p.Calls)), ns(fit.Median(p.P99)), ns(fit.Median(p.P99Bound)))
			}
		}
	}
	return nil
}

// shards collect the batch times of many goroutines with little contention.
type shards struct {
	s [64]struct {
		mu         sync.Mutex
		per, total *hdr.Histogram
	}
}

func newShards() *shards {
	sh := new(shards)
	for i := range sh.s {
		sh.s[i].per, sh.s[i].total = hdr.New(), hdr.New()
	}
	return sh
}

func (sh *shards) flush(id int, batch int, times []time.Duration) {
	x := &sh.s[id%len(sh.s)]
	x.mu.Lock()
	for _, d := range times {
		x.per.Record(int64(d) / int64(batch))
		x.total.Record(int64(d))
	}
	x.mu.Unlock()
}

func (sh *shards) merged() (per, total *hdr.Histogram) {
	per, total = hdr.New(), hdr.New()
	for i := range sh.s {
		per.Merge(sh.s[i].per)
		total.Merge(sh.s[i].total)
	}
	return per, total
}

func (p *scalePoint) record(emissions, calls float64, per, total *hdr.Histogram, batch int) {
	p.Emissions = append(p.Emissions, emissions)
	p.Calls = append(p.Calls, calls)
	p.P99 = append(p.P99, float64(per.Quantile(0.99)))
	if total != nil {
		p.P99Bound = append(p.P99Bound, float64(total.Quantile(0.99)))
	} else {
		p.P99Bound = append(p.P99Bound, float64(per.Quantile(0.99)))
	}
	p.Batch = batch
}

// emittersPoint runs p.X goroutines emitting on one SyncSignal (or v1.3
// emitter, or floor emitter) with one listener for d. Each goroutine times batches of batch
// emissions and yields the processor after each batch, so that all of them
// take turns instead of a few running whole time slices. A "+ writer"
// series adds a goroutine that adds and removes a keyed listener about
// every 100 µs.
func emittersPoint(impl string, p *scalePoint, batch int, d time.Duration) {
	ctx := context.Background()
	var (
		emit        func()
		add, remove func()
	)
	switch impl {
	case "signals", "signals + writer":
		sig := signals.NewSync[int]()
		sig.AddListener(noop)
		emit = func() { sig.Emit(ctx, 1) }
		add = func() { sig.AddListener(noop, "w") }
		remove = func() { sig.RemoveListener("w") }
	case "floor":
		var f ref.Floor[int]
		f.Add(noop)
		emit = func() { f.Emit(ctx, 1) }
	default:
		var r ref.V13[int]
		r.Add(noop, "")
		emit = func() { r.Emit(ctx, 1) }
		add = func() { r.Add(noop, "w") }
		remove = func() { r.Remove("w") }
	}
	writer := impl == "signals + writer" || impl == "v1.3 + writer"

	var (
		changes atomic.Int64
		sh      = newShards()
	)
	goroutines := p.X
	if writer {
		goroutines++ // the last one is the writer
	}
	total, t0 := runTogether(goroutines, d, func(id int, stop *atomic.Bool) int64 {
		if id == p.X {
			for !stop.Load() {
				add()
				remove()
				changes.Add(2)
				time.Sleep(100 * time.Microsecond)
			}
			return 0
		}
		buf := make([]time.Duration, 0, 32)
		var n int64
		for !stop.Load() {
			t0 := time.Now()
			for range batch {
				emit()
			}
			buf = append(buf, time.Since(t0))
			n += int64(batch)
			if len(buf) == cap(buf) {
				sh.flush(id, batch, buf)
				buf = buf[:0]
			}
			runtime.Gosched()
		}
		sh.flush(id, batch, buf)
		return n
	})
	el := time.Since(t0).Seconds()
	per, tot := sh.merged()
	e := float64(total) / el
	p.record(e, e, per, tot, batch)
	if writer {
		p.Changes = append(p.Changes, float64(changes.Load())/el)
	}
}

// listenersPoint emits from one goroutine to p.X listeners that do nothing.
func listenersPoint(impl string, p *scalePoint, d time.Duration) {
	ctx := context.Background()
	var (
		emit func()
		end  = func() {}
	)
	switch impl {
	case "sync signals":
		sig := signals.NewSync[int]()
		for range p.X {
			sig.AddListener(noop)
		}
		emit = func() { sig.Emit(ctx, 1) }
	case "async Emit signals":
		sig := signals.New[int]()
		for range p.X {
			sig.AddListener(noop)
		}
		emit = func() { sig.Emit(ctx, 1) }
		end = func() { _ = sig.Close() }
	default:
		var r ref.V13[int]
		for range p.X {
			r.Add(noop, "")
		}
		emit = func() { r.Emit(ctx, 1) }
		if impl == "async Emit v1.3" {
			emit = func() { r.EmitAsync(ctx, 1) }
		}
	}
	res := closedLoop(emit, d)
	end()
	e := 1e9 / res.MeanNs
	p.record(e, e*float64(p.X), res.Per, res.Total, res.Batch)
}

// signalsPoint spreads emissions over p.X signals with one listener each,
// from GOMAXPROCS goroutines that each go round the signals from a
// different starting point, timing batches of batch emissions.
func signalsPoint(impl string, p *scalePoint, batch int, d time.Duration) {
	ctx := context.Background()
	emits := make([]func(), p.X)
	end := func() int64 { return -1 }
	switch impl {
	case "sync signals":
		for i := range emits {
			sig := signals.NewSync[int]()
			sig.AddListener(noop)
			emits[i] = func() { sig.Emit(ctx, 1) }
		}
	case "sync v1.3":
		for i := range emits {
			r := new(ref.V13[int])
			r.Add(noop, "")
			emits[i] = func() { r.Emit(ctx, 1) }
		}
	default: // Enqueue, shared pool
		pool := signals.NewWorkerPool(signals.PoolOptions{QueueSize: 1 << 14})
		sigs := make([]*signals.AsyncSignal[int], p.X)
		var calls atomic.Int64
		for i := range emits {
			sig := signals.NewWithOptions[int](&signals.SignalOptions{Pool: pool})
			sig.AddListener(func(context.Context, int) { calls.Add(1) })
			sigs[i] = sig
			emits[i] = func() {
				if err := sig.Enqueue(ctx, 1); err != nil {
					panic(err)
				}
			}
		}
		end = func() int64 {
			for _, sig := range sigs {
				_ = sig.Close()
			}
			_ = pool.Close()
			return calls.Load()
		}
	}
	g := runtime.GOMAXPROCS(0)
	sh := newShards()
	total, t0 := runTogether(g, d, func(w int, stop *atomic.Bool) int64 {
		k := w * len(emits) / g
		buf := make([]time.Duration, 0, 32)
		var n int64
		for !stop.Load() {
			t0 := time.Now()
			for range batch {
				emits[k]()
				if k++; k == len(emits) {
					k = 0
				}
			}
			buf = append(buf, time.Since(t0))
			n += int64(batch)
			if len(buf) == cap(buf) {
				sh.flush(w, batch, buf)
				buf = buf[:0]
			}
		}
		sh.flush(w, batch, buf)
		return n
	})
	calls := end()
	el := time.Since(t0).Seconds()
	per, tot := sh.merged()
	e := float64(total) / el
	c := e
	if calls >= 0 {
		c = float64(calls) / el
	}
	p.record(e, c, per, tot, batch)
}

func (sc *scalingResults) series(group []*scaleSeries, name string) *scaleSeries {
	for _, ss := range group {
		if ss.Name == name {
			return ss
		}
	}
	return nil
}

func (sc *scalingResults) point(group []*scaleSeries, name string, x int) *scalePoint {
	ss := sc.series(group, name)
	if ss == nil {
		return nil
	}
	for _, p := range ss.Points {
		if p.X == x && len(p.Emissions) > 0 {
			return p
		}
	}
	return nil
}

// relativeTo returns the lowest and highest, over the points, of the
// throughput of ss relative to that of ref at the same x (the median of the
// ratios within rounds).
func (sc *scalingResults) relativeTo(ss, ref *scaleSeries) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for i, p := range ss.Points {
		if i >= len(ref.Points) || len(p.Emissions) == 0 || len(ref.Points[i].Emissions) == 0 {
			continue
		}
		r := fit.MedianRatio(p.Emissions, ref.Points[i].Emissions)
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	return lo, hi
}

// emitterFit fits the median throughput of ss against min(G, GOMAXPROCS)
// and returns the fit and the spread of per-core throughput for G ≥
// GOMAXPROCS: (max − min) / max.
func (sc *scalingResults) emitterFit(ss *scaleSeries) (fit.Line, float64) {
	procs := runtime.GOMAXPROCS(0)
	var xs, ys, perCore []float64
	for _, p := range ss.Points {
		if len(p.Emissions) == 0 {
			continue
		}
		usable := float64(min(p.X, procs))
		v := fit.Median(p.Emissions)
		xs = append(xs, usable)
		ys = append(ys, v)
		if p.X >= procs {
			perCore = append(perCore, v/usable)
		}
	}
	spread := 0.0
	if len(perCore) > 0 {
		lo, hi := slices.Min(perCore), slices.Max(perCore)
		spread = (hi - lo) / hi
	}
	return fit.Linear(xs, ys), spread
}
