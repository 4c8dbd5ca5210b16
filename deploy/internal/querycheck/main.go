// Command querycheck checks that deploy/queries.txt lists exactly the PromQL
// expressions of the Grafana dashboards and of the Prometheus rule files, each
// with the values it must return, and that the dashboards and the alert rules
// are consistent with the rest of deploy/ and with docs/runbook.md.
// scripts/validate-deploy.sh runs it, and scripts/e2e.sh with -prometheus:
//
//	go run ./deploy/internal/querycheck            # check, from the repository root
//	go run ./deploy/internal/querycheck -print     # print the expressions queries.txt must hold
//	go run ./deploy/internal/querycheck -prometheus http://127.0.0.1:9090
//	                                               # also check every query's values on a Prometheus
//
// queries.txt holds one expression per line, with the dashboards' template
// variables replaced by concrete values ($__rate_interval by 1m, a query
// variable by its "All" value), so that each line can be sent to a real
// Prometheus as it is. Lines starting with # are comments. A dashboard
// variable defined as label_values(metric, label) appears as
// "group by (label) (metric)". White space is not significant.
//
// An alert rule's expression appears in a form that returns a series whether
// or not the alert fires, with the value 1 where it fires and 0 elsewhere:
//
//   - an expression that is one comparison, with "bool" after the comparison
//     operator: "up == bool 0" for "up == 0";
//   - an expression that combines vectors with and, or or unless, in which
//     "bool" would be wrong (with "a > bool 1 and b > bool 1", and keeps the
//     value of the left side whatever the right side says), as
//     "count by (L) (EXPR) or 0 * group by (L) (BASE)": EXPR is the alert's
//     expression unchanged, L its labels, and BASE a selector of the series
//     the alert is evaluated for.
//
// Every query line is preceded by one or more "# expect:" comments, the
// values it returns from a Prometheus that scrapes the demo as scripts/e2e.sh
// runs it (see expectation for their forms). Without -prometheus, the check
// only requires that each query has them and that they parse; with it, it
// evaluates every query until each meets its expectations or -wait has
// passed.
//
// It uses only the standard library: the rule files are read with a small
// line-based reader that understands the subset of YAML they are written in
// (block sequences of mappings, plain or double-quoted scalars, and "|"
// block scalars for multi-line expressions), and fails on anything else.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

func main() {
	root := flag.String("root", ".", "repository root")
	printOnly := flag.Bool("print", false, "print the expressions queries.txt must hold, one per line, and exit")
	promURL := flag.String("prometheus", "", "base URL of a Prometheus that scrapes the demo: check every query's values there")
	wait := flag.Duration("wait", 90*time.Second, "with -prometheus: how long to wait for every query to return its expected values")
	verbose := flag.Bool("v", false, "with -prometheus: print every query's result, not only the failures'")
	flag.Parse()

	c, err := load(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "querycheck:", err)
		os.Exit(2)
	}
	if *printOnly {
		for _, q := range c.sources {
			fmt.Printf("# %s\n%s\n", q.origin, oneLine(q.expr))
		}
		return
	}
	problems := c.check()
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "querycheck:", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "querycheck: %d problems\n", len(problems))
		os.Exit(1)
	}
	fmt.Printf("querycheck: ok: %d dashboard queries, %d rule expressions (%d alerts), %d lines in queries.txt, each with its expected values\n",
		c.dashboardQueries, len(c.sources)-c.dashboardQueries, len(c.alerts), len(c.queries))
	if *promURL == "" {
		return
	}
	p := &prometheus{base: *promURL, client: &http.Client{Timeout: 10 * time.Second}}
	if err := checkLive(context.Background(), p, c.queries, *wait, 2*time.Second, *verbose, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "querycheck:", err)
		os.Exit(1)
	}
}

// Paths, relative to the repository root.
const (
	dashboardsDir   = "deploy/grafana/dashboards"
	datasourcesFile = "deploy/grafana/provisioning/datasources/datasources.yml"
	queriesFile     = "deploy/queries.txt"
	ruleTestsFile   = "deploy/prometheus/alerts_test.yml"
	runbookFile     = "docs/runbook.md"
)

