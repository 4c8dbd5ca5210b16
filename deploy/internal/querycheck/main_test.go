package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRules(t *testing.T) {
	const file = `groups:
  - name: g
    rules:
      - record: a:b:rate5m
        expr: sum by (job) (rate(x_total[5m]))
      # a comment
      - alert: Multi
        expr: |
          a > 0
          or
          b
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "quoted \"value\""
          runbook_url: "https://example.com/docs/runbook.md#Multi"
`
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	rules, err := parseRules(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("got %d rules, want 2", len(rules))
	}
	tests := []struct {
		rule       int
		key, value string
	}{
		{0, "expr", "sum by (job) (rate(x_total[5m]))"},
		{1, "expr", "a > 0\nor\nb"},
		{1, "for", "5m"},
		{1, "severity", "warning"},
		{1, "summary", `quoted "value"`},
		{1, "runbook_url", "https://example.com/docs/runbook.md#Multi"},
	}
	for _, tt := range tests {
		if got := rules[tt.rule].fields[tt.key]; got != tt.value {
			t.Errorf("rule %d %s = %q, want %q", tt.rule, tt.key, got, tt.value)
		}
	}
	if rules[1].kind != "alert" || rules[1].name != "Multi" || rules[1].line != 7 {
		t.Errorf("rule 1 = %s %s at line %d, want alert Multi at line 7", rules[1].kind, rules[1].name, rules[1].line)
	}
}

func TestParseRulesRejectsUnsupportedYAML(t *testing.T) {
	for name, file := range map[string]string{
		"folded scalar": "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: >\n          x\n",
		"single quotes": "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: 'x'\n",
		"flow mapping":  "groups:\n  - {name: g}\n",
		"no expr":       "groups:\n  - name: g\n    rules:\n      - record: r\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rules.yml")
			if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := parseRules(path); err == nil {
				t.Error("parseRules succeeded, want an error")
			}
		})
	}
}

func TestListedForm(t *testing.T) {
	tests := []struct {
		line, expr string
		form       form
		equal      bool
	}{
		{"up == bool 0", "up == 0", withBool, true},
		{"a > bool (14.4 * 0.01) and b >  bool 1", "a > (14.4 * 0.01)\nand b > 1", withBool, true},
		{"sum by (job) (x)", "sum by(job)(x)", plain, true},
		{"up == bool 1", "up == 0", withBool, false},
		{"boolean_metric > bool 0", "boolean_metric > 0", withBool, true},
		{"count by (job, n) (a > 1 and b > 1) or 0 * group by (job, n) (a)", "a > 1\nand b > 1", countBy, true},
		{"count by (job) (a > 1 or b) or 0 * group by (job) (a)", "a > 1 or b", countBy, true},
		// The labels of count and group must be the same.
		{"count by (job) (a > 1 and b) or 0 * group by (n) (a)", "a > 1 and b", plain, false},
		{"count by (job) (a > 1 and b)", "a > 1 and b", plain, false},
	}
	for _, tt := range tests {
		key, f := listedForm(tt.line)
		if f != tt.form || (key == normalize(tt.expr)) != tt.equal {
			t.Errorf("listedForm(%q) = %q, form %d; want form %d, equal to %q: %v", tt.line, key, f, tt.form, tt.expr, tt.equal)
		}
	}
}

func TestHasSetOperator(t *testing.T) {
	for expr, want := range map[string]bool{
		"a > 0 and b == 0":                      true,
		"a > 0 or (b unless c)":                 true,
		"x{or=\"and\"} > 0":                     false,
		"x{l=\"unless\"} / y > 0.8":             false,
		"max by (job) (orders_total) > 0":       false,
		"sum by (job) (random_or_not) > bool 0": false,
	} {
		if got := hasSetOperator(expr); got != want {
			t.Errorf("hasSetOperator(%q) = %v, want %v", expr, got, want)
		}
	}
}

func TestDashboardQueries(t *testing.T) {
	const dash = `{
  "uid": "d", "title": "D", "schemaVersion": 41,
  "templating": {"list": [{"name": "signal", "type": "query", "allValue": ".*",
    "datasource": {"type": "prometheus", "uid": "prometheus"},
    "definition": "label_values(signals_emissions_total, signals_name)"},
    {"name": "instance", "type": "query", "allValue": ".+",
    "definition": "label_values(signals_emissions_total{signals_name=~\"$signal\"}, instance)"}]},
  "panels": [
    {"id": 1, "type": "row", "title": "R", "panels": [
      {"id": 2, "type": "timeseries", "title": "T", "datasource": {"type": "prometheus", "uid": "prometheus"},
       "targets": [{"refId": "A", "expr": "rate(x_total{signals_name=~\"$signal\"}[$__rate_interval])"}]}]},
    {"id": 3, "type": "stat", "title": "S", "datasource": {"type": "prometheus", "uid": "other"},
     "targets": [{"refId": "A", "expr": "y{a=\"${unknown}\"}"}]}
  ]
}`
	path := filepath.Join(t.TempDir(), "d.json")
	if err := os.WriteFile(path, []byte(dash), 0o644); err != nil {
		t.Fatal(err)
	}
	qs, problems, err := dashboardQueries(path, map[string]bool{"prometheus": true})
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, q := range qs {
		exprs = append(exprs, q.expr)
	}
	want := []string{
		"group by (signals_name) (signals_emissions_total)",
		`group by (instance) (signals_emissions_total{signals_name=~".*"})`,
		`rate(x_total{signals_name=~".*"}[1m])`,
		`y{a="${unknown}"}`,
	}
	if strings.Join(exprs, "\n") != strings.Join(want, "\n") {
		t.Errorf("queries:\n%s\nwant:\n%s", strings.Join(exprs, "\n"), strings.Join(want, "\n"))
	}
	joined := strings.Join(problems, "\n")
	for _, p := range []string{`datasource uid "other"`, "unknown variable ${unknown}"} {
		if !strings.Contains(joined, p) {
			t.Errorf("problems %q lack %q", problems, p)
		}
	}
}

// TestRepository runs the check on the repository itself.
func TestRepository(t *testing.T) {
	c, err := load("../../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.check() {
		t.Error(p)
	}
}
