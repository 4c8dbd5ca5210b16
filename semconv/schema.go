package semconv

import otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"

// SchemaURL is the schema URL of the OpenTelemetry semantic conventions that
// signalkit's telemetry follows (v1.43.0). Pass it to
// [go.opentelemetry.io/otel/trace.WithSchemaURL] and
// [go.opentelemetry.io/otel/metric.WithSchemaURL] when creating the tracer
// and meter.
const SchemaURL = otelsemconv.SchemaURL
