package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
)

// Config is the runtime configuration of the signals instrumented with
// package otelsignals: what a configuration file or the environment holds.
// Each field names the key that sets it in a file and the environment
// variable that sets it; see the package documentation for both.
//
// [Default] returns the defaults. The zero Config is not valid (its
// Sampler is empty and its CardinalityLimit 0): start from Default. A Config
// is a value; [Config.Clone] copies its Signals map, which is otherwise
// shared between copies.
type Config struct {
	// MetricsEnabled switches metrics on (key metrics.enabled, variable
	// SIGNALKIT_METRICS_ENABLED). Default true.
	MetricsEnabled bool

	// DurationSampleRate is the fraction of emissions whose durations are
	// measured, in [0, 1] (key metrics.duration_sample_rate, variable
	// SIGNALKIT_DURATION_SAMPLE_RATE). Default 0.01.
	DurationSampleRate float64

	// TracesEnabled switches spans on (key traces.enabled, variable
	// SIGNALKIT_TRACES_ENABLED). Default true.
	TracesEnabled bool

	// Sampler names the sampler that decides which emissions are traced,
	// as [sampling.Parse] accepts it: always_on, always_off, traceidratio,
	// parentbased_always_on, parentbased_always_off,
	// parentbased_traceidratio, ratelimited or parentbased_ratelimited (key
	// traces.sampler, variable SIGNALKIT_TRACES_SAMPLER). It must not be
	// empty. Default parentbased_always_off: emissions are traced inside
	// sampled traces only.
	Sampler string

	// SamplerArg is the sampler's argument: a probability for the ratio
	// samplers, emissions per second for the rate-limited ones (key
	// traces.sampler_arg, variable SIGNALKIT_TRACES_SAMPLER_ARG).
	// Default empty.
	SamplerArg string

	// ListenerSpans gives every listener call of a traced emission a span of
	// its own (key traces.listener_spans, variable
	// SIGNALKIT_LISTENER_SPANS). Default false.
	ListenerSpans bool

	// CardinalityLimit is the number of distinct signal names recorded;
	// further names are recorded as "_OTHER" (key cardinality_limit,
	// variable SIGNALKIT_CARDINALITY_LIMIT). At least 1; default 100.
	// It is fixed when the signals are instrumented: a [Manager] keeps the
	// value it started with and logs a warning when a new configuration
	// changes it.
	CardinalityLimit int

	// Signals are settings for single signals, by the name they are
	// instrumented with (key signals). They take precedence over the fields
	// above. Nil means none.
	Signals map[string]SignalOverride
}

// SignalOverride holds the settings of one signal that differ from the
// global ones in [Config]. A nil pointer or an empty string leaves the
// signal with the global value, so the zero SignalOverride changes nothing.
// In a file, its keys are those of Config under signals.NAME.
type SignalOverride struct {
	MetricsEnabled     *bool    // key signals.NAME.metrics.enabled; nil: global value
	DurationSampleRate *float64 // key signals.NAME.metrics.duration_sample_rate, in [0, 1]; nil: global value
	TracesEnabled      *bool    // key signals.NAME.traces.enabled; nil: global value
	Sampler            string   // key signals.NAME.traces.sampler; empty: global sampler
	SamplerArg         string   // key signals.NAME.traces.sampler_arg; needs Sampler
	ListenerSpans      *bool    // key signals.NAME.traces.listener_spans; nil: global value
}

// Defaults of [Default].
const (
	// DefaultSampler is the default [Config.Sampler]: emissions are traced
	// when they are made inside a sampled trace, and never otherwise, as
	// [otelsignals.DefaultConfig] does.
	DefaultSampler = "parentbased_always_off"

	// DefaultCardinalityLimit is the default [Config.CardinalityLimit].
	DefaultCardinalityLimit = otelsignals.DefaultCardinalityLimit
)

// Default returns the default configuration: the settings of
// [otelsignals.DefaultConfig] (metrics and tracing on, sampler
// parentbased_always_off, no listener spans, duration sample rate 0.01)
// and a cardinality limit of 100.
func Default() Config {
	return Config{
		MetricsEnabled:     true,
		DurationSampleRate: otelsignals.DefaultDurationSampleRate,
		TracesEnabled:      true,
		Sampler:            DefaultSampler,
		CardinalityLimit:   DefaultCardinalityLimit,
	}
}

// Clone returns a copy of c with its own Signals map.
func (c Config) Clone() Config {
	c.Signals = maps.Clone(c.Signals)
	return c
}

// Equal reports whether c and d hold the same settings.
func (c Config) Equal(d Config) bool {
	return len(diff(c, d)) == 0
}

// Keys of a configuration file, also used to name fields in errors and in
// the audit log.
const (
	keyMetrics            = "metrics"
	keyTraces             = "traces"
	keySignals            = "signals"
	keyCardinalityLimit   = "cardinality_limit"
	keyEnabled            = "enabled"
	keyDurationSampleRate = "duration_sample_rate"
	keySampler            = "sampler"
	keySamplerArg         = "sampler_arg"
	keyListenerSpans      = "listener_spans"
)

