package semconv_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/semconv"
)

func TestListenerAttributes(t *testing.T) {
	tests := []struct {
		name string
		got  attribute.KeyValue
		want attribute.KeyValue
	}{
		{"key", semconv.ListenerKey("audit"), attribute.String("signals.listener.key", "audit")},
		{"empty key", semconv.ListenerKey(""), attribute.String("signals.listener.key", "")},
		{"count", semconv.ListenerCount(12), attribute.Int("signals.listener.count", 12)},
		{"count zero", semconv.ListenerCount(0), attribute.Int("signals.listener.count", 0)},
		{"change add", semconv.ListenerChangeAdd, attribute.String("signals.listener.change", "add")},
		{"change remove", semconv.ListenerChangeRemove, attribute.String("signals.listener.change", "remove")},
		{"change reset", semconv.ListenerChangeReset, attribute.String("signals.listener.change", "reset")},
		{"change once fired", semconv.ListenerChangeOnceFired, attribute.String("signals.listener.change", "once_fired")},
		{"change disable", semconv.ListenerChangeDisable, attribute.String("signals.listener.change", "disable")},
		{"change enable", semconv.ListenerChangeEnable, attribute.String("signals.listener.change", "enable")},
		{"state enabled", semconv.ListenerStateEnabled, attribute.String("signals.listener.state", "enabled")},
		{"state disabled", semconv.ListenerStateDisabled, attribute.String("signals.listener.state", "disabled")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertKV(t, tt.got, tt.want)
		})
	}
}
