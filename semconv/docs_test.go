package semconv_test

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/semconv"
)

// This file generates docs/semconv.md from the package's names. Run
//
//	go generate ./semconv
//
// (or go test ./semconv -run '^TestDocsUpToDate$' -update) after changing a
// name, and commit the result.

var update = flag.Bool("update", false, "rewrite "+docsPath+" instead of comparing it")

const docsPath = "../docs/semconv.md"

// attrDoc documents one attribute key.
type attrDoc struct {
	goName string        // the name of the key constant
	key    attribute.Key // the key
	typ    string        // string, int or enum
	values []attribute.KeyValue
	// examples are example values of a non-enumerated attribute.
	examples []string
	where    string
	desc     string
}

func attrDocs() []attrDoc {
	return []attrDoc{
		{
			goName: "SignalNameKey", key: semconv.SignalNameKey, typ: "string",
			examples: []string{"orders.created", semconv.DefaultSignalName, semconv.OverflowSignalName},
			where:    "metrics, spans",
			desc: fmt.Sprintf("Name of the signal. An unnamed signal is recorded as `%s`; names beyond the "+
				"instrumentation's limit of distinct names as `%s`.", semconv.DefaultSignalName, semconv.OverflowSignalName),
		},
		{
			goName: "SignalKindKey", key: semconv.SignalKindKey, typ: "enum",
			values: []attribute.KeyValue{semconv.SignalKindSync, semconv.SignalKindAsync},
			where:  "metrics, spans",
			desc:   "Whether the signal's listeners run on the emitting goroutine (`sync`) or on worker goroutines (`async`).",
		},
		{
			goName: "ListenerKeyKey", key: semconv.ListenerKeyKey, typ: "string",
			examples: []string{"audit", "cache-invalidator"},
			where:    "listener spans, opt-in",
			desc:     "Key the listener was registered with. Unbounded, so never a metric attribute, and recorded on spans only when enabled.",
		},
		{
			goName: "ListenerChangeKey", key: semconv.ListenerChangeKey, typ: "enum",
			values: []attribute.KeyValue{
				semconv.ListenerChangeAdd, semconv.ListenerChangeRemove, semconv.ListenerChangeReset,
				semconv.ListenerChangeOnceFired, semconv.ListenerChangeDisable, semconv.ListenerChangeEnable,
			},
			where: "metrics",
			desc:  "Kind of change to the signal's listeners: registration, removal of one, removal of all, removal of a one-shot listener after its call, disabling, enabling.",
		},
		{
			goName: "ListenerStateKey", key: semconv.ListenerStateKey, typ: "enum",
			values: []attribute.KeyValue{semconv.ListenerStateEnabled, semconv.ListenerStateDisabled},
			where:  "metrics",
			desc:   "State of a registered listener: receiving emissions (`enabled`), or disabled by the circuit breaker until it is enabled again (`disabled`). A removed listener is counted in neither.",
		},
		{
			goName: "ListenerCountKey", key: semconv.ListenerCountKey, typ: "int",
			examples: []string{"0", "1", "12"},
			where:    "emission spans",
			desc:     "Number of listeners the emission is delivered to.",
		},
		{
			goName: "PoolWorkerStateKey", key: semconv.PoolWorkerStateKey, typ: "enum",
			values: []attribute.KeyValue{semconv.PoolWorkerStateBusy, semconv.PoolWorkerStateIdle},
			where:  "metrics",
			desc:   "Whether a worker of the signal's pool is delivering an emission (`busy`) or waiting for one (`idle`).",
		},
		{
			goName: "DropReasonKey", key: semconv.DropReasonKey, typ: "enum",
			values: []attribute.KeyValue{semconv.DropReasonQueueFull, semconv.DropReasonClosed},
			where:  "metrics",
			desc:   "Why an enqueued emission was dropped: the queue was full, or the signal was closed before delivery.",
		},
		{
			goName: "ErrorTypeKey", key: semconv.ErrorTypeKey, typ: "string",
			examples: []string{semconv.ErrorTypePanic, "card_declined", "*fs.PathError", semconv.ErrorTypeOther},
			where:    "metrics, spans; only on failure",
			desc: "Class of error the operation ended with (see the rule below): `" + semconv.ErrorTypePanic + "` for a panic, " +
				"the value of the error's `ErrorType() string` method, its Go type, or `" + semconv.ErrorTypeOther + "`.",
		},
		{
			goName: "MessagingSystemKey", key: semconv.MessagingSystemKey, typ: "enum",
			values: []attribute.KeyValue{semconv.MessagingSystemSignalkit},
			where:  "spans",
			desc:   "Standard messaging attribute, with signalkit's own value.",
		},
		{
			goName: "MessagingDestinationNameKey", key: semconv.MessagingDestinationNameKey, typ: "string",
			examples: []string{"orders.created", semconv.DefaultSignalName},
			where:    "spans",
			desc:     "Standard messaging attribute: the signal's name, as in `" + string(semconv.SignalNameKey) + "`.",
		},
		{
			goName: "MessagingOperationTypeKey", key: semconv.MessagingOperationTypeKey, typ: "enum",
			values: []attribute.KeyValue{semconv.MessagingOperationTypeSend, semconv.MessagingOperationTypeProcess},
			where:  "spans",
			desc:   "Standard messaging attribute: `send` on emission spans, `process` on delivery and listener spans.",
		},
		{
			goName: "MessagingOperationNameKey", key: semconv.MessagingOperationNameKey, typ: "enum",
			values: []attribute.KeyValue{
				semconv.MessagingOperationName(semconv.OperationEmit),
				semconv.MessagingOperationName(semconv.OperationTryEmit),
				semconv.MessagingOperationName(semconv.OperationEnqueue),
				semconv.MessagingOperationName(semconv.OperationProcess),
			},
			where: "spans",
			desc:  "Standard messaging attribute: the signalkit call the span describes.",
		},
	}
}

