package otelsignals

import (
	"math"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
)

// Defaults of the options and of [DefaultConfig].
const (
	// DefaultDurationSampleRate is the fraction of emissions whose
	// durations are measured by default beyond the duration budget: one in a
	// hundred. See [WithDurationSampleRate].
	DefaultDurationSampleRate = 0.01

	// DefaultDurationBudget is the number of emissions per second, per
	// signal, whose durations are measured by default whatever the rate:
	// the first 100 of each second. A signal emitted up to 100 times a
	// second has every emission timed, so that its duration histograms fill
	// at low traffic; one emitted more often has 100 timed per second plus
	// [DefaultDurationSampleRate] of the rest. See [WithDurationBudget].
	DefaultDurationBudget = 100

	// DefaultCardinalityLimit is the number of distinct signal names a
	// [Settings] records by default before it records further names as
	// [semconv.OverflowSignalName]. See [WithCardinalityLimit].
	DefaultCardinalityLimit = 100
)

// config is the configuration of one Instrument call.
type config struct {
	meterProvider  metric.MeterProvider
	tracerProvider trace.TracerProvider
	name           string
	attrs          []attribute.KeyValue
	spanName       func(operation, signal string) string
	listenerKey    bool
	limit          int
	settings       *Settings
	pinned         Override // the runtime settings given as options
}

// Option configures [Instrument].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// newConfig returns the defaults, with opts applied in order. nil options
// are skipped.
func newConfig(sig Signal, opts []Option) *config {
	c := &config{
		meterProvider:  otel.GetMeterProvider(),
		tracerProvider: otel.GetTracerProvider(),
		name:           sig.Name(),
		spanName:       semconv.SpanName,
		limit:          DefaultCardinalityLimit,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	return c
}

// WithMeterProvider sets the MeterProvider that creates the instrumentation's
// meter. Default: the global MeterProvider ([otel.GetMeterProvider]) at the
// time of the Instrument call. A nil provider is ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithTracerProvider sets the TracerProvider that creates the
// instrumentation's tracer. Default: the global TracerProvider
// ([otel.GetTracerProvider]) at the time of the Instrument call. A nil
// provider is ignored.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tracerProvider = tp
		}
	})
}

// WithName sets the name the instrumentation records for the signal (the
// signals.name attribute, messaging.destination.name and the span names) and
// looks up in the overrides of its [Settings]. Default: the signal's own name
// (Signal.Name, which is "unnamed" for a signal created without one). An
// empty name is ignored.
//
// Names should be few and static, like metric names: see
// [WithCardinalityLimit].
func WithName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.name = name
		}
	})
}

// WithSampler sets the sampler that decides which emissions of this signal
// are traced, overriding the sampler of its [Settings] (but not an
// [Override] for its name). Default: the Settings' sampler, which is
// sampling.ParentBased(sampling.Never()) unless changed: an emission is
// traced when it is made inside a sampled trace, and never otherwise. A nil
// sampler is ignored.
//
// The default keeps traces whole without starting a trace per emission: at
// a million emissions per second, a root sampler that samples every emission
// outside a trace would start a million traces per second. To trace some
// root emissions, use for example
// sampling.ParentBased(sampling.RateLimited(10)).
func WithSampler(s sampling.Sampler) Option {
	return optionFunc(func(c *config) {
		if s != nil {
			c.pinned.Sampler = s
		}
	})
}

// WithListenerSpans sets whether a traced emission of this signal has a
// child span per listener call ("process {signal}"), overriding the setting
// of its [Settings] (but not an [Override] for its name). Default: the
// Settings' value, which is false unless changed: one span per emission.
// A listener span costs a span start and end (about a microsecond with the
// OpenTelemetry SDK) per listener of every traced emission.
func WithListenerSpans(on bool) Option {
	return optionFunc(func(c *config) {
		c.pinned.ListenerSpans = &on
	})
}

// WithDurationSampleRate sets the fraction of this signal's emissions beyond
// its duration budget ([WithDurationBudget]) whose emission, listener and
// queue wait durations are measured and recorded in the duration histograms,
// overriding the rate of its [Settings] (but not an [Override] for its
// name). Default: the Settings' rate, which is [DefaultDurationSampleRate]
// (0.01) unless changed. The counters count every emission and call whatever
// the rate.
//
// Timing an emission reads the clock twice for it and twice for each of its
// listener calls, and records one histogram value for each (together about
// 0.5 µs per listener call with the OpenTelemetry SDK), so a rate of 1,
// which times every emission, multiplies the cost of a short listener many
// times; 0 times none beyond the budget (to time nothing at all, also set
// a negative budget). rate is clamped to [0, 1]; NaN is 0.
func WithDurationSampleRate(rate float64) Option {
	r := clampRate(rate)
	return optionFunc(func(c *config) {
		c.pinned.DurationSampleRate = &r
	})
}

