package otelsignals

import (
	"reflect"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Every string the instrumentation records comes from the application: signal
// names, listener keys, error types and messages, the attributes of
// WithAttributes, the span names of WithSpanNameFormatter. One that is not
// valid UTF-8 makes the Prometheus exporter fail the whole scrape and an
// OTLP exporter the whole batch (protobuf strings must be valid UTF-8),
// hiding every other signal's telemetry with it. So each is made valid where
// it enters: the names and attribute values of semconv are, and the
// functions below cover the rest. Each returns its argument unchanged, without
// allocating, when it is valid.

// validString returns s with each run of bytes that are not valid UTF-8
// replaced by U+FFFD.
func validString(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// validAttr returns kv with its string values made valid UTF-8.
func validAttr(kv attribute.KeyValue) attribute.KeyValue {
	switch kv.Value.Type() {
	case attribute.STRING:
		if s := kv.Value.AsString(); validString(s) != s {
			return kv.Key.String(validString(s))
		}
	case attribute.STRINGSLICE:
		ss := kv.Value.AsStringSlice() // a copy
		changed := false
		for i, s := range ss {
			if v := validString(s); v != s {
				ss[i], changed = v, true
			}
		}
		if changed {
			return kv.Key.StringSlice(ss)
		}
	}
	return kv
}

// setStatusError sets span's status to Error with err's message.
func setStatusError(span trace.Span, err error) {
	span.SetStatus(codes.Error, validString(err.Error()))
}

// recordError adds an exception event for err to span, with attrs. It is
// span.RecordError, except that a message that is not valid UTF-8 is made
// valid, which RecordError does not do.
func recordError(span trace.Span, err error, attrs ...attribute.KeyValue) {
	msg := err.Error()
	if v := validString(msg); v != msg {
		span.AddEvent(otelsemconv.ExceptionEventName, trace.WithAttributes(append(attrs,
			otelsemconv.ExceptionType(exceptionType(err)),
			otelsemconv.ExceptionMessage(v))...))
		return
	}
	span.RecordError(err, trace.WithAttributes(attrs...))
}

// exceptionType returns the exception.type that span.RecordError records for
// err: the package path and name of its type, or for a type without them
// (a pointer type, for example) the type as %T prints it.
func exceptionType(err error) string {
	t := reflect.TypeOf(err)
	if t.PkgPath() == "" && t.Name() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}
