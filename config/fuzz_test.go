package config_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/signalkit/sdk/config"
)

// FuzzParse checks that any input gives either a valid configuration or an
// error that wraps ErrInvalid and names the file, never a panic, read as
// YAML and as JSON; and that a configuration it returns survives being
// written out and read back. The seed corpus is in
// testdata/fuzz/FuzzParse; run with
//
//	go test -run '^$' -fuzz FuzzParse ./config
func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	f.Add([]byte(fullJSON))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"fuzz.yaml", "fuzz.json"} {
			cfg, err := config.Parse(name, data, config.Default())
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
