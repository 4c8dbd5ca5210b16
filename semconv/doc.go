// Package semconv is the single place for every telemetry name signalkit
// emits: attribute keys and values, metric names, units and descriptions,
// histogram bucket boundaries and span names.
//
// It follows the shape of the OpenTelemetry semantic convention packages
// (go.opentelemetry.io/otel/semconv/v1.43.0): [attribute.Key] constants,
// typed constructors returning [attribute.KeyValue], ready-made KeyValues for
// enumerated values, and constants for metric names, units and descriptions.
// The package has no state and starts no goroutines; everything in it is safe
// for concurrent use. It depends on the OpenTelemetry API only.
//
// The generated reference docs/semconv.md lists every attribute, metric
// (with the names the OpenTelemetry Prometheus exporter gives them) and span.
// A test fails when it is out of date; regenerate it with
//
//	go generate ./semconv
//
// # Conventions followed
//
// signalkit describes a signal as an in-process messaging destination, so its
// spans follow the OpenTelemetry messaging conventions of [SchemaURL]:
//
//   - An emission span is named "{operation} {signal}" by [SpanName], has
//     kind [EmissionSpanKind] (PRODUCER) and carries messaging.system
//     ([MessagingSystemSignalkit]), messaging.destination.name
//     ([MessagingDestinationName]), messaging.operation.type
//     ([MessagingOperationTypeSend]), messaging.operation.name
//     ([OperationEmit], [OperationTryEmit] or [OperationEnqueue]),
//     [SignalKindKey] and [ListenerCountKey]. A failed emission also carries
//     [ErrorTypeKey] and has status Error.
//   - The delivery of an enqueued emission by the signal's workers has a
//     span named "process {signal}", of kind [ListenerSpanKind] (CONSUMER),
//     with messaging.operation.type [MessagingOperationTypeProcess],
//     messaging.operation.name [OperationProcess] and [ListenerCountKey]. It
//     is a child of the enqueue span and has a span link to it: the enqueue
//     span's context is the emission's creation context, which the messaging
//     conventions ask a process span to link to.
//   - A listener span is named "process {signal}", has kind
//     [ListenerSpanKind] (CONSUMER), messaging.operation.type
//     [MessagingOperationTypeProcess], messaging.operation.name
//     [OperationProcess], and [ListenerKeyKey] when the listener was
//     registered with a key and the instrumentation was asked to record it.
//
// Departures from the messaging conventions: messaging.system has no
// registered value for in-process delivery, so signalkit uses its own,
// [MessagingSystemValue]; the spans describe in-process calls, never network
// transfers, so there are no server.* or network.* attributes; emissions have
// no identity, so there is no messaging.message.id.
//
// # Cardinality
//
// Every attribute recorded on a metric has bounded cardinality. Signal names
// are expected to be few and static (like metric names); the instrumentation
// records an unnamed signal as [DefaultSignalName] and, once its limit of
// distinct names is reached, further names as [OverflowSignalName].
// [ListenerKeyKey] is unbounded and is therefore recorded only on spans, and
// only when enabled. [ErrorTypeKey] holds a class of error, never an error
// message: the error's own name for its class, its Go type, or
// [ErrorTypeOther] for the standard library's generic error types
// ([ErrorTypeOf]). String values that come from the application are recorded
// as valid UTF-8, each run of invalid bytes replaced by U+FFFD.
//
// # Stability
//
// Names in this package are part of signalkit's public contract: dashboards
// and alerts depend on them. A name changes only in a new major version.
package semconv

//go:generate go test -run=^TestDocsUpToDate$ -update .