// WithDurationBudget sets how many of this signal's emissions per second
// are timed whatever the duration sample rate: within each second, the first
// perSecond emissions are timed, and the rate ([WithDurationSampleRate])
// applies to the others. It overrides the budget of its [Settings] (but not
// an [Override] for its name). Default: the Settings' budget, which is
// [DefaultDurationBudget] (100) unless changed. 0 means the default; a
// negative perSecond means no budget, so that the rate alone decides.
//
// A sampled duration at 1 % leaves a signal emitted five times a second with
// three timed emissions a minute: too few for a latency histogram or an SLO
// rule. The budget times everything at such rates, and bounds the cost at
// high rates: timing costs about 0.5 µs per listener call, so 100 timed
// emissions a second cost about 50 µs of CPU per second per listener, and
// beyond the budget an emission costs one more atomic load, and a clock read
// every 64 emissions, than without it. The timed emissions of a busy signal
// are then the first of each second rather than a uniform sample of it: the
// histograms describe those.
func WithDurationBudget(perSecond int) Option {
	return optionFunc(func(c *config) {
		c.pinned.DurationBudget = &perSecond
	})
}

// clampRate clamps rate to [0, 1], with NaN as 0.
func clampRate(rate float64) float64 {
	if math.IsNaN(rate) {
		return 0
	}
	return min(max(rate, 0), 1)
}

// WithAttributes adds attributes to every metric data point and span of the
// signal, for example the service's own dimensions. Default: none. Attributes
// that are not valid are ignored, bytes of string values that are not valid
// UTF-8 are replaced by U+FFFD, and attributes with the keys the
// instrumentation records itself (signals.name, signals.kind, error.type, ...)
// are replaced by the instrumentation's values. They should have few
// distinct values, like every metric attribute.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) {
		for _, kv := range attrs {
			if kv.Valid() {
				c.attrs = append(c.attrs, validAttr(kv))
			}
		}
	})
}

// WithSpanNameFormatter sets the function that names the signal's spans,
// given the operation (semconv.OperationEmit, OperationTryEmit,
// OperationEnqueue or OperationProcess) and the recorded signal name. It is
// called once per operation, by Instrument; bytes of its result that are not
// valid UTF-8 are replaced by U+FFFD. Default: [semconv.SpanName],
// "{operation} {signal}", as the messaging conventions name spans. A nil
// function is ignored.
func WithSpanNameFormatter(f func(operation, signal string) string) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.spanName = f
		}
	})
}

// WithListenerKeyAttribute sets whether listener spans carry the key the
// listener was registered with (signals.listener.key), for listeners that
// have one. Default: false. Keys are chosen by the application and may be
// unbounded, so they are never recorded on metrics.
func WithListenerKeyAttribute(on bool) Option {
	return optionFunc(func(c *config) {
		c.listenerKey = on
	})
}

// WithCardinalityLimit sets how many distinct signal names the [Settings]
// of the instrumentation may record: Instrument records the signal's name if
// the Settings has recorded fewer than n names so far (or already records
// this one), and [semconv.OverflowSignalName] ("_OTHER") otherwise. Default:
// [DefaultCardinalityLimit] (100). n <= 0 is ignored.
//
// Names are counted per Settings and stay counted after [Detach]. An
// instrumentation without [WithSettings] has a Settings of its own, so the
// limit only bounds instrumentations that share a Settings: share one among
// signals created at run time with names that come from data.
func WithCardinalityLimit(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.limit = n
		}
	})
}

// WithSettings makes the instrumentation follow s: its metrics, tracing,
// sampler, listener spans and duration sample rate can then be changed at
// run time for every signal that shares s, or for one signal by name with
// [Settings.SetOverride]. Default: a new Settings of the instrumentation's
// own, in its default state, which nothing else can reach. A nil s is
// ignored.
//
// [WithSampler], [WithListenerSpans], [WithDurationSampleRate] and
// [WithDurationBudget] take precedence over the matching global values of s,
// and an Override for the signal's name takes precedence over both.
func WithSettings(s *Settings) Option {
	return optionFunc(func(c *config) {
		if s != nil {
			c.settings = s
		}
	})
}
