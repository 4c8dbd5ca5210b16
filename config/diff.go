package config

import (
	"log/slog"
	"maps"
	"slices"
)

// change is one setting that differs between two configurations.
type change struct {
	key      string
	old, new any // bool, float64, int, string, or unset for a nil override field
}

// unset is the value logged for a field of a SignalOverride that is not set.
const unset = "unset"

// diff returns the settings that differ between old and new, in the order
// of the file's keys, overrides sorted by signal name.
func diff(old, new Config) []change {
	var out []change
	add := func(key string, o, n any) {
		if o != n {
			out = append(out, change{key, o, n})
		}
	}
	add(fieldMetricsEnabled, old.MetricsEnabled, new.MetricsEnabled)
	add(fieldDurationSampleRate, old.DurationSampleRate, new.DurationSampleRate)
	add(fieldTracesEnabled, old.TracesEnabled, new.TracesEnabled)
	add(fieldSampler, old.Sampler, new.Sampler)
	add(fieldSamplerArg, str(old.SamplerArg), str(new.SamplerArg))
	add(fieldListenerSpans, old.ListenerSpans, new.ListenerSpans)
	add(fieldCardinalityLimit, old.CardinalityLimit, new.CardinalityLimit)

	names := slices.Sorted(maps.Keys(old.Signals))
	for n := range new.Signals {
		if _, ok := old.Signals[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		o, n := old.Signals[name], new.Signals[name]
		add(signalKey(name, fieldMetricsEnabled), ptr(o.MetricsEnabled), ptr(n.MetricsEnabled))
		add(signalKey(name, fieldDurationSampleRate), ptr(o.DurationSampleRate), ptr(n.DurationSampleRate))
		add(signalKey(name, fieldTracesEnabled), ptr(o.TracesEnabled), ptr(n.TracesEnabled))
		add(signalKey(name, fieldSampler), str(o.Sampler), str(n.Sampler))
		add(signalKey(name, fieldSamplerArg), str(o.SamplerArg), str(n.SamplerArg))
		add(signalKey(name, fieldListenerSpans), ptr(o.ListenerSpans), ptr(n.ListenerSpans))
	}
	return out
}

// ptr returns *p, or unset for nil.
func ptr[T any](p *T) any {
	if p == nil {
		return unset
	}
	return *p
}

// str returns s, or unset for "".
func str(s string) any {
	if s == "" {
		return unset
	}
	return s
}

// changesAttr returns the audit log attribute of changes: a group with a
// group of old and new values per key.
func changesAttr(changes []change) slog.Attr {
	attrs := make([]any, 0, len(changes))
	for _, c := range changes {
		attrs = append(attrs, slog.Group(c.key, slog.Any("old", c.old), slog.Any("new", c.new)))
	}
	return slog.Group("changes", attrs...)
}
