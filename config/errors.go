package config

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors of this package; test for them with [errors.Is].
var (
	// ErrInvalid is wrapped by every error that rejects a configuration:
	// a file that does not parse, an unknown key, a value of the wrong type
	// or out of range, an invalid environment variable, or a [Config] that
	// [Config.Validate] rejects. The configuration in force is unchanged.
	ErrInvalid = errors.New("config: invalid configuration")

	// ErrClosed is returned by [Watcher.Reload] after [Watcher.Close].
	ErrClosed = errors.New("config: watcher closed")
)

// Error is one problem with a configuration: where it is (a file and a
// position in it, an environment variable, or a key of a [Config]) and what
// is wrong. It wraps [ErrInvalid] and the underlying error, if any (for
// example [github.com/signalkit/sdk/sampling.ErrInvalidSampler]). Several
// problems are joined with [errors.Join]; use [errors.As] to get the first.
type Error struct {
	// File is the file the problem is in, as given to [ReadFile], [Parse]
	// or [Watch]; empty for an environment variable or a Config built in
	// code.
	File string
	// Line and Column are the 1-based position of the offending key or
	// value in File, or 0 if unknown.
	Line, Column int
	// Key is the offending key, as written in a file ("traces.sampler",
	// "signals[order.placed].metrics.enabled"), or the name of the
	// environment variable. Empty for a problem of the whole file, such as
	// a syntax error.
	Key string
	// Err is what is wrong.
	Err error
}

// Error returns the problem as "file:line:column: key: what", leaving out
// the parts that are unknown.
func (e *Error) Error() string {
	var b []byte
	if e.File != "" {
		b = append(b, e.File...)
		if e.Line > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Line), 10)
			if e.Column > 0 {
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(e.Column), 10)
			}
		}
		b = append(b, ": "...)
	}
	if e.Key != "" {
		b = append(b, e.Key...)
		b = append(b, ": "...)
	}
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
	} else {
		b = append(b, "invalid"...)
	}
	return string(b)
}

// Unwrap returns [ErrInvalid] and Err, so that errors.Is finds both.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

// maxErrors is the number of problems reported for one configuration.
// [Config.Validate] and [FromEnv] count the rest (joinErrors); Parse stops
// looking for more, so that its work stays bounded (see parser).
const maxErrors = 10

// joinErrors joins errs, keeping the first maxErrors and counting the rest.
func joinErrors(errs []error) error {
	if len(errs) > maxErrors {
		n := len(errs) - maxErrors
		errs = append(errs[:maxErrors:maxErrors], fmt.Errorf("%w: %d more problems", ErrInvalid, n))
	}
	return errors.Join(errs...)
}
