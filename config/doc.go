// Package config is the runtime configuration of the signals instrumented
// with package otelsignals: metrics and tracing on or off, the sampler, the
// listener spans, the duration sample rate, the cardinality limit and
// settings for single signals, read from a file and from the environment,
// applied to an [otelsignals.Settings], and reloaded while the process
// runs when the file changes.
//
// # Getting started
//
// [Watch] reads the file, applies it, and applies it again whenever it
// changes; [Watcher.InstrumentOptions] makes an instrumentation follow it:
//
//	w, err := config.Watch("signals.yaml", nil) // nil: a new otelsignals.Settings
//	if err != nil {
//		return err // names the file, line and key
//	}
//	defer w.Close() // always returns nil
//	if err := otelsignals.Instrument(orders, w.InstrumentOptions()...); err != nil {
//		return err
//	}
//
// Without a file, [NewManager] applies a [Config] ([Default], [FromEnv],
// [ReadFile]) and applies others with [Manager.Apply].
//
// # The file
//
// A YAML or JSON document (JSON for a name ending in ".json", YAML
// otherwise), every key optional:
//
//	metrics:
//	  enabled: true                  # SIGNALKIT_METRICS_ENABLED
//	  duration_sample_rate: 0.01     # SIGNALKIT_DURATION_SAMPLE_RATE, in [0, 1]
//	traces:
//	  enabled: true                  # SIGNALKIT_TRACES_ENABLED
//	  sampler: parentbased_always_off  # SIGNALKIT_TRACES_SAMPLER
//	  sampler_arg: ""                # SIGNALKIT_TRACES_SAMPLER_ARG
//	  listener_spans: false          # SIGNALKIT_LISTENER_SPANS
//	cardinality_limit: 100           # SIGNALKIT_CARDINALITY_LIMIT, fixed at start
//	signals:                         # by the name the signal is instrumented with
//	  payment.requested:
//	    metrics: {duration_sample_rate: 1}
//	    traces: {sampler: always_on, listener_spans: true}
//
// The values shown are the defaults ([Default]). The samplers are those of
// [sampling.Parse]: always_on, always_off, traceidratio (sampler_arg a
// probability), parentbased_always_on, parentbased_always_off,
// parentbased_traceidratio, ratelimited and parentbased_ratelimited
// (sampler_arg emissions per second, or .inf in YAML and "+Inf" in JSON
// for every emission). Under signals, a signal's keys are
// those of metrics and traces above; a key it does not set keeps the
// global value.
//
// # Precedence
//
// Each source is layered over the previous one, key by key: the defaults,
// then the environment variables ([FromEnv]), then the file ([Parse]). The
// file wins, as in OpenTelemetry's declarative configuration, because it is
// the source that can change while the process runs: were the environment
// to win, a key set in it could not be changed by editing the file, and the
// environment cannot change anyway. A key missing from the file keeps the
// value of the environment or the default, also after a reload that removes
// it. A sampler comes with the sampler_arg of the same source, or none; a
// signals section replaces the one below it as a whole.
//
// The environment variables are signalkit's own (SIGNALKIT_...), not the
// standard OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, which configure
// the OpenTelemetry SDK's sampler: it still applies to the spans of the
// emissions that signalkit's sampler selects, so sharing the variables
// would apply the same ratio twice.
//
// # Validation
//
// A configuration is checked whole before anything is applied: a file
// that does not parse, an unknown or repeated key, a value of the wrong
// type (quoted "true" is a string, not a boolean), a rate outside [0, 1],
// an unknown sampler or an invalid argument, a cardinality limit below 1,
// or an empty file, is rejected with an error wrapping [ErrInvalid] that
// lists every problem ([*Error]), up to the first 10, with the file, line,
// column and key:
//
//	signals.yaml:6:16: traces.sampler_arg: sampling: invalid sampler: traceidratio argument "3" is not a probability in [0, 1]
//	signals.yaml:7:3: traces.samplr: unknown key (want one of enabled, sampler, sampler_arg, listener_spans)
//
// The configuration in force stays. An environment variable with an
// invalid value is an error that names it, except a boolean, which reads as
// the OpenTelemetry specification says: true if it is "true" in any case,
// false otherwise, with a warning for a value other than "false".
//
// Rejecting a file costs time and memory in proportion to its size,
// whatever it holds: past the first 10 problems, Parse stops looking, and
// a YAML alias, however often repeated, costs a constant per use. A file
// is at most 1 MiB, UTF-8 text, and a regular file: a named pipe or a
// device at the path is refused without being read, so that it cannot
// block a [Watcher].
//
// # Hot reload
//
// A [Watcher] reads its file every second ([WithInterval]) and applies it
// when its content changes, through [otelsignals.Settings.Apply]: at once
// and atomically for every instrumented signal, without restarting or
// re-instrumenting anything. It polls rather than waits for file system
// events, so that it sees a file replaced by a rename, as editors and
// Kubernetes ConfigMap volumes do, on every file system.
//
// The cardinality limit cannot change at run time: otelsignals counts the
// names of a Settings against the limit each signal was instrumented with
// ([otelsignals.WithCardinalityLimit]). A [Manager] keeps the limit it
// started with, applies the rest of a configuration that changes it, and
// logs a warning.
//
// # Audit log
//
// Every configuration applied or rejected is logged with log/slog
// ([WithLogger]; default [slog.Default]): its source (startup, file or
// programmatic), the file, and either the settings that changed, with
// their old and new values (at startup, against the defaults), or the
// error. With a text handler:
//
//	level=INFO msg="signalkit config applied" source=startup file=signals.yaml changes.traces.sampler.old=parentbased_always_off changes.traces.sampler.new=parentbased_ratelimited changes.traces.sampler_arg.old=unset changes.traces.sampler_arg.new=5
//	level=INFO msg="signalkit config applied" source=file file=signals.yaml changes.metrics.enabled.old=true changes.metrics.enabled.new=false
//	level=ERROR msg="signalkit config rejected; the running configuration stays in force" source=file file=signals.yaml error="signals.yaml:3:12: metrics.enabled: must be true or false, not the string \"off\""
//	level=WARN msg="signalkit config: cardinality_limit cannot change while the process runs; keeping the running value" source=file file=signals.yaml running=100 requested=50
//
// A file that is rejected is logged once, until it changes again; a file
// that changes without changing any setting logs "signalkit config
// unchanged".
//
// # Concurrency
//
// [Manager] and [Watcher] are safe for concurrent use, also while the
// signals emit: a configuration is applied with one atomic store per
// instrumented signal, and an emission sees the old settings or the new
// ones, never a mix. A Watcher owns one goroutine, which [Watch] starts and
// [Watcher.Close] stops; nothing else in this package starts one.
package config
