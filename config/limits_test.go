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

// TestParseAliasBomb is issue 17, item 1: a 19 KB document that aliases one
// mapping of 1,000 unknown keys 1,000 times allocated 312 MiB, and a 166 KB
// one exhausted the memory of the demo on hot reload. Rejecting a document
// must cost no more than its size allows.
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
