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
	// share is the share of emissions the signal shows the
	// instrumentation: 1, unless only a sampler that thins needs them
	// (see effective.thinner).
	share signals.Share

	sig      Signal
	kind     signals.Kind
	name     string // the name overrides are looked up by
	recorded string // the name recorded: name, or the overflow name
	settings *Settings
	pinned   Override // settings given as options

	// Guarded by settings.mu.
	attached bool
	enabled  bool // as set with sig.EnableCollector
	// beside is the collector the signal had before Instrument, nil if
	// none, and attachedAs what Instrument attached: c itself, or
	// signals.NewMultiCollector(beside, c).
	beside, attachedAs signals.MetricsCollector

	metrics metricsState
	tracing tracingState
	shared  shared // observers of the emissions that are not traced
}

var _ signals.ShareCollector = (*instrumentation)(nil)

// Instrument attaches OpenTelemetry instrumentation to sig, a
// [*signals.SyncSignal] or [*signals.AsyncSignal] of any payload type, in
// place: the caller keeps using sig with all its methods, and its emissions
// are counted, timed and traced as described in the package documentation.
// Instrument creates the instruments and the tracer once, here; instrument
// creation errors are passed to [otel.Handle] and the instrumentation works
// with the instruments that could be created.
//
// If sig already has a [signals.MetricsCollector] of another kind, the
// instrumentation attaches beside it: Instrument attaches
// [signals.NewMultiCollector] of that collector and the instrumentation, and
// Detach gives the signal its collector back. Attach such a collector before
// Instrument; to attach one later, combine it with sig.Collector() in
// NewMultiCollector (Detach then switches the instrumentation off and leaves
// your collector in place). While both metrics and tracing are off, an
// instrumentation attached beside another collector leaves that collector on
// and asks for nothing more of any emission.
//
// Instrument returns an error wrapping [ErrNilSignal] for a nil sig, and
// one wrapping [ErrAlreadyInstrumented] if sig is instrumented already (or
// its collector changed while Instrument attached, or after an earlier
// Instrument, when a collector of the caller's wraps or replaced the
// instrumentation: Detach it first); sig is then unchanged.
// Remove the instrumentation with [Detach]. Until then,
// [InstrumentedSignals] lists sig.
//
// Instrument is safe for concurrent use, also with emissions on sig.
func Instrument(sig Signal, opts ...Option) error {
	if isNil(sig) {
		return fmt.Errorf("%w: Instrument", ErrNilSignal)
	}
	prev := sig.Collector()
	if c, current := attachedTo(sig, prev); c != nil {
		if !current {
			return fmt.Errorf("%w: %q (its collector was changed after Instrument)", ErrAlreadyInstrumented, sig.Name())
		}
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
		c.beside, c.attachedAs = prev, c
		if prev != nil {
			c.attachedAs = signals.NewMultiCollector(prev, c)
		}
		if got := sig.SetCollector(c.attachedAs); !sameCollector(got, prev) {
			sig.SetCollector(got) // lost a race with another SetCollector
			return fmt.Errorf("%w: %q (its collector changed meanwhile)", ErrAlreadyInstrumented, sig.Name())
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
// sig's emissions are no longer observed by it (a collector it was attached
// beside is attached alone again), and its observable instruments are
// unregistered, so that they report nothing more for it. Spans of emissions
// in progress still end. Instrument may be called on sig again afterwards.
// Detach removes sig from [InstrumentedSignals]. If sig's collector is no
// longer the one Instrument attached (the caller wrapped the
// instrumentation in a collector of their own, or replaced it), Detach
// leaves the collector as it is, and switches the instrumentation off: it
// observes nothing more, wherever it is held.
//
// Detach returns an error wrapping [ErrNilSignal] for a nil sig, one
// wrapping [ErrNotInstrumented] if sig has no instrumentation from
// Instrument (also when it was already detached), and the error of
// unregistering the callback, if any.
func Detach(sig Signal) error {
	if isNil(sig) {
		return fmt.Errorf("%w: Detach", ErrNilSignal)
	}
	c, current := attachedTo(sig, sig.Collector())
	if c == nil {
		return fmt.Errorf("%w: %q", ErrNotInstrumented, sig.Name())
	}
	err := c.settings.detach(c, func() error {
		if !current { // a collector of the caller's holds c, or replaced it
			if !c.attached {
				return fmt.Errorf("%w: %q", ErrNotInstrumented, sig.Name()) // a concurrent Detach won
			}
		} else if prev := sig.SetCollector(c.beside); !sameCollector(prev, c.attachedAs) {
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
	c.applyShare()
	if c.attached {
		c.applyEnabled()
	}
}

// Share returns the share of emissions the signal shows the
// instrumentation: every emission while metrics are on, and, with metrics
// off, the share of a sampler that thins (a sampling.Thinner: Ratio,
// RateLimited), whose Thinned sampler then decides the emissions shown.
// An emission not shown costs the signal one random number.
func (c *instrumentation) Share() *signals.Share { return &c.share }

// applyShare sets the share of emissions shown from the current settings.
func (c *instrumentation) applyShare() {
	p := 1.0
	if ef := c.eff.Load(); ef != nil && ef.thinner != nil {
		p = ef.thinner.Share()
	}
	c.share.Set(p)
}

// applyEnabled switches the collector off when neither metrics nor tracing
// is on (or tracing is on with sampling.Never(), which traces nothing), so
// that emissions take the signal's fast path, and on otherwise.
// An instrumentation attached beside another collector leaves it on: its
// EmitStart then returns no observer. The caller holds settings.mu.
func (c *instrumentation) applyEnabled() {
	if c.beside != nil {
		return
	}
	e := c.eff.Load()
	if on := e.metrics || e.sampling; on != c.enabled {
		c.sig.EnableCollector(on)
		c.enabled = on
	}
}

// attachedTo returns the instrumentation that Instrument attached to sig,
// whose collector is col, or nil; and whether col is still what Instrument
// attached. It is not when a collector of the caller's wraps the
// instrumentation (in a signals.NewMultiCollector of their own) or replaced
// it: the registry then finds it by its signal.
func attachedTo(sig Signal, col signals.MetricsCollector) (c *instrumentation, current bool) {
	if c := instrumentationOf(col); c != nil {
		return c, true
	}
	return registeredFor(sig), false
}

// instrumentationOf returns the instrumentation that is col, the collector of
// a signal, or that Instrument attached as col beside another collector; nil
// if col is neither.
func instrumentationOf(col signals.MetricsCollector) *instrumentation {
	if col == nil {
		return nil
	}
	if c, ok := col.(*instrumentation); ok {
		return c
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	for _, r := range registry.entries {
		// attachedAs holds a pointer: comparing it with any collector is
		// safe.
		if r.inst.attachedAs == col {
			return r.inst
		}
	}
	return nil
}

// sameCollector reports whether a and b are the same collector. Collectors
// of a type that cannot be compared are taken to be the same if their types
// are: the signal's collector did not change.
func sameCollector(a, b signals.MetricsCollector) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	t := reflect.TypeOf(a)
	if t != reflect.TypeOf(b) {
		return false
	}
	return !t.Comparable() || a == b
}
