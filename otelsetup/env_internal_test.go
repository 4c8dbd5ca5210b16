package otelsetup

import (
	"testing"
)

// otelEnv lists the variables that choose exporters, to clear them for a
// test that sets some.
var otelEnv = []string{
	"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER",
	"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
	"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
}

// TestEnvKind checks which variables, alone, ask for which exporter.
func TestEnvKind(t *testing.T) {
	tests := []struct {
		env             map[string]string
		traces, metrics string
	}{
		{nil, "", ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "a=b"}, "", ""}, // configures, does not turn on
		{map[string]string{"OTEL_TRACES_EXPORTER": "console"}, "console", ""},
		{map[string]string{"OTEL_METRICS_EXPORTER": "prometheus"}, "", "prometheus"},
		{map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, "none", "otlp"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, "otlp", "otlp"},
		{map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "otlp", "otlp"},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, "otlp", ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://127.0.0.1:4318/v1/metrics"}, "", "otlp"},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"}, "otlp", ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "grpc"}, "", "otlp"},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			for _, name := range otelEnv {
				t.Setenv(name, "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if got := readEnv("TRACES").kind(); got != tt.traces {
				t.Errorf("%v: traces exporter %q, want %q", tt.env, got, tt.traces)
			}
			if got := readEnv("METRICS").kind(); got != tt.metrics {
				t.Errorf("%v: metrics exporter %q, want %q", tt.env, got, tt.metrics)
			}
		})
	}
}
