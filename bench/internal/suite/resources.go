package suite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/bench/internal/ref"
	"github.com/signalkit/sdk/signals"
)

// Resources: allocations per emission on every path, allocations per second
// and the GC's share of the CPU in a steady load, and the memory a listener
// and a signal take.

type allocRow struct {
	Path          string
	Allocs, Bytes float64 // per emission
}

type steadyRow struct {
	Name, Desc    string
	Emissions     float64 // per second, all paths
	AllocsPerSec  float64
	BytesPerSec   float64
	GCCycles      float64
	GCShare       float64 // GC CPU / total CPU capacity (GOMAXPROCS × wall)
	GCShareOfUsed float64 // GC CPU / CPU used (capacity − idle)
	Note          string
}

type memRow struct {
	ID    string // the name of its metric (memory/ID), or "" if no target reads it
	Name  string
	N     int
	Bytes float64 // per listener, or per signal
	Unit  string
}

type resourceResults struct {
	allocs []allocRow
	steady []steadyRow
	mem    []memRow
	allocN int
}

func (s *Suite) runResources(context.Context) error {
	r := &resourceResults{allocN: s.sz.allocN}
	s.resources = r
	if err := s.allocsPerEmission(r); err != nil {
		return err
	}
	if err := s.steadyState(r); err != nil {
		return err
	}
	return s.memory(r)
}

// allocPath is one emission path: op emits once; settle waits until the
// listener calls of n emissions have happened (for asynchronous paths);
// end releases it.
type allocPath struct {
	name   string
	op     func()
	settle func(n int64)
	end    func()
}

func syncPath(name string, n int, keyed, withErr bool, v variant) (allocPath, error) {
	ctx := context.Background()
	env, err := newOTelEnv(v)
	if err != nil {
		return allocPath{}, err
	}
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "bench"})
	for i := range n {
		key := ""
		if keyed {
			key = "k" + strconv.Itoa(i)
		}
		if withErr {
			sig.AddListenerWithErr(func(context.Context, int) error { sink.Add(1); return nil }, key)
		} else {
			sig.AddListener(count, key)
		}
	}
	if err := env.instrument(sig); err != nil {
		env.close()
		return allocPath{}, err
	}
	op := func() { sig.Emit(ctx, 1) }
	if withErr {
		op = func() { _ = sig.TryEmit(ctx, 1) }
	}
	return allocPath{name: name, op: op, settle: func(int64) {}, end: env.close}, nil
}

func asyncPath(name string, n int, enq bool, v variant) (allocPath, error) {
	ctx := context.Background()
	env, err := newOTelEnv(v)
	if err != nil {
		return allocPath{}, err
	}
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "bench", QueueSize: 1 << 14})
	var calls atomic.Int64
	for range n {
		sig.AddListener(func(context.Context, int) { calls.Add(1) })
	}
	if err := env.instrument(sig); err != nil {
		env.close()
		_ = sig.Close()
		return allocPath{}, err
	}
	p := allocPath{name: name, end: func() { _ = sig.Close(); env.close() }}
	var done int64
	p.settle = func(k int64) {
		done += k * int64(n)
		for calls.Load() < done {
			time.Sleep(100 * time.Microsecond)
		}
	}
	p.op = func() { sig.Emit(ctx, 1) }
	if enq {
		p.op = func() {
			if err := sig.Enqueue(ctx, 1); err != nil {
				panic(err)
			}
		}
	}
	return p, nil
}

