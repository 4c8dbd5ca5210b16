package semconv

// DurationBuckets returns the explicit bucket boundaries, in seconds, of
// signalkit's duration histograms ([EmissionDurationName],
// [ListenerDurationName], [QueueWaitDurationName]). They span one
// microsecond to ten seconds in a 1, 2.5, 5 progression, because an
// in-process listener call usually takes microseconds: the OpenTelemetry
// SDK's default boundaries (0, 5, 10, ..., 10000) suit milliseconds, and
// those the conventions advise for request durations start at 5 ms.
//
// Each call returns a new slice that the caller may modify. Pass it to
// [go.opentelemetry.io/otel/metric.WithExplicitBucketBoundaries].
func DurationBuckets() []float64 {
	return []float64{
		0.000001, 0.0000025, 0.000005,
		0.00001, 0.000025, 0.00005,
		0.0001, 0.00025, 0.0005,
		0.001, 0.0025, 0.005,
		0.01, 0.025, 0.05,
		0.1, 0.25, 0.5,
		1, 2.5, 5,
		10,
	}
}
