package suite

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/signalkit/sdk/bench/internal/gobench"
)

// The targets the report scores are data: targets.yaml names, for each, the
// spec section it serves, the values it reads and the limits they must
// meet. This file loads it and judges a run against it.

//go:embed targets.yaml
var targetsYAML []byte

const (
	met        = "met"
	notMet     = "**not met**"
	notRun     = "not run"
	notMeasure = "not measured"
)

// targetFile is the shape of targets.yaml.
type targetFile struct {
	SpecSections map[string]string `yaml:"spec_sections"`
	Targets      []targetSpec      `yaml:"targets"`
}

// targetSpec is one target of targets.yaml.
type targetSpec struct {
	Spec        string      `yaml:"spec"`    // a key of spec_sections
	Bar         string      `yaml:"bar"`     // "spec" or "project"
	Target      string      `yaml:"target"`  // what must hold
	Details     string      `yaml:"details"` // anchor of the report section with the details
	Checks      []checkSpec `yaml:"checks"`
	Measured    string      `yaml:"measured"` // text of the measured column; empty: the checks' values
	Note        string      `yaml:"note"`
	IfMissed    string      `yaml:"if_missed"`
	NotMeasured bool        `yaml:"not_measured"`
}

// checkSpec reads one value and compares it with one limit.
type checkSpec struct {
	Ratio  []string `yaml:"ratio"`  // package, a, b: a / b within go test rounds
	Diff   []string `yaml:"diff"`   // package, a, b: a − b within go test rounds
	Median []string `yaml:"median"` // package, name
	Unit   string   `yaml:"unit"`   // of the go test values; ns/op if empty
	Metric string   `yaml:"metric"` // a metric of the in-process sections
	Suffix string   `yaml:"suffix"` // appended to the value's text

	Max   *float64 `yaml:"max"`
	Below *float64 `yaml:"below"`
	Min   *float64 `yaml:"min"`
	Above *float64 `yaml:"above"`
	Equal *float64 `yaml:"equal"`
}

// loadTargets parses targets.yaml and checks that every target is complete:
// a known spec section, a bar, and checks that each read one value and
// compare it with one limit.
func loadTargets(data []byte) (*targetFile, error) {
	var tf targetFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&tf); err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	var errs []error
	for i, t := range tf.Targets {
		where := fmt.Sprintf("targets[%d] (%q)", i, t.Target)
		if _, ok := tf.SpecSections[t.Spec]; !ok {
			errs = append(errs, fmt.Errorf("%s: unknown spec section %q", where, t.Spec))
		}
		if t.Bar != "spec" && t.Bar != "project" {
			errs = append(errs, fmt.Errorf("%s: bar %q, want spec or project", where, t.Bar))
		}
		if t.Target == "" {
			errs = append(errs, fmt.Errorf("%s: no target text", where))
		}
		if t.NotMeasured != (len(t.Checks) == 0) {
			errs = append(errs, fmt.Errorf("%s: a target has checks unless it is not_measured", where))
		}
		for j, c := range t.Checks {
			if err := c.validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s, check %d: %w", where, j, err))
			}
		}
		for _, text := range []string{t.Measured, t.Note, t.IfMissed} {
			if _, err := template.New("").Funcs(noteFuncs(nil)).Parse(text); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &tf, nil
}

func (c checkSpec) validate() error {
	sources := 0
	for _, ref := range [][]string{c.Ratio, c.Diff} {
		if ref != nil {
			sources++
			if len(ref) != 3 {
				return fmt.Errorf("ratio and diff take [package, a, b], got %q", ref)
			}
		}
	}
	if c.Median != nil {
		sources++
		if len(c.Median) != 2 {
			return fmt.Errorf("median takes [package, name], got %q", c.Median)
		}
	}
	if c.Metric != "" {
		sources++
	}
	if sources != 1 {
		return fmt.Errorf("%d values to read, want one of ratio, diff, median, metric", sources)
	}
	limits := 0
	for _, l := range []*float64{c.Max, c.Below, c.Min, c.Above, c.Equal} {
		if l != nil {
			limits++
		}
	}
	if limits != 1 {
		return fmt.Errorf("%d limits, want one of max, below, min, above, equal", limits)
	}
	return nil
}

// metric is a value that a section of the suite computed, with the text the
// report shows for it.
type metric struct {
	V    gobench.Stat
	Text string
}

