package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/signalkit/sdk/config"
)

// aliasBomb returns a YAML document of one anchored mapping of keys
// unknown keys, and a signals section of aliases signals that all alias
// it: every alias repeats every unknown key.
func aliasBomb(keys, aliases int) []byte {
	var b strings.Builder
	b.WriteString("x: &x {")
	for i := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "k%d: 1", i)
	}
	b.WriteString("}\nsignals:\n")
	for i := range aliases {
		fmt.Fprintf(&b, "  s%d: *x\n", i)
	}
	return []byte(b.String())
}

// TestParseAliasBomb is the regression test of an alias bomb: a 19 KB
// document that aliases one mapping of 1,000 unknown keys 1,000 times
// allocated 312 MiB, and a 166 KB one exhausted the memory of the demo on
// hot reload. Rejecting a document must cost no more than its size allows.
func TestParseAliasBomb(t *testing.T) {
	for _, tt := range []struct{ keys, aliases int }{
		{1000, 1000},  // 19 KB: 312 MiB and a million problems before the fix
		{10000, 5700}, // 166 KB: 57 million problems, about 18 GiB before the fix
	} {
		data := aliasBomb(tt.keys, tt.aliases)
		var err error
		c := measure(func() { _, err = config.Parse("bomb.yaml", data, config.Default()) })
		t.Logf("%d keys, %d aliases, %d bytes: %v", tt.keys, tt.aliases, len(data), c)
		if !errors.Is(err, config.ErrInvalid) {
			t.Fatalf("Parse = %v, want ErrInvalid", err)
		}
		if got := len(errorKeys(err)); got != 10 {
			t.Errorf("%d problems listed, want 10", got)
		}
		if !strings.Contains(err.Error(), "further problems not listed") {
			t.Errorf("the error does not say that problems were left out:\n%v", err)
		}
		if msg := overBudget(c, len(data)); msg != "" {
			// The larger document would exhaust the memory of the test.
			t.Fatal(msg)
		}
	}
}

// TestParseAliasFanOut checks that aliases remain usable: many signals
// that alias one valid body parse, at a cost within the budget.
func TestParseAliasFanOut(t *testing.T) {
	const n = 5000
	var b strings.Builder
	b.WriteString("signals:\n  s: &common\n    metrics: {enabled: false, duration_sample_rate: 1}\n" +
		"    traces: {enabled: true, sampler: traceidratio, sampler_arg: 0.5, listener_spans: true}\n")
	for i := range n {
		fmt.Fprintf(&b, "  s%d: *common\n", i)
	}
	data := []byte(b.String())
	var cfg config.Config
	var err error
	c := measure(func() { cfg, err = config.Parse("fan.yaml", data, config.Default()) })
	t.Logf("%d bytes: %v", len(data), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Signals) != n+1 {
		t.Errorf("%d signals, want %d", len(cfg.Signals), n+1)
	}
	o := cfg.Signals[fmt.Sprint("s", n-1)]
	if o.Sampler != "traceidratio" || o.SamplerArg != "0.5" || o.ListenerSpans == nil || !*o.ListenerSpans {
		t.Errorf("an aliased signal = %+v", o)
	}
	if msg := overBudget(c, len(data)); msg != "" {
		t.Error(msg)
	}
}

// layouts are four ways to write many signals with settings: YAML in
// block or flow style, JSON on one line or indented.
var layouts = map[string]struct{ head, body, tail string }{
	"block": {"signals:\n", "  s%d:\n    metrics:\n      enabled: true\n    traces: {sampler: always_on}\n", ""},
	"flow":  {"{signals: {", "s%d: {metrics: {enabled: true}, traces: {sampler: always_on}}, ", "last: {}}}"},
	"json-line": {`{"signals": {`, `"s%d": {"metrics": {"enabled": true}, "traces": {"sampler": "always_on"}}, `,
		`"last": {}}}`},
	"json-indent": {"{\n  \"signals\": {",
		"\n    \"s%d\": {\n      \"metrics\": {\"enabled\": true},\n      \"traces\": {\"sampler\": \"always_on\"}\n    },",
		"\n    \"last\": {}\n  }\n}\n"},
}

// signalsDoc returns a valid document of about n bytes in a layout.
func signalsDoc(layout string, n int) []byte {
	l := layouts[layout]
	var b strings.Builder
	b.WriteString(l.head)
	for i := 0; b.Len() < n-len(l.tail); i++ {
		fmt.Fprintf(&b, l.body, i)
	}
	b.WriteString(l.tail)
	return []byte(b.String())
}

// BenchmarkParseSize parses documents of 4 KiB and 256 KiB in each layout;
// with SetBytes, ns/op per byte must not grow with the size (before the fix,
// a 256 KiB single-line JSON took 32 times as long per byte as 4 KiB ones).
// TestJSONPositionsLinear is the deterministic check of the same property.
func BenchmarkParseSize(b *testing.B) {
	for _, layout := range []string{"json-line", "json-indent", "flow", "block"} {
		for _, size := range []int{4 << 10, 256 << 10} {
			name := "c.yaml"
			if strings.HasPrefix(layout, "json") {
				name = "c.json"
			}
			doc := signalsDoc(layout, size)
			b.Run(fmt.Sprintf("layout=%s/size=%dKiB", layout, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := config.Parse(name, doc, config.Default()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