func (s *Suite) allocsPerEmission(r *resourceResults) error {
	ctx := context.Background()
	type build func() (allocPath, error)
	v13 := func(name string, async bool) build {
		return func() (allocPath, error) {
			var x ref.V13[int]
			for range 10 {
				x.Add(count, "")
			}
			op := func() { x.Emit(ctx, 1) }
			if async {
				op = func() { x.EmitAsync(ctx, 1) }
			}
			return allocPath{name: name, op: op, settle: func(int64) {}, end: func() {}}, nil
		}
	}
	builds := []build{
		func() (allocPath, error) { return syncPath("SyncSignal.Emit, 1 listener", 1, false, false, plain) },
		func() (allocPath, error) { return syncPath("SyncSignal.Emit, 10 listeners", 10, false, false, plain) },
		func() (allocPath, error) { return syncPath("SyncSignal.Emit, 100 listeners", 100, false, false, plain) },
		func() (allocPath, error) {
			return syncPath("SyncSignal.Emit, 10 keyed listeners", 10, true, false, plain)
		},
		func() (allocPath, error) {
			return syncPath("SyncSignal.TryEmit, 10 error-aware listeners", 10, false, true, plain)
		},
		func() (allocPath, error) { return asyncPath("AsyncSignal.Emit, 1 listener", 1, false, plain) },
		func() (allocPath, error) { return asyncPath("AsyncSignal.Emit, 10 listeners", 10, false, plain) },
		func() (allocPath, error) { return asyncPath("AsyncSignal.Emit, 100 listeners", 100, false, plain) },
		func() (allocPath, error) {
			return asyncPath("AsyncSignal.Enqueue + delivery, 1 listener", 1, true, plain)
		},
		func() (allocPath, error) {
			return asyncPath("AsyncSignal.Enqueue + delivery, 100 listeners", 100, true, plain)
		},
	}
	for _, v := range append([]variant{defaults}, instrumented...) {
		builds = append(builds, func() (allocPath, error) {
			return syncPath("SyncSignal.Emit, 1 listener, "+v.Name, 1, false, false, v)
		})
	}
	builds = append(builds,
		func() (allocPath, error) {
			return asyncPath("AsyncSignal.Enqueue + delivery, 1 listener, metrics", 1, true, metricsOn)
		},
		v13("v1.3 design: SyncSignal.Emit, 10 listeners", false),
		v13("v1.3 design: AsyncSignal.Emit, 10 listeners", true),
	)
	n := int64(r.allocN)
	for _, b := range builds {
		p, err := b()
		if err != nil {
			return err
		}
		for range 1000 {
			p.op()
		}
		p.settle(1000)
		runtime.GC()
		var a, z runtime.MemStats
		runtime.ReadMemStats(&a)
		for range n {
			p.op()
		}
		p.settle(n)
		runtime.ReadMemStats(&z)
		p.end()
		row := allocRow{Path: p.name, Allocs: float64(z.Mallocs-a.Mallocs) / float64(n), Bytes: float64(z.TotalAlloc-a.TotalAlloc) / float64(n)}
		r.allocs = append(r.allocs, row)
		s.logf("allocs %-55s %.3f allocs/op %.1f B/op", row.Path, row.Allocs, row.Bytes)
	}
	return nil
}

// steadyState runs paced loads and measures allocations and GC.
func (s *Suite) steadyState(r *resourceResults) error {
	type load struct {
		name, desc string
		v          variant
		syncRate   int // emissions per second of each kind
		asyncRate  int
		enqRate    int
	}
	loads := []load{
		{"harness only", "the pacing loop alone, emitting nothing (the baseline)", plain, 0, 0, 0},
		{"sync, plain", "100,000 SyncSignal.Emit/s to 5 listeners", plain, 100_000, 0, 0},
		{"mix, instrumented", "50,000 SyncSignal.Emit/s to 5 listeners + 2,000 AsyncSignal.Emit/s to 4 + 2,000 Enqueue/s to 3, all with otelsignals.DefaultConfig()", defaults, 50_000, 2_000, 2_000},
		{"sync, trace 1%", "50,000 SyncSignal.Emit/s to 5 listeners, metrics on, tracing sampling.Ratio(0.01)", trace1, 50_000, 0, 0},
	}
	for _, l := range loads {
		row, err := s.steadyRun(l.v, l.syncRate, l.asyncRate, l.enqRate)
		if err != nil {
			return err
		}
		row.Name, row.Desc = l.name, l.desc
		r.steady = append(r.steady, row)
		s.logf("steady %-18s %.0f emissions/s: %.1f allocs/s, %.0f B/s, %.0f GC cycles, GC %.3f%% of capacity, %.3f%% of CPU used %s",
			row.Name, row.Emissions, row.AllocsPerSec, row.BytesPerSec, row.GCCycles, 100*row.GCShare, 100*row.GCShareOfUsed, row.Note)
	}
	return nil
}