// spanAttr is one attribute of a span, with its requirement level.
type spanAttr struct {
	key         attribute.Key
	value       string
	requirement string
}

type spanDoc struct {
	title  string
	name   string
	kind   trace.SpanKind
	parent string // its parent, and its links
	attrs  []spanAttr
	notes  string
}

func spanDocs() []spanDoc {
	ops := strings.Join([]string{semconv.OperationEmit, semconv.OperationTryEmit, semconv.OperationEnqueue}, "|")
	return []spanDoc{
		{
			title:  "Emission span",
			name:   semconv.SpanName("{"+ops+"}", "{signal}"),
			kind:   semconv.EmissionSpanKind,
			parent: "the span in the emitter's context, if any; no links",
			attrs: []spanAttr{
				{semconv.MessagingSystemKey, "`" + semconv.MessagingSystemValue + "`", "required"},
				{semconv.MessagingDestinationNameKey, "the signal's name", "required"},
				{semconv.MessagingOperationTypeKey, "`" + semconv.MessagingOperationTypeSend.Value.AsString() + "`", "required"},
				{semconv.MessagingOperationNameKey, "`" + strings.ReplaceAll(ops, "|", "`, `") + "`", "required"},
				{semconv.SignalKindKey, "`sync`, `async`", "required"},
				{semconv.ListenerCountKey, "number of listeners", "recommended"},
				{semconv.ErrorTypeKey, "see above", "if the emission failed"},
			},
			notes: "A failed emission also has status Error. Its context is the one the listeners receive, so the spans they start are its children; " +
				"for `" + semconv.OperationEnqueue + "`, it is the emission's creation context, which the delivery span links to.",
		},
		{
			title:  "Delivery span",
			name:   semconv.SpanName(semconv.OperationProcess, "{signal}"),
			kind:   semconv.ListenerSpanKind,
			parent: "the `" + semconv.OperationEnqueue + "` span of the emission; one link, to the same span",
			attrs: []spanAttr{
				{semconv.MessagingSystemKey, "`" + semconv.MessagingSystemValue + "`", "required"},
				{semconv.MessagingDestinationNameKey, "the signal's name", "required"},
				{semconv.MessagingOperationTypeKey, "`" + semconv.MessagingOperationTypeProcess.Value.AsString() + "`", "required"},
				{semconv.MessagingOperationNameKey, "`" + semconv.OperationProcess + "`", "required"},
				{semconv.SignalKindKey, "`async`", "required"},
				{semconv.ListenerCountKey, "number of listeners", "recommended"},
			},
			notes: "The delivery of an enqueued emission (`AsyncSignal.Enqueue`) to the signal's listeners, on a worker of its pool. " +
				"It is traced exactly when its `" + semconv.OperationEnqueue + "` was. " +
				"As the [messaging conventions](https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/#consumer-spans) recommend for a process span, " +
				"it links to the emission's creation context, the `" + semconv.OperationEnqueue + "` span; it is also that span's child, so that the trace stays whole. " +
				"Its context is the one the listeners receive. A listener that fails while the delivery has no listener spans adds an `exception` event " +
				"with `" + string(semconv.ErrorTypeKey) + "` to it; the span's status stays Unset.",
		},
		{
			title:  "Listener span",
			name:   semconv.SpanName(semconv.OperationProcess, "{signal}"),
			kind:   semconv.ListenerSpanKind,
			parent: "the emission span or the delivery span; no links",
			attrs: []spanAttr{
				{semconv.MessagingSystemKey, "`" + semconv.MessagingSystemValue + "`", "required"},
				{semconv.MessagingDestinationNameKey, "the signal's name", "required"},
				{semconv.MessagingOperationTypeKey, "`" + semconv.MessagingOperationTypeProcess.Value.AsString() + "`", "required"},
				{semconv.MessagingOperationNameKey, "`" + semconv.OperationProcess + "`", "required"},
				{semconv.SignalKindKey, "`sync`, `async`", "required"},
				{semconv.ListenerKeyKey, "the listener's key", "opt-in, when the listener has a key"},
				{semconv.ErrorTypeKey, "see above", "if the listener returned an error or panicked"},
			},
			notes: "One per listener call of a traced emission or delivery, when listener spans are on. A failed listener call also has status Error, " +
				"and a panic an `exception` event. A delivery span and a listener span have the same name: only the delivery span has `" +
				string(semconv.ListenerCountKey) + "`.",
		},
	}
}

