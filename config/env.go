package config

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
)

// msgNotBoolean is the warning for a boolean variable that is neither true
// nor false.
const msgNotBoolean = "signalkit config: a boolean variable that is not true reads as false"

// Environment variables read by [FromEnv], one per field of [Config] (see
// there). An unset or empty variable leaves the field unchanged.
const (
	EnvMetricsEnabled     = "SIGNALKIT_METRICS_ENABLED"      // true, or else false
	EnvDurationSampleRate = "SIGNALKIT_DURATION_SAMPLE_RATE" // a fraction in [0, 1]
	EnvTracesEnabled      = "SIGNALKIT_TRACES_ENABLED"       // true, or else false
	EnvSampler            = "SIGNALKIT_TRACES_SAMPLER"       // a sampler name, as OTEL_TRACES_SAMPLER
	EnvSamplerArg         = "SIGNALKIT_TRACES_SAMPLER_ARG"   // its argument, as OTEL_TRACES_SAMPLER_ARG
	EnvListenerSpans      = "SIGNALKIT_LISTENER_SPANS"       // true, or else false
	EnvCardinalityLimit   = "SIGNALKIT_CARDINALITY_LIMIT"    // a whole number >= 1
)

// envVars lists the variables in the order of the fields.
var envVars = []string{
	EnvMetricsEnabled, EnvDurationSampleRate, EnvTracesEnabled, EnvSampler,
	EnvSamplerArg, EnvListenerSpans, EnvCardinalityLimit,
}

// FromEnv returns base with the fields that the SIGNALKIT_* environment
// variables set (the Env constants). Values are trimmed of spaces; an empty
// variable is the same as an unset one. SIGNALKIT_TRACES_SAMPLER comes with
// SIGNALKIT_TRACES_SAMPLER_ARG, or no argument.
//
// Booleans read as the OpenTelemetry specification defines them for its
// own variables: "true", in any case, is true, and any other value is
// false; a value other than "true" or "false" is logged as a warning with
// [slog.Default], naming the variable, and is not an error.
//
// The variables are signalkit's own, not the standard OTEL_TRACES_SAMPLER
// and OTEL_TRACES_SAMPLER_ARG: those configure the OpenTelemetry SDK's
// sampler, which still applies to the spans of the emissions that
// signalkit's sampler selects, so reading them here as well would apply the
// same ratio twice. The OTEL_ prefix belongs to the SDK's settings.
//
// Any other invalid value returns an error wrapping [ErrInvalid] that joins
// an [*Error] per problem, each naming its variable.
func FromEnv(base Config) (Config, error) {
	return fromEnv(base, slog.Default())
}

// fromEnv is FromEnv, with the warnings logged to log.
func fromEnv(base Config, log *slog.Logger) (Config, error) {
	cfg := base.Clone()
	var errs []error
	get := func(name string) (string, bool) {
		v, ok := os.LookupEnv(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	bad := func(name, value, want string) {
		errs = append(errs, &Error{Key: name, Err: fmt.Errorf("%q is not %s", value, want)})
	}
	boolean := func(name string, dst *bool) {
		if v, ok := get(name); ok {
			*dst = strings.EqualFold(v, "true")
			if !*dst && !strings.EqualFold(v, "false") {
				log.Warn(msgNotBoolean, slog.String("variable", name), slog.String("value", v))
			}
		}
	}
	boolean(EnvMetricsEnabled, &cfg.MetricsEnabled)
	boolean(EnvTracesEnabled, &cfg.TracesEnabled)
	boolean(EnvListenerSpans, &cfg.ListenerSpans)
	if v, ok := get(EnvDurationSampleRate); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || f < 0 || f > 1 {
			bad(EnvDurationSampleRate, v, "a fraction in [0, 1]")
		} else {
			cfg.DurationSampleRate = f
		}
	}
	if v, ok := get(EnvCardinalityLimit); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad(EnvCardinalityLimit, v, "a whole number >= 1")
		} else {
			cfg.CardinalityLimit = n
		}
	}
	name, nameSet := get(EnvSampler)
	arg, argSet := get(EnvSamplerArg)
	if nameSet {
		cfg.Sampler = strings.ToLower(name)
	}
	if nameSet || argSet {
		cfg.SamplerArg = arg
	}
	if len(errs) > 0 {
		return Config{}, joinErrors(errs)
	}
	if _, err := cfg.otel(nil); err != nil {
		return Config{}, envKeys(err)
	}
	return cfg, nil
}

// envKeys renames the keys of the *Errors in err to their variables.
func envKeys(err error) error {
	rename := map[string]string{
		fieldSampler:    EnvSampler,
		fieldSamplerArg: EnvSamplerArg,
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok && !isError(err) {
		errs = j.Unwrap()
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		if ce, ok := e.(*Error); ok {
			c := *ce
			if v, ok := rename[c.Key]; ok {
				c.Key = v
			}
			e = &c
		}
		out = append(out, e)
	}
	return joinErrors(out)
}

// setEnv returns the SIGNALKIT_* variables that are set, as NAME=value,
// for the audit log.
func setEnv() []string {
	var out []string
	for _, name := range envVars {
		if v, ok := os.LookupEnv(name); ok && strings.TrimSpace(v) != "" {
			out = append(out, name+"="+v)
		}
	}
	return out
}
