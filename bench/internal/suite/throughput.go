package suite

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/ref"
	"github.com/signalkit/sdk/signals"
)

// Throughput: emissions and listener calls per second, from one goroutine
// and from GOMAXPROCS goroutines emitting on one signal, for sync Emit,
// async Emit and Enqueue, beside the v1.3 design and the floor. Listeners do
// nothing (as in BenchmarkParallelEmit), except for Enqueue, whose listeners
// count their calls so that deliveries can be counted: the rate of Enqueue is
// the rate of delivered listener calls from the first Enqueue to the end of
// Close, which waits for every delivery. Each point is the median of the
// paired rounds.

type tpConfig struct {
	Op        string // "sync Emit", "async Emit", "Enqueue"
	Impl      string // "signals", "v1.3", "floor", "signals + metrics"
	Listeners int
	G         int // emitting goroutines
}

type tpResult struct {
	tpConfig
	Emissions []float64 // per second, one per round
	Calls     []float64
}

type throughputResults struct {
	rows []*tpResult
}

func noop(context.Context, int) {}

// target is a signal under load: emit, and end, which stops it and returns
// the listener calls made if it counts them (−1 if not).
type target struct {
	emit func()
	end  func() int64
}

// newTarget builds op with impl and n listeners.
func newTarget(op, impl string, n int) (target, error) {
	ctx := context.Background()
	none := func() int64 { return -1 }
	switch impl {
	case "v1.3":
		var r ref.V13[int]
		for range n {
			r.Add(noop, "")
		}
		if op == "async Emit" {
			return target{func() { r.EmitAsync(ctx, 1) }, none}, nil
		}
		return target{func() { r.Emit(ctx, 1) }, none}, nil
	case "floor":
		var f ref.Floor[int]
		for range n {
			f.Add(noop)
		}
		return target{func() { f.Emit(ctx, 1) }, none}, nil
	}
	var env *otelEnv
	if impl == "signals + metrics" {
		var err error
		if env, err = newOTelEnv(metricsOn); err != nil {
			return target{}, err
		}
	}
	switch op {
	case "sync Emit":
		sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "bench"})
		for range n {
			sig.AddListener(noop)
		}
		if err := env.instrument(sig); err != nil {
			env.close()
			return target{}, err
		}
		return target{func() { sig.Emit(ctx, 1) }, func() int64 { env.close(); return -1 }}, nil
	case "async Emit":
		sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "bench"})
		for range n {
			sig.AddListener(noop)
		}
		if err := env.instrument(sig); err != nil {
			env.close()
			return target{}, err
		}
		return target{func() { sig.Emit(ctx, 1) }, func() int64 { _ = sig.Close(); env.close(); return -1 }}, nil
	case "Enqueue":
		sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "bench", QueueSize: 1 << 14})
		counters := make([]paddedInt, n)
		for i := range n {
			c := &counters[i].v
			sig.AddListener(func(context.Context, int) { c.Add(1) })
		}
		if err := env.instrument(sig); err != nil {
			env.close()
			return target{}, err
		}
		return target{
			emit: func() {
				if err := sig.Enqueue(ctx, 1); err != nil {
					panic(err)
				}
			},
			end: func() int64 {
				_ = sig.Close()
				env.close()
				var calls int64
				for i := range counters {
					calls += counters[i].v.Load()
				}
				return calls
			},
		}, nil
	}
	return target{}, fmt.Errorf("unknown operation %q", op)
}

type paddedInt struct {
	v atomic.Int64
	_ [56]byte
}

// drive runs t.emit from g goroutines for d and returns the emissions made,
// the listener calls t counted (−1 if it does not count them) and the time
// they took: from the start to the end of t.end if t counts calls (the
// deliveries end when Close has drained the queue), and otherwise to the
// return of the last emission, so that closing the signal and the SDK is
// not counted as emission time.
func drive(t target, g int, d time.Duration) (emissions, calls int64, elapsed time.Duration) {
	emissions, t0 := runTogether(g, d, func(_ int, stop *atomic.Bool) int64 {
		var n int64
		for !stop.Load() {
			for range 64 {
				t.emit()
			}
			n += 64
		}
		return n
	})
	elapsed = time.Since(t0)
	if calls = t.end(); calls >= 0 {
		elapsed = time.Since(t0)
	}
	return emissions, calls, elapsed
}

func (s *Suite) runThroughput(context.Context) error {
	procs := runtime.GOMAXPROCS(0)
	var cfgs []tpConfig
	for _, g := range []int{1, procs} {
		for _, impl := range []string{"signals", "v1.3", "floor", "signals + metrics"} {
			cfgs = append(cfgs, tpConfig{"sync Emit", impl, 1, g})
		}
		for _, impl := range []string{"signals", "v1.3", "floor"} {
			cfgs = append(cfgs, tpConfig{"sync Emit", impl, 10, g})
		}
		for _, impl := range []string{"signals", "v1.3"} {
			cfgs = append(cfgs, tpConfig{"async Emit", impl, 10, g})
		}
		for _, n := range []int{1, 10, 100} {
			cfgs = append(cfgs, tpConfig{"Enqueue", "signals", n, g})
		}
	}
	r := &throughputResults{}
	for _, c := range cfgs {
		r.rows = append(r.rows, &tpResult{tpConfig: c})
	}
	s.throughput = r
	for round := range s.sz.rounds {
		for _, row := range r.rows {
			t, err := newTarget(row.Op, row.Impl, row.Listeners)
			if err != nil {
				return err
			}
			e, c, el := drive(t, row.G, s.sz.dur)
			if c < 0 {
				c = e * int64(row.Listeners)
			}
			row.Emissions = append(row.Emissions, float64(e)/el.Seconds())
			row.Calls = append(row.Calls, float64(c)/el.Seconds())
			runtime.GC()
		}
		s.logf("throughput round %d/%d done", round+1, s.sz.rounds)
	}
	for _, row := range r.rows {
		s.logf("throughput %-10s %-17s listeners %3d goroutines %d: %s emissions/s, %s calls/s", row.Op, row.Impl, row.Listeners, row.G,
			rate(fit.Median(row.Emissions)), rate(fit.Median(row.Calls)))
	}
	return nil
}

// find returns the row of r with the given configuration, or nil.
func (r *throughputResults) find(c tpConfig) *tpResult {
	if r == nil {
		return nil
	}
	for _, row := range r.rows {
		if row.tpConfig == c {
			return row
		}
	}
	return nil
}
