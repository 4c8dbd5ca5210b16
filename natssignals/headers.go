package natssignals

import (
	"strings"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/propagation"
)

// Headers the bridge sets. Nats-Msg-Id is JetStream's own
// (jetstream.MsgIDHeader); the trace context travels in the headers the
// configured propagator writes (traceparent and tracestate for W3C Trace
// Context, baggage for W3C Baggage).
const (
	// HeaderContentType carries the codec's content type
	// ([Codec.ContentType]).
	HeaderContentType = "Content-Type"

	// HeaderDeadLetterReason is set on a dead-lettered message: "decode"
	// or "max_deliver".
	HeaderDeadLetterReason = "Signalkit-Dead-Letter-Reason"
	// HeaderDeadLetterError is set on a dead-lettered message: the error
	// message of the decoding or of the last failed delivery, at most 1,024
	// bytes.
	HeaderDeadLetterError = "Signalkit-Dead-Letter-Error"
	// HeaderDeadLetterErrorType is set on a dead-lettered message: the
	// error.type of that error.
	HeaderDeadLetterErrorType = "Signalkit-Dead-Letter-Error-Type"
	// HeaderOriginalSubject is set on a dead-lettered message: the subject
	// the message was published to.
	HeaderOriginalSubject = "Signalkit-Original-Subject"
	// HeaderOriginalStream is set on a dead-lettered message: the stream
	// that stored it.
	HeaderOriginalStream = "Signalkit-Original-Stream"
	// HeaderOriginalSequence is set on a dead-lettered message: its
	// sequence in that stream.
	HeaderOriginalSequence = "Signalkit-Original-Sequence"
	// HeaderDeliveries is set on a dead-lettered message: how many times
	// the consumer received it.
	HeaderDeliveries = "Signalkit-Deliveries"
)

// headerCarrier adapts nats.Header to the propagator's TextMapCarrier.
// NATS headers are case-sensitive, so Set writes the key as the propagator
// gives it (traceparent, as the W3C specification spells it, which other
// NATS instrumentation reads), and Get falls back to a case-insensitive
// match for messages written by clients that canonicalize keys.
type headerCarrier nats.Header

var _ propagation.TextMapCarrier = headerCarrier(nil)

func (h headerCarrier) Get(key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, key) {
			return v[0]
		}
	}
	return ""
}

func (h headerCarrier) Set(key, value string) { h[key] = []string{value} }

func (h headerCarrier) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}