// Full keys of the fields of Config.
const (
	fieldMetricsEnabled     = keyMetrics + "." + keyEnabled
	fieldDurationSampleRate = keyMetrics + "." + keyDurationSampleRate
	fieldTracesEnabled      = keyTraces + "." + keyEnabled
	fieldSampler            = keyTraces + "." + keySampler
	fieldSamplerArg         = keyTraces + "." + keySamplerArg
	fieldListenerSpans      = keyTraces + "." + keyListenerSpans
	fieldCardinalityLimit   = keyCardinalityLimit
)

// signalKey returns the key of a signal's override, "signals[NAME]", with
// ".field" if field is not empty.
func signalKey(name, field string) string {
	k := keySignals + "[" + name + "]"
	if field != "" {
		k += "." + field
	}
	return k
}

// Validate returns nil if c is a valid configuration, and otherwise an
// error wrapping [ErrInvalid] that joins an [*Error] per problem, each
// naming its key: a DurationSampleRate outside [0, 1] or NaN, an empty or
// unknown Sampler or an invalid SamplerArg (see [sampling.Parse]), a
// CardinalityLimit below 1, and in Signals an empty name, an invalid rate
// or sampler, or a SamplerArg without a Sampler.
func (c Config) Validate() error {
	_, err := c.otel(nil)
	return err
}

// OTel returns c as the [otelsignals.Config] to pass to
// [otelsignals.Settings.Apply], with its samplers built by [sampling.Parse],
// or the error of [Config.Validate]. CardinalityLimit has no counterpart in
// otelsignals.Config: pass it to [otelsignals.Instrument] with
// [otelsignals.WithCardinalityLimit] (see [Manager.InstrumentOptions]).
func (c Config) OTel() (otelsignals.Config, error) {
	return c.otel(nil)
}

// samplerCache returns a sampler built earlier for a name and argument, so
// that a stateful sampler (a rate limiter) survives a reload that does not
// change it.
// signal is the name of the signal whose override the sampler is, or ""
// for the global sampler.
type samplerCache func(signal, name, arg string) (sampling.Sampler, bool)

// otel validates c and converts it, taking unchanged samplers from cache if
// it is not nil.
func (c Config) otel(cache samplerCache) (otelsignals.Config, error) {
	var errs []error
	bad := func(key string, err error) {
		errs = append(errs, &Error{Key: key, Err: err})
	}
	sampler := func(signal, nameKey, argKey, name, arg string) sampling.Sampler {
		if cache != nil {
			if s, ok := cache(signal, name, arg); ok {
				return s
			}
		}
		s, err := sampling.Parse(name, arg)
		if err != nil {
			// Every known sampler accepts the argument 1: if the name is
			// fine with it, the argument is the problem.
			key := nameKey
			if _, e := sampling.Parse(name, "1"); e == nil && arg != "" {
				key = argKey
			}
			bad(key, err)
		}
		return s
	}

	oc := otelsignals.Config{
		Metrics:            c.MetricsEnabled,
		Tracing:            c.TracesEnabled,
		ListenerSpans:      c.ListenerSpans,
		DurationSampleRate: c.DurationSampleRate,
	}
	if err := checkRate(c.DurationSampleRate); err != nil {
		bad(fieldDurationSampleRate, err)
	}
	oc.Sampler = sampler("", fieldSampler, fieldSamplerArg, c.Sampler, c.SamplerArg)
	if c.CardinalityLimit < 1 {
		bad(fieldCardinalityLimit, fmt.Errorf("%d is not a number of names >= 1", c.CardinalityLimit))
	}
	for _, name := range slices.Sorted(maps.Keys(c.Signals)) {
		o := c.Signals[name]
		if name == "" {
			bad(keySignals, errors.New("empty signal name"))
			continue
		}
		oo := otelsignals.Override{
			Metrics:            o.MetricsEnabled,
			Tracing:            o.TracesEnabled,
			ListenerSpans:      o.ListenerSpans,
			DurationSampleRate: o.DurationSampleRate,
		}
		if o.DurationSampleRate != nil {
			if err := checkRate(*o.DurationSampleRate); err != nil {
				bad(signalKey(name, fieldDurationSampleRate), err)
			}
		}
		switch {
		case o.Sampler != "":
			oo.Sampler = sampler(name, signalKey(name, fieldSampler), signalKey(name, fieldSamplerArg), o.Sampler, o.SamplerArg)
		case o.SamplerArg != "":
			bad(signalKey(name, fieldSamplerArg), errors.New("set without "+keyTraces+"."+keySampler))
		}
		if oc.Overrides == nil {
			oc.Overrides = make(map[string]otelsignals.Override, len(c.Signals))
		}
		oc.Overrides[name] = oo
	}
	if len(errs) > 0 {
		return otelsignals.Config{}, joinErrors(errs)
	}
	// The checks above cover otelsignals' own; this keeps the two in step.
	if err := oc.Validate(); err != nil {
		return otelsignals.Config{}, &Error{Err: err}
	}
	return oc, nil
}

// checkRate returns an error if rate is not in [0, 1].
func checkRate(rate float64) error {
	if math.IsNaN(rate) || rate < 0 || rate > 1 {
		return fmt.Errorf("%v is not a fraction in [0, 1]", rate)
	}
	return nil
}
