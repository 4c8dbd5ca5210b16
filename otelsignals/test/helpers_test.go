package test

import (
	"context"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/otelsignals/otelsignalstest"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
)

// env is the in-memory OpenTelemetry SDK of otelsignalstest, with the
// recorder of every span, the tests' own too, at hand.
type env struct {
	*otelsignalstest.Telemetry
	spans *tracetest.SpanRecorder
}

func newEnv(t testing.TB) *env {
	t.Helper()
	tel := otelsignalstest.New(t)
	return &env{Telemetry: tel, spans: tel.SpanRecorder()}
}

// always returns Settings that trace every emission, with metrics as given.
func always(t testing.TB, metrics bool) *otelsignals.Settings {
	t.Helper()
	c := otelsignals.DefaultConfig()
	c.Sampler = sampling.Always()
	c.Metrics = metrics
	s, err := otelsignals.NewSettings(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ignore is an error handler that drops listener failures, so that panics
// are not logged.
func ignore(context.Context, string, error) {}

// alwaysSampler samples every emission.
func alwaysSampler() sampling.Sampler { return sampling.Always() }

// nameKind returns the signals.name and signals.kind attributes.
func nameKind(name string, kind attribute.KeyValue) []attribute.KeyValue {
	return []attribute.KeyValue{semconv.SignalName(name), kind}
}

func equal[T comparable](a, b []T) bool { return slices.Equal(a, b) }
