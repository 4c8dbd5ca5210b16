package suite

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/hdr"
	"github.com/signalkit/sdk/bench/internal/ref"
	"github.com/signalkit/sdk/signals"
)

// Latency: percentiles of the time one emission takes (closed loop: the
// emitting goroutine emits back to back, so every emission is timed and none
// waits for another), and of the time from Enqueue to the start of the
// listener (open loop: emissions paced at a fixed rate and timed from their
// intended send time, so that a stall delays the measurement of every
// emission it delays — the coordinated-omission correction).
//
// Timing a 20 ns emission with a ~40 ns clock read is meaningless, so the
// closed-loop cases time batches: as many consecutive emissions as take
// about 2 µs (at most 100, at least 1; the batch size is in the table). Each
// batch gives two samples: its mean per emission (the per-emission
// percentiles in the tables) and its total, whose percentiles bound those of
// the single emissions from above (an emission slower than x lies in a batch
// whose total exceeds x).

// latCase is one emission path.
type latCase struct {
	Name      string
	Title     string
	kind      int // syncEmit, asyncEmit, enqueue
	listeners int
}

const (
	syncEmit = iota
	asyncEmit
	enqueue
)

var latCases = []latCase{
	{"sync-1", "SyncSignal.Emit, 1 listener", syncEmit, 1},
	{"sync-100", "SyncSignal.Emit, 100 listeners", syncEmit, 100},
	{"async-1", "AsyncSignal.Emit, 1 listener", asyncEmit, 1},
	{"async-100", "AsyncSignal.Emit, 100 listeners", asyncEmit, 100},
	{"enqueue", "AsyncSignal.Enqueue → listener start, 1 listener, paced", enqueue, 1},
}

// latencyResult is the distribution of one case and implementation.
type latencyResult struct {
	Impl    string // "v1.3", a variant name, or "plain, spin 100µs"
	Batch   int    // emissions per timed sample (1 for Enqueue)
	Samples int64
	Ops     int64
	MeanNs  float64 // mean time per emission (closed loop) or mean delay
	Per     *hdr.Histogram
	Total   *hdr.Histogram // batch totals; nil when Batch is 1
	// Rounds are the distributions of the successive parts of an open-loop
	// run; Per pools them. A stall of the VM of tens of milliseconds, which
	// happens now and then here, delays hundreds of paced emissions at once
	// and moves the tail of a whole run; the median over rounds is the
	// typical tail, and the worst round shows the stall.
	Rounds []*hdr.Histogram
	Note   string
}

// q returns the quantile p of r: for an open-loop run the median of its
// rounds' quantiles, and otherwise the quantile of Per.
func (r *latencyResult) q(p float64) int64 {
	if len(r.Rounds) == 0 {
		return r.Per.Quantile(p)
	}
	xs := make([]float64, len(r.Rounds))
	for i, h := range r.Rounds {
		xs[i] = float64(h.Quantile(p))
	}
	return int64(fit.Median(xs))
}

// worst returns the largest quantile p among r's rounds (of Per if none).
func (r *latencyResult) worst(p float64) int64 {
	v := int64(0)
	for _, h := range r.Rounds {
		v = max(v, h.Quantile(p))
	}
	if len(r.Rounds) == 0 {
		v = r.Per.Quantile(p)
	}
	return v
}

type latencyResults struct {
	interval time.Duration // Enqueue pacing
	byCase   map[string][]latencyResult
}

var sink atomic.Int64

func count(context.Context, int) { sink.Add(1) }

