package config_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/signalkit/sdk/config"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
)

func TestDefaultMatchesOTelSignals(t *testing.T) {
	oc, err := config.Default().OTel()
	if err != nil {
		t.Fatal(err)
	}
	want := otelsignals.DefaultConfig()
	if oc.Metrics != want.Metrics || oc.Tracing != want.Tracing || oc.ListenerSpans != want.ListenerSpans ||
		oc.DurationSampleRate != want.DurationSampleRate || len(oc.Overrides) != 0 {
		t.Errorf("Default().OTel() = %+v, want %+v", oc, want)
	}
	// parentbased_always_off: sampled parents only, no root emissions.
	if oc.Sampler.ShouldSample(sampling.Parameters{Ctx: context.Background()}) {
		t.Error("default sampler samples a root emission")
	}
	if got := config.Default().CardinalityLimit; got != otelsignals.DefaultCardinalityLimit {
		t.Errorf("CardinalityLimit = %d, want %d", got, otelsignals.DefaultCardinalityLimit)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*config.Config)
		keys   []string // keys of the *Errors, in order; none: valid
		is     error    // also wrapped, besides ErrInvalid
	}{
		{"default", func(*config.Config) {}, nil, nil},
		{"every sampler", func(c *config.Config) {
			c.Sampler, c.SamplerArg = "PARENTBASED_RATELIMITED ", "10"
			c.Signals = map[string]config.SignalOverride{
				"a": {Sampler: "traceidratio", SamplerArg: "0.5"},
				"b": {Sampler: "always_on"},
				"c": {MetricsEnabled: new(false), TracesEnabled: new(true), ListenerSpans: new(true), DurationSampleRate: new(1.0)},
			}
		}, nil, nil},
		{"rate above 1", func(c *config.Config) { c.DurationSampleRate = 1.5 }, []string{"metrics.duration_sample_rate"}, nil},
		{"rate NaN", func(c *config.Config) { c.DurationSampleRate = math.NaN() }, []string{"metrics.duration_sample_rate"}, nil},
		{"rate negative", func(c *config.Config) { c.DurationSampleRate = -0.1 }, []string{"metrics.duration_sample_rate"}, nil},
		{"empty sampler", func(c *config.Config) { c.Sampler = "" }, []string{"traces.sampler"}, sampling.ErrInvalidSampler},
		{"unknown sampler", func(c *config.Config) { c.Sampler = "sometimes" }, []string{"traces.sampler"}, sampling.ErrInvalidSampler},
		{"bad argument", func(c *config.Config) { c.Sampler, c.SamplerArg = "traceidratio", "2" }, []string{"traces.sampler_arg"}, sampling.ErrInvalidSampler},
		{"missing argument", func(c *config.Config) { c.Sampler = "ratelimited" }, []string{"traces.sampler"}, sampling.ErrInvalidSampler},
		{"cardinality 0", func(c *config.Config) { c.CardinalityLimit = 0 }, []string{"cardinality_limit"}, nil},
		{"signal problems", func(c *config.Config) {
			c.Signals = map[string]config.SignalOverride{
				"":  {},
				"a": {DurationSampleRate: new(2.0)},
				"b": {SamplerArg: "1"},
				"c": {Sampler: "nope"},
			}
		}, []string{"signals", "signals[a].metrics.duration_sample_rate", "signals[b].traces.sampler_arg", "signals[c].traces.sampler"}, nil},
		{"several", func(c *config.Config) { c.DurationSampleRate, c.CardinalityLimit = 2, -1 },
			[]string{"metrics.duration_sample_rate", "cardinality_limit"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.change(&c)
			err := c.Validate()
			_, oerr := c.OTel()
			if (err == nil) != (oerr == nil) {
				t.Fatalf("Validate = %v, OTel = %v", err, oerr)
			}
			if len(tt.keys) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("Validate = %v, want ErrInvalid", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Validate = %v, want it to wrap %v", err, tt.is)
			}
			if got := errorKeys(err); strings.Join(got, " ") != strings.Join(tt.keys, " ") {
				t.Errorf("keys = %q, want %q (%v)", got, tt.keys, err)
			}
		})
	}
}

