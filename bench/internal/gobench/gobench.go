// Package gobench reads the output of go test -bench (with
// golang.org/x/perf/benchfmt), and pairs the results of several rounds: runs of the same benchmarks one after another, so that
// each round measures the implementations it compares under the same
// conditions, and ratios are taken within a round.
package gobench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/signalkit/sdk/bench/internal/fit"
)

// Result is one benchmark result.
type Result struct {
	Name    string // without the "Benchmark" prefix and the -GOMAXPROCS suffix
	Procs   int    // the -GOMAXPROCS suffix; 1 when absent
	Iters   int64
	Metrics map[string]float64 // by unit as go test printed it: "ns/op", "allocs/op", "calls/s", ...
}

// Parse reads go test -bench output (the Go benchmark format, read with
// golang.org/x/perf/benchfmt) and returns its results in order. Other lines
// (configuration, PASS, logs) are skipped; so are lines that look like
// results but do not parse.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	br := benchfmt.NewReader(r, "go test output")
	for br.Scan() {
		res, ok := br.Result().(*benchfmt.Result)
		if !ok {
			continue // a *benchfmt.SyntaxError or unit metadata
		}
		base, parts := res.Name.Parts()
		name := strings.TrimPrefix(string(base), "Benchmark")
		procs := 1
		for _, p := range parts {
			switch {
			case strings.HasPrefix(string(p), "-"):
				if n, err := strconv.Atoi(string(p[1:])); err == nil {
					procs = n
				}
			default:
				name += string(p)
			}
		}
		out = append(out, Result{Name: name, Procs: procs, Iters: int64(res.Iters), Metrics: metricsOf(res.Values)})
	}
	return out, br.Err()
}

// metricsOf returns the values of a result by their original units:
// benchfmt tidies "ns/op" into "sec/op" and keeps what go test printed in
// OrigUnit and OrigValue.
func metricsOf(values []benchfmt.Value) map[string]float64 {
	m := make(map[string]float64, len(values))
	for _, v := range values {
		if v.OrigUnit != "" {
			m[v.OrigUnit] = v.OrigValue
		} else {
			m[v.Unit] = v.Value
		}
	}
	return m
}

// Rounds holds the results of several rounds, each a map by benchmark name.
type Rounds []map[string]Result

// Add parses the output of one round and appends it.
func (rs *Rounds) Add(r io.Reader) error {
	results, err := Parse(r)
	if err != nil {
		return err
	}
	m := make(map[string]Result, len(results))
	for _, res := range results {
		m[res.Name] = res
	}
	*rs = append(*rs, m)
	return nil
}

// Values returns the metric unit of benchmark name in every round that has it.
func (rs Rounds) Values(name, unit string) []float64 {
	var out []float64
	for _, m := range rs {
		if res, ok := m[name]; ok {
			if v, ok := res.Metrics[unit]; ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// Stat is a median over rounds with the range it came from.
type Stat struct {
	Median, Min, Max float64
	N                int // rounds
}

// Summarize returns the median of xs with their range.
func Summarize(xs []float64) Stat {
	lo, hi := fit.MinMax(xs)
	return Stat{Median: fit.Median(xs), Min: lo, Max: hi, N: len(xs)}
}

// Median returns the median over rounds of the metric unit of benchmark name.
func (rs Rounds) Median(name, unit string) Stat {
	return Summarize(rs.Values(name, unit))
}

// Ratio returns the median over rounds of a/b, the metric unit of benchmark a
// divided by that of benchmark b in the same round; rounds missing either, or
// where b is 0, are skipped.
func (rs Rounds) Ratio(a, b, unit string) Stat {
	return Summarize(rs.paired(a, b, unit, func(va, vb float64) (float64, bool) { return va / vb, vb != 0 }))
}

// Diff returns the median over rounds of a−b, within each round.
func (rs Rounds) Diff(a, b, unit string) Stat {
	return Summarize(rs.paired(a, b, unit, func(va, vb float64) (float64, bool) { return va - vb, true }))
}

// paired returns f of the metric unit of benchmarks a and b, for every round
// that has both and where f reports its result as valid.
func (rs Rounds) paired(a, b, unit string, f func(va, vb float64) (float64, bool)) []float64 {
	var xs []float64
	for _, m := range rs {
		va, oka := m[a].Metrics[unit]
		vb, okb := m[b].Metrics[unit]
		if !oka || !okb {
			continue
		}
		if x, ok := f(va, vb); ok {
			xs = append(xs, x)
		}
	}
	return xs
}

// Format formats s as "median (min–max)" with the given verb, or "n/a".
func (s Stat) Format(verb string) string {
	if s.N == 0 || math.IsNaN(s.Median) {
		return "n/a"
	}
	if s.N == 1 {
		return fmt.Sprintf(verb, s.Median)
	}
	return fmt.Sprintf(verb+" ("+verb+"–"+verb+")", s.Median, s.Min, s.Max)
}
