package semconv

import (
	"go.opentelemetry.io/otel/attribute"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// This file holds the names of the NATS JetStream bridge (module
// github.com/signalkit/sdk/natssignals), which forwards the emissions of a
// local signal to a NATS subject and emits the messages of a durable
// JetStream consumer into a local signal. Unlike an emission, a message
// crosses the network, so the bridge records the standard messaging
// attributes and metrics of the OpenTelemetry semantic conventions
// (messaging.client.sent.messages, messaging.client.consumed.messages,
// messaging.client.operation.duration, messaging.process.duration), and
// signalkit's own metrics (signals.nats.*) for what they do not cover: the
// publish buffer, retries, duplicates, dead letters and consumer lag.

// MessagingSystemNATSValue is the messaging.system value of the NATS bridge.
// The semantic conventions v1.43.0 register no value for NATS, and allow a
// custom one; "nats" is what the NATS ecosystem calls itself.
const MessagingSystemNATSValue = "nats"

// MessagingSystemNATS is the messaging.system attribute of the NATS bridge's
// spans and metrics.
var MessagingSystemNATS = MessagingSystemKey.String(MessagingSystemNATSValue)

// OperationPublish is the messaging.operation.name of the bridge's publish
// spans and metrics: the JetStream publish of one message, of operation type
// send ([MessagingOperationTypeSend]). The bridge's consumer side uses
// [OperationProcess].
const OperationPublish = "publish"

// Standard messaging attribute keys the NATS bridge records, from the
// OpenTelemetry semantic conventions v1.43.0.
const (
	// MessagingMessageIDKey is the messaging.message.id attribute key: the
	// message's Nats-Msg-Id header, which JetStream deduplicates on.
	//
	// Type: string
	// Examples: "hZ4aYyQ1oG5pWmDq0Ckf3B.42", "order-A-1"
	// Cardinality: unbounded; spans only.
	MessagingMessageIDKey = otelsemconv.MessagingMessageIDKey

	// MessagingMessageBodySizeKey is the messaging.message.body.size
	// attribute key: the size of the encoded payload in bytes.
	//
	// Type: int
	// Examples: 1024
	// Cardinality: unbounded; spans only.
	MessagingMessageBodySizeKey = otelsemconv.MessagingMessageBodySizeKey

	// MessagingConsumerGroupNameKey is the messaging.consumer.group.name
	// attribute key: the name of the durable JetStream consumer, which every
	// subscriber bound to it shares, as the members of a consumer group do.
	//
	// Type: string
	// Examples: "billing", "worker"
	// Cardinality: bounded by the application's consumers.
	MessagingConsumerGroupNameKey = otelsemconv.MessagingConsumerGroupNameKey

	// ServerAddressKey is the server.address attribute key: the host of the
	// NATS server the connection is connected to when the span starts.
	//
	// Type: string
	// Examples: "127.0.0.1", "nats.example.com"
	// Cardinality: bounded by the servers of the cluster; spans only.
	ServerAddressKey = otelsemconv.ServerAddressKey

	// ServerPortKey is the server.port attribute key: the port of that
	// server.
	//
	// Type: int
	// Examples: 4222
	// Cardinality: bounded; spans only.
	ServerPortKey = otelsemconv.ServerPortKey
)

// signalkit's own attribute keys for the NATS bridge.
const (
	// NATSDeliveryCountKey is the attribute key of the number of times
	// JetStream has delivered the message, this delivery included (1 on the
	// first delivery).
	//
	// Type: int
	// Examples: 1, 3
	// Cardinality: bounded by the subscriber's MaxDeliver; spans only.
	NATSDeliveryCountKey = attribute.Key("signals.nats.delivery_count")

	// NATSSettlementKey is the attribute key of how a processed message was
	// settled: acknowledged ([NATSSettlementAck]), negatively acknowledged
	// for a later redelivery ([NATSSettlementNak]), or moved to the
	// dead-letter subject and terminated ([NATSSettlementDeadLetter]).
	//
	// Type: enum (string)
	// Examples: "ack", "nak", "dead_letter"
	// Cardinality: 3; spans only.
	NATSSettlementKey = attribute.Key("signals.nats.settlement")

	// NATSDeadLetterReasonKey is the attribute key of why a message went to
	// the dead-letter subject: its payload did not decode
	// ([NATSDeadLetterReasonDecode]), or its listeners still failed on its
	// last allowed delivery ([NATSDeadLetterReasonMaxDeliver]).
	//
	// Type: enum (string)
	// Examples: "decode", "max_deliver"
	// Cardinality: 2.
	NATSDeadLetterReasonKey = attribute.Key("signals.nats.dead_letter.reason")

	// NATSPublishAttemptsKey is the attribute key of how many times the
	// publisher published a message: on a publish span whose message needed
	// more than one attempt, and on each of its "retry" events.
	//
	// Type: int
	// Examples: 2, 10
	// Cardinality: bounded by the publisher's attempts; spans only.
	NATSPublishAttemptsKey = attribute.Key("signals.nats.publish.attempts")

	// NATSDuplicateKey is the attribute key of whether JetStream
	// acknowledged a published message as a duplicate of one it stored
	// within its duplicate window (same Nats-Msg-Id), and did not store it
	// again.
	//
	// Type: boolean
	// Examples: false, true
	// Cardinality: 2; spans only.
	NATSDuplicateKey = attribute.Key("signals.nats.duplicate")
)

var (
	// NATSSettlementAck is the [NATSSettlementKey] value of a message whose
	// listeners succeeded: it was acknowledged.
	NATSSettlementAck = NATSSettlementKey.String("ack")

	// NATSSettlementNak is the [NATSSettlementKey] value of a message whose
	// listeners failed before its last allowed delivery: it was negatively
	// acknowledged with a delay, for a redelivery.
	NATSSettlementNak = NATSSettlementKey.String("nak")

	// NATSSettlementDeadLetter is the [NATSSettlementKey] value of a message
	// published to the dead-letter subject and then terminated.
	NATSSettlementDeadLetter = NATSSettlementKey.String("dead_letter")

	// NATSDeadLetterReasonDecode is the [NATSDeadLetterReasonKey] value of a
	// message whose payload the codec could not decode. It never reaches a
	// listener.
	NATSDeadLetterReasonDecode = NATSDeadLetterReasonKey.String("decode")

	// NATSDeadLetterReasonMaxDeliver is the [NATSDeadLetterReasonKey] value
	// of a message whose listeners failed on its last allowed delivery.
	NATSDeadLetterReasonMaxDeliver = NATSDeadLetterReasonKey.String("max_deliver")
)

const (
	// NATSPublishSpanKind is the kind of the bridge's publish span
	// ("publish {subject}"): its context is the message's creation context,
	// injected into the message, so the conventions make it a PRODUCER.
	NATSPublishSpanKind = trace.SpanKindProducer

	// NATSProcessSpanKind is the kind of the bridge's process span
	// ("process {subject}"): JetStream pushes the message to the bridge's
	// callback, a push-based scenario without a receive span, so the
	// conventions make it a CONSUMER.
	NATSProcessSpanKind = trace.SpanKindConsumer
)

// MessagingMessageID returns the messaging.message.id attribute for id.
func MessagingMessageID(id string) attribute.KeyValue {
	return otelsemconv.MessagingMessageID(id)
}

// MessagingMessageBodySize returns the messaging.message.body.size attribute
// for a payload of n bytes.
func MessagingMessageBodySize(n int) attribute.KeyValue {
	return otelsemconv.MessagingMessageBodySize(n)
}

// MessagingConsumerGroupName returns the messaging.consumer.group.name
// attribute for the durable consumer named name.
func MessagingConsumerGroupName(name string) attribute.KeyValue {
	return otelsemconv.MessagingConsumerGroupName(name)
}

// NATSDeliveryCount returns the [NATSDeliveryCountKey] attribute for the
// n-th delivery of a message.
func NATSDeliveryCount(n int) attribute.KeyValue {
	return NATSDeliveryCountKey.Int(n)
}

// NATSPublishAttempts returns the [NATSPublishAttemptsKey] attribute for n
// attempts.
func NATSPublishAttempts(n int) attribute.KeyValue {
	return NATSPublishAttemptsKey.Int(n)
}

// Names, units and descriptions of the NATS bridge's metrics. [NATSMetrics]
// lists them with their instruments and attributes. The first four are the
// standard messaging metrics of the semantic conventions v1.43.0, with their
// names, units and descriptions.
const (
	// MessagingClientSentMessagesName is the name of the standard counter of
	// messages the producer attempted to send, counted when JetStream
	// acknowledged the message or when the bridge gave up on it.
	MessagingClientSentMessagesName = "messaging.client.sent.messages"
	// MessagingClientSentMessagesUnit is the unit of
	// [MessagingClientSentMessagesName].
	MessagingClientSentMessagesUnit = "{message}"
	// MessagingClientSentMessagesDescription is the description of
	// [MessagingClientSentMessagesName].
	MessagingClientSentMessagesDescription = "Number of messages producer attempted to send to the broker."

	// MessagingClientConsumedMessagesName is the name of the standard
	// counter of messages delivered to the application.
	MessagingClientConsumedMessagesName = "messaging.client.consumed.messages"
	// MessagingClientConsumedMessagesUnit is the unit of
	// [MessagingClientConsumedMessagesName].
	MessagingClientConsumedMessagesUnit = "{message}"
	// MessagingClientConsumedMessagesDescription is the description of
	// [MessagingClientConsumedMessagesName].
	MessagingClientConsumedMessagesDescription = "Number of messages that were delivered to the application."

	// MessagingClientOperationDurationName is the name of the standard
	// histogram of client operation durations: for the bridge, the time
	// from the first publish of a message to its acknowledgement by
	// JetStream, retries included.
	MessagingClientOperationDurationName = "messaging.client.operation.duration"
	// MessagingClientOperationDurationUnit is the unit of
	// [MessagingClientOperationDurationName].
	MessagingClientOperationDurationUnit = "s"
	// MessagingClientOperationDurationDescription is the description of
	// [MessagingClientOperationDurationName].
	MessagingClientOperationDurationDescription = "Duration of messaging operation initiated by a producer or consumer client."

	// MessagingProcessDurationName is the name of the standard histogram of
	// processing durations: for the bridge, decoding, the local signal's
	// listeners and the settlement of one message.
	MessagingProcessDurationName = "messaging.process.duration"
	// MessagingProcessDurationUnit is the unit of
	// [MessagingProcessDurationName].
	MessagingProcessDurationUnit = "s"
	// MessagingProcessDurationDescription is the description of
	// [MessagingProcessDurationName].
	MessagingProcessDurationDescription = "Duration of processing operation."

	// NATSPublishBufferDepthName is the name of the number of emissions
	// waiting in a publisher's buffer to be published.
	NATSPublishBufferDepthName = "signals.nats.publish.buffer.depth"
	// NATSPublishBufferDepthUnit is the unit of [NATSPublishBufferDepthName].
	NATSPublishBufferDepthUnit = "{message}"
	// NATSPublishBufferDepthDescription is the description of
	// [NATSPublishBufferDepthName].
	NATSPublishBufferDepthDescription = "Number of emissions waiting in the publisher's buffer to be published."

	// NATSPublishBufferCapacityName is the name of the capacity of a
	// publisher's buffer.
	NATSPublishBufferCapacityName = "signals.nats.publish.buffer.capacity"
	// NATSPublishBufferCapacityUnit is the unit of
	// [NATSPublishBufferCapacityName].
	NATSPublishBufferCapacityUnit = "{message}"
	// NATSPublishBufferCapacityDescription is the description of
	// [NATSPublishBufferCapacityName].
	NATSPublishBufferCapacityDescription = "Number of emissions the publisher's buffer can hold."

	// NATSPublishPendingName is the name of the number of published
	// messages not yet acknowledged by JetStream.
	NATSPublishPendingName = "signals.nats.publish.pending"
	// NATSPublishPendingUnit is the unit of [NATSPublishPendingName].
	NATSPublishPendingUnit = "{message}"
	// NATSPublishPendingDescription is the description of
	// [NATSPublishPendingName].
	NATSPublishPendingDescription = "Number of messages published and not yet acknowledged by JetStream, retries included."

	// NATSPublishDroppedName is the name of the counter of emissions the
	// publisher did not publish, by reason.
	NATSPublishDroppedName = "signals.nats.publish.dropped"
	// NATSPublishDroppedUnit is the unit of [NATSPublishDroppedName].
	NATSPublishDroppedUnit = "{message}"
	// NATSPublishDroppedDescription is the description of
	// [NATSPublishDroppedName].
	NATSPublishDroppedDescription = "Number of emissions not published, by reason: the buffer was full, or the publisher was closed."

	// NATSPublishRetriesName is the name of the counter of publish retries.
	NATSPublishRetriesName = "signals.nats.publish.retries"
	// NATSPublishRetriesUnit is the unit of [NATSPublishRetriesName].
	NATSPublishRetriesUnit = "{retry}"
	// NATSPublishRetriesDescription is the description of
	// [NATSPublishRetriesName].
	NATSPublishRetriesDescription = "Number of publishes repeated after JetStream did not acknowledge a message."

	// NATSPublishDuplicatesName is the name of the counter of messages
	// JetStream acknowledged as duplicates.
	NATSPublishDuplicatesName = "signals.nats.publish.duplicates"
	// NATSPublishDuplicatesUnit is the unit of [NATSPublishDuplicatesName].
	NATSPublishDuplicatesUnit = "{message}"
	// NATSPublishDuplicatesDescription is the description of
	// [NATSPublishDuplicatesName].
	NATSPublishDuplicatesDescription = "Number of messages JetStream acknowledged as duplicates of a message ID within its duplicate window, and did not store again."

	// NATSDeadLettersName is the name of the counter of messages moved to
	// the dead-letter subject, by reason.
	NATSDeadLettersName = "signals.nats.dead_letters"
	// NATSDeadLettersUnit is the unit of [NATSDeadLettersName].
	NATSDeadLettersUnit = "{message}"
	// NATSDeadLettersDescription is the description of [NATSDeadLettersName].
	NATSDeadLettersDescription = "Number of messages published to the dead-letter subject and terminated, by reason."

	// NATSConsumerLagName is the name of the number of messages of the
	// stream the consumer has yet to receive.
	NATSConsumerLagName = "signals.nats.consumer.lag"
	// NATSConsumerLagUnit is the unit of [NATSConsumerLagName].
	NATSConsumerLagUnit = "{message}"
	// NATSConsumerLagDescription is the description of [NATSConsumerLagName].
	NATSConsumerLagDescription = "Number of messages matching the consumer's filter that JetStream had not yet delivered, asked of the server when collected (at most once a second) and read from the metadata of one delivery in 64."
)

// NATSMetrics returns the definitions of the NATS bridge's metrics, in the
// order of the reference documentation. Each call returns a new slice, with
// new attribute slices, that the caller may modify. They are not in
// [Metrics], which lists the metrics of package otelsignals.
func NATSMetrics() []MetricDef {
	pub := func() []attribute.Key {
		return []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey, MessagingOperationNameKey}
	}
	con := func() []attribute.Key {
		return []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey, MessagingOperationNameKey, MessagingConsumerGroupNameKey}
	}
	onFailure := func() []attribute.Key { return []attribute.Key{ErrorTypeKey} }
	return []MetricDef{
		{
			Name: MessagingClientSentMessagesName, Instrument: InstrumentInt64ObservableCounter,
			Unit: MessagingClientSentMessagesUnit, Description: MessagingClientSentMessagesDescription,
			Attributes: pub(), OptionalAttributes: onFailure(),
		},
		{
			Name: MessagingClientOperationDurationName, Instrument: InstrumentFloat64Histogram,
			Unit: MessagingClientOperationDurationUnit, Description: MessagingClientOperationDurationDescription,
			Attributes:         []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey, MessagingOperationNameKey, MessagingOperationTypeKey},
			OptionalAttributes: onFailure(),
		},
		{
			Name: MessagingClientConsumedMessagesName, Instrument: InstrumentInt64ObservableCounter,
			Unit: MessagingClientConsumedMessagesUnit, Description: MessagingClientConsumedMessagesDescription,
			Attributes: con(), OptionalAttributes: onFailure(),
		},
		{
			Name: MessagingProcessDurationName, Instrument: InstrumentFloat64Histogram,
			Unit: MessagingProcessDurationUnit, Description: MessagingProcessDurationDescription,
			Attributes: con(), OptionalAttributes: onFailure(),
		},
		{
			Name: NATSPublishBufferDepthName, Instrument: InstrumentInt64ObservableUpDownCounter,
			Unit: NATSPublishBufferDepthUnit, Description: NATSPublishBufferDepthDescription,
			Attributes: []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey},
		},
		{
			Name: NATSPublishBufferCapacityName, Instrument: InstrumentInt64ObservableUpDownCounter,
			Unit: NATSPublishBufferCapacityUnit, Description: NATSPublishBufferCapacityDescription,
			Attributes: []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey},
		},
		{
			Name: NATSPublishPendingName, Instrument: InstrumentInt64ObservableUpDownCounter,
			Unit: NATSPublishPendingUnit, Description: NATSPublishPendingDescription,
			Attributes: []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey},
		},
		{
			Name: NATSPublishDroppedName, Instrument: InstrumentInt64ObservableCounter,
			Unit: NATSPublishDroppedUnit, Description: NATSPublishDroppedDescription,
			Attributes: []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey, DropReasonKey},
		},
		{
			Name: NATSPublishRetriesName, Instrument: InstrumentInt64ObservableCounter,
			Unit: NATSPublishRetriesUnit, Description: NATSPublishRetriesDescription,
			Attributes: []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey},
		},
		{
			Name: NATSPublishDuplicatesName, Instrument: InstrumentInt64ObservableCounter,
			Unit: NATSPublishDuplicatesUnit, Description: NATSPublishDuplicatesDescription,
			Attributes: []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey},
		},
		{
			Name: NATSDeadLettersName, Instrument: InstrumentInt64ObservableCounter,
			Unit: NATSDeadLettersUnit, Description: NATSDeadLettersDescription,
			Attributes: []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey, MessagingConsumerGroupNameKey, NATSDeadLetterReasonKey},
		},
		{
			Name: NATSConsumerLagName, Instrument: InstrumentInt64ObservableUpDownCounter,
			Unit: NATSConsumerLagUnit, Description: NATSConsumerLagDescription,
			Attributes: []attribute.Key{MessagingSystemKey, MessagingDestinationNameKey, MessagingConsumerGroupNameKey},
		},
	}
}

// MessagingDurationBuckets returns the explicit bucket boundaries, in
// seconds, that the semantic conventions v1.43.0 recommend for
// messaging.client.operation.duration and messaging.process.duration:
// 5 ms to 10 s. Each call returns a new slice.
func MessagingDurationBuckets() []float64 {
	return []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
}
