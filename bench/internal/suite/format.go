package suite

import (
	"fmt"
	"math"
	"strings"
	"text/template"
	"time"

	"github.com/signalkit/sdk/bench/internal/fit"
	"github.com/signalkit/sdk/bench/internal/gobench"
)

// The formats of the report's numbers, for the template and for the
// suite's log.

// ns formats nanoseconds: "23.1 ns", "4.1 µs", "46 µs", "1.25 ms".
func ns(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v >= 1e9:
		return fmt.Sprintf("%.2f s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0f µs", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.1f µs", v/1e3)
	case v >= 100:
		return fmt.Sprintf("%.0f ns", v)
	default:
		return fmt.Sprintf("%.1f ns", v)
	}
}

// rate formats a rate per second: "12.3 M", "850 k".
func rate(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v >= 1e9:
		return fmt.Sprintf("%.2f G", v/1e9)
	case v >= 1e7:
		return fmt.Sprintf("%.1f M", v/1e6)
	case v >= 1e6:
		return fmt.Sprintf("%.2f M", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0f k", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

// pct formats a percentage with its sign: "+1.25 %".
func pct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%+.2f %%", v)
}

// share formats a share of 0–1 as a percentage, or "unknown" if negative.
func share(v float64) string {
	if v < 0 || math.IsNaN(v) {
		return "unknown"
	}
	return fmt.Sprintf("%.1f %%", 100*v)
}

// statText formats a median over rounds with its range, "f(median) (f(min) –
// f(max))", or "–" when nothing was measured.
func statText(st gobench.Stat, f func(float64) string) string {
	if st.N == 0 || math.IsNaN(st.Median) {
		return "–"
	}
	if st.N == 1 {
		return f(st.Median)
	}
	return fmt.Sprintf("%s (%s – %s)", f(st.Median), f(st.Min), f(st.Max))
}

func nsText(st gobench.Stat) string   { return statText(st, ns) }
func rateText(st gobench.Stat) string { return statText(st, rate) }

// ratioText formats a within-round ratio as "1.23× (1.10–1.40)".
func ratioText(st gobench.Stat) string {
	if st.N == 0 || math.IsNaN(st.Median) {
		return "–"
	}
	if st.N == 1 {
		return fmt.Sprintf("%.2f×", st.Median)
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", st.Median, st.Min, st.Max)
}

// diffText formats a difference in nanoseconds with its sign: "+23.1 ns (…)".
func diffText(st gobench.Stat) string {
	if st.N > 0 && st.Median >= 0 {
		return "+" + nsText(st)
	}
	return nsText(st)
}

// statOf summarizes the values of the rounds of an in-process measurement.
func statOf(xs []float64) gobench.Stat { return gobench.Summarize(xs) }

// iqrText formats the median of xs with its interquartile range (or its
// range, for fewer than 4 values).
func iqrText(xs []float64, f func(float64) string) string {
	if len(xs) < 4 {
		return statText(statOf(xs), f)
	}
	return fmt.Sprintf("%s (%s – %s)", f(fit.Median(xs)), f(fit.Quantile(xs, 0.25)), f(fit.Quantile(xs, 0.75)))
}

// formatFuncs are the report template's functions. Those that format a
// number take a float64, a gobench.Stat (median and range over rounds) or
// the []float64 of the rounds of an in-process measurement.
func formatFuncs() template.FuncMap {
	stat := func(x any) (gobench.Stat, bool) {
		switch v := x.(type) {
		case gobench.Stat:
			return v, true
		case []float64:
			return statOf(v), true
		}
		return gobench.Stat{}, false
	}
	num := func(f func(float64) string, fs func(gobench.Stat) string) func(any) string {
		return func(x any) string {
			if st, ok := stat(x); ok {
				return fs(st)
			}
			switch v := x.(type) {
			case float64:
				return f(v)
			case int64:
				return f(float64(v))
			case int:
				return f(float64(v))
			}
			return fmt.Sprintf("%%!(bad value %T)", x)
		}
	}
	return template.FuncMap{
		"ns":    num(ns, nsText),
		"rate":  num(rate, rateText),
		"ratio": num(func(v float64) string { return fmt.Sprintf("%.2f×", v) }, ratioText),
		"diff":  num(func(v float64) string { return diffText(gobench.Summarize([]float64{v})) }, diffText),
		"pct":   num(pct, func(st gobench.Stat) string { return statText(st, pct) }),
		"share": share,
		// allocs formats allocations per operation: the median, or "–".
		"allocs": func(st gobench.Stat) string {
			if st.N == 0 {
				return "–"
			}
			return fmt.Sprintf("%g", st.Median)
		},
		"nsIQR":  func(xs []float64) string { return iqrText(xs, ns) },
		"pctIQR": func(xs []float64) string { return iqrText(xs, pct) },
		"median": fit.Median,
		"times":  func(a, b float64) float64 { return a * b },
		"divide": func(a, b float64) float64 { return a / b },
		"join":   strings.Join,
		// cell makes free text safe in a table cell.
		"cell":     func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") },
		"round":    func(d, to time.Duration) time.Duration { return d.Round(to) },
		"waitKind": waitKind,
	}
}
