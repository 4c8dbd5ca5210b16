package otelsignals

import (
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/signalkit/sdk/internal/timing"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// instrumentation is the collector Instrument attaches to a signal: it maps
// the signal's operations to OpenTelemetry metrics and spans.
type instrumentation struct {
	signals.NopCollector // methods added to MetricsCollector later do nothing

	counts counts
	budget timing.Budget             // the duration budget's window
	eff    atomic.Pointer[effective] // never nil once attached

	sig      Signal
	kind     signals.Kind
	name     string // the name overrides are looked up by
	recorded string // the name recorded: name, or the overflow name
	settings *Settings
	pinned   Override // settings given as options

	// Guarded by settings.mu.
	attached bool
	enabled  bool // as set with sig.EnableCollector

	metrics metricsState
	tracing tracingState
	shared  shared // observers of the emissions that are not traced
}

var _ signals.MetricsCollector = (*instrumentation)(nil)

// Instrument attaches OpenTelemetry instrumentation to sig, a
// [*signals.SyncSignal] or [*signals.AsyncSignal] of any payload type, in
// place: the caller keeps using sig with all its methods, and its emissions
// are counted, timed and traced as described in the package documentation.
// Instrument creates the instruments and the tracer once, here; instrument
// creation errors are passed to [otel.Handle] and the instrumentation works
// with the instruments that could be created.
//
// Instrument returns an error wrapping [ErrNilSignal] for a nil sig, and
// one wrapping [ErrAlreadyInstrumented] if sig already has a collector
// (instrumentation or any other [signals.MetricsCollector]); sig is then
// unchanged. Remove the instrumentation with [Detach]. Until then,
// [InstrumentedSignals] lists sig.
//
// Instrument is safe for concurrent use, also with emissions on sig.
func Instrument(sig Signal, opts ...Option) error {
	if isNil(sig) {
		return fmt.Errorf("%w: Instrument", ErrNilSignal)
	}
	if sig.Collector() != nil {
		return fmt.Errorf("%w: %q", ErrAlreadyInstrumented, sig.Name())
	}
	cfg := newConfig(sig, opts)
	s := cfg.settings
	if s == nil {
		s = new(Settings)
	}
	c := &instrumentation{
		sig:      sig,
		kind:     sig.Kind(),
		name:     cfg.name,
		settings: s,
		pinned:   cfg.pinned,
		enabled:  true,
	}
	c.shared.init(c)
	c.recorded = s.admit(cfg.name, cfg.limit, semconv.OverflowSignalName)
	c.newMetrics(cfg.meterProvider, cfg.attrs)
	c.newTracing(cfg)
	err := s.attach(c, func() error {
		if prev := sig.SetCollector(c); prev != nil {
			sig.SetCollector(prev) // lost a race with another SetCollector
			return fmt.Errorf("%w: %q", ErrAlreadyInstrumented, sig.Name())
		}
		c.attached = true
		register(c)
		return nil
	})
	if err != nil {
		c.eff.Store(off)
		return errors.Join(err, c.metrics.unregister())
	}
	return nil
}

// Detach removes the instrumentation that [Instrument] attached to sig:
// sig's emissions are no longer observed, and its observable instruments
// are unregistered, so that they report nothing more for it. Spans of
// emissions in progress still end. Instrument may be called on sig again
// afterwards. Detach removes sig from [InstrumentedSignals].
//
// Detach returns an error wrapping [ErrNilSignal] for a nil sig, one
// wrapping [ErrNotInstrumented] if sig has no instrumentation from
// Instrument (also when it was already detached), and the error of
// unregistering the callback, if any.
func Detach(sig Signal) error {
	if isNil(sig) {
		return fmt.Errorf("%w: Detach", ErrNilSignal)
	}
	c, ok := sig.Collector().(*instrumentation)
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotInstrumented, sig.Name())
	}
	err := c.settings.detach(c, func() error {
		if prev := sig.SetCollector(nil); prev != c {
			sig.SetCollector(prev) // lost a race with another SetCollector
			return fmt.Errorf("%w: %q", ErrNotInstrumented, sig.Name())
		}
		c.attached = false
		c.eff.Store(off)
		unregister(c)
		return nil
	})
	if err != nil {
		return err
	}
	return c.metrics.unregister()
}

// isNil reports whether sig is nil or a nil pointer.
func isNil(sig Signal) bool {
	if sig == nil {
		return true
	}
	v := reflect.ValueOf(sig)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// refresh computes the instrumentation's settings under cfg and, if it is
// attached, switches it on or off to match. The caller holds settings.mu.
func (c *instrumentation) refresh(cfg *Config) {
	c.eff.Store(effectiveFor(cfg, &c.pinned, c.name))
	if c.attached {
		c.applyEnabled()
	}
}

// applyEnabled switches the collector off when neither metrics nor tracing
// is on, so that emissions take the signal's fast path, and on otherwise.
// The caller holds settings.mu.
func (c *instrumentation) applyEnabled() {
	e := c.eff.Load()
	if on := e.metrics || e.tracing; on != c.enabled {
		c.sig.EnableCollector(on)
		c.enabled = on
	}
}