func (s *Suite) runLatency(ctx context.Context) error {
	r := &latencyResults{interval: 20 * time.Microsecond, byCase: map[string][]latencyResult{}}
	s.latency = r
	for _, c := range latCases {
		if c.kind == enqueue {
			impls := []struct {
				name string
				v    variant
				spin time.Duration
			}{{"plain", plain, 0}, {"plain, WorkerSpin 100µs", plain, 100 * time.Microsecond}}
			for _, v := range instrumented {
				impls = append(impls, struct {
					name string
					v    variant
					spin time.Duration
				}{v.Name, v, 0})
			}
			res := s.channelLatency(r.interval)
			r.byCase[c.Name] = append(r.byCase[c.Name], res)
			s.logf("latency %-9s %-24s p50 %s p99 %s p999 %s", c.Name, res.Impl,
				ns(float64(res.q(0.5))), ns(float64(res.q(0.99))), ns(float64(res.q(0.999))))
			for _, im := range impls {
				res, err := s.enqueueLatency(im.v, im.spin, r.interval)
				if err != nil {
					return fmt.Errorf("%s/%s: %w", c.Name, im.name, err)
				}
				res.Impl = im.name
				r.byCase[c.Name] = append(r.byCase[c.Name], res)
				s.logf("latency %-9s %-24s p50 %s p99 %s p999 %s (median of %d rounds; worst round p99 %s) %s", c.Name, im.name,
					ns(float64(res.q(0.5))), ns(float64(res.q(0.99))), ns(float64(res.q(0.999))), len(res.Rounds), ns(float64(res.worst(0.99))), res.Note)
			}
			continue
		}
		for _, impl := range append([]variant{{Name: "v1.3"}, plain}, instrumented...) {
			res, err := s.closedLatency(c, impl)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", c.Name, impl.Name, err)
			}
			r.byCase[c.Name] = append(r.byCase[c.Name], res)
			s.logf("latency %-9s %-24s batch %3d mean %s p50 %s p99 %s p999 %s %s", c.Name, impl.Name, res.Batch, ns(res.MeanNs),
				ns(float64(res.Per.Quantile(0.5))), ns(float64(res.Per.Quantile(0.99))), ns(float64(res.Per.Quantile(0.999))), res.Note)
		}
	}
	return nil
}

// emitter builds the emission of case c with implementation impl ("v1.3" or a
// variant). It returns the emit function, and a function that ends the
// signal and returns a note on the instrumentation's own counts given the
// number of emissions made.
func emitter(c latCase, impl variant) (emit func(), done func(n int64) string, err error) {
	ctx := context.Background()
	if impl.Name == "v1.3" {
		var r ref.V13[int]
		for range c.listeners {
			r.Add(count, "")
		}
		if c.kind == asyncEmit {
			return func() { r.EmitAsync(ctx, 1) }, func(int64) string { return "" }, nil
		}
		return func() { r.Emit(ctx, 1) }, func(int64) string { return "" }, nil
	}
	env, err := newOTelEnv(impl)
	if err != nil {
		return nil, nil, err
	}
	opts := &signals.SignalOptions{Name: "bench"}
	switch c.kind {
	case syncEmit:
		sig := signals.NewSyncWithOptions[int](opts)
		for range c.listeners {
			sig.AddListener(count)
		}
		if err := env.instrument(sig); err != nil {
			env.close()
			return nil, nil, err
		}
		return func() { sig.Emit(ctx, 1) }, func(n int64) string {
			defer env.close()
			return env.check(n)
		}, nil
	default:
		sig := signals.NewWithOptions[int](opts)
		for range c.listeners {
			sig.AddListener(count)
		}
		if err := env.instrument(sig); err != nil {
			env.close()
			_ = sig.Close()
			return nil, nil, err
		}
		return func() { sig.Emit(ctx, 1) }, func(n int64) string {
			defer env.close()
			_ = sig.Close()
			return env.check(n)
		}, nil
	}
}

// closedLatency measures case c for implementation impl in a closed loop.
func (s *Suite) closedLatency(c latCase, impl variant) (latencyResult, error) {
	emit, done, err := emitter(c, impl)
	if err != nil {
		return latencyResult{}, err
	}
	res := closedLoop(emit, s.sz.latDur)
	res.Impl = impl.Name
	res.Note = done(res.Ops)
	return res, nil
}

// batchFor returns how many emissions of about nsPerOp fill ~2 µs, in [1, 100].
func batchFor(nsPerOp float64) int {
	return min(max(int(2000/nsPerOp+0.5), 1), 100)
}

// closedLoop calls emit back to back for about d, in timed batches, after a
// warm-up. Ops counts every call, warm-up included.
func closedLoop(emit func(), d time.Duration) latencyResult {
	var ops int64
	// Warm up and estimate the cost of one emission.
	warm := min(d/10, 50*time.Millisecond)
	t0 := time.Now()
	for time.Since(t0) < warm/2 {
		emit()
		ops++
	}
	t0, n := time.Now(), 0
	for time.Since(t0) < warm/2 || n == 0 {
		for range 10 {
			emit()
		}
		n += 10
	}
	ops += int64(n)
	batch := batchFor(float64(time.Since(t0)) / float64(n))

	res := latencyResult{Batch: batch, Per: hdr.New()}
	if batch > 1 {
		res.Total = hdr.New()
	}
	start := time.Now()
	deadline := d
	var measured int64
	for {
		b0 := time.Now()
		for range batch {
			emit()
		}
		el := time.Since(b0)
		res.Per.Record(int64(el) / int64(batch))
		if res.Total != nil {
			res.Total.Record(int64(el))
		}
		measured += int64(batch)
		if b0.Sub(start) >= deadline {
			break
		}
	}
	res.Samples = res.Per.Count()
	res.Ops = ops + measured
	res.MeanNs = res.Per.Mean()
	return res
}