// errorKeys returns the keys of the *Errors joined in err.
func errorKeys(err error) []string {
	var keys []string
	var walk func(error)
	walk = func(err error) {
		if ce, ok := err.(*config.Error); ok {
			keys = append(keys, ce.Key)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return keys
}

func TestOTelOverrides(t *testing.T) {
	c := config.Default()
	c.MetricsEnabled, c.TracesEnabled, c.ListenerSpans, c.DurationSampleRate = false, true, true, 0.5
	c.Sampler = "always_on"
	c.Signals = map[string]config.SignalOverride{
		"orders": {MetricsEnabled: new(true), Sampler: "always_off", DurationSampleRate: new(0.25)},
	}
	oc, err := c.OTel()
	if err != nil {
		t.Fatal(err)
	}
	if oc.Metrics || !oc.Tracing || !oc.ListenerSpans || oc.DurationSampleRate != 0.5 {
		t.Errorf("globals = %+v", oc)
	}
	root := sampling.Parameters{Ctx: context.Background()}
	if !oc.Sampler.ShouldSample(root) {
		t.Error("always_on does not sample")
	}
	o, ok := oc.Overrides["orders"]
	if !ok || o.Metrics == nil || !*o.Metrics || o.Tracing != nil || o.ListenerSpans != nil ||
		o.DurationSampleRate == nil || *o.DurationSampleRate != 0.25 || o.Sampler == nil {
		t.Fatalf("override = %+v", o)
	}
	if o.Sampler.ShouldSample(root) {
		t.Error("always_off samples")
	}
}

func TestCloneAndEqual(t *testing.T) {
	a := config.Default()
	a.Signals = map[string]config.SignalOverride{"x": {TracesEnabled: new(false)}}
	b := a.Clone()
	if !a.Equal(b) {
		t.Fatal("a clone is not equal")
	}
	b.Signals["y"] = config.SignalOverride{}
	if _, ok := a.Signals["y"]; ok {
		t.Fatal("Clone shares the Signals map")
	}
	if !a.Equal(b) { // an empty override changes nothing
		t.Error("an empty override makes configurations differ")
	}
	b.Signals["x"] = config.SignalOverride{TracesEnabled: new(true)}
	if a.Equal(b) {
		t.Error("different overrides compare equal")
	}
	c := config.Default()
	c.SamplerArg = "1"
	if c.Equal(config.Default()) {
		t.Error("different sampler arguments compare equal")
	}
}

func TestErrorString(t *testing.T) {
	inner := errors.New("bad")
	tests := []struct {
		err  *config.Error
		want string
	}{
		{&config.Error{File: "c.yaml", Line: 3, Column: 7, Key: "traces.sampler", Err: inner}, "c.yaml:3:7: traces.sampler: bad"},
		{&config.Error{File: "c.yaml", Line: 3, Err: inner}, "c.yaml:3: bad"},
		{&config.Error{File: "c.yaml", Err: inner}, "c.yaml: bad"},
		{&config.Error{Key: config.EnvMetricsEnabled, Err: inner}, "SIGNALKIT_METRICS_ENABLED: bad"},
		{&config.Error{}, "invalid"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, config.ErrInvalid) {
			t.Errorf("%q does not wrap ErrInvalid", tt.want)
		}
		if tt.err.Err != nil && !errors.Is(tt.err, inner) {
			t.Errorf("%q does not wrap its Err", tt.want)
		}
	}
}

// TestManyProblemsAreCut checks that a document with many problems lists
// the first ten and says that there are more (the problems past the first
// few are not collected, so that a document with millions of them is
// rejected as cheaply as one with eleven; collecting them all let an alias
// bomb exhaust the memory).
func TestManyProblemsAreCut(t *testing.T) {
	var b strings.Builder
	for i := range 25 {
		b.WriteString("k")
		b.WriteString(strings.Repeat("x", i+1))
		b.WriteString(": 1\n")
	}
	_, err := config.Parse("c.yaml", []byte(b.String()), config.Default())
	if got := len(errorKeys(err)); got != 10 {
		t.Errorf("%d problems reported, want 10", got)
	}
	if !strings.Contains(err.Error(), "further problems not listed") || !errors.Is(err, config.ErrInvalid) {
		t.Errorf("error = %v", err)
	}
}
