package natssignals

import (
	"log/slog"
	"math"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

// Defaults of the options.
const (
	// DefaultBufferSize is how many emissions a publisher holds before they
	// are published, by default: the default queue size of an AsyncSignal.
	DefaultBufferSize = signals.DefaultQueueSize

	// DefaultMaxPending is how many messages a publisher has published and
	// not yet seen acknowledged, by default.
	DefaultMaxPending = 256

	// DefaultAckTimeout is how long a publisher waits for JetStream to
	// acknowledge a message before it publishes it again, by default.
	DefaultAckTimeout = 5 * time.Second

	// DefaultPublishAttempts is how many times a publisher publishes a
	// message before it gives up on it, by default.
	DefaultPublishAttempts = 10

	// DefaultRetryBackoff is the wait before a publisher's first retry of a
	// message; each further retry waits twice as long, up to
	// DefaultMaxRetryBackoff.
	DefaultRetryBackoff = 50 * time.Millisecond

	// DefaultMaxRetryBackoff is the longest wait between two publishes of a
	// message, by default.
	DefaultMaxRetryBackoff = 2 * time.Second

	// DefaultMaxDeliver is how many times a subscriber lets JetStream
	// deliver a message whose listeners fail before it moves the message to
	// the dead-letter subject, by default.
	DefaultMaxDeliver = 5

	// DefaultNakDelay is how long JetStream waits before it delivers again
	// a message whose listeners failed once; each further failure doubles
	// it, up to DefaultMaxNakDelay.
	DefaultNakDelay = 500 * time.Millisecond

	// DefaultMaxNakDelay is the longest delay of a redelivery, by default.
	DefaultMaxNakDelay = 30 * time.Second

	// DefaultMaxAckPending is how many messages JetStream sends a consumer
	// before it waits for acknowledgements, by default (JetStream's own
	// default).
	DefaultMaxAckPending = 1000

	// DefaultAckWait is how long JetStream waits for a delivered message to
	// be acknowledged before it delivers it again, by default (JetStream's
	// own default).
	DefaultAckWait = 30 * time.Second

	// DefaultDeadLetterPrefix is put before a message's subject to make its
	// dead-letter subject, by default: "orders.created" dead-letters to
	// "deadletter.orders.created".
	DefaultDeadLetterPrefix = "deadletter."

	// DefaultDurationSampleRate is the fraction of messages beyond the
	// duration budget whose publish and process durations are recorded, by
	// default: one in a hundred, as otelsignals.DefaultDurationSampleRate.
	// See [WithDurationSampleRate].
	DefaultDurationSampleRate = 0.01

	// DefaultDurationBudget is the number of messages per second, per
	// publisher and per subscriber, whose durations are recorded by default
	// whatever the rate: the first 100 of each second, as
	// otelsignals.DefaultDurationBudget. A subject with up to 100 messages a
	// second has every message timed, so that its duration histograms fill
	// at low traffic; a busier one has 100 timed per second plus
	// [DefaultDurationSampleRate] of the rest. See [WithDurationBudget].
	DefaultDurationBudget = 100
)

// config holds the options that both Publish and Subscribe take.
type config struct {
	codec          Codec
	meterProvider  metric.MeterProvider
	tracerProvider trace.TracerProvider
	propagator     propagation.TextMapPropagator
	sampler        sampling.Sampler
	rate           float64
	budget         int // as given to WithDurationBudget: 0 is the default, < 0 none
	onError        func(error)
}

func defaultConfig() config {
	return config{
		codec:          JSON(),
		meterProvider:  otel.GetMeterProvider(),
		tracerProvider: otel.GetTracerProvider(),
		propagator:     otel.GetTextMapPropagator(),
		sampler:        sampling.ParentBased(sampling.Never()),
		rate:           DefaultDurationSampleRate,
		onError:        logError,
	}
}

// logError is the default error handler: it logs err with slog.Default at
// level Warn.
func logError(err error) {
	slog.Default().Warn("natssignals: " + err.Error())
}

// publishConfig is the configuration of Publish.
type publishConfig struct {
	config
	bufferSize int
	overflow   signals.OverflowPolicy
	maxPending int
	ackTimeout time.Duration
	attempts   int
	backoff    time.Duration
	maxBackoff time.Duration
	msgID      any // func(T) string for the publisher's T
}

// subscribeConfig is the configuration of Subscribe.
type subscribeConfig struct {
	config
	stream        string
	deadLetter    string
	maxDeliver    int
	nakDelay      time.Duration
	maxNakDelay   time.Duration
	maxAckPending int
	ackWait       time.Duration
	workers       int
}

// PublishOption configures [Publish].
type PublishOption interface {
	applyPublish(*publishConfig)
}

// SubscribeOption configures [Subscribe].
type SubscribeOption interface {
	applySubscribe(*subscribeConfig)
}

// Option configures both [Publish] and [Subscribe].
type Option interface {
	PublishOption
	SubscribeOption
}

type option func(*config)

func (o option) applyPublish(c *publishConfig)     { o(&c.config) }
func (o option) applySubscribe(c *subscribeConfig) { o(&c.config) }

type publishOption func(*publishConfig)

func (o publishOption) applyPublish(c *publishConfig) { o(c) }

type subscribeOption func(*subscribeConfig)

func (o subscribeOption) applySubscribe(c *subscribeConfig) { o(c) }

// WithCodec sets the codec of the payloads. Default: [JSON]. A nil codec is
// ignored. Publisher and subscriber of a subject must use the same codec.
func WithCodec(c Codec) Option {
	return option(func(cfg *config) {
		if c != nil {
			cfg.codec = c
		}
	})
}

// WithMeterProvider sets the MeterProvider of the bridge's metrics.
// Default: the global MeterProvider ([otel.GetMeterProvider]) when Publish
// or Subscribe is called. A nil provider is ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return option(func(cfg *config) {
		if mp != nil {
			cfg.meterProvider = mp
		}
	})
}

