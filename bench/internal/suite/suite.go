// Package suite is signalkit's performance suite: it measures package signals
// and otelsignals on the current machine — latency percentiles, throughput,
// scaling, allocations, memory, contention, instrumentation overhead — beside
// the v1.3-style reference, and writes a Markdown report with SVG plots.
// Command sigbench runs it; scripts/perf.sh is the one command to use.
package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/bench/internal/machine"
)

// Config says what to run and where to write.
type Config struct {
	// Short runs every measurement at tiny sizes, to keep the suite from
	// rotting (CI); its numbers are not worth reading.
	Short bool
	// Out is the directory that receives performance.md and perf/*.svg.
	Out string
	// Work is a scratch directory for test binaries, raw go test output and
	// profiles. Empty means a new temporary directory.
	Work string
	// Repo is the root of the signalkit repository (for go test). Empty
	// means the nearest directory above the current one whose go.mod
	// declares module github.com/signalkit/sdk.
	Repo string
	// Only restricts the run to these sections (see Sections); empty runs
	// them all.
	Only []string
	// Command is how the run was started, printed in the report.
	Command string
	// Log receives progress; nil means os.Stderr.
	Log io.Writer
}

// Sections are the parts of the suite, in the order they run.
var Sections = []string{"gotest", "peers", "latency", "throughput", "scaling", "resources", "contention", "overhead"}

// sizes are the durations and counts of one run.
type sizes struct {
	dur         time.Duration // one throughput or scaling point
	latDur      time.Duration // one closed-loop latency measurement
	enqDur      time.Duration // one paced Enqueue latency measurement
	rounds      int           // paired rounds of in-process comparisons
	testRounds  int           // go test rounds
	benchtime   string        // go test -benchtime
	steadyDur   time.Duration // steady-state allocation and GC run
	memN        int           // listeners added to measure memory per listener
	memKeyedN   int           // keyed listeners (adding one copies the key index)
	allocN      int           // emissions counted for allocations per emission
	contDur     time.Duration // contention run
	overheadWin time.Duration // one overhead window
	overheadRnd int           // overhead rounds
	emitters    []int         // concurrent emitter goroutines of the scaling section
	listeners   []int         // listeners per signal
	signals     []int         // active signals
}

var (
	fullSizes = sizes{
		dur: time.Second, latDur: 2 * time.Second, enqDur: 3 * time.Second,
		rounds: 3, testRounds: 6, benchtime: "400ms",
		steadyDur: 10 * time.Second, memN: 100_000, memKeyedN: 10_000, allocN: 100_000,
		contDur: 2 * time.Second, overheadWin: 20 * time.Millisecond, overheadRnd: 60,
		emitters: []int{1, 10, 100, 1000, 10000}, listeners: []int{1, 10, 100, 1000}, signals: []int{1, 10, 100, 1000, 10000},
	}
	shortSizes = sizes{
		dur: 30 * time.Millisecond, latDur: 40 * time.Millisecond, enqDur: 60 * time.Millisecond,
		rounds: 1, testRounds: 1, benchtime: "10ms",
		steadyDur: 300 * time.Millisecond, memN: 2_000, memKeyedN: 1_000, allocN: 5_000,
		contDur: 100 * time.Millisecond, overheadWin: 5 * time.Millisecond, overheadRnd: 2,
		emitters: []int{1, 10, 100, 1000, 10000}, listeners: []int{1, 10, 100, 1000}, signals: []int{1, 10, 100, 1000, 10000},
	}
)

// Suite is one run.
type Suite struct {
	cfg     Config
	sz      sizes
	log     io.Writer
	start   time.Time
	machine machine.Info
	loadEnd machine.Load
	clockNs float64 // cost of one time.Now, in ns
	// atomicNs and sharedAtomicNs are the cost of an atomic add on a word
	// that one goroutine uses alone, and on a word that GOMAXPROCS
	// goroutines add to at once (the cache line moves between the cores).
	atomicNs, sharedAtomicNs float64

	gotest     *goTestResults
	peers      *peersResults
	latency    *latencyResults
	throughput *throughputResults
	scaling    *scalingResults
	resources  *resourceResults
	contention *contentionResults
	overhead   *overheadResults
	durations  map[string]time.Duration

	// CPU used on the machine during the run by anything but the suite and
	// the processes it ran, and by the hypervisor's steal, as shares of the
	// machine's capacity; -1 if unknown.
	otherShare, stealShare float64
}

// Run runs the suite and writes the report.
func Run(ctx context.Context, cfg Config) error {
	s, err := newSuite(cfg)
	if err != nil {
		return err
	}
	return s.run(ctx)
}

