package config_test

import (
	"bytes"
	"errors"
	"log"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/signalkit/sdk/config"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want func(*config.Config)
	}{
		{"nothing set", nil, func(*config.Config) {}},
		{"empty values are unset", map[string]string{config.EnvMetricsEnabled: "", config.EnvSampler: "  "}, func(*config.Config) {}},
		{"every variable", map[string]string{
			config.EnvMetricsEnabled:     "FALSE",
			config.EnvDurationSampleRate: " 0.5 ",
			config.EnvTracesEnabled:      "false",
			config.EnvSampler:            "ParentBased_RateLimited",
			config.EnvSamplerArg:         "20",
			config.EnvListenerSpans:      "True",
			config.EnvCardinalityLimit:   "12",
		}, func(c *config.Config) {
			c.MetricsEnabled, c.DurationSampleRate, c.TracesEnabled = false, 0.5, false
			c.Sampler, c.SamplerArg, c.ListenerSpans, c.CardinalityLimit = "parentbased_ratelimited", "20", true, 12
		}},
		{"sampler without argument", map[string]string{config.EnvSampler: "always_on"}, func(c *config.Config) {
			c.Sampler, c.SamplerArg = "always_on", ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			base := config.Default()
			base.SamplerArg = "base"
			got, err := config.FromEnv(base)
			if err != nil {
				t.Fatal(err)
			}
			want := base.Clone()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("FromEnv =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestFromEnvErrors(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{config.EnvDurationSampleRate: "2"}, []string{`SIGNALKIT_DURATION_SAMPLE_RATE: "2" is not a fraction in [0, 1]`}},
		{map[string]string{config.EnvDurationSampleRate: "NaN"}, []string{`SIGNALKIT_DURATION_SAMPLE_RATE: "NaN" is not a fraction`}},
		{map[string]string{config.EnvCardinalityLimit: "0"}, []string{`SIGNALKIT_CARDINALITY_LIMIT: "0" is not a whole number >= 1`}},
		{map[string]string{config.EnvCardinalityLimit: "ten"}, []string{`SIGNALKIT_CARDINALITY_LIMIT: "ten"`}},
		{map[string]string{config.EnvSampler: "sometimes"}, []string{`SIGNALKIT_TRACES_SAMPLER: sampling: invalid sampler: unknown sampler name "sometimes"`}},
		{map[string]string{config.EnvSampler: "traceidratio", config.EnvSamplerArg: "5"}, []string{`SIGNALKIT_TRACES_SAMPLER_ARG: sampling: invalid sampler: traceidratio argument "5"`}},
		{map[string]string{config.EnvDurationSampleRate: "-1", config.EnvCardinalityLimit: "-1"}, []string{
			"SIGNALKIT_DURATION_SAMPLE_RATE", "\n", "SIGNALKIT_CARDINALITY_LIMIT"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(errorVars(tt.env), ","), func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := config.FromEnv(config.Default())
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("FromEnv = %+v, %v; want ErrInvalid", got, err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("error\n%s\nlacks %q", err, w)
				}
				msg = msg[i+len(w):]
			}
		})
	}
}

// TestFromEnvBooleans checks that the boolean variables read as the
// OpenTelemetry specification says: only "true", in any case, is true; any
// other value is false, with a warning unless it is "false".
func TestFromEnvBooleans(t *testing.T) {
	fields := map[string]func(config.Config) bool{
		config.EnvMetricsEnabled: func(c config.Config) bool { return c.MetricsEnabled },
		config.EnvTracesEnabled:  func(c config.Config) bool { return c.TracesEnabled },
		config.EnvListenerSpans:  func(c config.Config) bool { return c.ListenerSpans },
	}
	tests := []struct {
		value string
		want  bool
		warns bool
	}{
		{"true", true, false},
		{"TRUE", true, false},
		{" True ", true, false},
		{"false", false, false},
		{"False", false, false},
		{"yes", false, true},
		{"1", false, true},
		{"on", false, true},
		{"t", false, true},
	}
	for name, field := range fields {
		for _, tt := range tests {
			t.Run(name+"="+tt.value, func(t *testing.T) {
				clearEnv(t)
				t.Setenv(name, tt.value)
				var logs bytes.Buffer
				saved, savedOut, savedFlags := slog.Default(), log.Writer(), log.Flags()
				slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
				defer func() { // SetDefault also redirected package log
					slog.SetDefault(saved)
					log.SetOutput(savedOut)
					log.SetFlags(savedFlags)
				}()

				base := config.Default()
				base.MetricsEnabled, base.TracesEnabled, base.ListenerSpans = !tt.want, !tt.want, !tt.want
				got, err := config.FromEnv(base)
				if err != nil {
					t.Fatalf("FromEnv: %v", err)
				}
				if field(got) != tt.want {
					t.Errorf("%s=%q reads as %v, want %v", name, tt.value, field(got), tt.want)
				}
				warning := `level=WARN msg="signalkit config: a boolean variable that is not true reads as false" variable=` + name + ` value=` + strings.TrimSpace(tt.value)
				if strings.Contains(logs.String(), warning) != tt.warns {
					t.Errorf("warning logged: %v, want %v:\n%s", !tt.warns, tt.warns, logs.String())
				}
			})
		}
	}
}

func errorVars(env map[string]string) []string {
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func TestFromEnvInvalidBase(t *testing.T) {
	clearEnv(t)
	base := config.Default()
	base.DurationSampleRate = 3
	if _, err := config.FromEnv(base); !errors.Is(err, config.ErrInvalid) {
		t.Errorf("FromEnv(invalid base) = %v", err)
	}
	t.Setenv(config.EnvDurationSampleRate, "0.5")
	if _, err := config.FromEnv(base); err != nil {
		t.Errorf("FromEnv fixing the base: %v", err)
	}
}

// TestPrecedence checks the layering: defaults, then environment, then
// file, key by key.
func TestPrecedence(t *testing.T) {
	clearEnv(t)
	t.Setenv(config.EnvMetricsEnabled, "false")
	t.Setenv(config.EnvSampler, "ratelimited")
	t.Setenv(config.EnvSamplerArg, "10")
	t.Setenv(config.EnvCardinalityLimit, "50")

	env, err := config.FromEnv(config.Default())
	if err != nil {
		t.Fatal(err)
	}
	got, err := config.Parse("c.yaml", []byte("metrics: {enabled: true}\ntraces: {sampler_arg: 20}\n"), env)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Default()
	want.MetricsEnabled = true                          // file over environment
	want.Sampler, want.SamplerArg = "ratelimited", "20" // environment's sampler, file's argument
	want.CardinalityLimit = 50                          // environment over default
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}
