package main

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// expectation is one "# expect:" line of queries.txt: a condition on the
// result of the query that follows it. Its forms:
//
//	series N                  the result has exactly N series
//	labels NAME=V1|V2|...     the values of the label NAME over the result's
//	                          series are exactly V1, V2, ... ("" for a series
//	                          without the label)
//	[SELECTOR] COND           every series that SELECTOR matches (every series
//	                          if there is no SELECTOR; at least one must match)
//	                          has a value that satisfies COND
//
// SELECTOR is {NAME="VALUE", ...}, label equality only. COND is one of
// == X, != X, > X, >= X, < X, <= X, or X..Y (X to Y, both included).
type expectation struct {
	text string // as written, after "expect:"

	series int // the series form: the count; -1 otherwise

	label  string   // the labels form: the label name; "" otherwise
	values []string // the labels form: the values, sorted

	match  map[string]string // the value form: the selector (nil: every series)
	op     string            // the value form: ==, !=, >, >=, <, <= or ..
	lo, hi float64           // the value form: the operand; for "..", the bounds
}

// sample is one series of a query's result.
type sample struct {
	labels map[string]string
	value  float64
}

var (
	seriesRE   = regexp.MustCompile(`^series\s+(\d+)$`)
	labelsRE   = regexp.MustCompile(`^labels\s+([a-zA-Z_][a-zA-Z0-9_]*)=(\S*)$`)
	selectorRE = regexp.MustCompile(`^\{([^}]*)\}\s*(.*)$`)
	matcherRE  = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"([^"]*)"\s*$`)
	compareRE  = regexp.MustCompile(`^(==|!=|>=|<=|>|<)\s*(\S+)$`)
	rangeRE    = regexp.MustCompile(`^(\S+)\.\.(\S+)$`)
)

// parseExpectation parses the text after "expect:".
func parseExpectation(text string) (expectation, error) {
	text = strings.TrimSpace(text)
	e := expectation{text: text, series: -1}
	if m := seriesRE.FindStringSubmatch(text); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return e, err
		}
		e.series = n
		return e, nil
	}
	if m := labelsRE.FindStringSubmatch(text); m != nil {
		e.label = m[1]
		e.values = strings.Split(m[2], "|")
		slices.Sort(e.values)
		return e, nil
	}
	cond := text
	if m := selectorRE.FindStringSubmatch(text); m != nil {
		e.match = map[string]string{}
		for part := range strings.SplitSeq(m[1], ",") {
			mm := matcherRE.FindStringSubmatch(part)
			if mm == nil {
				return e, fmt.Errorf("selector %q: want {name=\"value\", ...}", "{"+m[1]+"}")
			}
			e.match[mm[1]] = mm[2]
		}
		cond = m[2]
	}
	number := func(s string) (float64, error) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			return 0, fmt.Errorf("%q is not a number", s)
		}
		return f, nil
	}
	var err error
	switch m, r := compareRE.FindStringSubmatch(cond), rangeRE.FindStringSubmatch(cond); {
	case m != nil:
		e.op = m[1]
		e.lo, err = number(m[2])
	case r != nil:
		e.op = ".."
		if e.lo, err = number(r[1]); err == nil {
			e.hi, err = number(r[2])
		}
		if err == nil && e.lo > e.hi {
			err = fmt.Errorf("empty range %s", cond)
		}
	default:
		err = errors.New(`want "series N", "labels NAME=V1|V2", or [{name="value", ...}] followed by == X, != X, > X, >= X, < X, <= X or X..Y`)
	}
	return e, err
}

// check returns nil if the result rs meets e, and what is wrong otherwise.
func (e expectation) check(rs []sample) error {
	switch {
	case e.series >= 0:
		if len(rs) != e.series {
			return fmt.Errorf("%d series, want %d", len(rs), e.series)
		}
		return nil
	case e.label != "":
		got := map[string]bool{}
		for _, s := range rs {
			got[s.labels[e.label]] = true
		}
		if vs := slices.Sorted(maps.Keys(got)); !slices.Equal(vs, e.values) {
			return fmt.Errorf("%s values %q, want %q", e.label, vs, e.values)
		}
		return nil
	}
	matched := 0
	for _, s := range rs {
		if !e.matches(s) {
			continue
		}
		matched++
		if !e.holds(s.value) {
			return fmt.Errorf("%s = %v", formatLabels(s.labels), s.value)
		}
	}
	if matched == 0 {
		if e.match == nil {
			return errors.New("no series")
		}
		return fmt.Errorf("no series with %s", formatLabels(e.match))
	}
	return nil
}

// matches reports whether s has the labels of e's selector.
func (e expectation) matches(s sample) bool {
	for k, v := range e.match {
		if s.labels[k] != v {
			return false
		}
	}
	return true
}

// holds reports whether v satisfies e's condition. NaN satisfies none.
func (e expectation) holds(v float64) bool {
	switch e.op {
	case "==":
		return v == e.lo
	case "!=":
		return v != e.lo && !math.IsNaN(v)
	case ">":
		return v > e.lo
	case ">=":
		return v >= e.lo
	case "<":
		return v < e.lo
	case "<=":
		return v <= e.lo
	case "..":
		return v >= e.lo && v <= e.hi
	}
	return false
}

// formatLabels formats labels as PromQL does, sorted by name.
func formatLabels(labels map[string]string) string {
	parts := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, labels[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
