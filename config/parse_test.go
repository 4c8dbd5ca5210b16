package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/signalkit/sdk/config"
	"github.com/signalkit/sdk/sampling"
)

// full is a file that sets every key.
const full = `# every key
metrics:
  enabled: false
  duration_sample_rate: 0.5
traces:
  enabled: true
  sampler: ParentBased_TraceIDRatio
  sampler_arg: 0.25
  listener_spans: true
cardinality_limit: 7
signals:
  order.placed:
    metrics: {enabled: true, duration_sample_rate: 1}
    traces:
      enabled: false
      sampler: ratelimited
      sampler_arg: "5"
      listener_spans: false
  payment.requested: {}
`

// fullJSON is full in JSON.
const fullJSON = `{
  "metrics": {"enabled": false, "duration_sample_rate": 0.5},
  "traces": {"enabled": true, "sampler": "ParentBased_TraceIDRatio", "sampler_arg": 0.25, "listener_spans": true},
  "cardinality_limit": 7,
  "signals": {
    "order.placed": {
      "metrics": {"enabled": true, "duration_sample_rate": 1},
      "traces": {"enabled": false, "sampler": "ratelimited", "sampler_arg": "5", "listener_spans": false}
    },
    "payment.requested": {}
  }
}`

func fullConfig() config.Config {
	return config.Config{
		MetricsEnabled:     false,
		DurationSampleRate: 0.5,
		TracesEnabled:      true,
		Sampler:            "parentbased_traceidratio",
		SamplerArg:         "0.25",
		ListenerSpans:      true,
		CardinalityLimit:   7,
		Signals: map[string]config.SignalOverride{
			"order.placed": {
				MetricsEnabled: new(true), DurationSampleRate: new(1.0),
				TracesEnabled: new(false), Sampler: "ratelimited", SamplerArg: "5", ListenerSpans: new(false),
			},
			"payment.requested": {},
		},
	}
}

