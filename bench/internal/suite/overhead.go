package suite

import (
	"context"
	"fmt"
	"time"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/work"
	"github.com/signalkit/sdk/signals"
)

// Overhead: the CPU the instrumentation adds to emissions whose one listener
// does 1, 10 or 100 µs of calibrated busy work (integer arithmetic, no
// sleeping), from process CPU time (so the SDK's background work, such as
// the span exporter, counts), in paired rounds whose order rotates.

type overheadCell struct {
	CPUPerOp  []float64 // ns of process CPU per emission, one per round
	Pct       []float64 // (variant / plain − 1) × 100, one per round
	WallPerOp []float64 // ns of wall time per emission
	WallPct   []float64 // the same overhead in wall time
}

type overheadResults struct {
	works    []time.Duration
	steps    []int
	variants []variant
	cells    map[time.Duration]map[string]*overheadCell
}

func (s *Suite) runOverhead(ctx context.Context) error {
	r := &overheadResults{
		works:    []time.Duration{time.Microsecond, 10 * time.Microsecond, 100 * time.Microsecond},
		variants: []variant{plain, metricsOn, trace1, trace100},
		cells:    map[time.Duration]map[string]*overheadCell{},
	}
	s.overhead = r
	for _, w := range r.works {
		steps := work.Calibrate(w)
		r.steps = append(r.steps, steps)
		type tgt struct {
			v    variant
			emit func()
			env  *otelEnv
		}
		var tgts []tgt
		cleanup := func() {
			for _, t := range tgts {
				t.env.close()
			}
		}
		for _, v := range r.variants {
			env, err := newOTelEnv(v)
			if err != nil {
				cleanup()
				return err
			}
			sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "bench"})
			sig.AddListener(func(context.Context, int) { work.Sink.Add(work.Spin(steps)) })
			if err := env.instrument(sig); err != nil {
				env.close()
				cleanup()
				return err
			}
			tgts = append(tgts, tgt{v, func() { sig.Emit(context.Background(), 1) }, env})
		}
		cells := map[string]*overheadCell{}
		for _, v := range r.variants {
			cells[v.Name] = new(overheadCell)
		}
		r.cells[w] = cells
		for round := range s.sz.overheadRnd {
			if err := ctx.Err(); err != nil {
				cleanup()
				return err
			}
			cpu, wall := map[string]float64{}, map[string]float64{}
			for k := range tgts {
				t := tgts[(k+round)%len(tgts)]
				cpu[t.v.Name], wall[t.v.Name] = cpuPerEmission(t.emit, s.sz.overheadWin)
			}
			for _, v := range r.variants {
				c := cells[v.Name]
				c.CPUPerOp = append(c.CPUPerOp, cpu[v.Name])
				c.Pct = append(c.Pct, 100*(cpu[v.Name]/cpu[plain.Name]-1))
				c.WallPerOp = append(c.WallPerOp, wall[v.Name])
				c.WallPct = append(c.WallPct, 100*(wall[v.Name]/wall[plain.Name]-1))
			}
		}
		cleanup()
		line := fmt.Sprintf("overhead work %v (%d steps), CPU (wall):", w, steps)
		for _, v := range r.variants[1:] {
			line += fmt.Sprintf(" %s %+.2f%% (%+.2f%%)", v.Name, fit.Median(cells[v.Name].Pct), fit.Median(cells[v.Name].WallPct))
		}
		s.logf("%s", line)
	}
	return nil
}

// cpuPerEmission calls emit for about d (after a short warm-up) and returns
// the process CPU time and the wall time per call, in ns.
func cpuPerEmission(emit func(), d time.Duration) (cpu, wall float64) {
	t0 := time.Now()
	for time.Since(t0) < d/10 {
		emit()
	}
	c0 := processCPU()
	t0 = time.Now()
	var n int
	for time.Since(t0) < d {
		for range 8 {
			emit()
		}
		n += 8
	}
	el := time.Since(t0)
	return float64(processCPU()-c0) / float64(n), float64(el) / float64(n)
}
