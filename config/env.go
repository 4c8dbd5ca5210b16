package config

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Environment variables read by [FromEnv], one per field of [Config] (see
// there). An unset or empty variable leaves the field unchanged.
const (
	EnvMetricsEnabled     = "OTEL_SIGNALS_METRICS_ENABLED"      // true or false
	EnvDurationSampleRate = "OTEL_SIGNALS_DURATION_SAMPLE_RATE" // a fraction in [0, 1]
	EnvTracesEnabled      = "OTEL_SIGNALS_TRACES_ENABLED"       // true or false
	EnvSampler            = "OTEL_SIGNALS_TRACES_SAMPLER"       // a sampler name, as OTEL_TRACES_SAMPLER
	EnvSamplerArg         = "OTEL_SIGNALS_TRACES_SAMPLER_ARG"   // its argument, as OTEL_TRACES_SAMPLER_ARG
	EnvListenerSpans      = "OTEL_SIGNALS_LISTENER_SPANS"       // true or false
	EnvCardinalityLimit   = "OTEL_SIGNALS_CARDINALITY_LIMIT"    // a whole number >= 1
)

// envVars lists the variables in the order of the fields.
var envVars = []string{
	EnvMetricsEnabled, EnvDurationSampleRate, EnvTracesEnabled, EnvSampler,
	EnvSamplerArg, EnvListenerSpans, EnvCardinalityLimit,
}

// FromEnv returns base with the fields that the OTEL_SIGNALS_* environment
// variables set (the Env constants). Booleans are true or false, in any
// case; values are trimmed of spaces; an empty variable is the same as an
// unset one. OTEL_SIGNALS_TRACES_SAMPLER comes with
// OTEL_SIGNALS_TRACES_SAMPLER_ARG, or no argument.
//
// The variables are signalkit's own, not the standard OTEL_TRACES_SAMPLER
// and OTEL_TRACES_SAMPLER_ARG: those configure the OpenTelemetry SDK's
// sampler, which still applies to the spans of the emissions that
// signalkit's sampler selects, so reading them here as well would apply the
// same ratio twice.
//
// An invalid value returns an error wrapping [ErrInvalid] that joins an
// [*Error] per problem, each naming its variable. (The OpenTelemetry
// specification reads a boolean variable that is not "true" as false; a
// typo here is an error rather than silently switching metrics off.)
func FromEnv(base Config) (Config, error) {
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
			switch strings.ToLower(v) {
			case "true":
				*dst = true
			case "false":
				*dst = false
			default:
				bad(name, v, "true or false")
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

// setEnv returns the OTEL_SIGNALS_* variables that are set, as NAME=value,
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