// WithTracerProvider sets the TracerProvider of the bridge's spans.
// Default: the global TracerProvider ([otel.GetTracerProvider]) when
// Publish or Subscribe is called. A nil provider is ignored.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return option(func(cfg *config) {
		if tp != nil {
			cfg.tracerProvider = tp
		}
	})
}

// WithPropagator sets the propagator that writes the trace context into
// the message headers and reads it back. Default: the global propagator
// ([otel.GetTextMapPropagator]) when Publish or Subscribe is called, which
// otelsetup sets to W3C Trace Context and Baggage. A nil propagator is
// ignored.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return option(func(cfg *config) {
		if p != nil {
			cfg.propagator = p
		}
	})
}

// WithSampler sets the sampler that decides which messages have a publish
// or process span. It sees the emission's context when publishing and the
// context extracted from the message when processing, with the subject as
// the signal name and "publish" or "process" as the operation. Default:
// sampling.ParentBased(sampling.Never()), as in otelsignals: a message is
// traced when it was emitted inside a sampled trace, and never otherwise.
// A nil sampler is ignored.
func WithSampler(s sampling.Sampler) Option {
	return option(func(cfg *config) {
		if s != nil {
			cfg.sampler = s
		}
	})
}

// WithDurationSampleRate sets the fraction of messages beyond the duration
// budget ([WithDurationBudget]) whose durations are recorded in
// messaging.client.operation.duration (publisher) and
// messaging.process.duration (subscriber); the counters count every
// message. Default: [DefaultDurationSampleRate] (0.01), as in otelsignals.
// 1 times every message; 0 times none beyond the budget (to time nothing
// at all, also pass a negative budget). rate is clamped to [0, 1]; NaN is
// 0.
func WithDurationSampleRate(rate float64) Option {
	if math.IsNaN(rate) {
		rate = 0
	}
	rate = min(max(rate, 0), 1)
	return option(func(cfg *config) { cfg.rate = rate })
}

