package semconv_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/semconv"
)

// panicError stands for an error that reports a recovered panic, as the
// signals package's panic error does.
type panicError struct{ value any }

func (e *panicError) Error() string     { return fmt.Sprint("panic: ", e.value) }
func (e *panicError) ErrorType() string { return semconv.ErrorTypePanic }

// codeError is a named non-pointer error type.
type codeError int

func (e codeError) Error() string { return fmt.Sprint("code ", int(e)) }

func TestErrorType(t *testing.T) {
	pathErr := &fs.PathError{Op: "open", Path: "/nope", Err: fs.ErrNotExist}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"errors.New is _OTHER", errors.New("boom"), "_OTHER"},
		{"fmt.Errorf without %w is _OTHER", fmt.Errorf("boom %d", 1), "_OTHER"},
		{"a sentinel made by errors.New is _OTHER", fs.ErrNotExist, "_OTHER"},
		{"fmt wrapper of errors.New is _OTHER", fmt.Errorf("load: %w", errors.New("x")), "_OTHER"},
		{"fmt wrapper of nil is _OTHER", fmt.Errorf("load: %w", nil), "_OTHER"},
		{"pointer type", pathErr, "*fs.PathError"},
		{"fmt wrapper is unwrapped", fmt.Errorf("load: %w", pathErr), "*fs.PathError"},
		{"nested fmt wrappers", fmt.Errorf("a: %w", fmt.Errorf("b: %w", pathErr)), "*fs.PathError"},
		{"join: the first error of a meaningful type", errors.Join(errors.New("x"), pathErr, syscall.ENOENT), "*fs.PathError"},
		{"join of generic errors is _OTHER", errors.Join(errors.New("x"), errors.New("y")), "_OTHER"},
		{"join with nil errors", errors.Join(nil, errors.New("x"), nil), "_OTHER"},
		{"several %w: the first meaningful one", fmt.Errorf("%w and %w", errors.New("x"), syscall.ENOENT), "syscall.Errno"},
		{"join inside a fmt wrapper", fmt.Errorf("a: %w", errors.Join(errors.New("x"), fmt.Errorf("b: %w", pathErr))), "*fs.PathError"},
		{"ErrorType method inside a join", errors.Join(pathErr, &panicError{value: 1}), "panic"},
		{"empty ErrorType falls back to the type", &classError{""}, "*semconv_test.classError"},
		{"named non-pointer type from std", syscall.ENOENT, "syscall.Errno"},
		{"unexported std type", context.DeadlineExceeded, "context.deadlineExceededError"},
		{"named type with full path", codeError(3), "github.com/signalkit/sdk/semconv_test.codeError"},
		{"panic", &panicError{value: "x"}, "panic"},
		{"wrapped panic", fmt.Errorf("listener: %w", &panicError{value: 1}), "panic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := semconv.ErrorTypeOf(tt.err); got != tt.want {
				t.Errorf("ErrorTypeOf() = %q, want %q", got, tt.want)
			}
			assertKV(t, semconv.ErrorType(tt.err), attribute.String("error.type", tt.want))
		})
	}
}

func TestErrorTypeNil(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"untyped nil", nil},
		{"nil interface var", error(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := semconv.ErrorTypeOf(tt.err); got != "" {
				t.Errorf("ErrorTypeOf(nil) = %q, want \"\"", got)
			}
			kv := semconv.ErrorType(tt.err)
			if kv != (attribute.KeyValue{}) || kv.Valid() {
				t.Errorf("ErrorType(nil) = %v (valid %t), want the zero, invalid KeyValue", kv, kv.Valid())
			}
		})
	}
}

func TestErrorTypeConstants(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"key", string(semconv.ErrorTypeKey), "error.type"},
		{"panic value", semconv.ErrorTypePanic, "panic"},
		{"other value", semconv.ErrorTypeOther, "_OTHER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