// promMetric is how the OpenTelemetry Prometheus exporter (default
// translation) serves a metric.
type promMetric struct {
	name   string   // the metric family name
	typ    string   // counter, histogram or gauge
	series []string // the names of its series
}

// promName translates a metric as the OpenTelemetry Prometheus exporter does
// by default: dots become underscores, the unit "s" adds "_seconds" and a
// "{...}" annotation adds nothing, counters get "_total", histograms expose
// _bucket, _sum and _count series, and up-down counters become gauges.
func promName(m semconv.MetricDef) (promMetric, error) {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == ':':
			return r
		}
		return '_'
	}, m.Name)
	switch {
	case m.Unit == "s":
		name += "_seconds"
	case strings.HasPrefix(m.Unit, "{") && strings.HasSuffix(m.Unit, "}"):
	default:
		return promMetric{}, fmt.Errorf("metric %s: no Prometheus translation for unit %q", m.Name, m.Unit)
	}
	switch m.Instrument {
	case semconv.InstrumentInt64Counter, semconv.InstrumentInt64ObservableCounter:
		name += "_total"
		return promMetric{name: name, typ: "counter", series: []string{name}}, nil
	case semconv.InstrumentFloat64Histogram:
		return promMetric{name: name, typ: "histogram", series: []string{name + "_bucket", name + "_sum", name + "_count"}}, nil
	case semconv.InstrumentInt64ObservableUpDownCounter:
		return promMetric{name: name, typ: "gauge", series: []string{name}}, nil
	}
	return promMetric{}, fmt.Errorf("metric %s: unknown instrument %q", m.Name, m.Instrument)
}

