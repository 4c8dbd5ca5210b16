package otelsetup

import (
	"context"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// envChoice is what the SDK's environment variables say of the exporters of
// one signal (traces or metrics): the exporter variable, and the OTLP
// variables that imply the OTLP exporter when it is unset.
//
// Building the exporter is left to autoexport, which implements the
// variables as the OpenTelemetry specification defines them; this only
// decides whether to ask it. The specification's default for an unset
// OTEL_TRACES_EXPORTER is "otlp", to localhost; otelsetup asks for it only
// once one of the OTLP variables is set, so that a program run without a
// Collector does not log a failed export every few seconds.
type envChoice struct {
	exporterVar string   // OTEL_TRACES_EXPORTER or OTEL_METRICS_EXPORTER
	exporter    string   // its value, "" when unset
	set         []string // the variables that are set, as NAME=value
}

// readEnv reads the variables of signal, "TRACES" or "METRICS".
func readEnv(signal string) envChoice {
	e := envChoice{exporterVar: "OTEL_" + signal + "_EXPORTER"}
	e.exporter = os.Getenv(e.exporterVar)
	for _, name := range []string{
		e.exporterVar,
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_" + signal + "_ENDPOINT",
		"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_" + signal + "_PROTOCOL",
	} {
		if v := os.Getenv(name); v != "" {
			e.set = append(e.set, name+"="+v)
		}
	}
	return e
}

// kind returns the exporter the environment asks for ("otlp", "console",
// "prometheus", "none", or what else the variable holds), or "" if it asks
// for none.
func (e envChoice) kind() string {
	switch {
	case e.exporter != "":
		return e.exporter
	case len(e.set) > 0:
		return "otlp" // the specification's default
	default:
		return ""
	}
}

// wrap describes the environment in an error of autoexport's.
func (e envChoice) wrap(what string, err error) error {
	return fmt.Errorf("otelsetup: %s from the environment (%s): %w", what, strings.Join(e.set, ", "), err)
}

// envSpanExporter returns the span exporter that the environment asks for,
// or nil: none asked for, "none", or an option already configured one of
// the same kind ([WithOTLPTraces] for "otlp", [WithStdoutTraces] for
// "console"), since code takes precedence over the environment.
func envSpanExporter(ctx context.Context, c *config) (sdktrace.SpanExporter, error) {
	e := readEnv("TRACES")
	switch e.kind() {
	case "", "none":
		return nil, nil
	case "otlp":
		if c.otlpTraces != "" {
			return nil, nil
		}
	case "console":
		if c.stdoutTraces != nil {
			return nil, nil
		}
	}
	exp, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, e.wrap("span exporter", err)
	}
	return exp, nil
}

// envMetricReader returns the metric reader that the environment asks for,
// or nil, as envSpanExporter does for spans ([WithOTLPMetrics],
// [WithStdoutMetrics]). "prometheus" starts autoexport's own HTTP server on
// OTEL_EXPORTER_PROMETHEUS_HOST:OTEL_EXPORTER_PROMETHEUS_PORT, which the
// reader's Shutdown stops; it is not the exporter of [WithPrometheus].
func envMetricReader(ctx context.Context, c *config) (sdkmetric.Reader, error) {
	e := readEnv("METRICS")
	switch e.kind() {
	case "", "none":
		return nil, nil
	case "otlp":
		if c.otlpMetrics != "" {
			return nil, nil
		}
	case "console":
		if c.stdoutMetrics != nil {
			return nil, nil
		}
	}
	r, err := autoexport.NewMetricReader(ctx)
	if err != nil {
		return nil, e.wrap("metric reader", err)
	}
	return r, nil
}
