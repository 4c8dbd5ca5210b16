package otelsignals

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/signalkit/sdk/internal/timing"
	"github.com/signalkit/sdk/sampling"
)

// Config is a complete set of the runtime settings of instrumented signals:
// the state of a [Settings]. [DefaultConfig] returns the defaults; modify a
// copy and pass it to [Settings.Apply] to change several settings at once.
// The zero Config has metrics and tracing off and no Sampler, which
// [Config.Validate] rejects: start from DefaultConfig.
type Config struct {
	// Metrics switches metrics on. While it is off, the signals record no
	// metric and their observable instruments report nothing.
	Metrics bool

	// Tracing switches spans on. While it is off, no span starts.
	Tracing bool

	// Sampler decides which emissions are traced. It must not be nil: use
	// sampling.Never() to trace nothing.
	Sampler sampling.Sampler

	// ListenerSpans gives every listener call of a traced emission a span
	// of its own.
	ListenerSpans bool

	// DurationSampleRate is the fraction of emissions whose durations are
	// measured beyond the DurationBudget, in [0, 1]. See
	// [WithDurationSampleRate].
	DurationSampleRate float64

	// DurationBudget is the number of emissions per second, per signal,
	// whose durations are measured whatever DurationSampleRate says: the
	// first DurationBudget emissions of each second are timed, and
	// DurationSampleRate applies to the others. 0 means
	// [DefaultDurationBudget]; a negative value means no budget, so that
	// DurationSampleRate alone decides. See [WithDurationBudget].
	DurationBudget int

	// Overrides are settings for single signals, by the name the signal is
	// instrumented with (see [WithName]); they take precedence over the
	// fields above and over the options given to [Instrument]. Nil means
	// none.
	Overrides map[string]Override
}

// DefaultConfig returns the settings of a new [Settings]: metrics and
// tracing on, sampler sampling.ParentBased(sampling.Never()) (emissions are
// traced inside sampled traces only), no listener spans,
// [DefaultDurationBudget] and [DefaultDurationSampleRate]: every emission of
// a signal emitted up to 100 times a second is timed, and one in a hundred
// of those beyond.
func DefaultConfig() Config {
	return Config{
		Metrics:            true,
		Tracing:            true,
		Sampler:            sampling.ParentBased(sampling.Never()),
		DurationSampleRate: DefaultDurationSampleRate,
		DurationBudget:     DefaultDurationBudget,
	}
}

