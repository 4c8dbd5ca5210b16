package config

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
)

// Messages of the audit log.
const (
	msgApplied      = "signalkit config applied"
	msgUnchanged    = "signalkit config unchanged"
	msgRejected     = "signalkit config rejected; the running configuration stays in force"
	msgLimitIgnored = "signalkit config: cardinality_limit cannot change while the process runs; keeping the running value"
)

// Sources of a configuration, the source attribute of the audit log.
const (
	sourceStartup      = "startup"
	sourceFile         = "file"
	sourceProgrammatic = "programmatic"
)

// Manager holds the configuration in force for an [otelsignals.Settings],
// and applies new ones to it, atomically: an emission sees the settings of
// the old configuration or of the new one, never a mix. Every
// configuration applied or rejected is logged (see the package
// documentation).
//
// A Manager starts no goroutine and needs no closing. It is safe for
// concurrent use, also while the signals emit, and must not be copied.
type Manager struct {
	settings *otelsignals.Settings
	logger   *slog.Logger
	limit    int // the cardinality limit the signals are instrumented with

	mu       sync.Mutex // serializes apply
	current  atomic.Pointer[Config]
	samplers map[samplerKey]sampling.Sampler // of current; under mu
}

// samplerKey identifies a sampler of a configuration: the signal it is the
// override of ("" for the global one), its name and its argument.
type samplerKey struct{ signal, name, arg string }

// NewManager validates c, applies it to s with [otelsignals.Settings.Apply],
// logs it (source "startup") and returns a Manager that holds it. A nil s
// means a new Settings, which [Manager.Settings] returns. If c is not
// valid, NewManager returns the error of [Config.Validate] and changes
// nothing. It accepts [WithLogger]; the other options are ignored.
func NewManager(s *otelsignals.Settings, c Config, opts ...Option) (*Manager, error) {
	return newManager(s, c, newOptions(opts))
}

func newManager(s *otelsignals.Settings, c Config, o *options, attrs ...slog.Attr) (*Manager, error) {
	if s == nil {
		s = new(otelsignals.Settings)
	}
	m := &Manager{settings: s, logger: o.logger, limit: c.CardinalityLimit}
	c = c.Clone()
	oc, err := c.otel(nil)
	if err != nil {
		return nil, err
	}
	if err := s.Apply(oc); err != nil {
		return nil, &Error{Err: err}
	}
	m.keep(c, oc)
	attrs = append([]slog.Attr{slog.String("source", sourceStartup)}, attrs...)
	m.log(slog.LevelInfo, msgApplied, append(attrs, changesAttr(diff(Default(), c)))...)
	return m, nil
}

// Settings returns the Settings the Manager applies configurations to:
// instrument signals with [otelsignals.WithSettings] of it, or with
// [Manager.InstrumentOptions].
func (m *Manager) Settings() *otelsignals.Settings { return m.settings }

// Config returns a copy of the configuration in force.
func (m *Manager) Config() Config {
	return m.current.Load().Clone()
}

// InstrumentOptions returns the options that make an instrumentation
// follow the Manager: [otelsignals.WithSettings] of its Settings and
// [otelsignals.WithCardinalityLimit] of its cardinality limit. Pass them to
// [otelsignals.Instrument] with any others.
func (m *Manager) InstrumentOptions() []otelsignals.Option {
	return []otelsignals.Option{
		otelsignals.WithSettings(m.settings),
		otelsignals.WithCardinalityLimit(m.limit),
	}
}

// Apply makes c the configuration in force, and logs it with its changes
// (source "programmatic"). If c is not valid, Apply logs and returns the
// error of [Config.Validate], and the configuration in force stays. The
// cardinality limit cannot change after the signals are instrumented: a c
// with another CardinalityLimit is applied with the one in force, and a
// warning is logged.
//
// A [Watcher] applies its file again when the file changes, replacing what
// Apply set.
func (m *Manager) Apply(c Config) error {
	return m.apply(c, slog.String("source", sourceProgrammatic))
}

// apply is Apply with the attributes that say where c comes from.
func (m *Manager) apply(c Config, attrs ...slog.Attr) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.current.Load()
	c = c.Clone()
	if c.CardinalityLimit != m.limit {
		m.log(slog.LevelWarn, msgLimitIgnored, append(attrs,
			slog.Int("running", m.limit), slog.Int("requested", c.CardinalityLimit))...)
		c.CardinalityLimit = m.limit
	}
	oc, err := c.otel(m.cached)
	if err == nil {
		if e := m.settings.Apply(oc); e != nil {
			err = &Error{Err: e}
		}
	}
	if err != nil {
		m.log(slog.LevelError, msgRejected, append(attrs, slog.String("error", err.Error()))...)
		return err
	}
	m.keep(c, oc)
	changes := diff(*old, c)
	if len(changes) == 0 {
		m.log(slog.LevelInfo, msgUnchanged, attrs...)
		return nil
	}
	m.log(slog.LevelInfo, msgApplied, append(attrs, changesAttr(changes))...)
	return nil
}

// cached returns the sampler in force for the global sampler or a signal's
// override, if it has the same name and argument. The caller holds mu.
func (m *Manager) cached(signal, name, arg string) (sampling.Sampler, bool) {
	s, ok := m.samplers[samplerKey{signal, name, arg}]
	return s, ok
}

// keep makes c, converted to oc, the configuration in force. The caller
// holds mu, or has the only reference to m.
func (m *Manager) keep(c Config, oc otelsignals.Config) {
	samplers := map[samplerKey]sampling.Sampler{{"", c.Sampler, c.SamplerArg}: oc.Sampler}
	for name, o := range c.Signals {
		if o.Sampler != "" {
			samplers[samplerKey{name, o.Sampler, o.SamplerArg}] = oc.Overrides[name].Sampler
		}
	}
	m.samplers = samplers
	m.current.Store(&c)
}

func (m *Manager) log(level slog.Level, msg string, attrs ...slog.Attr) {
	m.logger.LogAttrs(context.Background(), level, msg, attrs...)
}