func TestParse(t *testing.T) {
	base := config.Default()
	base.SamplerArg = "ignored"
	base.Signals = map[string]config.SignalOverride{"old": {TracesEnabled: new(false)}}
	baseWith := func(change func(*config.Config)) config.Config {
		c := base.Clone()
		change(&c)
		return c
	}
	tests := []struct {
		name, file, data string
		want             config.Config
	}{
		{"every key, YAML", "c.yaml", full, fullConfig()},
		{"every key, JSON", "c.json", fullJSON, fullConfig()},
		{"every key, upper-case extension", "C.JSON", fullJSON, fullConfig()},
		{"empty mapping keeps base", "c.yaml", "{}", base},
		{"comments only and a mapping", "c.yml", "# nothing\n{}\n", base},
		{"null values are missing keys", "c.yaml", "metrics:\ntraces: ~\nsignals: null\ncardinality_limit:\n", base},
		{"one key", "c.yaml", "metrics: {enabled: false}", baseWith(func(c *config.Config) { c.MetricsEnabled = false })},
		{"sampler without argument drops base's", "c.yaml", "traces: {sampler: always_on}",
			baseWith(func(c *config.Config) { c.Sampler, c.SamplerArg = "always_on", "" })},
		{"argument without sampler applies to base's", "c.yaml", "traces: {sampler_arg: 3}",
			baseWith(func(c *config.Config) { c.SamplerArg = "3" })},
		{"argument before sampler", "c.yaml", "traces:\n  sampler_arg: 0.5\n  sampler: traceidratio\n",
			baseWith(func(c *config.Config) { c.Sampler, c.SamplerArg = "traceidratio", "0.5" })},
		{"signals replace base's", "c.yaml", "signals: {new: {traces: {listener_spans: true}}}",
			baseWith(func(c *config.Config) {
				c.Signals = map[string]config.SignalOverride{"new": {ListenerSpans: new(true)}}
			})},
		{"empty signals section clears base's", "c.yaml", "signals: {}",
			baseWith(func(c *config.Config) { c.Signals = map[string]config.SignalOverride{} })},
		{"YAML anchors and aliases", "c.yaml", "metrics: &off {enabled: false}\nsignals: {a: {metrics: *off}}\n",
			baseWith(func(c *config.Config) {
				c.MetricsEnabled = false
				c.Signals = map[string]config.SignalOverride{"a": {MetricsEnabled: new(false)}}
			})},
		{"integer rate", "c.yaml", "metrics: {duration_sample_rate: 1}", baseWith(func(c *config.Config) { c.DurationSampleRate = 1 })},
		{"exponent rate, JSON", "c.json", `{"metrics": {"duration_sample_rate": 1e-3}}`,
			baseWith(func(c *config.Config) { c.DurationSampleRate = 0.001 })},
		{"JSON escapes that YAML refuses", "c.json", `{"signals": {"a\/b": {}}}`,
			baseWith(func(c *config.Config) { c.Signals = map[string]config.SignalOverride{"a/b": {}} })},
		{"JSON with tabs", "c.json", "{\n\t\"metrics\": {\n\t\t\"enabled\": false\n\t}\n}\n",
			baseWith(func(c *config.Config) { c.MetricsEnabled = false })},
		{"JSON in a YAML file", "c.yaml", `{"metrics": {"enabled": false}}`,
			baseWith(func(c *config.Config) { c.MetricsEnabled = false })},
		// YAML's spellings of numbers that strconv does not read (.inf was
		// refused, although the docs allow +Inf) are passed to the sampler
		// as strconv writes them.
		{"infinite rate, YAML", "c.yaml", "traces: {sampler: ratelimited, sampler_arg: .inf}",
			baseWith(func(c *config.Config) { c.Sampler, c.SamplerArg = "ratelimited", "+Inf" })},
		{"infinite rate, YAML, signed and in capitals", "c.yaml", "signals: {a: {traces: {sampler: parentbased_ratelimited, sampler_arg: +.INF}}}",
			baseWith(func(c *config.Config) {
				c.Signals = map[string]config.SignalOverride{"a": {Sampler: "parentbased_ratelimited", SamplerArg: "+Inf"}}
			})},
		{"infinite rate, JSON string", "c.json", `{"traces": {"sampler": "ratelimited", "sampler_arg": "+Inf"}}`,
			baseWith(func(c *config.Config) { c.Sampler, c.SamplerArg = "ratelimited", "+Inf" })},
		{"YAML hexadecimal and octal", "c.yaml", "traces: {sampler: ratelimited, sampler_arg: 0x10}\nsignals: {a: {traces: {sampler: ratelimited, sampler_arg: 0o17}}}",
			baseWith(func(c *config.Config) {
				c.Sampler, c.SamplerArg = "ratelimited", "16"
				c.Signals = map[string]config.SignalOverride{"a": {Sampler: "ratelimited", SamplerArg: "15"}}
			})},
		{"numbers strconv reads stay as written", "c.yaml", "traces: {sampler: traceidratio, sampler_arg: 1e-3}",
			baseWith(func(c *config.Config) { c.Sampler, c.SamplerArg = "traceidratio", "1e-3" })},
		{"UTF-16", "c.yaml", "\xff\xfe{\x00}\x00", base},
		{"boolean in capitals", "c.yaml", "traces: {enabled: FALSE}", baseWith(func(c *config.Config) { c.TracesEnabled = false })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Parse(tt.file, []byte(tt.data), base)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Parse returned an invalid config: %v", err)
			}
		})
	}
	if _, ok := base.Signals["new"]; ok {
		t.Error("Parse modified base's Signals")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, file, data string
		want             []string // in the error, in order
	}{
		{"empty file", "c.yaml", "", []string{"c.yaml: empty file"}},
		{"blank file", "c.json", " \n\t\n", []string{"c.json: empty file"}},
		{"comments only", "c.yaml", "# nothing\n", []string{"c.yaml: no YAML document"}},
		{"YAML syntax", "c.yaml", "metrics:\n  enabled: [true\n", []string{"c.yaml:", "did not find expected ',' or ']'"}},
		{"YAML tab", "c.yaml", "metrics:\n\tenabled: true\n", []string{"c.yaml:2: found character that cannot start any token"}},
		{"two YAML documents", "c.yaml", "{}\n---\n{}\n", []string{"c.yaml:2:1: more than one YAML document"}},
		{"second document does not parse", "c.yaml", "{}\n---\n[\n", []string{"c.yaml:"}},
		// Invalid text and excessive depth are errors with a line number
		// (they used to have none).
		{"invalid UTF-8, YAML", "c.yaml", "metrics:\n  enabled: true\ntraces:\n  sampler: \xff\n",
			[]string{"c.yaml:4:12: invalid UTF-8 (byte 0xff)"}},
		{"invalid UTF-8 after characters of two bytes, YAML", "c.yaml", "\u00e9: 1\n\u00e9\u00e9\xc3(: 2\n",
			[]string{"c.yaml:2:3: invalid UTF-8 (byte 0xc3)"}},
		{"UTF-8 cut short, YAML", "c.yaml", "a: \xe2\x82", []string{"c.yaml:1:4: invalid UTF-8 (byte 0xe2)"}},
		{"encoded surrogate, YAML", "c.yaml", "a: 1\nb: '\xed\xa0\x80'\n", []string{"c.yaml:2:5: invalid UTF-8 (byte 0xed)"}},
		{"control character, YAML", "c.yaml", "a: 1\nb: \"x\x01\"\n", []string{"c.yaml:2:6: character U+0001 is not allowed in YAML"}},
		{"noncharacter, YAML", "c.yaml", "a: \uffff\n", []string{"c.yaml:1:4: character U+FFFF is not allowed in YAML"}},
		{"UTF-16 with a lone surrogate, YAML", "c.yaml", "\xff\xfea\x00:\x00 \x00\x00\xd8a\x00", []string{"c.yaml: expected low surrogate area"}},
		{"invalid UTF-8, JSON", "c.json", "{\"signals\": {\n  \"a\xff\": {}}}", []string{"c.json:2:5: invalid UTF-8 (byte 0xff)"}},
		{"YAML too deep on the first line", "c.yaml", strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
			[]string{"c.yaml:1: exceeded max depth of 10000"}},
		{"YAML too deep", "c.yaml", "metrics:\n  " + strings.Repeat("{a: ", 10001) + strings.Repeat("}", 10001),
			[]string{"c.yaml:2: exceeded max depth of 10000"}},
		{"YAML tab on the first line", "c.yaml", "\tmetrics: {}\n", []string{"c.yaml:1: found character that cannot start any token"}},
		{"unknown alias", "c.yaml", "metrics: *nope\n", []string{"c.yaml: unknown anchor 'nope' referenced"}},
		{"not a mapping", "c.yaml", "- metrics\n", []string{"c.yaml:1:1: the document must be a mapping of keys to values, not a list"}},
		{"scalar document", "c.json", "42", []string{"c.json:1:1: the document must be a mapping of keys to values, not the number 42"}},
		{"unknown top-level key", "c.yaml", "metrics: {}\nmetric: {}\n",
			[]string{"c.yaml:2:1: metric: unknown key (want one of metrics, traces, cardinality_limit, signals)"}},
		{"unknown nested key", "c.yaml", "traces:\n  samplr: always_on\n",
			[]string{"c.yaml:2:3: traces.samplr: unknown key (want one of enabled, sampler, sampler_arg, listener_spans)"}},
		{"unknown signal key", "c.yaml", "signals:\n  a:\n    metrics:\n      enable: true\n",
			[]string{"c.yaml:4:7: signals[a].metrics.enable: unknown key (want one of enabled, duration_sample_rate)"}},
		{"repeated key", "c.yaml", "metrics:\n  enabled: true\n  enabled: false\n", []string{"c.yaml:3:3: metrics.enabled: repeated key"}},
		{"repeated key, JSON", "c.json", `{"traces": {}, "traces": {}}`, []string{"c.json:1:16: traces: repeated key"}},
		{"repeated signal", "c.yaml", "signals:\n  a: {}\n  a: {}\n", []string{"c.yaml:3:3: signals[a]: repeated signal name"}},
		{"quoted boolean", "c.yaml", "metrics:\n  enabled: \"false\"\n",
			[]string{`c.yaml:2:12: metrics.enabled: must be true or false, not the string "false"`}},
		{"yes is not a boolean", "c.yaml", "traces: {enabled: yes}", []string{`c.yaml:1:19: traces.enabled: must be true or false, not the string "yes"`}},
		{"boolean as number", "c.json", `{"traces": {"listener_spans": 1}}`,
			[]string{"c.json:1:31: traces.listener_spans: must be true or false, not the number 1"}},
		{"rate out of range", "c.yaml", "metrics:\n  duration_sample_rate: 1.5\n",
			[]string{"c.yaml:2:25: metrics.duration_sample_rate: must be a fraction in [0, 1], not 1.5"}},
		{"rate NaN", "c.yaml", "metrics: {duration_sample_rate: .nan}", []string{"metrics.duration_sample_rate: must be a fraction in [0, 1], not .nan"}},
		{"rate as string", "c.yaml", "metrics: {duration_sample_rate: half}",
			[]string{`metrics.duration_sample_rate: must be a fraction in [0, 1], not the string "half"`}},
		{"rate as mapping", "c.yaml", "metrics: {duration_sample_rate: {a: 1}}",
			[]string{"metrics.duration_sample_rate: must be a fraction in [0, 1], not a mapping"}},
		{"cardinality zero", "c.yaml", "cardinality_limit: 0", []string{"c.yaml:1:20: cardinality_limit: must be a whole number >= 1, not 0"}},
		{"cardinality float", "c.yaml", "cardinality_limit: 1.5", []string{"cardinality_limit: must be a whole number >= 1, not the number 1.5"}},
		{"cardinality overflow", "c.yaml", "cardinality_limit: 99999999999999999999",
			[]string{"cardinality_limit: must be a whole number >= 1, not the number 99999999999999999999"}},
		{"sampler as number", "c.yaml", "traces: {sampler: 1}", []string{"traces.sampler: must be a sampler name, not the number 1"}},
		{"sampler list", "c.yaml", "traces: {sampler: [a]}", []string{"traces.sampler: must be a sampler name, not a list"}},
		{"unknown sampler", "c.yaml", "traces:\n  sampler: sometimes\n",
			[]string{`c.yaml:2:12: traces.sampler: sampling: invalid sampler: unknown sampler name "sometimes"`}},
		{"bad sampler argument", "c.yaml", "traces:\n  sampler: traceidratio\n  sampler_arg: 3\n",
			[]string{`c.yaml:3:16: traces.sampler_arg: sampling: invalid sampler: traceidratio argument "3" is not a probability in [0, 1]`}},
		{"missing sampler argument", "c.yaml", "traces:\n  sampler: ratelimited\n",
			[]string{"c.yaml:2:12: traces.sampler: sampling: invalid sampler: ratelimited needs an argument"}},
		{"negative infinite rate", "c.yaml", "traces:\n  sampler: ratelimited\n  sampler_arg: -.inf\n",
			[]string{`c.yaml:3:16: traces.sampler_arg: sampling: invalid sampler: ratelimited argument "-Inf" is not a rate >= 0 per second`}},
		{"NaN ratio", "c.yaml", "traces: {sampler: traceidratio, sampler_arg: .NaN}",
			[]string{`traces.sampler_arg: sampling: invalid sampler: traceidratio argument "NaN" is not a probability in [0, 1]`}},
		{"argument as boolean", "c.yaml", "traces: {sampler_arg: true}", []string{"traces.sampler_arg: must be a number, not the boolean true"}},
		{"signal argument without sampler", "c.yaml", "signals:\n  a:\n    traces:\n      sampler_arg: 2\n",
			[]string{"c.yaml:4:20: signals[a].traces.sampler_arg: set without traces.sampler"}},
		{"signal with a bad rate", "c.json", "{\"signals\": {\"a\": {\"metrics\": {\"duration_sample_rate\": -1}}}}",
			[]string{"signals[a].metrics.duration_sample_rate: must be a fraction in [0, 1], not -1"}},
		{"signals not a mapping", "c.yaml", "signals: [a]", []string{"c.yaml:1:10: signals: must be a mapping of signal names to settings, not a list"}},
		{"signal settings not a mapping", "c.yaml", "signals: {a: 1}", []string{"signals[a]: signals[a] must be a mapping of keys to values, not the number 1"}},
		{"empty signal name", "c.yaml", "signals: {\"\": {}}", []string{`signals: a signal name must be a non-empty string, not the string ""`}},
		{"list as a key", "c.yaml", "? [a]\n: 1\n", []string{"a key must be a string, not a list"}},
		{"section not a mapping", "c.yaml", "metrics: true", []string{"c.yaml:1:10: metrics: metrics must be a mapping of keys to values, not the boolean true"}},
		{"tagged value", "c.yaml", "metrics: {enabled: !custom true}", []string{`metrics.enabled: must be true or false, not "true" (!custom)`}},
		{"several problems", "c.yaml", "metrics:\n  enabled: 1\ntraces:\n  enabled: 2\n", []string{
			"c.yaml:2:12: metrics.enabled: must be true or false, not the number 1\n" +
				"c.yaml:4:12: traces.enabled: must be true or false, not the number 2"}},
		{"JSON syntax", "c.json", "{\n  \"metrics\": {\"enabled\": false,}\n}", []string{"c.json:2:32: invalid character '}' looking for beginning of object key string"}},
		{"JSON truncated", "c.json", "{\n  \"metrics\": {\"enabled\": false}\n", []string{"c.json:3:1: unexpected end of JSON input"}},
		{"JSON truncated in an array", "c.json", `{"a": [1, 2`, []string{"c.json:1:12: unexpected end of JSON input"}},
		{"JSON trailing data", "c.json", "{}\n{}", []string{"c.json:2:1: unexpected data after the JSON value"}},
		{"JSON key not a string", "c.json", `{1: 2}`, []string{"c.json:1:2: invalid character '1'"}},
		{"JSON columns count characters, as YAML's do", "c.json", "{\"\u00e9\": {},\n \"\u00e9\u00e9\u00e9\": 1, \"x\": 2}",
			[]string{"c.json:1:2: \u00e9: unknown key", "c.json:2:2: \u00e9\u00e9\u00e9: unknown key", "c.json:2:12: x: unknown key"}},
		{"JSON too deep", "c.json", strings.Repeat("[", 100) + strings.Repeat("]", 100), []string{"c.json:1:65: nested more than 64 levels deep"}},
		{"JSON null document", "c.json", "null", []string{"c.json:1:1: the document must be a mapping of keys to values, not null"}},
		{"YAML null document", "c.yaml", "~", []string{"c.yaml:1:1: the document must be a mapping of keys to values, not null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Parse(tt.file, []byte(tt.data), config.Default())
			if err == nil {
				t.Fatalf("Parse = %+v, nil; want an error", got)
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !reflect.DeepEqual(got, config.Config{}) {
				t.Errorf("Parse returned %+v with its error, want the zero Config", got)
			}
			var ce *config.Error
			if !errors.As(err, &ce) || ce.File != tt.file {
				t.Errorf("error %v: first *Error %+v does not name the file", err, ce)
			}
			msg := err.Error()
			for _, w := range tt.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("error\n%s\nlacks\n%s", msg, w)
				}
				msg = msg[i+len(w):]
			}
		})
	}
}

