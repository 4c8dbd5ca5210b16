package suite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/signals"
)

// Contention: block and mutex profiles (every event recorded:
// runtime.SetBlockProfileRate(1), runtime.SetMutexProfileFraction(1)) of
// parallel emission runs, and the waits among them that have a frame in
// package signals. The profiles are cumulative; the records of each run are
// the difference between the profile after it and before it.

const signalsPkg = "github.com/signalkit/sdk/signals."

type waitSite struct {
	Func    string // innermost frame in package signals
	Blocker string // innermost frame of the stack: what waited
	Alloc   bool   // the wait happened inside the runtime's allocator (mallocgc)
	Events  int64
	Cycles  int64
}

type profileSummary struct {
	Events, Cycles  int64
	InSignalsEvents int64
	Sites           []waitSite // in package signals, most cycles first
}

type contentionRun struct {
	Name, Desc   string
	Dur          time.Duration
	Emissions    int64
	Changes      int64
	Block, Mutex profileSummary
}

type contentionResults struct {
	runs []contentionRun
}

// profileRecord is a block or mutex profile record.
type profileRecord struct {
	count, cycles int64
	funcs         []string // the stack's functions, innermost first
}

// snapshot returns the current block (or mutex) profile, by stack.
func snapshot(mutex bool) map[string]profileRecord {
	var recs []runtime.BlockProfileRecord
	n := 256
	for {
		recs = make([]runtime.BlockProfileRecord, n)
		var (
			got int
			ok  bool
		)
		if mutex {
			got, ok = runtime.MutexProfile(recs)
		} else {
			got, ok = runtime.BlockProfile(recs)
		}
		if ok {
			recs = recs[:got]
			break
		}
		n = got + 256
	}
	out := make(map[string]profileRecord, len(recs))
	for _, r := range recs {
		st := r.Stack()
		k := fmt.Sprint(st)
		x := out[k]
		x.count += r.Count
		x.cycles += r.Cycles
		if x.funcs == nil {
			x.funcs = stackFuncs(st)
		}
		out[k] = x
	}
	return out
}

// stackFuncs returns the functions of stack, innermost first.
func stackFuncs(stack []uintptr) []string {
	var funcs []string
	frames := runtime.CallersFrames(stack)
	for {
		f, more := frames.Next()
		funcs = append(funcs, f.Function)
		if !more {
			return funcs
		}
	}
}

// classify returns the innermost function of a stack (what waited), its
// innermost function in package signals ("" if none), and whether the wait
// happened inside the runtime's allocator called from there.
func classify(funcs []string) (blocker, inSignals string, alloc bool) {
	for _, fn := range funcs {
		if blocker == "" {
			blocker = fn
		}
		if fn == "runtime.mallocgc" {
			alloc = true
		}
		if strings.HasPrefix(fn, signalsPkg) {
			return blocker, fn, alloc
		}
	}
	return blocker, "", false
}

// summarize returns the records of after that are not in before.
func summarize(before, after map[string]profileRecord) profileSummary {
	var s profileSummary
	type siteKey struct {
		fn, blocker string
		alloc       bool
	}
	sites := map[siteKey]*waitSite{}
	for k, r := range after {
		b := before[k]
		count, cycles := r.count-b.count, r.cycles-b.cycles
		if count <= 0 {
			continue
		}
		s.Events += count
		s.Cycles += cycles
		blocker, inSignals, alloc := classify(r.funcs)
		if inSignals == "" {
			continue
		}
		s.InSignalsEvents += count
		key := siteKey{inSignals, blocker, alloc}
		w := sites[key]
		if w == nil {
			w = &waitSite{Func: strings.TrimPrefix(inSignals, "github.com/signalkit/sdk/"), Blocker: blocker, Alloc: alloc}
			sites[key] = w
		}
		w.Events += count
		w.Cycles += cycles
	}
	for _, w := range sites {
		s.Sites = append(s.Sites, *w)
	}
	sort.Slice(s.Sites, func(i, j int) bool {
		if s.Sites[i].Cycles != s.Sites[j].Cycles {
			return s.Sites[i].Cycles > s.Sites[j].Cycles
		}
		return s.Sites[i].Func < s.Sites[j].Func
	})
	return s
}