// promLabel is the Prometheus label name of an attribute key.
func promLabel(k attribute.Key) string {
	return strings.ReplaceAll(string(k), ".", "_")
}

func code(s string) string { return "`" + s + "`" }

func codes[T ~string](ss []T) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(string(s))
	}
	return strings.Join(out, ", ")
}

// renderDocs returns the text of docs/semconv.md.
func renderDocs() ([]byte, error) {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("<!-- Code generated by \"go generate ./semconv\" from package semconv. DO NOT EDIT. -->\n\n")
	p("# signalkit telemetry reference\n\n")
	p("Every name signalkit emits is defined in package `github.com/signalkit/sdk/semconv`. ")
	p("The telemetry follows the OpenTelemetry semantic conventions with schema URL `%s`, ", semconv.SchemaURL)
	p("treating a signal as an in-process messaging destination.\n\n")

	p("## Attributes\n\n")
	p("| Attribute | Type | Values | Recorded on | Description | Go |\n")
	p("|---|---|---|---|---|---|\n")
	for _, a := range attrDocs() {
		var values string
		if a.values != nil {
			vs := make([]string, len(a.values))
			for i, kv := range a.values {
				if kv.Key != a.key {
					return nil, fmt.Errorf("value %s=%s listed under %s", kv.Key, kv.Value.String(), a.key)
				}
				vs[i] = kv.Value.AsString()
			}
			values = codes(vs)
		} else {
			values = "e.g. " + codes(a.examples)
		}
		p("| `%s` | %s | %s | %s | %s | `%s` |\n", a.key, a.typ, values, a.where, a.desc, a.goName)
	}
	p("\nAll attribute values on metrics have bounded cardinality. Signal names should be few and static, like metric names. ")
	p("`%s` and `%s` are unbounded and therefore recorded on spans only. ", semconv.ListenerKeyKey, semconv.ListenerCountKey)
	p("String values that come from the application (signal names, listener keys, error types, attributes added to the instrumentation) ")
	p("are recorded as valid UTF-8: each run of invalid bytes becomes U+FFFD.\n\n")
	p("### The value of `%s`\n\n", semconv.ErrorTypeKey)
	p("The [semantic conventions](https://opentelemetry.io/docs/specs/semconv/registry/attributes/error/) ask for a predictable, low-cardinality class of error, and define `%s` as the fallback value. ", semconv.ErrorTypeOther)
	p("signalkit records, for a failed listener call or emission (`semconv.ErrorTypeOf`):\n\n")
	p("1. `%s` for a panic;\n", semconv.ErrorTypePanic)
	p("2. otherwise the value of an `ErrorType() string` method of the error or of an error it wraps, if not empty: ")
	p("how an application names the classes of its own errors (`card_declined`, `timeout`);\n")
	p("3. otherwise the name of the error's Go type: `*fs.PathError`, `syscall.Errno`, `example.com/app/store.Code`;\n")
	p("4. except for the standard library's generic types, whose name says nothing about the failure: ")
	p("`*errors.errorString` (`errors.New`, `fmt.Errorf` without `%%w`), and the wrappers of `fmt.Errorf` with `%%w` and of `errors.Join`. ")
	p("A wrapper is looked through to the first error it holds whose type is not generic; ")
	p("an error with none, such as `errors.New(\"boom\")` or `fmt.Errorf(\"load: %%w\", io.EOF)`, is `%s`. ", semconv.ErrorTypeOther)
	p("The error's message is never recorded as `%s`.\n\n", semconv.ErrorTypeKey)

	p("## Metrics\n\n")
	p("Prometheus names are those the OpenTelemetry Prometheus exporter gives by default: dots become underscores, ")
	p("counters get `_total`, durations in `s` get `_seconds` (histograms as `_bucket`, `_sum`, `_count` series), ")
	p("units in braces add nothing, and up-down counters become gauges without a suffix. ")
	p("Labels are the attribute keys with dots replaced by underscores; every series also carries ")
	p("`otel_scope_name`, `otel_scope_version` and `otel_scope_schema_url`.\n\n")
	p("| Metric | Instrument | Unit | Description | Attributes | Prometheus |\n")
	p("|---|---|---|---|---|---|\n")
	for _, m := range semconv.Metrics() {
		pm, err := promName(m)
		if err != nil {
			return nil, err
		}
		attrs := codes(m.Attributes)
		if len(m.OptionalAttributes) > 0 {
			attrs += "; on failure: " + codes(m.OptionalAttributes)
		}
		labels := make([]string, 0, len(m.Attributes)+len(m.OptionalAttributes))
		for _, k := range slices.Concat(m.Attributes, m.OptionalAttributes) {
			labels = append(labels, promLabel(k))
		}
		p("| `%s` | %s | `%s` | %s | %s | %s %s; labels %s |\n",
			m.Name, m.Instrument, m.Unit, m.Description, attrs, pm.typ, codes(pm.series), codes(labels))
	}
	p("\nHistograms use these explicit bucket boundaries, in seconds: ")
	bs := make([]string, 0, len(semconv.DurationBuckets()))
	for _, f := range semconv.DurationBuckets() {
		bs = append(bs, strconv.FormatFloat(f, 'g', -1, 64))
	}
	p("%s.\n", strings.Join(bs, ", "))
	p("Durations are measured for the timed operations only: with otelsignals' defaults, every emission of a signal up to 100 a second ")
	p("(the duration budget) and one in a hundred beyond, with all the listener calls of a timed emission; the counters count every operation. ")
	p("A histogram's count is therefore not a count of operations.\n\n")

	p("## Spans\n\n")
	for _, s := range spanDocs() {
		p("### %s\n\n", s.title)
		p("Name `%s`, kind %s. Parent: %s.\n\n", s.name, strings.ToUpper(s.kind.String()), s.parent)
		p("| Attribute | Value | Requirement |\n")
		p("|---|---|---|\n")
		for _, a := range s.attrs {
			p("| `%s` | %s | %s |\n", a.key, a.value, a.requirement)
		}
		p("\n%s\n\n", s.notes)
	}

	p("## Departures from the messaging conventions\n\n")
	p("- `messaging.system` is `%s`: the conventions have no value for in-process delivery and allow a custom one.\n", semconv.MessagingSystemValue)
	p("- The spans describe in-process calls, never a network transfer: there are no `server.*` or `network.*` attributes.\n")
	p("- Emissions have no identity: there is no `messaging.message.id`.\n")
	p("- Whether an emission is traced is decided before any span exists (package `sampling`), so a ratio sampler draws a random number per emission instead of deriving the decision from a trace ID.\n")
	p("- The metrics are signalkit's own (`signals.*`), not `messaging.client.*` or `messaging.process.*`, ")
	p("because they describe listeners, queues and worker pools, which the messaging metrics do not cover.\n")
	if err := renderNATSDocs(p); err != nil { // nats_test.go
		return nil, err
	}
	return b.Bytes(), nil
}

