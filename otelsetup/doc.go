// Package otelsetup sets up the OpenTelemetry SDK of a process in one call:
// a MeterProvider with the Prometheus exporter and, if asked for, the
// stdout and OTLP metric exporters; a TracerProvider with the stdout and
// OTLP span exporters asked for; and a resource with service.name. Package
// otelsignals depends on the OpenTelemetry API only; this package is the
// SDK side, for programs and examples.
//
// # Getting started
//
//	p, err := otelsetup.Setup(ctx,
//		otelsetup.WithServiceName("orders"),
//		otelsetup.WithOTLPTraces("127.0.0.1:4317"), // a Collector
//		otelsetup.WithOTLPInsecure(true),
//	)
//	if err != nil {
//		return err
//	}
//	defer p.Shutdown(context.Background()) // flushes spans and metrics
//
//	http.Handle("/metrics", p.MetricsHandler()) // Prometheus
//	err = otelsignals.Instrument(orders, p.InstrumentOptions()...)
//
// # Defaults
//
// Without options, Setup builds a MeterProvider with the Prometheus
// exporter, on a registry of its own (not the client library's global one),
// whose metrics [Providers.MetricsHandler] serves; the caller mounts it,
// conventionally at /metrics on 127.0.0.1:9464, next to its health
// endpoints. The TracerProvider has no exporter: spans are created and
// dropped. [WithStdoutTraces], [WithStdoutMetrics], [WithOTLPTraces] and
// [WithOTLPMetrics] add exporters; [WithOTLPProtocol] chooses gRPC (the
// default) or HTTP, and [WithOTLPInsecure] plain text. The SDK's
// environment variables still apply where no option is given:
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES for the resource,
// OTEL_TRACES_SAMPLER for the TracerProvider's sampler, OTEL_BSP_* for the
// batch span processors, OTEL_METRIC_EXPORT_INTERVAL for the periodic
// metric readers, and OTEL_EXPORTER_OTLP_* (headers, timeout, compression)
// for the OTLP exporters.
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
// are. Setup starts the goroutines of the batch span processors and the
// periodic metric readers; Shutdown stops them.
package otelsetup
