package semconv_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/signalkit/sdk/semconv"
)

func TestMessagingAttributes(t *testing.T) {
	tests := []struct {
		name string
		got  attribute.KeyValue
		want attribute.KeyValue
	}{
		{"system", semconv.MessagingSystemSignalkit, attribute.String("messaging.system", "signalkit")},
		{"destination", semconv.MessagingDestinationName("orders.created"), attribute.String("messaging.destination.name", "orders.created")},
		{"unnamed destination", semconv.MessagingDestinationName(""), attribute.String("messaging.destination.name", "unnamed")},
		{"type send", semconv.MessagingOperationTypeSend, attribute.String("messaging.operation.type", "send")},
		{"type process", semconv.MessagingOperationTypeProcess, attribute.String("messaging.operation.type", "process")},
		{"name emit", semconv.MessagingOperationName(semconv.OperationEmit), attribute.String("messaging.operation.name", "emit")},
		{"name try_emit", semconv.MessagingOperationName(semconv.OperationTryEmit), attribute.String("messaging.operation.name", "try_emit")},
		{"name enqueue", semconv.MessagingOperationName(semconv.OperationEnqueue), attribute.String("messaging.operation.name", "enqueue")},
		{"name process", semconv.MessagingOperationName(semconv.OperationProcess), attribute.String("messaging.operation.name", "process")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertKV(t, tt.got, tt.want)
		})
	}
}

// TestMessagingKeysMatchUpstream checks the re-exported keys are the ones of
// the semantic conventions version named by SchemaURL.
func TestMessagingKeysMatchUpstream(t *testing.T) {
	tests := []struct {
		name string
		got  attribute.Key
		want attribute.Key
	}{
		{"system", semconv.MessagingSystemKey, otelsemconv.MessagingSystemKey},
		{"destination", semconv.MessagingDestinationNameKey, otelsemconv.MessagingDestinationNameKey},
		{"operation type", semconv.MessagingOperationTypeKey, otelsemconv.MessagingOperationTypeKey},
		{"operation name", semconv.MessagingOperationNameKey, otelsemconv.MessagingOperationNameKey},
		{"error type", semconv.ErrorTypeKey, otelsemconv.ErrorTypeKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
