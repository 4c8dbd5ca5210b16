package semconv

import "go.opentelemetry.io/otel/attribute"

const (
	// SignalNameKey is the attribute key of the name of the signal an
	// emission, listener or queue belongs to.
	//
	// Type: string
	// Examples: "orders.created", "config.reloaded", "unnamed", "_OTHER"
	// Cardinality: bounded. Names should be static, like metric names. An
	// unnamed signal is recorded as [DefaultSignalName]; names beyond the
	// instrumentation's limit of distinct names are recorded as
	// [OverflowSignalName].
	SignalNameKey = attribute.Key("signals.name")

	// SignalKindKey is the attribute key of the kind of a signal: whether its
	// listeners run on the emitting goroutine or on a worker pool. Its values
	// are [SignalKindSync] and [SignalKindAsync].
	//
	// Type: enum (string)
	// Examples: "sync", "async"
	// Cardinality: 2.
	SignalKindKey = attribute.Key("signals.kind")
)

const (
	// DefaultSignalName is the value of [SignalNameKey] (and of
	// messaging.destination.name and the span name) for a signal that has
	// no name.
	DefaultSignalName = "unnamed"

	// OverflowSignalName is the value of [SignalNameKey] for signals whose
	// names exceed the instrumentation's limit of distinct names. It matches
	// the "_OTHER" overflow value used throughout the OpenTelemetry
	// semantic conventions.
	OverflowSignalName = "_OTHER"
)

var (
	// SignalKindSync is the [SignalKindKey] value of a synchronous signal,
	// whose listeners run on the emitting goroutine.
	SignalKindSync = SignalKindKey.String("sync")

	// SignalKindAsync is the [SignalKindKey] value of an asynchronous signal,
	// whose listeners run on worker goroutines.
	SignalKindAsync = SignalKindKey.String("async")
)

// SignalName returns the [SignalNameKey] attribute for a signal named name.
// An empty name is recorded as [DefaultSignalName], and bytes that are not
// valid UTF-8 as U+FFFD. The caller applies the cardinality limit
// ([OverflowSignalName]) before calling SignalName.
func SignalName(name string) attribute.KeyValue {
	return SignalNameKey.String(signalName(name))
}

// signalName substitutes DefaultSignalName for an empty name, and U+FFFD
// for bytes that are not valid UTF-8.
func signalName(name string) string {
	if name == "" {
		return DefaultSignalName
	}
	return valid(name)
}