func newSuite(cfg Config) (*Suite, error) {
	for _, o := range cfg.Only {
		if !slices.Contains(Sections, o) {
			return nil, fmt.Errorf("unknown section %q (sections: %s)", o, strings.Join(Sections, ", "))
		}
	}
	if cfg.Out == "" {
		return nil, errors.New("no output directory")
	}
	s := &Suite{cfg: cfg, sz: fullSizes, log: cfg.Log, durations: map[string]time.Duration{}}
	if cfg.Short {
		s.sz = shortSizes
	}
	if s.log == nil {
		s.log = os.Stderr
	}
	return s, nil
}

func (s *Suite) run(ctx context.Context) error {
	cfg := s.cfg
	if err := os.MkdirAll(filepath.Join(s.cfg.Out, "perf"), 0o755); err != nil {
		return err
	}
	if s.cfg.Work == "" {
		dir, err := os.MkdirTemp("", "sigbench-")
		if err != nil {
			return err
		}
		s.cfg.Work = dir
	} else if err := os.MkdirAll(s.cfg.Work, 0o755); err != nil {
		return err
	}
	s.start = time.Now()
	cpu0, fam0 := machine.ReadCPUTimes(), familyCPU()
	s.machine = machine.Read()
	s.clockNs = clockCost()
	s.atomicNs, s.sharedAtomicNs = atomicCost()
	s.logf("machine: %s", s.machine)
	s.logf("load average at start: %s; a clock read costs %.0f ns here; an atomic add %.1f ns alone, %.1f ns on a word all cores add to",
		s.machine.Load, s.clockNs, s.atomicNs, s.sharedAtomicNs)
	s.logf("scratch directory: %s", s.cfg.Work)

	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"gotest", s.runGoTest},
		{"peers", s.runPeers},
		{"latency", s.runLatency},
		{"throughput", s.runThroughput},
		{"scaling", s.runScaling},
		{"resources", s.runResources},
		{"contention", s.runContention},
		{"overhead", s.runOverhead},
	}
	for _, st := range steps {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, st.name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		t0 := time.Now()
		s.logf("== %s", st.name)
		if err := st.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		s.durations[st.name] = time.Since(t0)
		s.logf("== %s done in %s", st.name, time.Since(t0).Round(100*time.Millisecond))
		runtime.GC()
	}
	s.loadEnd = machine.ReadLoad()
	s.otherShare, s.stealShare = otherShares(cpu0, machine.ReadCPUTimes(), familyCPU()-fam0)
	s.logf("CPU used by other processes during the run: %.1f %% of the machine; hypervisor steal %.1f %%", 100*s.otherShare, 100*s.stealShare)
	if err := s.writeReport(); err != nil {
		return err
	}
	s.logf("report written to %s (%s in all)", filepath.Join(s.cfg.Out, "performance.md"), time.Since(s.start).Round(time.Second))
	return nil
}

// otherShares returns the shares of the machine's CPU capacity between the
// readings cpu0 and cpu1 that went to processes other than the suite and
// its children (which used own), and to the hypervisor's steal; -1, -1 if
// unknown. /proc/stat counts steal as busy, but no process of this machine
// used it, so it is not counted as other processes' work.
func otherShares(cpu0, cpu1 machine.CPUTimes, own time.Duration) (other, steal float64) {
	if !cpu0.OK || !cpu1.OK {
		return -1, -1
	}
	capacity := (cpu1.Busy + cpu1.Idle) - (cpu0.Busy + cpu0.Idle)
	if capacity <= 0 {
		return -1, -1
	}
	stolen := cpu1.Steal - cpu0.Steal
	return max(0, cpu1.Busy-cpu0.Busy-stolen-own.Seconds()) / capacity, stolen / capacity
}

func (s *Suite) logf(format string, args ...any) {
	fmt.Fprintf(s.log, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// atomicCost returns the time of one atomic add on a private word, and on a
// word that GOMAXPROCS goroutines add to at the same time (per add, as each
// goroutine sees it): the price of a cache line that moves between cores.
func atomicCost() (alone, shared float64) {
	const n = 2_000_000
	var w atomic.Int64
	t0 := time.Now()
	for range n {
		w.Add(1)
	}
	alone = float64(time.Since(t0)) / n
	g := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var total atomic.Int64
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			for range n {
				w.Add(1)
			}
			total.Add(int64(time.Since(t)))
		}()
	}
	wg.Wait()
	return alone, float64(total.Load()) / float64(g) / n
}

// clockCost returns the cost of one clock read (time.Since, which is time.Now
// and a subtraction) in nanoseconds: the best of a few runs.
func clockCost() float64 {
	best := time.Duration(1 << 62)
	for range 5 {
		const n = 200_000
		t0 := time.Now()
		var sink time.Duration
		for range n {
			sink += time.Since(t0) & 1
		}
		best = min(best, time.Since(t0))
		_ = sink
	}
	return float64(best) / 200_000
}
