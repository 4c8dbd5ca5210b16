package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree writes files (path relative to a new temporary directory:
// content) and returns the directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for path, content := range files {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestCheckAlertForms checks the rules for listing alert expressions: bool
// for a single comparison, the count form for and/or/unless, each with
// expectations and a promql_expr_test.
func TestCheckAlertForms(t *testing.T) {
	alert := func(name, expr string) string {
		return `      - alert: ` + name + `
        expr: ` + expr + `
        for: 1m
        labels:
          severity: warning
        annotations:
          summary: "s"
          description: "d"
          runbook_url: "https://example.com/docs/runbook.md#` + name + `"
`
	}
	files := map[string]string{
		"deploy/grafana/provisioning/datasources/datasources.yml": "datasources:\n  - name: Prometheus\n    uid: prometheus\n",
		"deploy/grafana/dashboards/d.json": `{"uid": "d", "title": "D", "schemaVersion": 41, "panels": [
			{"id": 1, "type": "stat", "title": "S", "targets": [{"refId": "A", "expr": "sum(x_total)"}]}]}`,
		"deploy/prometheus/recording.yml": "groups:\n  - name: r\n    rules:\n      - record: job:x:sum\n        expr: sum by (job) (x_total)\n",
		"deploy/prometheus/alerts.yml": "groups:\n  - name: a\n    rules:\n" +
			alert("Single", "up == 0") +
			alert("BothBool", "a > 1 and b > 1") +
			alert("BothCount", "a > 2 and on (job) b > 2") +
			alert("Plain", "c > 0") +
			alert("Untested", "d > 0"),
		"docs/runbook.md": `<a id="Single"></a><a id="BothBool"></a><a id="BothCount"></a><a id="Plain"></a><a id="Untested"></a>`,
		"deploy/prometheus/alerts_test.yml": `tests:
  - promql_expr_test:
      - expr: up == bool 0
      - expr: "a > bool 1 and b > bool 1"
      - expr: count by (job) (a > 2 and on (job) b > 2) or 0 * group by (job) (a)
`,
		"deploy/queries.txt": `# expect: > 0
sum(x_total)
sum by (job) (x_total)
# expect: == 0
up == bool 0
# expect: == 0
a > bool 1 and b > bool 1
# expect: == 0
count by (job) (a > 2 and on (job) b > 2) or 0 * group by (job) (a)
# expect: == 0
c > 0
# expect: == 0
d > bool 0
`,
	}
	c, err := load(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(c.check(), "\n")
	for _, want := range []string{
		"queries.txt:3: no \"# expect:\" line before it",
		"alert BothBool: listed in deploy/queries.txt with bool, which is wrong with and, or and unless",
		"alert Plain: listed in deploy/queries.txt as it is, which returns nothing while the alert does not fire",
		"the alert's query is evaluated by no promql_expr_test of deploy/prometheus/alerts_test.yml:\n\td > bool 0",
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems lack %q; got:\n%s", want, problems)
		}
	}
	for _, unwanted := range []string{"alert Single", "alert BothCount", "expression missing"} {
		if strings.Contains(problems, unwanted) {
			t.Errorf("problems mention %q; got:\n%s", unwanted, problems)
		}
	}
}
