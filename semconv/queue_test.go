package semconv_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/semconv"
)

func TestDropReason(t *testing.T) {
	tests := []struct {
		name string
		got  attribute.KeyValue
		want attribute.KeyValue
	}{
		{"queue full", semconv.DropReasonQueueFull, attribute.String("signals.drop.reason", "queue_full")},
		{"closed", semconv.DropReasonClosed, attribute.String("signals.drop.reason", "closed")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertKV(t, tt.got, tt.want)
		})
	}
}
