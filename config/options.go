package config

import (
	"log/slog"
	"time"
)

// DefaultInterval is how often a [Watcher] reads its file by default.
const DefaultInterval = time.Second

// Option configures [NewManager] and [Watch].
type Option interface {
	apply(*options)
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	logger   *slog.Logger
	interval time.Duration
	base     *Config
}

// newOptions returns the defaults with opts applied in order; nil options
// are skipped.
func newOptions(opts []Option) *options {
	o := &options{logger: slog.Default(), interval: DefaultInterval}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
	return o
}

// WithLogger sets the logger of the audit log: every configuration applied
// or rejected, with its source and its changes or error. Default:
// [slog.Default] at the time of the NewManager or Watch call. A nil logger
// is ignored.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.logger = l
		}
	})
}

// WithInterval sets how often a [Watcher] reads its file to look for
// changes. Default: [DefaultInterval] (one second). Zero or negative is
// ignored. NewManager ignores it.
func WithInterval(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d > 0 {
			o.interval = d
		}
	})
}

// WithBase sets the configuration that a [Watcher]'s file is layered over,
// at start and at every reload: a key the file does not set takes the
// value of base. Default: the environment over the defaults,
// FromEnv(Default()), read once by Watch. NewManager ignores it.
func WithBase(base Config) Option {
	return optionFunc(func(o *options) {
		b := base.Clone()
		o.base = &b
	})
}
