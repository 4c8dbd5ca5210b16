package otelsetup

import (
	"io"
	"os"
	"time"

	promclient "github.com/prometheus/client_golang/prometheus"
)

// Protocol is the transport of the OTLP exporters.
type Protocol string

// OTLP protocols, named as in OTEL_EXPORTER_OTLP_PROTOCOL.
const (
	// ProtocolGRPC is OTLP over gRPC, by default on port 4317.
	ProtocolGRPC Protocol = "grpc"
	// ProtocolHTTP is OTLP over HTTP with protobuf bodies, by default on
	// port 4318.
	ProtocolHTTP Protocol = "http/protobuf"
)

// Option configures [Setup].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	serviceName    string
	serviceVersion string
	global         bool
	prometheus     bool
	promRegisterer promclient.Registerer // nil: a registry of Setup's own
	promGatherer   promclient.Gatherer
	stdoutTraces   io.Writer
	stdoutMetrics  io.Writer
	otlpTraces     string
	otlpMetrics    string
	protocol       Protocol
	insecure       bool
	interval       time.Duration
}

// newConfig returns the defaults with opts applied in order; nil options
// are skipped.
func newConfig(opts []Option) *config {
	c := &config{global: true, prometheus: true, protocol: ProtocolGRPC}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	return c
}

// WithServiceName sets the resource's service.name. Default: the
// OTEL_SERVICE_NAME environment variable, or else "unknown_service:" and the
// executable's name, as the OpenTelemetry SDK does. WithServiceName takes
// precedence over the environment. An empty name is ignored.
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.serviceName = name
		}
	})
}

// WithServiceVersion sets the resource's service.version. Default: none, or
// what OTEL_RESOURCE_ATTRIBUTES sets. An empty version is ignored.
func WithServiceVersion(version string) Option {
	return optionFunc(func(c *config) {
		if version != "" {
			c.serviceVersion = version
		}
	})
}

// WithGlobal sets whether [Setup] installs what it builds as the
// OpenTelemetry globals: the TracerProvider (otel.SetTracerProvider), the
// MeterProvider (otel.SetMeterProvider) and the propagator
// (otel.SetTextMapPropagator; [Providers.Propagator]). Instrumentation
// libraries such as otelhttp and otelgrpc use the globals, and so does
// [otelsignals.Instrument] without options: with them installed, the span
// of an incoming request and the spans of the signals it emits on are one
// trace. Default: true. Pass false in a program that manages the globals
// itself; [Providers.InstrumentOptions] then instruments signals with the
// providers all the same.
func WithGlobal(on bool) Option {
	return optionFunc(func(c *config) { c.global = on })
}

// WithPrometheus sets whether the MeterProvider has a Prometheus exporter,
// whose metrics [Providers.MetricsHandler] serves. Default: true.
func WithPrometheus(on bool) Option {
	return optionFunc(func(c *config) { c.prometheus = on })
}

// WithPrometheusRegistry makes the Prometheus exporter register with the
// application's registry, reg, so that signalkit's metrics appear on the
// /metrics endpoint the application already serves, beside its own
// collectors (the Go runtime's and the process's, for example).
// [Providers.MetricsHandler] then serves what g gathers. Pass the same
// *prometheus.Registry twice, or prometheus.DefaultRegisterer and
// prometheus.DefaultGatherer for the client library's global registry.
//
// Default: a registry of Setup's own, which only the Prometheus exporter
// uses. A nil reg is ignored. A nil g means reg, which must then be a
// prometheus.Gatherer as well ([Setup] returns an error otherwise). It has
// no effect with [WithPrometheus](false).
//
// The exporter registers as an unchecked collector (it cannot describe its
// metrics in advance), which the client library cannot unregister: after
// [Providers.Shutdown] it stays registered and adds nothing. Metric names
// that clash with the application's own make the gathering fail, as any
// clash in one registry does.
func WithPrometheusRegistry(reg promclient.Registerer, g promclient.Gatherer) Option {
	return optionFunc(func(c *config) {
		if reg != nil {
			c.promRegisterer, c.promGatherer = reg, g
		}
	})
}

// WithStdoutTraces makes the TracerProvider write every span it ends to w,
// one JSON object per line, in batches (every 5 seconds by default, see
// OTEL_BSP_SCHEDULE_DELAY) and at [Providers.Shutdown]. A nil w means
// os.Stdout. Default: no span is written.
func WithStdoutTraces(w io.Writer) Option {
	return optionFunc(func(c *config) {
		if w == nil {
			w = os.Stdout
		}
		c.stdoutTraces = w
	})
}

// WithStdoutMetrics makes the MeterProvider write its metrics to w, as JSON,
// every interval ([WithMetricInterval]) and at [Providers.Shutdown]. A nil
// w means os.Stdout. Default: metrics are not written.
func WithStdoutMetrics(w io.Writer) Option {
	return optionFunc(func(c *config) {
		if w == nil {
			w = os.Stdout
		}
		c.stdoutMetrics = w
	})
}

// WithOTLPTraces exports spans over OTLP to endpoint, "host:port" (for
// example a Collector's 127.0.0.1:4317 for gRPC or 127.0.0.1:4318 for
// HTTP). Default: spans are not exported over OTLP. An empty endpoint is
// ignored. The exporter's other settings (headers, timeout, compression)
// come from the OTEL_EXPORTER_OTLP_* environment variables.
func WithOTLPTraces(endpoint string) Option {
	return optionFunc(func(c *config) {
		if endpoint != "" {
			c.otlpTraces = endpoint
		}
	})
}

// WithOTLPMetrics exports metrics over OTLP to endpoint, "host:port", every
// interval ([WithMetricInterval]). Default: metrics are not exported over
// OTLP. An empty endpoint is ignored. See [WithOTLPTraces] for the other
// settings.
func WithOTLPMetrics(endpoint string) Option {
	return optionFunc(func(c *config) {
		if endpoint != "" {
			c.otlpMetrics = endpoint
		}
	})
}

// WithOTLPProtocol sets the protocol of the OTLP exporters. Default:
// [ProtocolGRPC]. Setup returns an error for another value.
func WithOTLPProtocol(p Protocol) Option {
	return optionFunc(func(c *config) { c.protocol = p })
}

// WithOTLPInsecure sets whether the OTLP exporters connect without TLS, as
// to a Collector on the same host. Default: false, TLS.
func WithOTLPInsecure(on bool) Option {
	return optionFunc(func(c *config) { c.insecure = on })
}

// WithMetricInterval sets how often metrics are exported by the stdout and
// OTLP metric exporters. Default: the OTEL_METRIC_EXPORT_INTERVAL
// environment variable (in milliseconds), or else one minute, as the
// OpenTelemetry SDK does. Zero or negative is ignored. The Prometheus
// exporter is read when it is scraped, not on an interval.
func WithMetricInterval(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.interval = d
		}
	})
}