// metricSet is the named values of a run (see Suite.metrics).
type metricSet map[string]metric

// TargetRow is one target with what this run measured for it.
type TargetRow struct {
	Section  string // the heading of the spec section
	SpecPath string // the spec section's path of headings
	Bar      string // "spec" or "project"
	Target   string
	Measured string
	Verdict  string
	Note     string
	Details  string // anchor of the report section with the details
}

// judge evaluates every target of tf against the go test rounds (by
// package) and the metrics of a run.
func judge(tf *targetFile, rounds map[string]gobench.Rounds, m metricSet) ([]TargetRow, error) {
	var rows []TargetRow
	for _, t := range tf.Targets {
		path := tf.SpecSections[t.Spec]
		row := TargetRow{SpecPath: path, Section: path[strings.LastIndex(path, "›")+len("›"):], Bar: t.Bar, Target: t.Target, Details: t.Details}
		row.Section = strings.TrimSpace(row.Section)
		var texts []string
		ok, missing := true, false
		for _, c := range t.Checks {
			v, text := c.read(rounds, m)
			if v.N == 0 || math.IsNaN(v.Median) {
				missing = true
				continue
			}
			texts = append(texts, text+c.Suffix)
			ok = ok && c.holds(v.Median)
		}
		switch {
		case t.NotMeasured:
			row.Verdict = notMeasure
		case missing:
			row.Verdict = notRun
		default:
			row.Verdict = verdict(ok)
		}
		row.Measured = strings.Join(texts, ", ")
		if row.Verdict == notRun {
			row.Measured = "–"
		}
		var err error
		if t.Measured != "" && row.Verdict != notRun {
			if row.Measured, err = execNote(t.Measured, m); err != nil {
				return nil, err
			}
		}
		var notes []string
		for _, text := range []string{t.Note, ifStr(row.Verdict == notMet, t.IfMissed)} {
			s, err := execNote(text, m)
			if err != nil {
				return nil, err
			}
			if s != "" {
				notes = append(notes, s)
			}
		}
		row.Note = strings.Join(notes, "; ")
		rows = append(rows, row)
	}
	return rows, nil
}

func verdict(ok bool) string {
	if ok {
		return met
	}
	return notMet
}

func ifStr(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

// read returns the value c reads and its text.
func (c checkSpec) read(rounds map[string]gobench.Rounds, m metricSet) (gobench.Stat, string) {
	if c.Metric != "" {
		x := m[c.Metric]
		return x.V, x.Text
	}
	unit := c.Unit
	if unit == "" {
		unit = "ns/op"
	}
	switch {
	case c.Ratio != nil:
		st := rounds[c.Ratio[0]].Ratio(c.Ratio[1], c.Ratio[2], unit)
		return st, ratioText(st)
	case c.Diff != nil:
		st := rounds[c.Diff[0]].Diff(c.Diff[1], c.Diff[2], unit)
		if unit == "ns/op" {
			return st, diffText(st)
		}
		return st, statText(st, func(v float64) string { return fmt.Sprintf("%+.1f", v) }) + " " + unit
	default:
		st := rounds[c.Median[0]].Median(c.Median[1], unit)
		switch unit {
		case "ns/op":
			return st, nsText(st)
		case "calls/s":
			return st, rateText(st)
		default:
			return st, fmt.Sprintf("%g %s", st.Median, unit)
		}
	}
}

// holds reports whether v meets c's limit.
func (c checkSpec) holds(v float64) bool {
	switch {
	case c.Max != nil:
		return v <= *c.Max
	case c.Below != nil:
		return v < *c.Below
	case c.Min != nil:
		return v >= *c.Min
	case c.Above != nil:
		return v > *c.Above
	default:
		return v == *c.Equal
	}
}

// noteFuncs are the functions of the texts of targets.yaml: the format
// functions of the report, and metric and value, which look up a metric of
// m by name (its text, and its median; "" and NaN if there is none).
func noteFuncs(m metricSet) template.FuncMap {
	f := formatFuncs()
	f["metric"] = func(name string) string { return m[name].Text }
	f["value"] = func(name string) float64 {
		if x, ok := m[name]; ok && x.V.N > 0 {
			return x.V.Median
		}
		return math.NaN()
	}
	return f
}

func execNote(text string, m metricSet) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := template.New("note").Funcs(noteFuncs(m)).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, nil); err != nil {
		return "", err
	}
	return b.String(), nil
}