// Validate returns an error wrapping [ErrInvalidConfig] if c has a nil
// Sampler, or a DurationSampleRate (its own or an override's) outside
// [0, 1] or NaN, and nil otherwise. Errors for several fields are joined.
func (c Config) Validate() error {
	var errs []error
	if c.Sampler == nil {
		errs = append(errs, fmt.Errorf("%w: nil Sampler (use sampling.Never() to trace nothing)", ErrInvalidConfig))
	}
	if err := checkRate("DurationSampleRate", c.DurationSampleRate); err != nil {
		errs = append(errs, err)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Overrides)) {
		if err := c.Overrides[name].validate(name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func checkRate(what string, rate float64) error {
	if math.IsNaN(rate) || rate < 0 || rate > 1 {
		return fmt.Errorf("%w: %s %v is not in [0, 1]", ErrInvalidConfig, what, rate)
	}
	return nil
}

// clone returns c with a copy of its overrides, which the caller may modify.
func (c Config) clone() Config {
	c.Overrides = maps.Clone(c.Overrides)
	return c
}

// Override holds settings for one signal, set with [Settings.SetOverride] or
// in [Config.Overrides]. Each nil field means that the signal keeps the value
// it has without the override, so the zero Override changes nothing. Set the
// pointer fields with new, as in Override{Tracing: new(false)}.
type Override struct {
	Metrics            *bool            // see Config.Metrics; nil: unchanged
	Tracing            *bool            // see Config.Tracing; nil: unchanged
	Sampler            sampling.Sampler // see Config.Sampler; nil: unchanged
	ListenerSpans      *bool            // see Config.ListenerSpans; nil: unchanged
	DurationSampleRate *float64         // in [0, 1]; nil: unchanged
	DurationBudget     *int             // see Config.DurationBudget; nil: unchanged
}

func (o Override) validate(name string) error {
	if o.DurationSampleRate != nil {
		return checkRate(fmt.Sprintf("Overrides[%q].DurationSampleRate", name), *o.DurationSampleRate)
	}
	return nil
}

// applyTo sets the fields of e that o sets.
func (o *Override) applyTo(e *effective) {
	if o.Metrics != nil {
		e.metrics = *o.Metrics
	}
	if o.Tracing != nil {
		e.tracing = *o.Tracing
	}
	if o.Sampler != nil {
		e.sampler = o.Sampler
	}
	if o.ListenerSpans != nil {
		e.listenerSpans = *o.ListenerSpans
	}
	if o.DurationSampleRate != nil {
		e.setRate(*o.DurationSampleRate)
	}
	if o.DurationBudget != nil {
		e.setBudget(*o.DurationBudget)
	}
}

// Settings switches metrics and tracing of instrumented signals on and off,
// and changes their sampler, listener spans, duration sample rate and
// duration budget, while
// they run, without re-instrumenting them. Every instrumentation created
// [WithSettings] of a Settings follows it; the settings for one signal can be
// changed by name with [Settings.SetOverride].
//
// A change applies to emissions that start after the method has returned;
// an emission in progress completes with the settings it started with. The
// emission path reads the settings with one atomic load and takes no lock.
// When a change leaves a signal with neither metrics nor tracing, its
// instrumentation is switched off with EnableCollector(false), so that its
// emissions cost what they cost without instrumentation; it is switched on
// again when either comes back.
//
// The zero Settings is ready for use and holds [DefaultConfig]. A Settings is
// safe for concurrent use and must not be copied after first use.
type Settings struct {
	mu      sync.Mutex             // serializes writers
	current atomic.Pointer[Config] // nil means DefaultConfig
	insts   []*instrumentation     // instrumentations following s; under mu
	names   map[string]struct{}    // signal names recorded; under mu
}

// NewSettings returns a Settings that holds c, or an error wrapping
// [ErrInvalidConfig] if c is not valid (see [Config.Validate]).
func NewSettings(c Config) (*Settings, error) {
	s := new(Settings)
	if err := s.Apply(c); err != nil {
		return nil, err
	}
	return s, nil
}

// Config returns a copy of the current settings, which the caller may
// modify.
func (s *Settings) Config() Config {
	return s.load().clone()
}

// load returns the current Config; the caller must not modify it.
func (s *Settings) load() *Config {
	if c := s.current.Load(); c != nil {
		return c
	}
	c := DefaultConfig()
	return &c
}

// Apply replaces all the settings with c, atomically: an emission sees
// either the old settings or the new ones, never a mix. If c is not valid
// (see [Config.Validate]), Apply returns an error wrapping [ErrInvalidConfig]
// and changes nothing. Apply keeps its own copy of c.Overrides.
func (s *Settings) Apply(c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c = c.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store(&c)
	return nil
}

// update applies change to a copy of the current settings and stores the
// result. The caller validates what change sets.
func (s *Settings) update(change func(*Config)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.load().clone()
	change(&c)
	s.store(&c)
}

// store makes c current and updates every instrumentation. The caller holds
// s.mu.
func (s *Settings) store(c *Config) {
	s.current.Store(c)
	for _, inst := range s.insts {
		inst.refresh(c)
	}
}

// SetMetricsEnabled switches metrics on or off for every signal without an
// override for it.
func (s *Settings) SetMetricsEnabled(on bool) {
	s.update(func(c *Config) { c.Metrics = on })
}

// SetTracingEnabled switches tracing on or off for every signal without an
// override for it.
func (s *Settings) SetTracingEnabled(on bool) {
	s.update(func(c *Config) { c.Tracing = on })
}

// SetSampler makes smp the sampler of every signal without a sampler of its
// own (from [WithSampler] or an override). A nil smp returns an error
// wrapping [ErrInvalidConfig] and changes nothing; use sampling.Never() to
// trace nothing. Pass a [sampling.Dynamic] to change the sampler without
// going through Settings.
func (s *Settings) SetSampler(smp sampling.Sampler) error {
	if smp == nil {
		return fmt.Errorf("%w: nil Sampler (use sampling.Never() to trace nothing)", ErrInvalidConfig)
	}
	s.update(func(c *Config) { c.Sampler = smp })
	return nil
}

// SetListenerSpans switches listener spans on or off for every signal
// without a setting of its own.
func (s *Settings) SetListenerSpans(on bool) {
	s.update(func(c *Config) { c.ListenerSpans = on })
}

// SetDurationSampleRate sets the fraction of emissions whose durations are
// measured, for every signal without a rate of its own. A rate outside
// [0, 1], or NaN, returns an error wrapping [ErrInvalidConfig] and changes
// nothing.
func (s *Settings) SetDurationSampleRate(rate float64) error {
	if err := checkRate("DurationSampleRate", rate); err != nil {
		return err
	}
	s.update(func(c *Config) { c.DurationSampleRate = rate })
	return nil
}

// SetDurationBudget sets the number of emissions per second, per signal,
// whose durations are measured whatever the duration sample rate says, for
// every signal without a budget of its own: 0 means [DefaultDurationBudget],
// a negative value no budget. See [Config.DurationBudget].
func (s *Settings) SetDurationBudget(perSecond int) {
	s.update(func(c *Config) { c.DurationBudget = perSecond })
}

// SetOverride sets the settings of the signals instrumented with the given
// name, replacing any override for that name; they take precedence over the
// global settings and over the options given to Instrument. An invalid o
// returns an error wrapping [ErrInvalidConfig] and changes nothing. An
// override may name a signal that is not instrumented yet.
func (s *Settings) SetOverride(name string, o Override) error {
	if err := o.validate(name); err != nil {
		return err
	}
	s.update(func(c *Config) {
		if c.Overrides == nil {
			c.Overrides = make(map[string]Override)
		}
		c.Overrides[name] = o
	})
	return nil
}

// ClearOverride removes the override for name, if there is one.
func (s *Settings) ClearOverride(name string) {
	s.update(func(c *Config) { delete(c.Overrides, name) })
}

// attach computes inst's settings, runs attach (which attaches inst to its
// signal) and, if it succeeds, adds inst to the instrumentations that follow
// s and switches it off if its settings say so.
func (s *Settings) attach(inst *instrumentation, attach func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst.refresh(s.load())
	if err := attach(); err != nil {
		return err
	}
	s.insts = append(s.insts, inst)
	inst.applyEnabled()
	return nil
}

// admit returns the name to record for a signal named name: name itself if
// it is already recorded or fewer than limit names are, and
// semconv.OverflowSignalName otherwise.
func (s *Settings) admit(name string, limit int, overflow string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.names[name]; ok {
		return name
	}
	if len(s.names) >= limit {
		return overflow
	}
	if s.names == nil {
		s.names = make(map[string]struct{})
	}
	s.names[name] = struct{}{}
	return name
}

// detach removes inst from the instrumentations that follow s and runs
// detach, under s's lock so that no settings change reaches inst's signal
// afterwards.
func (s *Settings) detach(inst *instrumentation, detach func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := detach(); err != nil {
		return err
	}
	s.insts = slices.DeleteFunc(s.insts, func(i *instrumentation) bool { return i == inst })
	return nil
}

// effective is the settings of one instrumentation, derived from its
// Settings, its options and the override for its name. It is immutable; the
// emission path loads it with one atomic load.
type effective struct {
	metrics       bool
	tracing       bool
	listenerSpans bool
	timeAll       bool             // rate 1: time every emission
	threshold     uint64           // time an emission if a random uint64 is below it
	budget        int64            // emissions timed per second whatever the rate; 0: none
	sampler       sampling.Sampler // never nil: Config.Validate checks
	// sampling: tracing is on and the sampler may sample. Only then is
	// the sampler asked; with sampling.Never() an emission decides
	// nothing, and with metrics off too the collector is switched off.
	sampling bool
	// thinner is the sampler, if it is a sampling.Thinner and only
	// tracing needs the emissions (metrics are off); nil otherwise. The
	// instrumentation's Share is then the thinner's, and thinned decides
	// the emissions the signal shows it.
	thinner sampling.Thinner
	thinned sampling.Sampler
}

// setRate sets the timing decision for rate, in [0, 1].
func (e *effective) setRate(rate float64) {
	e.timeAll = rate >= 1
	e.threshold = 0
	if !e.timeAll && rate > 0 {
		e.threshold = timing.Threshold(rate)
	}
}

// setBudget sets the duration budget for a Config.DurationBudget of n.
func (e *effective) setBudget(n int) {
	switch {
	case n == 0:
		e.budget = DefaultDurationBudget
	case n < 0:
		e.budget = 0
	default:
		e.budget = int64(n)
	}
}

// off is the effective settings of a detached instrumentation.
var off = &effective{}

// effectiveFor returns the settings of the signal named name with the
// options pinned, under c.
func effectiveFor(c *Config, pinned *Override, name string) *effective {
	e := &effective{
		metrics:       c.Metrics,
		tracing:       c.Tracing,
		sampler:       c.Sampler,
		listenerSpans: c.ListenerSpans,
	}
	e.setRate(c.DurationSampleRate)
	e.setBudget(c.DurationBudget)
	pinned.applyTo(e)
	if o, ok := c.Overrides[name]; ok {
		o.applyTo(e)
	}
	e.sampling = e.tracing && !neverSamples(e.sampler)
	if t, ok := e.sampler.(sampling.Thinner); ok && e.sampling && !e.metrics {
		e.thinner, e.thinned = t, t.Thinned()
	}
	return e
}

// neverSamples reports whether s is sampling.Never(), which samples nothing
// whatever the emission: the decision is made once, here, instead of on
// every emission. A sampler that may change (a sampling.Dynamic) is asked
// on every emission.
func neverSamples(s sampling.Sampler) bool {
	t := reflect.TypeOf(s)
	return t != nil && t.Comparable() && s == sampling.Never()
}