// WithDurationBudget sets how many messages per second have their
// durations recorded whatever the duration sample rate: within each
// second, the first perSecond messages of the publisher (or subscriber) are
// timed, and the rate ([WithDurationSampleRate]) applies to the others.
// It is otelsignals' duration budget
// ([github.com/signalkit/sdk/otelsignals.WithDurationBudget]),
// with the same default and the same logic, per publisher and per
// subscriber rather than per signal. Default: [DefaultDurationBudget]
// (100). 0 means the default; a negative perSecond means no budget, so
// that the rate alone decides.
//
// At 1 %, a subject with five messages a second would have three durations
// a minute: too few for a latency histogram or an SLO rule. The budget
// times every message at such rates and bounds the cost at high ones (a
// clock read and a histogram record per timed message); beyond it, a
// message costs one more atomic load, and a clock read every 64 messages.
// The timed messages of a busy subject are then the first of each second
// rather than a uniform sample: the histograms describe those.
func WithDurationBudget(perSecond int) Option {
	return option(func(cfg *config) { cfg.budget = perSecond })
}

// WithErrorHandler sets the function that receives the errors nobody else
// sees: a [*PublishError] for a message the publisher gave up on, a
// [*DeadLetterError], the errors of acknowledgements and of JetStream's
// consume loop (missed heartbeats while a server restarts, for example).
// It may be called concurrently and must not block. Default: log the error
// with slog.Default at level Warn. A nil function is ignored.
func WithErrorHandler(f func(error)) Option {
	return option(func(cfg *config) {
		if f != nil {
			cfg.onError = f
		}
	})
}

// WithBufferSize sets how many emissions the publisher holds before they
// are published. When the buffer is full, the publisher follows its
// overflow policy ([WithOverflow]). Default: [DefaultBufferSize] (1,024).
// n <= 0 is ignored.
func WithBufferSize(n int) PublishOption {
	return publishOption(func(c *publishConfig) {
		if n > 0 {
			c.bufferSize = n
		}
	})
}

// WithOverflow sets what the publisher's listener does when the buffer is
// full, as [signals.SignalOptions.Overflow] does for Enqueue:
// [signals.OverflowBlock] waits for room until the emission's context is
// done or the publisher closes; [signals.OverflowDrop] drops the emission,
// counts it and returns [ErrBufferFull]. Default: the signal's own policy
// for an [signals.AsyncSignal] ([signals.AsyncSignal.Overflow]), and
// signals.OverflowBlock for a SyncSignal, which has none.
func WithOverflow(p signals.OverflowPolicy) PublishOption {
	return publishOption(func(c *publishConfig) { c.overflow = p })
}

// WithMaxPending sets how many messages the publisher may have published
// and not yet seen acknowledged; when they are that many, the buffer fills.
// Default: [DefaultMaxPending] (256). n <= 0 is ignored.
func WithMaxPending(n int) PublishOption {
	return publishOption(func(c *publishConfig) {
		if n > 0 {
			c.maxPending = n
		}
	})
}

// WithAckTimeout sets how long the publisher waits for JetStream's
// acknowledgement of a message before it counts the attempt as failed and
// publishes the message again. Default: [DefaultAckTimeout] (5 s).
// d <= 0 is ignored.
func WithAckTimeout(d time.Duration) PublishOption {
	return publishOption(func(c *publishConfig) {
		if d > 0 {
			c.ackTimeout = d
		}
	})
}

// WithRetry sets how many times the publisher publishes a message whose
// acknowledgement fails (a timeout, no stream, a disconnection) before it
// gives up and reports a [*PublishError], and how long it waits before the
// first retry; the wait doubles with each retry, up to maxBackoff. Every
// attempt carries the same Nats-Msg-Id, so JetStream stores the message
// once if an earlier attempt did land within its duplicate window.
// Defaults: [DefaultPublishAttempts] (10), [DefaultRetryBackoff] (50 ms),
// [DefaultMaxRetryBackoff] (2 s). Values <= 0 keep the default; maxBackoff
// is at least backoff.
func WithRetry(attempts int, backoff, maxBackoff time.Duration) PublishOption {
	return publishOption(func(c *publishConfig) {
		if attempts > 0 {
			c.attempts = attempts
		}
		if backoff > 0 {
			c.backoff = backoff
		}
		if maxBackoff > 0 {
			c.maxBackoff = maxBackoff
		}
		c.maxBackoff = max(c.maxBackoff, c.backoff)
	})
}

