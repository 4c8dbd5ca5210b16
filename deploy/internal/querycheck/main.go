// Command querycheck checks that deploy/queries.txt lists exactly the PromQL
// expressions of the Grafana dashboards and of the Prometheus rule files, and
// that the dashboards and the alert rules are consistent with the rest of
// deploy/ and with docs/runbook.md. scripts/validate-deploy.sh runs it:
//
//	go run ./deploy/internal/querycheck            # check, from the repository root
//	go run ./deploy/internal/querycheck -print     # print the expressions queries.txt must hold
//
// queries.txt holds one expression per line, with the dashboards' template
// variables replaced by concrete values ($__rate_interval by 1m, a query
// variable by its "All" value), so that each line can be sent to a real
// Prometheus as it is. Lines starting with # are comments. An alert rule's
// expression appears with "bool" after its comparisons, so that the query
// returns a series whether or not the alert fires; the check ignores "bool"
// and all white space. A dashboard variable defined as
// label_values(metric, label) appears as "group by (label) (metric)".
//
// It uses only the standard library: the rule files are read with a small
// line-based reader that understands the subset of YAML they are written in
// (block sequences of mappings, plain or double-quoted scalars, and "|"
// block scalars for multi-line expressions), and fails on anything else.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

func main() {
	root := flag.String("root", ".", "repository root")
	printOnly := flag.Bool("print", false, "print the expressions queries.txt must hold, one per line, and exit")
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
	fmt.Printf("querycheck: ok: %d dashboard queries, %d rule expressions (%d alerts), %d lines in queries.txt\n",
		c.dashboardQueries, len(c.sources)-c.dashboardQueries, len(c.alerts), len(c.queries))
}

// Paths, relative to the repository root.
const (
	dashboardsDir   = "deploy/grafana/dashboards"
	datasourcesFile = "deploy/grafana/provisioning/datasources/datasources.yml"
	queriesFile     = "deploy/queries.txt"
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

type checker struct {
	root             string
	sources          []query
	dashboardQueries int
	alerts           []rule
	queries          []string // lines of queries.txt, without comments
	problems         []string // found while loading
}

func load(root string) (*checker, error) {
	c := &checker{root: root}
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
			}
		}
	}
	return c, nil
}

// check returns every problem found.
func (c *checker) check() []string {
	problems := slices.Clone(c.problems)

	// queries.txt and the sources must hold the same set of expressions.
	var err error
	if c.queries, err = readQueries(filepath.Join(c.root, queriesFile)); err != nil {
		return append(problems, err.Error())
	}
	listed := map[string]bool{}
	for _, q := range c.queries {
		listed[normalizeQuery(q)] = true
	}
	fromSources := map[string]bool{}
	for _, s := range c.sources {
		n := normalize(s.expr)
		fromSources[n] = true
		if !listed[n] {
			problems = append(problems, fmt.Sprintf("%s: expression missing from %s:\n\t%s", s.origin, queriesFile, s.expr))
		}
	}
	for _, q := range c.queries {
		if !fromSources[normalizeQuery(q)] {
			problems = append(problems, fmt.Sprintf("%s: line used by no dashboard or rule (stale?):\n\t%s", queriesFile, q))
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
	boolRE  = regexp.MustCompile(`\bbool\b`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// normalize removes all white space, which PromQL ignores outside strings
// (and the expressions here have no white space inside strings).
func normalize(expr string) string { return spaceRE.ReplaceAllString(expr, "") }

// oneLine joins a multi-line expression into one line.
func oneLine(expr string) string {
	s := strings.Join(strings.Fields(expr), " ")
	return strings.NewReplacer("( ", "(", " )", ")").Replace(s)
}

// normalizeQuery normalizes a line of queries.txt, dropping the "bool"
// modifiers added to alert expressions.
func normalizeQuery(line string) string { return normalize(boolRE.ReplaceAllString(line, "")) }

func readQueries(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		qs = append(qs, line)
	}
	return qs, sc.Err()
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
			values[v.Name] = all
			m := labelValuesRE.FindStringSubmatch(strings.TrimSpace(v.Definition))
			if m == nil {
				problems = append(problems, fmt.Sprintf("%s: definition %q is not label_values(metric, label)", where, v.Definition))
				continue
			}
			qs = append(qs, query{origin: where, expr: fmt.Sprintf("group by (%s) (%s)", m[2], m[1])})
		default:
			problems = append(problems, fmt.Sprintf("%s: variables of type %q are not supported by querycheck", where, v.Type))
		}
	}

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

// unquote removes the quotes of a double-quoted YAML scalar and undoes its
// \" and \\ escapes; other values are returned as they are.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(s[1 : len(s)-1])
	}
	return s
}
