package semconv_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/semconv"
)

// classError is an error whose ErrorType method returns class.
type classError struct{ class string }

func (e *classError) Error() string     { return "failed" }
func (e *classError) ErrorType() string { return e.class }

// TestInvalidUTF8 checks that every value that comes from the application
// leaves the package as valid UTF-8, with each run of invalid bytes replaced
// by U+FFFD, and that valid values pass unchanged.
func TestInvalidUTF8(t *testing.T) {
	const r = "\uFFFD"
	tests := []struct {
		name string
		got  attribute.KeyValue
		want attribute.KeyValue
	}{
		{"signal name", semconv.SignalName("orders.\xffcreated"), attribute.String("signals.name", "orders."+r+"created")},
		{"a run of invalid bytes is one replacement", semconv.SignalName("a\xff\xfe\xfdb"), attribute.String("signals.name", "a"+r+"b")},
		{"truncated multi-byte sequence", semconv.SignalName("caf\xc3"), attribute.String("signals.name", "caf"+r)},
		{"valid multi-byte name unchanged", semconv.SignalName("café.créé"), attribute.String("signals.name", "café.créé")},
		{"destination", semconv.MessagingDestinationName("jobs\xff"), attribute.String("messaging.destination.name", "jobs"+r)},
		{"listener key", semconv.ListenerKey("\xfeaudit"), attribute.String("signals.listener.key", r+"audit")},
		{"error.type from an ErrorType method", semconv.ErrorType(&classError{"time\xffout"}), attribute.String("error.type", "time"+r+"out")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertKV(t, tt.got, tt.want)
		})
	}
	if got, want := semconv.SpanName("emit\xff", "jobs\xfe"), "emit"+r+" jobs"+r; got != want {
		t.Errorf("SpanName = %q, want %q", got, want)
	}
	if got, want := semconv.ErrorTypeOf(&classError{"\xff"}), r; got != want {
		t.Errorf("ErrorTypeOf = %q, want %q", got, want)
	}
}

// TestValidValuesDoNotAllocate checks that checking a valid value costs no
// allocation: error.type is computed on every failed listener call.
func TestValidValuesDoNotAllocate(t *testing.T) {
	err := &classError{"timeout"}
	if n := testing.AllocsPerRun(100, func() { sinkString = semconv.ErrorTypeOf(err) }); n != 0 {
		t.Errorf("ErrorTypeOf of a valid value: %v allocations, want 0", n)
	}
}