func (s *Suite) steadyRun(v variant, syncRate, asyncRate, enqRate int) (steadyRow, error) {
	ctx := context.Background()
	env, err := newOTelEnv(v)
	if err != nil {
		return steadyRow{}, err
	}
	defer env.close()
	ssig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "sync"})
	asig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "async"})
	esig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "queued"})
	defer asig.Close()
	defer esig.Close()
	for range 5 {
		ssig.AddListener(count)
	}
	for range 4 {
		asig.AddListener(count)
	}
	for range 3 {
		esig.AddListener(count)
	}
	if err := env.instrument(ssig); err != nil {
		return steadyRow{}, err
	}
	if err := env.instrument(asig); err != nil {
		return steadyRow{}, err
	}
	if err := env.instrument(esig); err != nil {
		return steadyRow{}, err
	}
	const tick = time.Millisecond
	perTick := func(rate int) int { return rate / int(time.Second/tick) }
	syncN, asyncN, enqN := perTick(syncRate), perTick(asyncRate), perTick(enqRate)
	run := func(d time.Duration) (emissions int64) {
		start := time.Now()
		next := start
		for time.Since(start) < d {
			for range syncN {
				ssig.Emit(ctx, 1)
			}
			for range asyncN {
				asig.Emit(ctx, 1)
			}
			for range enqN {
				if err := esig.Enqueue(ctx, 1); err != nil {
					panic(err)
				}
			}
			emissions += int64(syncN + asyncN + enqN)
			next = next.Add(tick)
			if w := time.Until(next); w > 0 {
				time.Sleep(w)
			}
		}
		return emissions
	}
	run(min(s.sz.steadyDur/10, 500*time.Millisecond)) // warm up: pools started, first spans exported
	samples := []metrics.Sample{
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/idle:cpu-seconds"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	read := func() (vals [4]float64, m runtime.MemStats) {
		// The CPU classes are only brought up to date by a GC cycle.
		runtime.GC()
		metrics.Read(samples)
		for i, x := range samples {
			if x.Value.Kind() == metrics.KindFloat64 {
				vals[i] = x.Value.Float64()
			} else {
				vals[i] = float64(x.Value.Uint64())
			}
		}
		runtime.ReadMemStats(&m)
		return vals, m
	}
	// The cost of the forced GC itself, measured with nothing in between, is
	// subtracted from the window's GC CPU.
	f0, _ := read()
	f1, _ := read()
	forcedGC := f1[1] - f0[1]
	a, ma := read()
	t0 := time.Now()
	e := run(s.sz.steadyDur)
	el := time.Since(t0)
	z, mz := read()
	sec := el.Seconds()
	row := steadyRow{
		Emissions:    float64(e) / sec,
		AllocsPerSec: float64(mz.Mallocs-ma.Mallocs) / sec,
		BytesPerSec:  float64(mz.TotalAlloc-ma.TotalAlloc) / sec,
		GCCycles:     z[3] - a[3] - 1, // not counting the cycle read forced
	}
	total, gc, idle := z[0]-a[0], max(z[1]-a[1]-forcedGC, 0), z[2]-a[2]
	if total > 0 {
		row.GCShare = gc / total
	}
	if total-idle > 0 {
		row.GCShareOfUsed = gc / (total - idle)
	}
	if env != nil {
		row.Note = fmt.Sprintf("(%d spans exported)", env.spans())
		if v.sampler == nil && !v.keepDefault {
			row.Note = ""
		}
	}
	return row, nil
}

// heapDelta returns the growth of the live heap caused by build, and build's
// result, which is kept alive until measured.
func heapDelta(build func() any) (float64, any) {
	var a, z runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&a)
	x := build()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&z)
	// Heap sizes are far below 1<<63, and the difference may be negative.
	return float64(int64(z.HeapAlloc) - int64(a.HeapAlloc)), x // #nosec G115 -- see above
}

// closeSignals closes the AsyncSignals that a memory row built, if it built
// any, so that their pools end with the measurement.
func closeSignals(built any) error {
	sigs, _ := built.([]*signals.AsyncSignal[int])
	var errs []error
	for _, sig := range sigs {
		errs = append(errs, sig.Close())
	}
	return errors.Join(errs...)
}