// ruleFiles are the Prometheus rule files whose expressions queries.txt lists.
var ruleFiles = []string{"deploy/prometheus/recording.yml", "deploy/prometheus/alerts.yml"}

// Values given to Grafana's built-in interval variables.
const rateInterval = "1m"

// query is one PromQL expression and where it comes from.
type query struct {
	origin string // e.g. "signalkit.json: panel Emission rate"
	expr   string // with variables substituted
}

// rule is one rule of a Prometheus rule file.
type rule struct {
	file   string
	line   int
	kind   string // "alert" or "record"
	name   string
	fields map[string]string // expr, for, severity, summary, description, runbook_url
}

// listedQuery is one query line of queries.txt.
type listedQuery struct {
	line    int
	expr    string
	expects []expectation
}

type checker struct {
	root             string
	sources          []query
	dashboardQueries int
	alerts           []rule
	alertExprs       map[string]bool // normalized alert expressions
	queries          []listedQuery   // of queries.txt, read by check
	problems         []string        // found while loading
}

func load(root string) (*checker, error) {
	c := &checker{root: root, alertExprs: map[string]bool{}}
	uids, err := datasourceUIDs(filepath.Join(root, datasourcesFile))
	if err != nil {
		return nil, err
	}
	dashboards, err := filepath.Glob(filepath.Join(root, dashboardsDir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(dashboards) == 0 {
		return nil, fmt.Errorf("no dashboards in %s", dashboardsDir)
	}
	for _, path := range dashboards {
		qs, problems, err := dashboardQueries(path, uids)
		if err != nil {
			return nil, err
		}
		c.sources = append(c.sources, qs...)
		c.problems = append(c.problems, problems...)
	}
	c.dashboardQueries = len(c.sources)
	for _, f := range ruleFiles {
		rules, err := parseRules(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			c.sources = append(c.sources, query{origin: fmt.Sprintf("%s: %s %s", filepath.Base(f), r.kind, r.name), expr: r.fields["expr"]})
			if r.kind == "alert" {
				c.alerts = append(c.alerts, r)
				c.alertExprs[normalize(r.fields["expr"])] = true
			}
		}
	}
	return c, nil
}

// check returns every problem found.
func (c *checker) check() []string {
	problems := slices.Clone(c.problems)

	// queries.txt and the sources must hold the same set of expressions,
	// the alerts' in a form that returns a series whether they fire or not.
	var errs []error
	c.queries, errs = readQueries(filepath.Join(c.root, queriesFile))
	for _, err := range errs {
		problems = append(problems, err.Error())
	}
	listed := map[string]form{}
	for _, q := range c.queries {
		key, f := listedForm(q.expr)
		listed[key] = f
		if len(q.expects) == 0 {
			problems = append(problems, fmt.Sprintf("%s:%d: %v:\n\t%s", queriesFile, q.line, errNoExpectations, q.expr))
		}
	}
	fromSources := map[string]bool{}
	for _, s := range c.sources {
		n := normalize(s.expr)
		fromSources[n] = true
		f, ok := listed[n]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: expression missing from %s:\n\t%s", s.origin, queriesFile, s.expr))
		case !c.alertExprs[n] && f != plain:
			problems = append(problems, fmt.Sprintf("%s: listed in %s with bool or count by: only alerts are\n\t%s", s.origin, queriesFile, s.expr))
		case c.alertExprs[n] && f == plain:
			problems = append(problems, fmt.Sprintf("%s: listed in %s as it is, which returns nothing while the alert does not fire; "+
				"add bool, or use count by (...) (EXPR) or 0 * group by (...) (...)\n\t%s", s.origin, queriesFile, s.expr))
		case c.alertExprs[n] && f == withBool && hasSetOperator(s.expr):
			problems = append(problems, fmt.Sprintf("%s: listed in %s with bool, which is wrong with and, or and unless "+
				"(they keep one side's series and value whatever the other says); use count by (...) (EXPR) or 0 * group by (...) (...)\n\t%s",
				s.origin, queriesFile, s.expr))
		}
	}
	for _, q := range c.queries {
		if key, _ := listedForm(q.expr); !fromSources[key] {
			problems = append(problems, fmt.Sprintf("%s:%d: line used by no dashboard or rule (stale?):\n\t%s", queriesFile, q.line, q.expr))
		}
	}

	// Each alert's query is unit-tested: a promql_expr_test of the rule
	// tests evaluates it, so that it is shown to say 1 where the alert
	// fires and 0 where it does not.
	tested, err := ruleTestExprs(filepath.Join(c.root, ruleTestsFile))
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, q := range c.queries {
		if key, f := listedForm(q.expr); f != plain && c.alertExprs[key] && err == nil && !tested[normalize(q.expr)] {
			problems = append(problems, fmt.Sprintf("%s:%d: the alert's query is evaluated by no promql_expr_test of %s:\n\t%s",
				queriesFile, q.line, ruleTestsFile, q.expr))
		}
	}

	// Alert rules: labels, annotations and runbook links.
	runbook, err := os.ReadFile(filepath.Join(c.root, runbookFile))
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, a := range c.alerts {
		where := fmt.Sprintf("%s:%d: alert %s", a.file, a.line, a.name)
		for _, f := range []string{"for", "severity", "summary", "description", "runbook_url"} {
			if a.fields[f] == "" {
				problems = append(problems, fmt.Sprintf("%s: no %s", where, f))
			}
		}
		if s := a.fields["severity"]; s != "" && !slices.Contains([]string{"critical", "warning", "info"}, s) {
			problems = append(problems, fmt.Sprintf("%s: severity %q is not critical, warning or info", where, s))
		}
		u := a.fields["runbook_url"]
		_, anchor, _ := strings.Cut(u, "#")
		if u != "" && (!strings.Contains(u, runbookFile+"#") || anchor != a.name) {
			problems = append(problems, fmt.Sprintf("%s: runbook_url %q does not point to %s#%s", where, u, runbookFile, a.name))
		}
		if runbook != nil && !strings.Contains(string(runbook), `<a id="`+a.name+`"></a>`) {
			problems = append(problems, fmt.Sprintf("%s: %s has no anchor <a id=%q></a>", where, runbookFile, a.name))
		}
	}
	return problems
}

var (
	boolRE    = regexp.MustCompile(`\bbool\b`)
	spaceRE   = regexp.MustCompile(`\s+`)
	countRE   = regexp.MustCompile(`^countby\(([^()]*)\)\((.*)\)or0\*groupby\(([^()]*)\)\((.+)\)$`)
	stringRE  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	braceRE   = regexp.MustCompile(`\{[^{}]*\}`)
	setWordRE = regexp.MustCompile(`\b(and|or|unless)\b`)
)

// normalize removes all white space, which PromQL ignores outside strings
// (and the expressions here have no white space inside strings).
func normalize(expr string) string { return spaceRE.ReplaceAllString(expr, "") }

// oneLine joins a multi-line expression into one line.
func oneLine(expr string) string {
	s := strings.Join(strings.Fields(expr), " ")
	return strings.NewReplacer("( ", "(", " )", ")").Replace(s)
}

// form is how a line of queries.txt lists its expression.
type form int

const (
	plain    form = iota // as it is
	withBool             // with "bool" after comparisons
	countBy              // count by (L) (EXPR) or 0 * group by (L) (BASE)
)

// listedForm returns the normalized expression a line of queries.txt lists,
// and the form it lists it in.
func listedForm(line string) (string, form) {
	n := normalize(line)
	if m := countRE.FindStringSubmatch(n); m != nil && m[1] == m[3] {
		return m[2], countBy
	}
	if boolRE.MatchString(line) {
		return normalize(boolRE.ReplaceAllString(line, "")), withBool
	}
	return n, plain
}

// hasSetOperator reports whether expr uses and, or or unless (outside label
// matchers and strings).
func hasSetOperator(expr string) bool {
	e := stringRE.ReplaceAllString(expr, `""`)
	e = braceRE.ReplaceAllString(e, "{}")
	return setWordRE.MatchString(e)
}

// readQueries reads queries.txt: its query lines, each with the
// expectations of the "# expect:" comments before it. The errors are those
// of expectations that do not parse or belong to no query.
func readQueries(path string) ([]listedQuery, []error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, []error{err}
	}
	defer f.Close()
	var (
		qs      []listedQuery
		errs    []error
		pending []expectation
		lineNo  int
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if c, ok := strings.CutPrefix(line, "#"); ok {
			if text, ok := strings.CutPrefix(strings.TrimSpace(c), "expect:"); ok {
				e, err := parseExpectation(text)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s:%d: expect: %s: %w", queriesFile, lineNo, strings.TrimSpace(text), err))
					continue
				}
				pending = append(pending, e)
			}
			continue
		}
		qs = append(qs, listedQuery{line: lineNo, expr: line, expects: pending})
		pending = nil
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(pending) > 0 {
		errs = append(errs, fmt.Errorf("%s: %d expect lines after the last query", queriesFile, len(pending)))
	}
	return qs, errs
}

