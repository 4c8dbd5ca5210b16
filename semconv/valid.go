package semconv

import "strings"

// valid returns s with each run of bytes that are not valid UTF-8 replaced
// by U+FFFD (the Unicode replacement character), and s itself, without
// allocating, if it is valid.
//
// Every string value this package returns for an attribute or a span name
// goes through valid: a value that is not UTF-8 makes the Prometheus
// exporter fail the whole scrape, and an OTLP exporter the whole batch
// (protobuf strings must be valid UTF-8), which would hide the telemetry of
// every other signal along with it.
func valid(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}
