package otelsetup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/signalkit/sdk/otelsignals"
)

// Providers are the MeterProvider, TracerProvider and propagator that
// [Setup] built, with their exporters. Setup installs them as the
// OpenTelemetry globals unless [WithGlobal] is false; instrument signals
// with [Providers.InstrumentOptions] (or without options, through the
// globals), and call [Providers.Shutdown] before the process exits.
//
// Providers is safe for concurrent use; do not copy it.
type Providers struct {
	// MeterProvider has a reader per metric exporter: Prometheus (read when
	// scraped), stdout and OTLP (periodic).
	MeterProvider *sdkmetric.MeterProvider
	// TracerProvider has a batch span processor per span exporter, and the
	// OpenTelemetry SDK's default sampler (OTEL_TRACES_SAMPLER, or else
	// parentbased_always_on): signalkit's own sampler decides first.
	TracerProvider *sdktrace.TracerProvider
	// Resource describes the process: service.name, service.instance.id (a
	// random UUID), service.version if set, telemetry.sdk.*, and the
	// attributes of OTEL_RESOURCE_ATTRIBUTES.
	Resource *resource.Resource
	// Propagator carries the trace context and baggage across processes:
	// the W3C TraceContext and Baggage propagators, or those that
	// OTEL_PROPAGATORS names (tracecontext, baggage, b3, b3multi, jaeger,
	// xray, ottrace, none), as go.opentelemetry.io/contrib/propagators/autoprop
	// reads it; an unknown name is passed to otel.Handle and the default
	// kept.
	Propagator propagation.TextMapPropagator

	metrics      http.Handler // nil without Prometheus
	shutdownOnce sync.Once
	shutdownErr  error
}

// Setup builds the OpenTelemetry SDK side of a process: a Resource, a
// MeterProvider with the Prometheus exporter (unless [WithPrometheus] is
// false) and the metric exporters asked for, a TracerProvider with the span
// exporters asked for, and a propagator; and it installs them as the
// OpenTelemetry globals (unless [WithGlobal] is false). Exporters are asked
// for by options and by the SDK's environment variables (see the package
// documentation).
//
// Setup returns an error if an exporter cannot be created, or the options
// or the exporter variables are invalid; what it created is then shut down,
// and the globals are left as they were. An invalid
// OTEL_RESOURCE_ATTRIBUTES is passed to otel.Handle and its valid
// attributes are kept.
func Setup(ctx context.Context, opts ...Option) (*Providers, error) {
	c := newConfig(opts)
	if c.protocol != ProtocolGRPC && c.protocol != ProtocolHTTP {
		return nil, fmt.Errorf("otelsetup: OTLP protocol %q is not %q or %q", c.protocol, ProtocolGRPC, ProtocolHTTP)
	}
	if c.prometheus && c.promRegisterer != nil && c.promGatherer == nil {
		g, ok := c.promRegisterer.(promclient.Gatherer)
		if !ok {
			return nil, fmt.Errorf("otelsetup: WithPrometheusRegistry: the Registerer %T is not a Gatherer; pass the Gatherer that serves it", c.promRegisterer)
		}
		c.promGatherer = g
	}
	res, err := newResource(ctx, c)
	if err != nil {
		return nil, err
	}
	p := &Providers{Resource: res, Propagator: autoprop.NewTextMapPropagator()}

	var readers []sdkmetric.Option
	var cleanup []func(context.Context) error // exporters not yet owned by a provider
	fail := func(err error) (*Providers, error) {
		for _, f := range cleanup {
			_ = f(ctx)
		}
		return nil, err
	}
	if c.prometheus {
		reg, gather := c.promRegisterer, c.promGatherer
		if reg == nil {
			own := promclient.NewRegistry()
			reg, gather = own, own
		}
		exp, err := prometheus.New(prometheus.WithRegisterer(reg))
		if err != nil {
			return fail(fmt.Errorf("otelsetup: Prometheus exporter: %w", err))
		}
		readers = append(readers, sdkmetric.WithReader(exp))
		cleanup = append(cleanup, exp.Shutdown)
		p.metrics = promhttp.HandlerFor(gather, promhttp.HandlerOpts{})
	}
	var periodic []sdkmetric.PeriodicReaderOption
	if c.interval > 0 {
		periodic = append(periodic, sdkmetric.WithInterval(c.interval))
	}
	if c.stdoutMetrics != nil {
		exp, err := stdoutmetric.New(stdoutmetric.WithWriter(c.stdoutMetrics))
		if err != nil {
			return fail(fmt.Errorf("otelsetup: stdout metric exporter: %w", err))
		}
		r := sdkmetric.NewPeriodicReader(exp, periodic...)
		readers = append(readers, sdkmetric.WithReader(r))
		cleanup = append(cleanup, r.Shutdown)
	}
	if c.otlpMetrics != "" {
		exp, err := newOTLPMetrics(ctx, c)
		if err != nil {
			return fail(fmt.Errorf("otelsetup: OTLP metric exporter: %w", err))
		}
		r := sdkmetric.NewPeriodicReader(exp, periodic...)
		readers = append(readers, sdkmetric.WithReader(r))
		cleanup = append(cleanup, r.Shutdown)
	}
	if r, err := envMetricReader(ctx, c); err != nil {
		return fail(err)
	} else if r != nil {
		readers = append(readers, sdkmetric.WithReader(r))
		cleanup = append(cleanup, r.Shutdown)
	}

	spans := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if c.stdoutTraces != nil {
		exp, err := stdouttrace.New(stdouttrace.WithWriter(c.stdoutTraces))
		if err != nil {
			return fail(fmt.Errorf("otelsetup: stdout span exporter: %w", err))
		}
		spans = append(spans, sdktrace.WithBatcher(exp))
		cleanup = append(cleanup, exp.Shutdown)
	}
	if c.otlpTraces != "" {
		exp, err := newOTLPTraces(ctx, c)
		if err != nil {
			return fail(fmt.Errorf("otelsetup: OTLP span exporter: %w", err))
		}
		spans = append(spans, sdktrace.WithBatcher(exp))
		cleanup = append(cleanup, exp.Shutdown)
	}
	if exp, err := envSpanExporter(ctx, c); err != nil {
		return fail(err)
	} else if exp != nil {
		spans = append(spans, sdktrace.WithBatcher(exp))
		cleanup = append(cleanup, exp.Shutdown)
	}

	p.MeterProvider = sdkmetric.NewMeterProvider(append(readers, sdkmetric.WithResource(res))...)
	p.TracerProvider = sdktrace.NewTracerProvider(spans...)
	if c.global {
		otel.SetTracerProvider(p.TracerProvider)
		otel.SetMeterProvider(p.MeterProvider)
		otel.SetTextMapPropagator(p.Propagator)
	}
	return p, nil
}