func TestDocsUpToDate(t *testing.T) {
	want, err := renderDocs()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(docsPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatalf("%v; create it with: go generate ./semconv", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		line := 0
		for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
			line++
		}
		var g, w string
		if line < len(gl) {
			g = gl[line]
		}
		if line < len(wl) {
			w = wl[line]
		}
		t.Errorf("docs/semconv.md is out of date; update it with: go generate ./semconv\nfirst difference at line %d:\n have: %s\n want: %s", line+1, g, w)
	}
}

// TestDocsListEveryKey checks, from the package source, that every exported
// attribute.Key constant is documented in docs/semconv.md, once, with the
// right Go name.
func TestDocsListEveryKey(t *testing.T) {
	declared := keyConsts(t)
	documented := make(map[string]attribute.Key)
	for _, a := range slices.Concat(attrDocs(), natsAttrDocs()) {
		if _, dup := documented[a.goName]; dup {
			t.Errorf("%s documented twice", a.goName)
		}
		documented[a.goName] = a.key
	}
	for name, lit := range declared {
		t.Run(name, func(t *testing.T) {
			key, ok := documented[name]
			if !ok {
				t.Fatalf("%s is not documented in attrDocs", name)
			}
			if lit != "" && string(key) != lit {
				t.Errorf("attrDocs lists %s as %q, the source declares %q", name, key, lit)
			}
		})
	}
	for name := range documented {
		if _, ok := declared[name]; !ok {
			t.Errorf("attrDocs documents %s, which the package does not declare", name)
		}
	}
}

