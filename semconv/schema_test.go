package semconv_test

import (
	"testing"

	"github.com/signalkit/sdk/semconv"
)

func TestSchemaURL(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"schema URL", semconv.SchemaURL, "https://opentelemetry.io/schemas/1.43.0"},
		{"messaging system", semconv.MessagingSystemValue, "signalkit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
