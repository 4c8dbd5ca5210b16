// Command otelcol-signalkit is a small OpenTelemetry Collector distribution
// for trying signalkit's telemetry locally: an OTLP receiver (gRPC and HTTP),
// the batch processor, and the debug, OTLP and Prometheus exporters.
//
// It is built from the Collector's Go modules, all at one release (core
// v0.165.0, confmap v1.71.0, contrib prometheusexporter v0.165.1), and lives
// in a Go module of its own so that none of them enter the graph of
// github.com/signalkit/sdk.
//
// Usage:
//
//	go build -o ../../bin/otelcol-signalkit .
//	../../bin/otelcol-signalkit --config config.yaml
//	../../bin/otelcol-signalkit validate --config config.yaml
//	../../bin/otelcol-signalkit components
//
// The collector stops gracefully on SIGINT or SIGTERM.
package main

import (
	"log"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/otelcol"
)

// version is the distribution's version, reported by --version and in the
// collector's own telemetry. It follows the Collector release it is built from.
const version = "0.165.0-signalkit"

func main() {
	info := component.BuildInfo{
		Command:     "otelcol-signalkit",
		Description: "OpenTelemetry Collector for the signalkit examples",
		Version:     version,
	}
	set := otelcol.CollectorSettings{
		BuildInfo: info,
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				// A --config URI without a scheme is a file; ${VAR} without
				// a scheme reads the environment.
				ProviderFactories: []confmap.ProviderFactory{
					fileprovider.NewFactory(),
					envprovider.NewFactory(),
					yamlprovider.NewFactory(),
				},
				DefaultScheme: "env",
			},
		},
		ProviderModules: map[string]string{
			"file": "go.opentelemetry.io/collector/confmap/provider/fileprovider v1.71.0",
			"env":  "go.opentelemetry.io/collector/confmap/provider/envprovider v1.71.0",
			"yaml": "go.opentelemetry.io/collector/confmap/provider/yamlprovider v1.71.0",
		},
	}
	if err := otelcol.NewCommand(set).Execute(); err != nil {
		log.Fatalf("otelcol-signalkit: %v", err)
	}
}
