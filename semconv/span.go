package semconv

import "go.opentelemetry.io/otel/trace"

const (
	// EmissionSpanKind is the kind of an emission span: the emitter hands an
	// emission to listeners, as a producer hands a message to a destination.
	EmissionSpanKind = trace.SpanKindProducer

	// ListenerSpanKind is the kind of a listener span ("process {signal}"):
	// the listener consumes an emission.
	ListenerSpanKind = trace.SpanKindConsumer
)

// SpanName returns the name of a span for operation on the signal named
// signal: "{operation} {signal}", as the messaging conventions name spans
// "{messaging.operation.name} {destination}". Examples: "emit orders.created",
// "enqueue unnamed", "process orders.created".
//
// Pass the name recorded as [SignalNameKey] (with [OverflowSignalName]
// applied) so that span names stay low-cardinality. An empty signal is
// recorded as [DefaultSignalName]; bytes that are not valid UTF-8 become
// U+FFFD.
func SpanName(operation, signal string) string {
	return valid(operation) + " " + signalName(signal)
}
