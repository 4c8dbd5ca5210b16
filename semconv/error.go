package semconv

import (
	"go.opentelemetry.io/otel/attribute"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// ErrorTypeKey is the attribute key of the class of error an emission or a
// listener call ended with (the standard error.type attribute). It is set
// only when the operation failed.
//
// Type: string
// Examples: "panic", "*errors.errorString", "*fs.PathError",
// "context.deadlineExceededError"
// Cardinality: bounded by the error types the application's listeners return.
// See [ErrorTypeOf].
const ErrorTypeKey = otelsemconv.ErrorTypeKey

// ErrorTypePanic is the [ErrorTypeKey] value of a listener call that
// panicked.
const ErrorTypePanic = "panic"

// ErrorType returns the [ErrorTypeKey] attribute for err, whose value is
// [ErrorTypeOf](err).
//
// For a nil error it returns the zero [attribute.KeyValue], which is not
// valid (its Valid method reports false); error.type must not be recorded
// for an operation that succeeded, so check err before calling ErrorType.
func ErrorType(err error) attribute.KeyValue {
	if err == nil {
		return attribute.KeyValue{}
	}
	return ErrorTypeKey.String(ErrorTypeOf(err))
}

// ErrorTypeOf returns the value of the error.type attribute for err, or ""
// for a nil error.
//
// If err, or an error in its chain, has a method
//
//	ErrorType() string
//
// that returns a non-empty string, ErrorTypeOf returns that string; an error
// that reports a recovered panic should return [ErrorTypePanic] from it.
// Otherwise it returns the name of the error's Go type, after unwrapping
// errors made by [fmt.Errorf] with %w (they say nothing about the failure).
// For a pointer type that is the name %T prints, like "*errors.errorString"
// or "*fs.PathError"; for a named non-pointer type it is the full package
// path and type name, like "syscall.Errno" or "example.com/app/store.Code".
//
// This is the algorithm of ErrorType in
// go.opentelemetry.io/otel/semconv/v1.43.0, so signalkit's error.type values
// match those of other OpenTelemetry Go instrumentation. Bytes that are not
// valid UTF-8 (an ErrorType method may return anything) are replaced by
// U+FFFD.
func ErrorTypeOf(err error) string {
	if err == nil {
		return ""
	}
	return valid(otelsemconv.ErrorType(err).Value.AsString())
}