// newResource returns the resource of c: the SDK's defaults, then the
// environment, then the options.
func newResource(ctx context.Context, c *config) (*resource.Resource, error) {
	var attrs []attribute.KeyValue
	if c.serviceName != "" {
		attrs = append(attrs, otelsemconv.ServiceName(c.serviceName))
	}
	if c.serviceVersion != "" {
		attrs = append(attrs, otelsemconv.ServiceVersion(c.serviceVersion))
	}
	res, err := resource.New(ctx,
		resource.WithSchemaURL(otelsemconv.SchemaURL),
		resource.WithService(), // default service.name and a service.instance.id
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
		resource.WithAttributes(attrs...),
	)
	if errors.Is(err, resource.ErrPartialResource) {
		otel.Handle(err)
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("otelsetup: resource: %w", err)
	}
	return res, nil
}

func newOTLPMetrics(ctx context.Context, c *config) (sdkmetric.Exporter, error) {
	if c.protocol == ProtocolHTTP {
		opts := []otlpmetrichttp.Option{otlpmetrichttp.WithEndpoint(c.otlpMetrics)}
		if c.insecure {
			opts = append(opts, otlpmetrichttp.WithInsecure())
		}
		return otlpmetrichttp.New(ctx, opts...)
	}
	opts := []otlpmetricgrpc.Option{otlpmetricgrpc.WithEndpoint(c.otlpMetrics)}
	if c.insecure {
		opts = append(opts, otlpmetricgrpc.WithInsecure())
	}
	return otlpmetricgrpc.New(ctx, opts...)
}

func newOTLPTraces(ctx context.Context, c *config) (sdktrace.SpanExporter, error) {
	if c.protocol == ProtocolHTTP {
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(c.otlpTraces)}
		if c.insecure {
			opts = append(opts, otlptracehttp.WithInsecure())
		}
		return otlptracehttp.New(ctx, opts...)
	}
	opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(c.otlpTraces)}
	if c.insecure {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	return otlptracegrpc.New(ctx, opts...)
}

// MetricsHandler returns the handler that serves the Prometheus exporter's
// metrics in the Prometheus text format, to mount at /metrics on a server
// the caller runs, or nil if [WithPrometheus] is false. With
// [WithPrometheusRegistry] it serves everything the application's Gatherer
// gathers. Every request collects the metrics afresh, running the
// observable instruments' callbacks.
func (p *Providers) MetricsHandler() http.Handler { return p.metrics }

// InstrumentOptions returns the options that make
// [otelsignals.Instrument] use these providers:
// [otelsignals.WithMeterProvider] and [otelsignals.WithTracerProvider].
// With the providers installed as the globals ([WithGlobal], the default),
// Instrument without them uses the same providers.
func (p *Providers) InstrumentOptions() []otelsignals.Option {
	return []otelsignals.Option{
		otelsignals.WithMeterProvider(p.MeterProvider),
		otelsignals.WithTracerProvider(p.TracerProvider),
	}
}

// ForceFlush exports the spans ended so far and the metrics collected so
// far, without waiting for the next interval.
func (p *Providers) ForceFlush(ctx context.Context) error {
	return errors.Join(p.TracerProvider.ForceFlush(ctx), p.MeterProvider.ForceFlush(ctx))
}

// Shutdown flushes and stops everything Setup built: the TracerProvider
// exports the spans it holds, then the MeterProvider collects and exports
// the metrics once more, and the exporters close their connections.
// It returns their errors joined, including ctx's error if ctx ends first.
// Calling it again does nothing and returns the first call's result. The
// globals that [Setup] installed stay installed: what they create after
// Shutdown is dropped.
func (p *Providers) Shutdown(ctx context.Context) error {
	p.shutdownOnce.Do(func() {
		p.shutdownErr = errors.Join(p.TracerProvider.Shutdown(ctx), p.MeterProvider.Shutdown(ctx))
	})
	return p.shutdownErr
}
