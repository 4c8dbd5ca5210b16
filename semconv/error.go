package semconv

import (
	"errors"
	"fmt"
	"reflect"

	"go.opentelemetry.io/otel/attribute"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// ErrorTypeKey is the attribute key of the class of error an emission or a
// listener call ended with (the standard error.type attribute). It is set
// only when the operation failed.
//
// Type: string
// Examples: "panic", "_OTHER", "*fs.PathError",
// "context.deadlineExceededError"
// Cardinality: bounded by the error types the application's listeners return.
// See [ErrorTypeOf].
const ErrorTypeKey = otelsemconv.ErrorTypeKey

// ErrorTypePanic is the [ErrorTypeKey] value of a listener call that
// panicked.
const ErrorTypePanic = "panic"

// ErrorTypeOther is the [ErrorTypeKey] value of an error whose type says
// nothing about the failure, such as one made by [errors.New]: "_OTHER", the
// fallback value the semantic conventions define for error.type. See
// [ErrorTypeOf].
const ErrorTypeOther = "_OTHER"

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
// for a nil error. The semantic conventions ask for a predictable value of low
// cardinality that names the class of the error; ErrorTypeOf returns, in this
// order:
//
//  1. If err, or an error in its tree, has a method
//
//     ErrorType() string
//
//     that returns a non-empty string, that string. An error that reports a
//     recovered panic returns [ErrorTypePanic] from it. This is how an
//     application names the classes of its own errors.
//
//  2. Otherwise the name of the error's Go type. For a pointer type that is
//     the name %T prints, like "*fs.PathError"; for a named non-pointer type
//     the full package path and type name, like "syscall.Errno" or
//     "example.com/app/store.Code".
//
//  3. Except for the standard library's generic error types, whose name
//     tells nothing about the failure: *errors.errorString (from
//     [errors.New], and [fmt.Errorf] without %w) and the wrappers made by
//     [fmt.Errorf] with %w and by [errors.Join]. A wrapper is looked
//     through: the first error it holds (in the order of [errors.As]) whose
//     type is not generic gives the name, as in step 2. An error with no such
//     type gives [ErrorTypeOther] ("_OTHER"), never its message, which could
//     hold anything.
//
// Steps 1 and 2, with the unwrapping of a single %w, are the algorithm of
// ErrorType in go.opentelemetry.io/otel/semconv/v1.43.0, so signalkit's
// error.type values match those of other OpenTelemetry Go instrumentation for
// every error except the generic ones, which that function records by their
// type name. Bytes that are not valid UTF-8 (an ErrorType method may return
// anything) are replaced by U+FFFD.
func ErrorTypeOf(err error) string {
	if err == nil {
		return ""
	}
	return valid(errorType(err))
}

// errorType is ErrorTypeOf before the UTF-8 check.
func errorType(err error) string {
	if et, ok := err.(interface{ ErrorType() string }); ok {
		// Fast path: the top-level error has the method.
		if s := et.ErrorType(); s != "" {
			return s
		}
	} else {
		var et interface{ ErrorType() string }
		if errors.As(err, &et) {
			if s := et.ErrorType(); s != "" {
				return s
			}
		}
	}
	return typeName(err)
}

// The standard library's generic error types (see ErrorTypeOf).
var (
	errorStringType = reflect.TypeOf(errors.New(""))
	wrapErrorType   = reflect.TypeOf(fmt.Errorf("%w", errors.New("")))
	wrapErrorsType  = reflect.TypeOf(fmt.Errorf("%w%w", errors.New(""), errors.New("")))
	joinErrorType   = reflect.TypeOf(errors.Join(errors.New("")))
)

// typeName returns the name of err's type, looking through the generic
// wrappers, or ErrorTypeOther if no error in its tree has a type that is not
// generic.
func typeName(err error) string {
	t := reflect.TypeOf(err)
	switch t {
	case errorStringType:
		return ErrorTypeOther
	case wrapErrorType, wrapErrorsType, joinErrorType:
		var inner []error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			inner = []error{u.Unwrap()}
		case interface{ Unwrap() []error }:
			inner = u.Unwrap()
		}
		for _, e := range inner {
			if e == nil {
				continue
			}
			if s := typeName(e); s != ErrorTypeOther {
				return s
			}
		}
		return ErrorTypeOther
	}
	if pkg, name := t.PkgPath(), t.Name(); pkg != "" && name != "" {
		return pkg + "." + name
	}
	// A type without package path or name: a pointer, or a type literal.
	return t.String()
}
