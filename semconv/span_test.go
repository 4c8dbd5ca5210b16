package semconv_test

import (
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/semconv"
)

func TestSpanName(t *testing.T) {
	tests := []struct {
		name      string
		operation string
		signal    string
		want      string
	}{
		{"emit", semconv.OperationEmit, "orders.created", "emit orders.created"},
		{"try_emit", semconv.OperationTryEmit, "orders.created", "try_emit orders.created"},
		{"enqueue", semconv.OperationEnqueue, "jobs", "enqueue jobs"},
		{"process", semconv.OperationProcess, "jobs", "process jobs"},
		{"unnamed", semconv.OperationEmit, "", "emit unnamed"},
		{"overflow", semconv.OperationEmit, semconv.OverflowSignalName, "emit _OTHER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := semconv.SpanName(tt.operation, tt.signal); got != tt.want {
				t.Errorf("SpanName(%q, %q) = %q, want %q", tt.operation, tt.signal, got, tt.want)
			}
		})
	}
}

func TestSpanKinds(t *testing.T) {
	tests := []struct {
		name string
		got  trace.SpanKind
		want trace.SpanKind
	}{
		{"emission", semconv.EmissionSpanKind, trace.SpanKindProducer},
		{"listener", semconv.ListenerSpanKind, trace.SpanKindConsumer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}