// keyConsts returns the exported constants of the package whose names end in
// "Key", with their literal value when declared as attribute.Key("...") and
// "" when declared otherwise (re-exported from otel/semconv).
func keyConsts(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			gd, ok := n.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				return true
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !id.IsExported() || !strings.HasSuffix(id.Name, "Key") {
						continue
					}
					out[id.Name] = ""
					call, ok := vs.Values[i].(*ast.CallExpr)
					if !ok || len(call.Args) != 1 {
						continue
					}
					if lit, ok := call.Args[0].(*ast.BasicLit); ok {
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						out[id.Name] = v
					}
				}
			}
			return false
		})
	}
	if len(out) == 0 {
		t.Fatal("found no Key constants; is the test running in the package directory?")
	}
	return out
}

func TestPromName(t *testing.T) {
	def := func(name, instrument, unit string) semconv.MetricDef {
		return semconv.MetricDef{Name: name, Instrument: instrument, Unit: unit}
	}
	tests := []struct {
		name    string
		in      semconv.MetricDef
		want    promMetric
		wantErr bool
	}{
		{"observable counter", def(semconv.EmissionsName, semconv.InstrumentInt64ObservableCounter, "{emission}"),
			promMetric{"signals_emissions_total", "counter", []string{"signals_emissions_total"}}, false},
		{"counter", def(semconv.ListenerErrorsName, semconv.InstrumentInt64Counter, "{error}"),
			promMetric{"signals_listener_errors_total", "counter", []string{"signals_listener_errors_total"}}, false},
		{"histogram in seconds", def(semconv.ListenerDurationName, semconv.InstrumentFloat64Histogram, "s"),
			promMetric{"signals_listener_duration_seconds", "histogram", []string{
				"signals_listener_duration_seconds_bucket", "signals_listener_duration_seconds_sum", "signals_listener_duration_seconds_count",
			}}, false},
		{"up-down counter", def(semconv.QueueDepthName, semconv.InstrumentInt64ObservableUpDownCounter, "{emission}"),
			promMetric{"signals_queue_depth", "gauge", []string{"signals_queue_depth"}}, false},
		{"counter in seconds", def("a.b-c", semconv.InstrumentInt64Counter, "s"),
			promMetric{"a_b_c_seconds_total", "counter", []string{"a_b_c_seconds_total"}}, false},
		{"unknown unit", def("a", semconv.InstrumentInt64Counter, "By"), promMetric{}, true},
		{"unknown instrument", def("a", "Float64Gauge", "s"), promMetric{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := promName(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %t", err, tt.wantErr)
			}
			if got.name != tt.want.name || got.typ != tt.want.typ || !slices.Equal(got.series, tt.want.series) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
