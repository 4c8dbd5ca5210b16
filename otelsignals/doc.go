// Package otelsignals maps the emissions of signalkit signals to
// OpenTelemetry metrics and spans.
//
// It depends on the OpenTelemetry API only (go.opentelemetry.io/otel,
// otel/metric, otel/trace): the SDK, its exporters and its readers belong to
// the code that sets up the process. Every name it records is defined in
// package [github.com/signalkit/sdk/semconv].
//
// # Getting started
//
// [Instrument] attaches instrumentation to an existing
// [*signals.SyncSignal] or [*signals.AsyncSignal] in place, through the
// signal's collector seam ([signals.MetricsCollector]); the signal keeps all
// its methods, TryEmit and Enqueue included:
//
//	orders := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "orders.created"})
//	if err := otelsignals.Instrument(orders); err != nil {
//		return err
//	}
//
// By default the instrumentation uses the global MeterProvider and
// TracerProvider ([WithMeterProvider], [WithTracerProvider]), records the
// signal's own name ([WithName]), counts every emission and listener call,
// times every emission up to 100 a second and one in a hundred beyond
// ([WithDurationBudget], [WithDurationSampleRate]), and traces an emission
// when it is made inside a sampled trace ([WithSampler]).
// [Detach] removes it.
//
// # Metrics
//
// Instrument creates the instruments of every metric in semconv.Metrics()
// once, with their semconv names, units and descriptions, and records them
// with attribute sets computed once: signals.name, signals.kind (where the
// metric has it) and the attributes of [WithAttributes].
//
//   - signals.emissions and signals.listener.invocations are exact counts,
//     kept in the instrumentation's own atomic counters and reported by
//     observable counters when the metrics are collected. An enqueued
//     emission counts once, when Enqueue is called (also if the queue
//     refuses it, which signals.queue.dropped counts too); its delivery adds
//     the listener calls.
//   - signals.listener.errors counts every failed listener call by
//     error.type ("panic" for a panic), and signals.listener.changes every
//     change to the listeners after Instrument, by kind of change (except
//     changes made while both metrics and tracing are off: the signal does
//     not report them to a switched-off instrumentation).
//   - signals.listeners (by signals.listener.state: enabled, or disabled by
//     the circuit breaker), and for an AsyncSignal signals.queue.depth,
//     signals.queue.capacity, signals.pool.size and signals.pool.workers
//     (busy, idle), are read from the signal's Stats when the metrics are
//     collected: they tell what is true now, so a disabled listener that is
//     removed, or whose signal is reset, is no longer counted. The pool and
//     queue metrics appear once the signal has started its pool. signals.queue.dropped counts the enqueued emissions
//     dropped, by reason (queue_full, closed).
//   - signals.emission.duration, signals.listener.duration and
//     signals.queue.wait.duration are histograms with
//     semconv.DurationBuckets() as boundaries (one microsecond to ten
//     seconds), recorded for the timed emissions only: within each second,
//     the first emissions up to the duration budget ([WithDurationBudget],
//     default 100 per signal), and beyond it a fraction of the others
//     ([WithDurationSampleRate], default 0.01). A quiet signal thus has
//     every emission timed, and a busy one costs what the rate costs. The
//     duration of a delivered emission runs from its Enqueue to its last
//     listener, queue wait included. A failed TryEmit, or a refused Enqueue,
//     is recorded with error.type.
//
// Signal names should be few and static, like metric names. The names
// recorded through one [Settings] are limited ([WithCardinalityLimit]);
// further names are recorded as semconv.OverflowSignalName ("_OTHER").
//
// # Spans
//
// A traced emission has a span named "{operation} {signal}" (emit, try_emit
// or enqueue), of kind PRODUCER, with the messaging attributes
// messaging.system ("signalkit"), messaging.destination.name (the signal),
// messaging.operation.type (send) and messaging.operation.name, plus
// signals.kind and signals.listener.count. Its context is the one the
// listeners receive, so what they trace is its child. A failed TryEmit or a
// refused Enqueue sets status Error and error.type; a listener that fails
// while the emission has no listener spans adds an exception event.
//
// With [WithListenerSpans], every listener call of a traced emission has a
// child span "process {signal}", of kind CONSUMER, with status Error and
// error.type when the listener fails (and an exception event for a panic),
// and the listener's key with [WithListenerKeyAttribute].
//
// An enqueued emission has an "enqueue {signal}" span that ends when Enqueue
// returns, and its delivery a "process {signal}" span of kind CONSUMER, a
// child of the enqueue span, so that the trace stays whole across the
// queue, with a span link to the enqueue span too: the messaging conventions
// ask a process span to link to the message's creation context. A delivery is
// traced, and timed, exactly when its Enqueue was.
//
// # Sampling
//
// Whether an emission is traced is decided before any span exists, by a
// [sampling.Sampler] that sees the emission's context, the signal's name and
// the operation. The default, sampling.ParentBased(sampling.Never()), traces
// the emissions made inside a sampled trace and no others: it keeps traces
// whole without starting a trace per emission of a busy signal. Use
// [WithSampler] or [Settings.SetSampler] with, for example,
// sampling.ParentBased(sampling.RateLimited(10)) to also trace some
// emissions made outside any trace. The TracerProvider's own sampler still
// applies to the spans of emissions that are traced.
//
// # Runtime control
//
// A [Settings] switches metrics and tracing on and off, and changes the
// sampler, listener spans, duration sample rate and duration budget, while
// signals run, without re-instrumenting them: every instrumentation created
// [WithSettings] of it follows it, and [Settings.SetOverride] changes the
// settings of one signal by name. [Settings.Apply] replaces all the settings
// at once, for configuration reloads. An instrumentation without
// WithSettings has a Settings of its own, which only [InstrumentedSignals]
// reaches: its settings are those of its options.
//
// [InstrumentedSignals] lists the signals of the process that are
// instrumented, with the Settings each follows and the settings each runs
// with ([Instrumented.Effective]); the introspection page of package
// github.com/signalkit/sdk/signalz shows them, and switches a signal's
// metrics or tracing through its override.
//
// Settings are resolved for each signal as: the Settings' global values,
// then the options given to Instrument ([WithSampler], [WithListenerSpans],
// [WithDurationSampleRate], [WithDurationBudget]), then the override for the
// signal's name. When a signal ends up with neither metrics nor tracing, its
// instrumentation is switched off with EnableCollector(false) and its
// emissions take the signal's fast path again; the instrumentation stays
// attached, and comes back on with the settings.
//
// # Performance
//
// The emission path loads the signal's settings with one atomic load and
// takes no lock. It allocates nothing, except for a traced emission (its
// span and context), for the timed fraction of enqueued emissions (a small
// context that tells the delivery it is timed), and for an untraced emission
// made with the context of a traced emission of the same signal. With metrics
// on and tracing off, an emission costs the instrumentation two atomic adds,
// a hash of the emission's sequence number that decides whether it is timed,
// and once the second's duration budget is spent one atomic load (and a
// clock read every 64 emissions); listener calls cost nothing more, except in
// the timed emissions, which read the clock twice per call and record each
// duration (about half a microsecond per listener call with the
// OpenTelemetry SDK). With tracing on, an emission that is not sampled costs
// the sampler's decision; a sampled one costs a span start and end, an
// attribute and a context. With metrics off and a sampler that thins
// (sampling.Ratio, sampling.RateLimited: see sampling.Thinner), the
// instrumentation's signals.Share is the sampler's: the signal draws each
// emission with it, and one not drawn costs a random number and never reaches
// the instrumentation.
//
// An attached collector costs every emission it is shown one EmitStart call. What the
// instrumentation decides there sets the rest: an emission that is neither
// counted nor traced (tracing an unsampled emission, metrics off) stays on
// the core's fast path; one that is counted takes the core's counted path
// (the fast loop plus a count), with a shared, preallocated observer; a
// timed or traced one takes the general path. See the benchmarks in
// otelsignals/test (impl=core-general is a collector that only counts) and
// docs/otelsignals.md for the numbers. With both metrics and tracing off,
// an instrumented signal costs what an uninstrumented one does.
//
// A signal that has a collector of your own when you call [Instrument] keeps
// it: the instrumentation attaches beside it (see
// [signals.NewMultiCollector]), and [Detach] gives the signal its collector
// back.
//
// # Concurrency
//
// [Instrument], [Detach] and the methods of [Settings] are safe for
// concurrent use, also while the signals emit. A settings change applies to
// the emissions that start after it; an emission in progress completes with
// the settings it started with, and spans that have started always end, also
// after Detach. The observable instruments' callback reads atomic counters
// and the signal's Stats, and takes no lock of the signal.
package otelsignals