// roundHists are the histograms of the rounds of an open-loop run, which
// listeners on several workers record into: a delay goes to the round of its
// emission's intended send time.
type roundHists struct {
	mu       sync.Mutex
	warm     int64 // intended times before warm are not recorded
	roundLen int64
	h        []*hdr.Histogram
}

func newRoundHists(rounds int, warm, total time.Duration) *roundHists {
	r := &roundHists{warm: int64(warm), roundLen: max(int64(total)/int64(rounds), 1), h: make([]*hdr.Histogram, rounds)}
	for i := range r.h {
		r.h[i] = hdr.New()
	}
	return r
}

func (r *roundHists) record(intended, delay int64) {
	if intended < r.warm {
		return
	}
	i := min(int((intended-r.warm)/r.roundLen), len(r.h)-1)
	r.mu.Lock()
	r.h[i].Record(delay)
	r.mu.Unlock()
}

// result pools the rounds into a latencyResult.
func (r *roundHists) result(impl string, ops int64) latencyResult {
	all := hdr.New()
	for _, h := range r.h {
		all.Merge(h)
	}
	return latencyResult{Impl: impl, Batch: 1, Per: all, Rounds: r.h, Samples: all.Count(), Ops: ops, MeanNs: all.Mean()}
}

// enqueueLatency paces Enqueue at one emission per interval for the
// measurement duration and records, in the listener, the time from each
// emission's intended send time to the listener's start.
func (s *Suite) enqueueLatency(v variant, spin, interval time.Duration) (latencyResult, error) {
	env, err := newOTelEnv(v)
	if err != nil {
		return latencyResult{}, err
	}
	defer env.close()
	sig := signals.NewWithOptions[int64](&signals.SignalOptions{Name: "bench", WorkerSpin: spin})
	warm := min(s.sz.enqDur/10, 100*time.Millisecond)
	rec := newRoundHists(s.sz.rounds, warm, s.sz.enqDur)
	base := time.Now()
	sig.AddListener(func(_ context.Context, intended int64) {
		rec.record(intended, time.Since(base).Nanoseconds()-intended)
	})
	if err := env.instrument(sig); err != nil {
		_ = sig.Close()
		return latencyResult{}, err
	}
	ctx := context.Background()
	end := int64(warm + s.sz.enqDur)
	var n int64
	for i := int64(0); ; i++ {
		intended := i * int64(interval)
		if intended > end {
			break
		}
		for time.Since(base).Nanoseconds() < intended {
		}
		if err := sig.Enqueue(ctx, intended); err != nil {
			_ = sig.Close()
			return latencyResult{}, err
		}
		n++
	}
	if err := sig.Close(); err != nil {
		return latencyResult{}, err
	}
	res := rec.result("", n)
	res.Note = env.check(n)
	return res, nil
}

// chanFloor names the reference row of the Enqueue case.
const chanFloor = "Go channel (reference)"

// channelLatency is enqueueLatency's pacing with a buffered Go channel in
// place of the signal, received by one goroutine that parks when the
// channel is empty: the operating system's and the Go scheduler's wake-up
// floor, which any pool whose idle workers park pays.
func (s *Suite) channelLatency(interval time.Duration) latencyResult {
	warm := min(s.sz.enqDur/10, 100*time.Millisecond)
	rec := newRoundHists(s.sz.rounds, warm, s.sz.enqDur)
	ch := make(chan int64, 1024)
	done := make(chan struct{})
	base := time.Now()
	go func() {
		defer close(done)
		for intended := range ch {
			rec.record(intended, time.Since(base).Nanoseconds()-intended)
		}
	}()
	end := int64(warm + s.sz.enqDur)
	var n int64
	for i := int64(0); ; i++ {
		intended := i * int64(interval)
		if intended > end {
			break
		}
		for time.Since(base).Nanoseconds() < intended {
		}
		ch <- intended
		n++
	}
	close(ch)
	<-done
	return rec.result(chanFloor, n)
}
