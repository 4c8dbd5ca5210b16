package semconv

import "go.opentelemetry.io/otel/attribute"

// DropReasonKey is the attribute key of the reason an enqueued emission was
// dropped before delivery. Its values are [DropReasonQueueFull] and
// [DropReasonClosed].
//
// Type: enum (string)
// Examples: "queue_full", "closed"
// Cardinality: 2.
const DropReasonKey = attribute.Key("signals.drop.reason")

var (
	// DropReasonQueueFull is the [DropReasonKey] value of an emission dropped
	// because the signal's queue was full.
	DropReasonQueueFull = DropReasonKey.String("queue_full")

	// DropReasonClosed is the [DropReasonKey] value of an emission dropped
	// because the signal was closed before the emission was delivered.
	DropReasonClosed = DropReasonKey.String("closed")
)
