package semconv_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/semconv"
)

// assertKV fails t unless got is the attribute want.
func assertKV(t *testing.T, got, want attribute.KeyValue) {
	t.Helper()
	if got != want {
		t.Errorf("got %s=%s (%s), want %s=%s (%s)",
			got.Key, got.Value.String(), got.Value.Type(), want.Key, want.Value.String(), want.Value.Type())
	}
}

func TestSignalName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want attribute.KeyValue
	}{
		{"named", "orders.created", attribute.String("signals.name", "orders.created")},
		{"empty is the default name", "", attribute.String("signals.name", "unnamed")},
		{"overflow value passes through", semconv.OverflowSignalName, attribute.String("signals.name", "_OTHER")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertKV(t, semconv.SignalName(tt.in), tt.want)
		})
	}
}

func TestSignalKind(t *testing.T) {
	tests := []struct {
		name string
		got  attribute.KeyValue
		want attribute.KeyValue
	}{
		{"sync", semconv.SignalKindSync, attribute.String("signals.kind", "sync")},
		{"async", semconv.SignalKindAsync, attribute.String("signals.kind", "async")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertKV(t, tt.got, tt.want)
		})
	}
}

func TestSignalNameConstants(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"default", semconv.DefaultSignalName, "unnamed"},
		{"overflow", semconv.OverflowSignalName, "_OTHER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
