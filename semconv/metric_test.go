package semconv_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/semconv"
)

func TestMetrics(t *testing.T) {
	const (
		counter    = semconv.InstrumentInt64Counter
		histogram  = semconv.InstrumentFloat64Histogram
		obsCounter = semconv.InstrumentInt64ObservableCounter
		obsUpDown  = semconv.InstrumentInt64ObservableUpDownCounter
	)
	keys := func(k ...attribute.Key) []attribute.Key { return k }
	name, kind, errType := semconv.SignalNameKey, semconv.SignalKindKey, semconv.ErrorTypeKey
	want := []struct {
		name, instrument, unit string
		attrs, optional        []attribute.Key
	}{
		{"signals.emissions", obsCounter, "{emission}", keys(name, kind), nil},
		{"signals.emission.duration", histogram, "s", keys(name, kind), keys(errType)},
		{"signals.listener.invocations", obsCounter, "{invocation}", keys(name, kind), nil},
		{"signals.listener.duration", histogram, "s", keys(name, kind), keys(errType)},
		{"signals.listener.errors", counter, "{error}", keys(name, kind, errType), nil},
		{"signals.listeners", obsUpDown, "{listener}", keys(name, kind, semconv.ListenerStateKey), nil},
		{"signals.listener.changes", counter, "{change}", keys(name, kind, semconv.ListenerChangeKey), nil},
		{"signals.queue.depth", obsUpDown, "{emission}", keys(name), nil},
		{"signals.queue.capacity", obsUpDown, "{emission}", keys(name), nil},
		{"signals.queue.wait.duration", histogram, "s", keys(name), nil},
		{"signals.queue.dropped", obsCounter, "{emission}", keys(name, semconv.DropReasonKey), nil},
		{"signals.pool.size", obsUpDown, "{worker}", keys(name), nil},
		{"signals.pool.workers", obsUpDown, "{worker}", keys(name, semconv.PoolWorkerStateKey), nil},
	}
	got := semconv.Metrics()
	if len(got) != len(want) {
		t.Fatalf("Metrics() has %d metrics, want %d", len(got), len(want))
	}
	for i, w := range want {
		t.Run(w.name, func(t *testing.T) {
			g := got[i]
			if g.Name != w.name || g.Instrument != w.instrument || g.Unit != w.unit {
				t.Errorf("got {%s %s %s}, want {%s %s %s}", g.Name, g.Instrument, g.Unit, w.name, w.instrument, w.unit)
			}
			if !slices.Equal(g.Attributes, w.attrs) {
				t.Errorf("Attributes = %v, want %v", g.Attributes, w.attrs)
			}
			if !slices.Equal(g.OptionalAttributes, w.optional) {
				t.Errorf("OptionalAttributes = %v, want %v", g.OptionalAttributes, w.optional)
			}
			if !strings.HasSuffix(g.Description, ".") || strings.Count(g.Description, ". ") > 0 {
				t.Errorf("Description %q is not one sentence ending in a period", g.Description)
			}
		})
	}
}

func TestMetricsReturnsCopies(t *testing.T) {
	tests := []struct {
		name   string
		mutate func([]semconv.MetricDef)
	}{
		{"element", func(m []semconv.MetricDef) { m[0].Name = "changed" }},
		{"attributes", func(m []semconv.MetricDef) { m[0].Attributes[0] = "changed" }},
		{"optional attributes", func(m []semconv.MetricDef) { m[1].OptionalAttributes[0] = "changed" }},
		{"shared helper slice", func(m []semconv.MetricDef) { m[2].Attributes[0] = "changed" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.mutate(semconv.Metrics())
			m := semconv.Metrics()
			if m[0].Name != semconv.EmissionsName || m[0].Attributes[0] != semconv.SignalNameKey ||
				m[1].OptionalAttributes[0] != semconv.ErrorTypeKey || m[2].Attributes[0] != semconv.SignalNameKey {
				t.Errorf("modifying the result of Metrics changed a later result: %+v", m[:3])
			}
		})
	}
}

// TestMetricConstants checks, from the source of metric.go, that every
// XName constant has XUnit and XDescription constants and that Metrics lists
// the triple, so a metric added to the constants cannot be missing from
// Metrics (and from docs/semconv.md).
func TestMetricConstants(t *testing.T) {
	consts := stringConsts(t, "metric.go")
	byName := make(map[string]semconv.MetricDef)
	for _, m := range semconv.Metrics() {
		if _, dup := byName[m.Name]; dup {
			t.Errorf("Metrics lists %q twice", m.Name)
		}
		byName[m.Name] = m
	}
	var names int
	for ident, value := range consts {
		base, ok := strings.CutSuffix(ident, "Name")
		if !ok {
			continue
		}
		names++
		t.Run(base, func(t *testing.T) {
			unit, okU := consts[base+"Unit"]
			desc, okD := consts[base+"Description"]
			if !okU || !okD {
				t.Fatalf("%s has no %sUnit or %sDescription constant", ident, base, base)
			}
			m, ok := byName[value]
			if !ok {
				t.Fatalf("Metrics does not list %s (%q)", ident, value)
			}
			if m.Unit != unit || m.Description != desc {
				t.Errorf("Metrics lists %q with unit %q and description %q, want %q and %q", value, m.Unit, m.Description, unit, desc)
			}
		})
	}
	if names != len(byName) {
		t.Errorf("metric.go declares %d metric names, Metrics lists %d", names, len(byName))
	}
}

// stringConsts returns the exported string constants declared with a literal
// value in file, by identifier.
func stringConsts(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, id := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING || !id.IsExported() {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out[id.Name] = v
			}
		}
	}
	return out
}
