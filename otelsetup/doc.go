// Package otelsetup sets up the OpenTelemetry SDK of a process in one call:
// a MeterProvider with the Prometheus exporter, a TracerProvider, a
// propagator and a resource with service.name; the exporters that options
// or the SDK's environment variables ask for; and all of it installed as
// the OpenTelemetry globals. Package otelsignals depends on the
// OpenTelemetry API only; this package is the SDK side, for programs and
// examples.
//
// # Getting started
//
//	p, err := otelsetup.Setup(ctx, otelsetup.WithServiceName("orders"))
//	if err != nil {
//		return err
//	}
//	defer func() {
//		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
//		defer cancel()
//		if err := p.Shutdown(ctx); err != nil { // flushes spans and metrics
//			log.Print(err)
//		}
//	}()
//
//	mux.Handle("GET /metrics", p.MetricsHandler()) // Prometheus
//	if err := otelsignals.Instrument(orders, p.InstrumentOptions()...); err != nil {
//		return err
//	}
//
// Run it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 to send
// spans and metrics to a Collector as well.
//
// # Defaults
//
// Without options or variables, Setup builds a MeterProvider with the
// Prometheus exporter, on a registry of its own (not the client library's
// global one; see [WithPrometheusRegistry]), whose metrics
// [Providers.MetricsHandler] serves; the caller mounts it, conventionally
// at /metrics on 127.0.0.1:9464, next to its health endpoints. The
// TracerProvider has no exporter: spans are created and dropped.
//
// # One trace across the request and the signals
//
// Setup installs the TracerProvider, the MeterProvider and the propagator
// as the globals (otel.SetTracerProvider, otel.SetMeterProvider,
// otel.SetTextMapPropagator), unless [WithGlobal] is false. The propagator
// is the W3C TraceContext and Baggage one, or what OTEL_PROPAGATORS names.
// Instrumentation libraries such as otelhttp and otelgrpc use the globals:
// they read the traceparent header of an incoming request with the
// propagator and start its span with the global TracerProvider, so the
// emissions a handler makes with the request's context, their deliveries
// and their listener calls are spans of the request's trace, and a request
// whose parent is not sampled yields no span of the signals either.
//
// # The environment
//
// The SDK's environment variables apply as the OpenTelemetry specification
// defines them (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
//
//   - OTEL_TRACES_EXPORTER and OTEL_METRICS_EXPORTER choose an exporter
//     each: otlp, console (standard output), none, and for metrics
//     prometheus, which serves /metrics on a server of its own at
//     OTEL_EXPORTER_PROMETHEUS_HOST:OTEL_EXPORTER_PROMETHEUS_PORT (default
//     localhost:9464), in addition to [Providers.MetricsHandler]. One
//     exporter per variable: a list is an error.
//   - OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL (grpc or
//     http/protobuf, the default), and their _TRACES_ and _METRICS_
//     variants, turn the OTLP exporter on by themselves, as the
//     specification's default exporter; OTEL_EXPORTER_OTLP_HEADERS,
//     _TIMEOUT, _COMPRESSION, _CERTIFICATE and the others configure it.
//     With none of these variables set, nothing is exported over OTLP
//     (the specification would export to localhost:4318, which fails every
//     few seconds on a machine without a Collector).
//   - OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES set the resource,
//     OTEL_PROPAGATORS the propagator, OTEL_TRACES_SAMPLER and
//     OTEL_TRACES_SAMPLER_ARG the TracerProvider's sampler, OTEL_BSP_* the
//     batch span processors, OTEL_METRIC_EXPORT_INTERVAL and
//     OTEL_METRIC_EXPORT_TIMEOUT the periodic metric readers.
//
// The exporters of the environment are built by
// go.opentelemetry.io/contrib/exporters/autoexport. An invalid value (an
// unknown exporter or protocol) makes Setup return an error that names the
// variables. Code takes precedence over the environment: an option that
// configures an exporter of the same kind for the same signal
// ([WithOTLPTraces] for otlp, [WithStdoutTraces] for console, and their
// metric counterparts) replaces the environment's; exporters of different
// kinds add up. [WithMetricInterval] applies to the exporters of options;
// those of the environment follow OTEL_METRIC_EXPORT_INTERVAL.
//
// signalkit's own settings (which emissions are traced, listener spans,
// duration sampling) are not the SDK's: they are read by package config,
// from SIGNALKIT_* variables and a file it reloads.
//
// # Shutdown
//
// [Providers.Shutdown] flushes everything: the spans the batch processors
// hold, and a last collection and export of the metrics. Call it before the
// process exits, with a deadline: an OTLP exporter whose endpoint is down
// retries until the context ends. A second call does nothing.
//
// # Concurrency
//
// The providers are safe for concurrent use, as the OpenTelemetry SDK's
// are. Setup starts the goroutines of the batch span processors, the
// periodic metric readers and, for OTEL_METRICS_EXPORTER=prometheus, a
// server; Shutdown stops them.
package otelsetup
