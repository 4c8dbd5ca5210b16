package config_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signalkit/sdk/config"
)

// FuzzParse checks that any input gives either a valid configuration or an
// error that wraps ErrInvalid and names the file, never a panic, read as
// YAML and as JSON; that a configuration it returns survives being
// written out and read back; and that Parse's cost is bounded by the
// input's size (checkCost). The seed corpus is in testdata/fuzz/FuzzParse;
// run with
//
//	go test -run '^$' -fuzz FuzzParse ./config
func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	f.Add([]byte(fullJSON))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"fuzz.yaml", "fuzz.json"} {
			var cfg config.Config
			var err error
			c := measure(func() { cfg, err = config.Parse(name, data, config.Default()) })
			checkCost(t, name, len(data), c)
			if err != nil {
				if !errors.Is(err, config.ErrInvalid) {
					t.Fatalf("%s: error %v does not wrap ErrInvalid", name, err)
				}
				if !strings.HasPrefix(err.Error(), name) {
					t.Fatalf("%s: error %q does not start with the file name", name, err)
				}
				if !reflect.DeepEqual(cfg, config.Config{}) {
					t.Fatalf("%s: Parse returned %+v with an error", name, cfg)
				}
				continue
			}
			if err := cfg.Validate(); err != nil {
				t.Fatalf("%s: Parse returned an invalid config %+v: %v", name, cfg, err)
			}
			if _, err := cfg.OTel(); err != nil {
				t.Fatalf("%s: OTel: %v", name, err)
			}
			again, err := config.Parse("again.json", encode(cfg), config.Config{})
			if err != nil {
				t.Fatalf("%s: the config %+v, written out, does not parse: %v", name, cfg, err)
			}
			if !reflect.DeepEqual(again.Clone(), nonNil(cfg)) {
				t.Fatalf("%s: round trip\n%+v\nbecame\n%+v", name, cfg, again)
			}
		}
	})
}

// checkCost fails the test if c, the cost of a Parse of n bytes, exceeds
// the budgets of n bytes: heap bytes and objects (allocBudget,
// objectBudget), and CPU time (cpuBudget).
//
// The allocation counts are exact and do not depend on the machine, so
// that the objects allocated also bound the work done, deterministically.
// The CPU time bound is a generous multiple of the CPU time this very
// process takes per byte of a plain configuration, so that it holds on a
// slow machine, under the race detector and the fuzzer's instrumentation
// as well, and on a busy machine: the CPU time of the process does not
// count the time it waited for a processor. It catches an input that takes
// seconds where it should take milliseconds, not a factor of two.
func checkCost(t *testing.T, name string, n int, c cost) {
	t.Helper()
	if msg := overBudget(c, n); msg != "" {
		t.Fatalf("%s: %s", name, msg)
	}
	if budget := cpuBudget(n); c.cpu > budget {
		t.Fatalf("%s: took %v of CPU for %d bytes of input, budget %v", name, c.cpu, n, budget)
	}
}

// cpuBudget returns the CPU time one Parse of n bytes may take: 100 ms
// (room for a garbage collection) plus 50 times what a plain configuration
// takes per byte in this process. The costliest documents measured (deeply
// nested lists, flow mappings of null values) take up to 5 times as much
// per byte as the plain one.
func cpuBudget(n int) time.Duration {
	return 100*time.Millisecond + time.Duration(50*cpuPerByte()*float64(n))
}

// cpuPerByte returns the CPU time, in nanoseconds, that Parse takes per
// byte of a plain configuration of 64 KiB in this process: the least of
// three measurements. Measured once; a measurement that the garbage
// collector or a busy machine inflates only makes the budget larger.
var cpuPerByte = sync.OnceValue(func() float64 {
	doc := signalsDoc("block", 64<<10)
	least := time.Duration(-1)
	for range 3 {
		c := measure(func() { _, _ = config.Parse("plain.yaml", doc, config.Default()) })
		if least < 0 || c.cpu < least {
			least = c.cpu
		}
	}
	return float64(least) / float64(len(doc))
})

// nonNil returns c with an empty Signals map if it has none, as a document
// with a signals key gives.
func nonNil(c config.Config) config.Config {
	c = c.Clone()
	if c.Signals == nil {
		c.Signals = map[string]config.SignalOverride{}
	}
	return c
}

// encode writes every setting of c as a JSON configuration file.
func encode(c config.Config) []byte {
	traces := func(enabled *bool, sampler, arg string, spans *bool) map[string]any {
		m := map[string]any{}
		if enabled != nil {
			m["enabled"] = *enabled
		}
		if sampler != "" {
			m["sampler"] = sampler
		}
		if arg != "" {
			m["sampler_arg"] = arg
		}
		if spans != nil {
			m["listener_spans"] = *spans
		}
		return m
	}
	metrics := func(enabled *bool, rate *float64) map[string]any {
		m := map[string]any{}
		if enabled != nil {
			m["enabled"] = *enabled
		}
		if rate != nil {
			m["duration_sample_rate"] = *rate
		}
		return m
	}
	signals := map[string]any{}
	for name, o := range c.Signals {
		signals[name] = map[string]any{
			"metrics": metrics(o.MetricsEnabled, o.DurationSampleRate),
			"traces":  traces(o.TracesEnabled, o.Sampler, o.SamplerArg, o.ListenerSpans),
		}
	}
	doc := map[string]any{
		"metrics":           metrics(&c.MetricsEnabled, &c.DurationSampleRate),
		"traces":            traces(&c.TracesEnabled, c.Sampler, c.SamplerArg, &c.ListenerSpans),
		"cardinality_limit": c.CardinalityLimit,
		"signals":           signals,
	}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return data
}