// WithMessageID sets the function that gives each message its Nats-Msg-Id
// from its payload, for example an order's ID: JetStream then stores an
// emission of the same payload once within its duplicate window, also
// across publisher restarts. Its type parameter must be the payload type of
// the signal passed to Publish, which otherwise returns an error wrapping
// [ErrInvalidArgument]. Default: an ID unique to each emission (a random
// prefix per publisher and a sequence number), which deduplicates the
// publisher's own retries. An empty ID from f is replaced by the default
// one. A nil f is ignored.
func WithMessageID[T any](f func(T) string) PublishOption {
	return publishOption(func(c *publishConfig) {
		if f != nil {
			c.msgID = f
		}
	})
}

// WithStream names the stream of the consumer. Default: the stream that
// captures the subject, found with JetStream's stream lookup by subject.
func WithStream(name string) SubscribeOption {
	return subscribeOption(func(c *subscribeConfig) {
		if name != "" {
			c.stream = name
		}
	})
}

// WithDeadLetterPrefix sets what is put before a message's subject to make
// the subject of its dead letter. Default: [DefaultDeadLetterPrefix]
// ("deadletter."). A stream must capture the dead-letter subjects:
// Subscribe checks it. An empty prefix is ignored.
func WithDeadLetterPrefix(prefix string) SubscribeOption {
	return subscribeOption(func(c *subscribeConfig) {
		if prefix != "" {
			c.deadLetter = prefix
		}
	})
}

// WithMaxDeliver sets on which delivery a message whose listeners still
// fail goes to the dead-letter subject instead of being delivered again.
// Default: [DefaultMaxDeliver] (5). n <= 0 is ignored; 1 dead-letters on
// the first failure.
func WithMaxDeliver(n int) SubscribeOption {
	return subscribeOption(func(c *subscribeConfig) {
		if n > 0 {
			c.maxDeliver = n
		}
	})
}

// WithNakDelay sets how long JetStream waits before it delivers again a
// message whose listeners failed: delay after the first failure, doubling
// after each further one, up to maxDelay. Defaults: [DefaultNakDelay]
// (500 ms), [DefaultMaxNakDelay] (30 s). Values <= 0 keep the default;
// maxDelay is at least delay.
func WithNakDelay(delay, maxDelay time.Duration) SubscribeOption {
	return subscribeOption(func(c *subscribeConfig) {
		if delay > 0 {
			c.nakDelay = delay
		}
		if maxDelay > 0 {
			c.maxNakDelay = maxDelay
		}
		c.maxNakDelay = max(c.maxNakDelay, c.nakDelay)
	})
}

// WithMaxAckPending sets the consumer's MaxAckPending: how many messages
// JetStream delivers before it waits for their acknowledgements. It is the
// subscriber's flow control. Default: [DefaultMaxAckPending] (1,000).
// n <= 0 is ignored.
func WithMaxAckPending(n int) SubscribeOption {
	return subscribeOption(func(c *subscribeConfig) {
		if n > 0 {
			c.maxAckPending = n
		}
	})
}

// WithAckWait sets the consumer's AckWait: how long JetStream waits for a
// delivered message to be settled before it delivers it again. Listeners
// must finish well within it. Default: [DefaultAckWait] (30 s). d <= 0 is
// ignored.
func WithAckWait(d time.Duration) SubscribeOption {
	return subscribeOption(func(c *subscribeConfig) {
		if d > 0 {
			c.ackWait = d
		}
	})
}

// WithWorkers sets how many goroutines of the subscriber emit received
// messages into the signal at once. With one (the default), messages are
// emitted one at a time, in the order JetStream delivers them. n <= 0 is
// ignored.
func WithWorkers(n int) SubscribeOption {
	return subscribeOption(func(c *subscribeConfig) {
		if n > 0 {
			c.workers = n
		}
	})
}

// backoff returns base doubled n times, at most limit.
func backoff(base, limit time.Duration, n int) time.Duration {
	d := base
	for range n {
		if d >= limit/2 {
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}