func TestParseErrorWrapsSamplingError(t *testing.T) {
	_, err := config.Parse("c.yaml", []byte("traces: {sampler: nope}"), config.Default())
	if !errors.Is(err, sampling.ErrInvalidSampler) {
		t.Errorf("error %v does not wrap sampling.ErrInvalidSampler", err)
	}
}

func TestParseInvalidBase(t *testing.T) {
	base := config.Default()
	base.CardinalityLimit = 0
	_, err := config.Parse("c.yaml", []byte("{}"), base)
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "c.yaml: cardinality_limit:") {
		t.Errorf("error = %v", err)
	}
	if _, err := config.Parse("c.yaml", []byte("cardinality_limit: 3"), base); err != nil {
		t.Errorf("a file that fixes the base: %v", err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	writeFile(t, path, full)
	got, err := config.ReadFile(path, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, fullConfig()) {
		t.Errorf("ReadFile = %+v", got)
	}

	_, err = config.ReadFile(filepath.Join(dir, "missing.yaml"), config.Default())
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}

	_, err = config.ReadFile(dir, config.Default())
	if !errors.Is(err, config.ErrInvalid) || !strings.HasPrefix(err.Error(), dir+": ") {
		t.Errorf("directory: %v", err)
	}

	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", 1<<20)+"\n{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = config.ReadFile(big, config.Default())
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
}
