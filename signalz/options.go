package signalz

import (
	"log/slog"
	"net/http"
)

// Defaults of the options.
const (
	// DefaultPageSize is the number of signals, and of listeners of a
	// signal, that a page shows unless its limit parameter asks for
	// another number. See [WithPageSize].
	DefaultPageSize = 100

	// MaxPageSize is the largest number of signals or listeners a page
	// shows, whatever its limit parameter or [WithPageSize] asks for: it
	// bounds the work and the size of a response.
	MaxPageSize = 1000
)

// config is what the options set.
type config struct {
	actions      bool       // WithActions was given
	act          Authorizer // nil: loopback only (with loopback)
	loopback     bool
	audit        *slog.Logger
	pageSize     int
	crossOrigin  *http.CrossOriginProtection
	instrumented bool
}

// Option configures [New].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// newConfig returns the defaults, with opts applied in order. nil options
// are skipped.
func newConfig(opts []Option) *config {
	c := &config{
		audit:        slog.Default(),
		pageSize:     DefaultPageSize,
		instrumented: true,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	if c.crossOrigin == nil {
		c.crossOrigin = http.NewCrossOriginProtection()
	}
	return c
}

// WithActions enables the page's actions: re-enabling a listener that the
// circuit breaker disabled, and switching a signal's metrics or tracing on
// or off. They are POST requests, which the handler serves only to
// requests that authorize accepts and [http.CrossOriginProtection] lets
// through, and every one of them, done or refused, is written to the audit
// log ([WithAuditLogger]). authorize is asked separately from the reading
// authorizer, so that those who may look need not be those who may act; a
// request that passes neither is answered 401, one that may read but not
// act 403.
//
// A nil authorize is accepted only with [WithUnauthenticatedLoopback], and
// then only loopback clients may act; otherwise [New] returns
// [ErrNoAuthorizer]. Default: no actions; a POST is answered 405.
func WithActions(authorize Authorizer) Option {
	return optionFunc(func(c *config) {
		c.actions = true
		c.act = authorize
	})
}

// WithUnauthenticatedLoopback lets [New] build a handler with a nil
// authorizer, for reading or for actions, and serves what a nil authorizer
// guards only to clients whose connection comes from a loopback address
// (127.0.0.0/8 or ::1); the others get 403. It is meant for a process that
// an operator reaches through `kubectl port-forward` or an SSH tunnel.
// Behind a reverse proxy on the same host every request comes from
// loopback: use an authorizer there. Default: off, and New refuses a nil
// authorizer.
func WithUnauthenticatedLoopback() Option {
	return optionFunc(func(c *config) { c.loopback = true })
}

// WithAuditLogger sets the logger of the audit log: every action, done or
// refused, with its source ("introspection"), the signal, the listener, the
// client's address and the settings it changed with their old and new
// values, in the form package config uses for configurations. Default:
// [slog.Default] at the time of the New call. A nil logger is ignored.
func WithAuditLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.audit = l
		}
	})
}

// WithPageSize sets how many signals, and listeners of a signal, a page
// shows unless its limit parameter asks for another number. Default:
// [DefaultPageSize]. Values above [MaxPageSize] are lowered to it; zero or
// negative is ignored.
func WithPageSize(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.pageSize = min(n, MaxPageSize)
		}
	})
}

// WithCrossOriginProtection sets the protection that actions pass before
// anything else, for example one with trusted origins added. Default: a
// new [http.CrossOriginProtection], which refuses a POST that a browser
// says comes from another origin. A nil p is ignored.
func WithCrossOriginProtection(p *http.CrossOriginProtection) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.crossOrigin = p
		}
	})
}

// WithInstrumented sets whether the page lists the signals instrumented
// with otelsignals.Instrument ([otelsignals.InstrumentedSignals]), besides
// those registered with [Handler.Register]. Default: true. With false, it
// lists only the registered ones, for example to serve a page per
// component.
func WithInstrumented(on bool) Option {
	return optionFunc(func(c *config) { c.instrumented = on })
}
