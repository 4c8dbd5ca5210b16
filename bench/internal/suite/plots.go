package suite

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/svgplot"
)

// The report's plots, written into perf/ beside it from the same results as
// its tables.

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

func percentileChart(title, subtitle string) svgplot.Chart {
	return svgplot.Chart{Title: title, Subtitle: subtitle,
		X: svgplot.Axis{Label: "percentile", Log: true, Ticks: percentileTicks}, Y: svgplot.Axis{Label: "latency (µs)", Log: true, Format: plainNumber}}
}

// latencyPlot writes perf/latency-<case>.svg and returns its name, or "" if
// no result has enough samples for a curve.
func (s *Suite) latencyPlot(c latCase, results []latencyResult) (string, error) {
	chart := percentileChart("Latency percentiles: "+c.Title, s.subtitle(""))
	for i := range results {
		r := &results[i]
		if ss := percentileSeries(r.Impl, r); len(ss.Points) > 0 {
			ss.Dashed = r.Impl == "v1.3" || r.Impl == chanFloor
			chart.Series = append(chart.Series, ss)
		}
	}
	if len(chart.Series) == 0 {
		return "", nil
	}
	file := "latency-" + c.Name + ".svg"
	return file, s.plot(chart, file)
}

// latencyOverviewPlot writes perf/latency.svg, the plain signal on every
// path, and reports whether it did.
func (s *Suite) latencyOverviewPlot() (bool, error) {
	chart := percentileChart("Latency percentiles, plain signals", s.subtitle("batched cases: batch means"))
	for _, c := range latCases {
		for i, r := range s.latency.byCase[c.Name] {
			if r.Impl != plain.Name {
				continue
			}
			if ss := percentileSeries(c.Name, &s.latency.byCase[c.Name][i]); len(ss.Points) > 0 {
				chart.Series = append(chart.Series, ss)
			}
		}
	}
	if len(chart.Series) == 0 {
		return false, nil
	}
	return true, s.plot(chart, "latency.svg")
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

// overheadPlot writes perf/overhead.svg.
func (s *Suite) overheadPlot() error {
	o := s.overhead
	chart := svgplot.Chart{Title: "CPU overhead of the instrumentation", Subtitle: s.subtitle("median of paired rounds; ≤ 0.01 % drawn at 0.01 %"),
		X: svgplot.Axis{Label: "listener work per call (µs)", Log: true, Format: plainNumber}, Y: svgplot.Axis{Label: "CPU overhead (%)", Log: true, Format: plainNumber}}
	for _, v := range o.variants[1:] {
		ss := svgplot.Series{Name: v.Name}
		for _, w := range o.works {
			if cells := o.cells[w]; cells != nil {
				ss.Points = append(ss.Points, svgplot.Point{X: w.Seconds() * 1e6, Y: math.Max(fit.Median(cells[v.Name].Pct), 0.01)})
			}
		}
		chart.Series = append(chart.Series, ss)
	}
	return s.plot(chart, "overhead.svg")
}
