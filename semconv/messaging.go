package semconv

import (
	"go.opentelemetry.io/otel/attribute"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// MessagingSystemValue is signalkit's value of the messaging.system
// attribute. The messaging conventions have no value for in-process
// delivery, and allow a custom one.
const MessagingSystemValue = "signalkit"

// The standard messaging attribute keys signalkit records on spans, from
// the OpenTelemetry semantic conventions v1.43.0.
const (
	// MessagingSystemKey is the messaging.system attribute key. signalkit's
	// value is [MessagingSystemValue].
	//
	// Type: enum (string)
	// Examples: "signalkit"
	// Cardinality: 1.
	MessagingSystemKey = otelsemconv.MessagingSystemKey

	// MessagingDestinationNameKey is the messaging.destination.name
	// attribute key. Its value is the signal's name, as for [SignalNameKey].
	//
	// Type: string
	// Examples: "orders.created", "unnamed"
	// Cardinality: as [SignalNameKey].
	MessagingDestinationNameKey = otelsemconv.MessagingDestinationNameKey

	// MessagingOperationTypeKey is the messaging.operation.type attribute
	// key: [MessagingOperationTypeSend] on emission spans,
	// [MessagingOperationTypeProcess] on delivery and listener spans.
	//
	// Type: enum (string)
	// Examples: "send", "process"
	// Cardinality: 2.
	MessagingOperationTypeKey = otelsemconv.MessagingOperationTypeKey

	// MessagingOperationNameKey is the messaging.operation.name attribute
	// key. Its values are [OperationEmit], [OperationTryEmit],
	// [OperationEnqueue] and [OperationProcess].
	//
	// Type: string
	// Examples: "emit", "try_emit", "enqueue", "process"
	// Cardinality: 4.
	MessagingOperationNameKey = otelsemconv.MessagingOperationNameKey
)

// Values of messaging.operation.name: the signalkit call a span describes.
const (
	// OperationEmit is the operation name of a synchronous emission.
	OperationEmit = "emit"

	// OperationTryEmit is the operation name of an emission that gives up
	// instead of waiting when it cannot be delivered at once.
	OperationTryEmit = "try_emit"

	// OperationEnqueue is the operation name of an emission queued for
	// delivery by the signal's workers.
	OperationEnqueue = "enqueue"

	// OperationProcess is the operation name of the delivery of an
	// enqueued emission by the signal's workers, and of the call of one
	// listener.
	OperationProcess = "process"
)

var (
	// MessagingSystemSignalkit is the messaging.system attribute with
	// signalkit's value, [MessagingSystemValue].
	MessagingSystemSignalkit = MessagingSystemKey.String(MessagingSystemValue)

	// MessagingOperationTypeSend is the messaging.operation.type of emission
	// spans ("send").
	MessagingOperationTypeSend = otelsemconv.MessagingOperationTypeSend

	// MessagingOperationTypeProcess is the messaging.operation.type of
	// delivery and listener spans ("process").
	MessagingOperationTypeProcess = otelsemconv.MessagingOperationTypeProcess
)

// MessagingDestinationName returns the messaging.destination.name attribute
// for the signal named name. An empty name is recorded as
// [DefaultSignalName], and bytes that are not valid UTF-8 as U+FFFD, as by
// [SignalName].
func MessagingDestinationName(name string) attribute.KeyValue {
	return otelsemconv.MessagingDestinationName(signalName(name))
}

// MessagingOperationName returns the messaging.operation.name attribute for
// operation, one of [OperationEmit], [OperationTryEmit], [OperationEnqueue]
// and [OperationProcess].
func MessagingOperationName(operation string) attribute.KeyValue {
	return otelsemconv.MessagingOperationName(operation)
}