func (s *Suite) runContention(ctx context.Context) error {
	dir := filepath.Join(s.cfg.Work, "profiles")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := &contentionResults{}
	s.contention = r
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	defer runtime.SetBlockProfileRate(0)
	defer runtime.SetMutexProfileFraction(0)

	runs := []struct {
		name, desc string
		run        func(time.Duration) (emissions, changes int64, err error)
	}{
		{"sync", fmt.Sprintf("%d goroutines (4 × GOMAXPROCS) emit on one SyncSignal with 5 listeners and 5 error-aware listeners, half with Emit, half with TryEmit, while another goroutine adds and removes a keyed listener about every 100 µs", 4*runtime.GOMAXPROCS(0)), contendSync},
		{"async", fmt.Sprintf("%d goroutines (GOMAXPROCS) call AsyncSignal.Emit on a signal with 10 listeners, and one goroutine calls Enqueue without pause on another signal with 10 listeners (default pool and queue: the queue fills, and Enqueue waits for room)", runtime.GOMAXPROCS(0)), contendAsync},
	}
	for _, x := range runs {
		if err := ctx.Err(); err != nil {
			return err
		}
		bb, mb := snapshot(false), snapshot(true)
		t0 := time.Now()
		e, c, err := x.run(s.sz.contDur)
		if err != nil {
			return err
		}
		run := contentionRun{Name: x.name, Desc: x.desc, Dur: time.Since(t0), Emissions: e, Changes: c}
		run.Block = summarize(bb, snapshot(false))
		run.Mutex = summarize(mb, snapshot(true))
		for _, kind := range []string{"block", "mutex"} {
			path := filepath.Join(dir, kind+"-after-"+x.name+".pprof")
			if err := writeProfile(kind, path); err != nil {
				return err
			}
		}
		r.runs = append(r.runs, run)
		s.logf("contention %-5s %d emissions: block %d events (%d in signals), mutex %d events (%d in signals)",
			x.name, e, run.Block.Events, run.Block.InSignalsEvents, run.Mutex.Events, run.Mutex.InSignalsEvents)
		for _, w := range append(run.Block.Sites, run.Mutex.Sites...) {
			where := ""
			if w.Alloc {
				where = " (in the allocator)"
			}
			s.logf("   %s ← %s%s: %d events, %d cycles", w.Func, w.Blocker, where, w.Events, w.Cycles)
		}
	}
	return nil
}

func writeProfile(kind, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = pprof.Lookup(kind).WriteTo(f, 0)
	return errors.Join(err, f.Close())
}

// lockWaits returns the events of s that waited for a lock in package
// signals: a sync.Mutex or RWMutex, or a runtime lock outside the allocator.
func (s profileSummary) lockWaits() (events int64, funcs []string) {
	for _, w := range s.Sites {
		if w.Alloc {
			continue
		}
		if strings.HasPrefix(w.Blocker, "sync.(*Mutex)") || strings.HasPrefix(w.Blocker, "sync.(*RWMutex)") || w.Blocker == "runtime.unlock" || w.Blocker == "runtime.lock" {
			events += w.Events
			if !slices.Contains(funcs, w.Func) {
				funcs = append(funcs, w.Func)
			}
		}
	}
	return events, funcs
}

// contendSync is the sync run.
func contendSync(d time.Duration) (emissions, changes int64, err error) {
	ctx := context.Background()
	sig := signals.NewSync[int]()
	for i := range 5 {
		sig.AddListener(noop)
		sig.AddListenerWithErr(func(context.Context, int) error { return nil }, "e"+strconv.Itoa(i))
	}
	g := 4 * runtime.GOMAXPROCS(0)
	var (
		stop    atomic.Bool
		total   atomic.Int64
		nchange atomic.Int64
		failed  firstError
		wg      sync.WaitGroup
	)
	for id := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			for !stop.Load() {
				for range 64 {
					if id%2 == 0 {
						sig.Emit(ctx, 1)
					} else if err := sig.TryEmit(ctx, 1); err != nil {
						failed.set(err)
					}
				}
				n += 64
			}
			total.Add(n)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			sig.AddListener(noop, "w")
			sig.RemoveListener("w")
			nchange.Add(2)
			time.Sleep(100 * time.Microsecond)
		}
	}()
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	if failed.err != nil {
		return 0, 0, failed.err
	}
	return total.Load(), nchange.Load(), nil
}

// contendAsync is the async run.
func contendAsync(d time.Duration) (emissions, changes int64, err error) {
	ctx := context.Background()
	a := signals.New[int]()
	q := signals.New[int]()
	for range 10 {
		a.AddListener(noop)
		q.AddListener(noop)
	}
	g := runtime.GOMAXPROCS(0)
	var (
		stop   atomic.Bool
		total  atomic.Int64
		failed firstError
		wg     sync.WaitGroup
	)
	for id := range g + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			for !stop.Load() {
				for range 16 {
					if id < g {
						a.Emit(ctx, 1)
					} else if err := q.Enqueue(ctx, 1); err != nil {
						failed.set(err)
					}
				}
				n += 16
			}
			total.Add(n)
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	return total.Load(), 0, errors.Join(failed.err, a.Close(), q.Close())
}

// firstError keeps the first error set, from any goroutine; read err once
// the goroutines that set it are done. (An atomic.Value would panic on a
// second error of another type.)
type firstError struct {
	once sync.Once
	err  error
}

func (f *firstError) set(err error) { f.once.Do(func() { f.err = err }) }

// waitKind classifies a wait inside package signals for the report, which
// says what each kind is (report.md.tmpl, "wait").
func waitKind(w waitSite) string {
	switch {
	case w.Alloc:
		return "alloc"
	case strings.Contains(w.Func, "WorkerPool).pop"):
		return "pop"
	case strings.Contains(w.Func, "WorkerPool).worker"):
		return "idle-worker"
	case strings.Contains(w.Func, "waitForSpace"):
		return "backpressure"
	case strings.Contains(w.Func, "Shutdown"), strings.Contains(w.Func, "Close"):
		return "close"
	case strings.Contains(w.Func, "AsyncSignal") && strings.Contains(w.Func, "Emit"):
		return "emit-wait"
	case strings.Contains(w.Blocker, "Mutex"):
		return "mutex"
	case strings.HasPrefix(w.Blocker, "runtime."):
		return "runtime"
	}
	return "other"
}