// dashboard is the part of a Grafana dashboard the check reads.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	Targets    []target    `json:"targets"`
	Panels     []panel     `json:"panels"` // of a collapsed row
}

type target struct {
	RefID      string      `json:"refId"`
	Expr       string      `json:"expr"`
	Datasource *datasource `json:"datasource"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Datasource *datasource     `json:"datasource"`
	Definition string          `json:"definition"`
	Query      json.RawMessage `json:"query"`
	AllValue   string          `json:"allValue"`
	IncludeAll bool            `json:"includeAll"`
}

var (
	labelValuesRE = regexp.MustCompile(`^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$`)
	varRE         = regexp.MustCompile(`\$\{?([A-Za-z0-9_]+)(?::[a-z]+)?\}?|\[\[([A-Za-z0-9_]+)\]\]`)
)

// dashboardQueries returns the queries of the dashboard at path with
// variables substituted, and the problems found in it.
func dashboardQueries(path string, uids map[string]bool) ([]query, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	name := filepath.Base(path)
	var problems []string
	if d.UID == "" || d.Title == "" || d.SchemaVersion == 0 {
		problems = append(problems, fmt.Sprintf("%s: uid, title and schemaVersion are required", name))
	}
	checkDS := func(where string, ds *datasource) {
		if ds != nil && ds.UID != "" && !strings.HasPrefix(ds.UID, "-- ") && !strings.HasPrefix(ds.UID, "$") && !uids[ds.UID] {
			problems = append(problems, fmt.Sprintf("%s: datasource uid %q is not provisioned in %s", where, ds.UID, datasourcesFile))
		}
	}

	values := map[string]string{"__rate_interval": rateInterval, "__interval": rateInterval}
	substitute := func(where, expr string) string {
		return varRE.ReplaceAllStringFunc(expr, func(s string) string {
			m := varRE.FindStringSubmatch(s)
			n := m[1] + m[2]
			v, ok := values[n]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: unknown variable %s", where, s))
				return s
			}
			return v
		})
	}
	var qs []query
	for _, v := range d.Templating.List {
		where := fmt.Sprintf("%s: variable %s", name, v.Name)
		checkDS(where, v.Datasource)
		switch v.Type {
		case "query":
			all := v.AllValue
			if all == "" {
				all = ".*"
			}
			m := labelValuesRE.FindStringSubmatch(strings.TrimSpace(v.Definition))
			if m == nil {
				problems = append(problems, fmt.Sprintf("%s: definition %q is not label_values(metric, label)", where, v.Definition))
				values[v.Name] = all
				continue
			}
			// Variables used in the definition are those defined before.
			qs = append(qs, query{origin: where, expr: substitute(where, fmt.Sprintf("group by (%s) (%s)", m[2], m[1]))})
			values[v.Name] = all
		default:
			problems = append(problems, fmt.Sprintf("%s: variables of type %q are not supported by querycheck", where, v.Type))
		}
	}

	ids := map[int]bool{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			where := fmt.Sprintf("%s: panel %d %q", name, p.ID, p.Title)
			if ids[p.ID] {
				problems = append(problems, fmt.Sprintf("%s: duplicate panel id", where))
			}
			ids[p.ID] = true
			checkDS(where, p.Datasource)
			if p.Type != "row" && len(p.Targets) == 0 {
				problems = append(problems, fmt.Sprintf("%s: no queries", where))
			}
			for _, t := range p.Targets {
				checkDS(where, t.Datasource)
				if strings.TrimSpace(t.Expr) == "" {
					problems = append(problems, fmt.Sprintf("%s: query %s has no expr", where, t.RefID))
					continue
				}
				qs = append(qs, query{origin: fmt.Sprintf("%s %s", where, t.RefID), expr: substitute(where, t.Expr)})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return qs, problems, nil
}

// datasourceUIDs returns the uids of a Grafana datasource provisioning file.
func datasourceUIDs(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	uids := map[string]bool{}
	for line := range strings.Lines(string(data)) {
		t := strings.TrimSpace(line)
		t = strings.TrimPrefix(t, "- ")
		if v, ok := strings.CutPrefix(t, "uid:"); ok {
			uids[unquote(strings.TrimSpace(v))] = true
		}
	}
	if len(uids) == 0 {
		return nil, fmt.Errorf("%s: no datasource uid", path)
	}
	return uids, nil
}

// ruleKeys are the keys of a rule that parseRules keeps; labels and
// annotations are flattened into the same map.
var ruleKeys = []string{"expr", "for", "severity", "summary", "description", "runbook_url"}

var keyRE = regexp.MustCompile(`^(\s*)(- )?([A-Za-z_][A-Za-z0-9_]*):(?:\s+(.*))?$`)

// parseRules reads the rules of a Prometheus rule file written in the subset
// of YAML described in the package comment.
func parseRules(path string) ([]rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	lines := strings.Split(string(data), "\n")
	var (
		rules []rule
		cur   *rule
	)
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		m := keyRE.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: cannot read %q", name, i+1, t)
		}
		indent, key, value := len(m[1])+len(m[2]), m[3], strings.TrimSpace(m[4])
		if m[2] != "" && (key == "alert" || key == "record") {
			rules = append(rules, rule{file: name, line: i + 1, kind: key, name: unquote(value), fields: map[string]string{}})
			cur = &rules[len(rules)-1]
			continue
		}
		if value == "|" || value == "|-" {
			// A block scalar: the following lines indented deeper than key.
			var block []string
			for i+1 < len(lines) {
				next := lines[i+1]
				if strings.TrimSpace(next) != "" && len(next)-len(strings.TrimLeft(next, " ")) <= indent {
					break
				}
				block = append(block, strings.TrimSpace(next))
				i++
			}
			value = strings.TrimSpace(strings.Join(block, "\n"))
		} else if strings.HasPrefix(value, ">") || strings.HasPrefix(value, "'") || strings.HasPrefix(value, "&") || strings.HasPrefix(value, "*") {
			return nil, fmt.Errorf("%s:%d: %s: only plain, double-quoted and | scalars are supported", name, i+1, key)
		} else {
			value = unquote(value)
		}
		if cur != nil && slices.Contains(ruleKeys, key) {
			if _, dup := cur.fields[key]; dup {
				return nil, fmt.Errorf("%s:%d: %s given twice in %s", name, i+1, key, cur.name)
			}
			cur.fields[key] = value
		}
	}
	for _, r := range rules {
		if r.fields["expr"] == "" {
			return nil, fmt.Errorf("%s:%d: %s %s has no expr", name, r.line, r.kind, r.name)
		}
	}
	if len(rules) == 0 {
		return nil, errors.New(name + ": no rules")
	}
	return rules, nil
}

var exprRE = regexp.MustCompile(`^\s*(?:- )?expr:\s*(.*)$`)

// ruleTestExprs returns the normalized expressions of the promql_expr_test
// entries of a promtool rule test file: the values of its "expr:" keys,
// plain or double-quoted scalars on one line.
func ruleTestExprs(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	exprs := map[string]bool{}
	for line := range strings.Lines(string(data)) {
		if m := exprRE.FindStringSubmatch(strings.TrimRight(line, "\n")); m != nil {
			exprs[normalize(unquote(strings.TrimSpace(m[1])))] = true
		}
	}
	return exprs, nil
}

// unquote removes the quotes of a double-quoted YAML scalar and undoes its
// \" and \\ escapes; other values are returned as they are.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(s[1 : len(s)-1])
	}
	return s
}
