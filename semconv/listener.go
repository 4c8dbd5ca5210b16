package semconv

import "go.opentelemetry.io/otel/attribute"

const (
	// ListenerKeyKey is the attribute key of the key a listener was
	// registered with.
	//
	// Type: string
	// Examples: "audit", "cache-invalidator"
	// Cardinality: unbounded (keys are chosen by the application). It is
	// recorded only on listener spans, and only when the instrumentation is
	// configured to record it; it is off by default and never a metric
	// attribute.
	ListenerKeyKey = attribute.Key("signals.listener.key")

	// ListenerChangeKey is the attribute key of the kind of change made to a
	// signal's set of listeners. Its values are [ListenerChangeAdd],
	// [ListenerChangeRemove], [ListenerChangeReset],
	// [ListenerChangeOnceFired], [ListenerChangeDisable] and
	// [ListenerChangeEnable].
	//
	// Type: enum (string)
	// Examples: "add", "remove", "once_fired"
	// Cardinality: 6.
	ListenerChangeKey = attribute.Key("signals.listener.change")

	// ListenerStateKey is the attribute key of the state of a registered
	// listener: [ListenerStateEnabled], or [ListenerStateDisabled] after the
	// circuit breaker disabled it. It is an attribute of the
	// [ListenersName] metric, so that the metric tells how many listeners
	// are disabled now: a listener that is removed, or whose signal is reset,
	// is no longer counted in either state.
	//
	// Type: enum (string)
	// Examples: "enabled", "disabled"
	// Cardinality: 2.
	ListenerStateKey = attribute.Key("signals.listener.state")

	// ListenerCountKey is the attribute key of the number of listeners an
	// emission is delivered to. It is a span attribute of emission spans.
	//
	// Type: int
	// Examples: 0, 1, 12
	// Cardinality: unbounded; never a metric attribute.
	ListenerCountKey = attribute.Key("signals.listener.count")
)

var (
	// ListenerChangeAdd is the [ListenerChangeKey] value of a listener
	// registration.
	ListenerChangeAdd = ListenerChangeKey.String("add")

	// ListenerChangeRemove is the [ListenerChangeKey] value of the removal of
	// one listener.
	ListenerChangeRemove = ListenerChangeKey.String("remove")

	// ListenerChangeReset is the [ListenerChangeKey] value of the removal of
	// all of a signal's listeners at once.
	ListenerChangeReset = ListenerChangeKey.String("reset")

	// ListenerChangeOnceFired is the [ListenerChangeKey] value of the removal
	// of a one-shot listener after its only call.
	ListenerChangeOnceFired = ListenerChangeKey.String("once_fired")

	// ListenerChangeDisable is the [ListenerChangeKey] value of a listener
	// being disabled: it stays registered but is not called.
	ListenerChangeDisable = ListenerChangeKey.String("disable")

	// ListenerChangeEnable is the [ListenerChangeKey] value of a disabled
	// listener being enabled again.
	ListenerChangeEnable = ListenerChangeKey.String("enable")
)

var (
	// ListenerStateEnabled is the [ListenerStateKey] value of a listener that
	// receives emissions.
	ListenerStateEnabled = ListenerStateKey.String("enabled")

	// ListenerStateDisabled is the [ListenerStateKey] value of a listener that
	// the circuit breaker disabled: it stays registered but is not called
	// until it is enabled again.
	ListenerStateDisabled = ListenerStateKey.String("disabled")
)

// ListenerKey returns the [ListenerKeyKey] attribute for a listener
// registered with key, with bytes that are not valid UTF-8 replaced by
// U+FFFD. Record it on spans only: it is unbounded.
func ListenerKey(key string) attribute.KeyValue {
	return ListenerKeyKey.String(valid(key))
}

// ListenerCount returns the [ListenerCountKey] attribute for an emission
// delivered to n listeners.
func ListenerCount(n int) attribute.KeyValue {
	return ListenerCountKey.Int(n)
}
