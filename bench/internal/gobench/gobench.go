// Package gobench parses the output of go test -bench, and pairs the results
// of several rounds: runs of the same benchmarks one after another, so that
// each round measures the implementations it compares under the same
// conditions, and ratios are taken within a round.
package gobench

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/signalkit/sdk/bench/internal/fit"
)

// Result is one benchmark result line.
type Result struct {
	Name    string // without the "Benchmark" prefix and the -GOMAXPROCS suffix
	Procs   int    // the -GOMAXPROCS suffix; 1 when absent
	Iters   int64
	Metrics map[string]float64 // by unit: "ns/op", "allocs/op", "calls/s", ...
}

// Parse reads go test -bench output and returns its result lines in order.
// Other lines (goos:, PASS, logs) are skipped.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		if res, ok := parseLine(sc.Text()); ok {
			out = append(out, res)
		}
	}
	return out, sc.Err()
}

func parseLine(line string) (Result, bool) {
	fields := strings.Fields(line)
	if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
		return Result{}, false
	}
	iters, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return Result{}, false
	}
	name, procs := strings.TrimPrefix(fields[0], "Benchmark"), 1
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if p, err := strconv.Atoi(name[i+1:]); err == nil {
			name, procs = name[:i], p
		}
	}
	res := Result{Name: name, Procs: procs, Iters: iters, Metrics: map[string]float64{}}
	for k := 2; k+1 < len(fields); k += 2 {
		v, err := strconv.ParseFloat(fields[k], 64)
		if err != nil {
			return Result{}, false
		}
		res.Metrics[fields[k+1]] = v
	}
	return res, true
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

func stat(xs []float64) Stat {
	lo, hi := fit.MinMax(xs)
	return Stat{Median: fit.Median(xs), Min: lo, Max: hi, N: len(xs)}
}

// Median returns the median over rounds of the metric unit of benchmark name.
func (rs Rounds) Median(name, unit string) Stat {
	return stat(rs.Values(name, unit))
}

// Ratio returns the median over rounds of a/b, the metric unit of benchmark a
// divided by that of benchmark b in the same round; rounds missing either, or
// where b is 0, are skipped.
func (rs Rounds) Ratio(a, b, unit string) Stat {
	return stat(rs.paired(a, b, unit, func(va, vb float64) (float64, bool) { return va / vb, vb != 0 }))
}

// Diff returns the median over rounds of a−b, within each round.
func (rs Rounds) Diff(a, b, unit string) Stat {
	return stat(rs.paired(a, b, unit, func(va, vb float64) (float64, bool) { return va - vb, true }))
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