func (s *Suite) memory(r *resourceResults) error {
	n, nk := s.sz.memN, s.sz.memKeyedN
	key := func(i int) string { return fmt.Sprintf("%05d", i%100_000) } // 5 bytes, allocated in build
	nsig := max(n/10, 100)
	keyed := func(n int) any {
		sig := signals.NewSync[int]()
		for i := range n {
			sig.AddListener(noop, key(i))
		}
		return sig
	}
	rows := []struct {
		id, name string
		n        int
		unit     string
		build    func(n int) any
	}{
		{"unkeyed", "signals: AddListener, no key", n, "B/listener", func(n int) any {
			sig := signals.NewSync[int]()
			for range n {
				sig.AddListener(noop)
			}
			return sig
		}},
		{"keyed-few", "signals: AddListener with a 5-byte key (key's own 8 bytes included)", nk / 10, "B/listener", keyed},
		{"keyed-many", "signals: AddListener with a 5-byte key (key's own 8 bytes included)", nk, "B/listener", keyed},
		{"with-err", "signals: AddListenerWithErr, no key", n, "B/listener", func(n int) any {
			sig := signals.NewSync[int]()
			for range n {
				sig.AddListenerWithErr(func(context.Context, int) error { return nil })
			}
			return sig
		}},
		{"once", "signals: AddOnce, no key", n, "B/listener", func(n int) any {
			sig := signals.NewSync[int]()
			for range n {
				sig.AddOnce(noop)
			}
			return sig
		}},
		{"", "v1.3 design: no key", n, "B/listener", func(n int) any {
			x := new(ref.V13[int])
			for range n {
				x.Add(noop, "")
			}
			return x
		}},
		{"", "v1.3 design: 5-byte key (key's own 8 bytes included)", nk, "B/listener", func(n int) any {
			x := new(ref.V13[int])
			for i := range n {
				x.Add(noop, key(i))
			}
			return x
		}},
		{"", "SyncSignal with 1 listener", nsig, "B/signal", func(n int) any {
			out := make([]*signals.SyncSignal[int], n)
			for i := range out {
				out[i] = signals.NewSync[int]()
				out[i].AddListener(noop)
			}
			return out
		}},
		{"", "AsyncSignal with 1 listener, after one Emit (no pool goroutine yet)", nsig, "B/signal", func(n int) any {
			out := make([]*signals.AsyncSignal[int], n)
			for i := range out {
				out[i] = signals.New[int]()
				out[i].AddListener(noop)
				out[i].Emit(context.Background(), 1)
			}
			return out
		}},
	}
	for _, row := range rows {
		d, built := heapDelta(func() any { return row.build(row.n) })
		if err := closeSignals(built); err != nil {
			return err
		}
		m := memRow{ID: row.id, Name: row.name, N: row.n, Bytes: d / float64(row.n), Unit: row.unit}
		r.mem = append(r.mem, m)
		s.logf("memory %-70s %.1f %s (n=%d)", m.Name, m.Bytes, m.Unit, m.N)
	}
	// The instrumentation: an SDK set up as in the other measurements and
	// 100 SyncSignals with 1 listener each, instrumented, emitted on once
	// and collected once.
	var (
		envErr error
		env    *otelEnv
	)
	const ninst = 100
	d, _ := heapDelta(func() any {
		env, envErr = newOTelEnv(defaults)
		if envErr != nil {
			return nil
		}
		sigs := make([]*signals.SyncSignal[int], ninst)
		for i := range sigs {
			sigs[i] = signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "s" + strconv.Itoa(i)})
			sigs[i].AddListener(noop)
			if err := env.instrument(sigs[i]); err != nil {
				envErr = err
			}
			sigs[i].Emit(context.Background(), 1)
		}
		if _, err := env.emissions(); err != nil {
			envErr = err
		}
		return []any{env, sigs}
	})
	env.close()
	if envErr != nil {
		return envErr
	}
	r.mem = append(r.mem, memRow{ID: "otelsignals", Name: "otelsignals: SDK (MeterProvider, TracerProvider) + 100 instrumented SyncSignals, after one emission each and a collection", N: ninst, Bytes: d, Unit: "B in all"})
	s.logf("memory instrumentation of %d signals, SDK included: %.0f B", ninst, d)
	return nil
}
