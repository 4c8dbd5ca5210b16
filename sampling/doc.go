// Package sampling decides, before any span is allocated, whether a signal
// emission is traced.
//
// A [Sampler] answers one question per emission: trace it or not. The
// instrumentation asks before it starts a span, so an emission that is not
// sampled costs only the decision, a few to a few tens of nanoseconds with no
// allocation, instead of the hundreds of nanoseconds and several allocations
// of starting a span that the OpenTelemetry SDK then drops. An emission that is sampled
// gets its spans from the tracer as usual, and the SDK's own sampler (set on
// the TracerProvider) still applies to them.
//
// # Samplers
//
//   - [Always] and [Never] trace every emission or none.
//   - [Ratio] traces each emission with a fixed probability.
//   - [RateLimited] traces at most a number of emissions per second.
//   - [ParentBased] follows the sampled flag of the emission's parent span
//     and asks another Sampler only for emissions outside any trace.
//   - [Dynamic] delegates to a Sampler that can be replaced at run time.
//   - [Parse] builds a Sampler from the OTEL_TRACES_SAMPLER vocabulary
//     ("parentbased_traceidratio", "0.1") plus "ratelimited" and
//     "parentbased_ratelimited".
//
// Constructors return unexported types behind the Sampler interface, as the
// OpenTelemetry SDK's samplers do; their arguments are clamped to the valid
// range rather than rejected, as documented on each. Where a nil Sampler is
// accepted it means [Never].
//
// # Why not the SDK's Sampler interface
//
// The OpenTelemetry SDK's sampler (go.opentelemetry.io/otel/sdk/trace)
// receives a trace ID, span name, kind, attributes and links, and returns a
// decision with attributes and a trace state: all things that exist only
// once a span is being started. This package's decision comes earlier, so
// its [Parameters] hold only what an emission has: its context (with the
// parent span, if any), the signal's name and the operation. That keeps the
// package free of the SDK (it depends on the OpenTelemetry API only) and the
// decision free of allocation. Parameters is a struct so that fields can be
// added later without breaking implementations.
//
// # Concurrency
//
// Every Sampler in this package is safe for concurrent use and never
// blocks: [Ratio] draws from math/rand/v2's top-level functions, which keep
// per-thread state; [RateLimited] updates one atomic integer with
// compare-and-swap; [Dynamic] loads one atomic pointer. Implementations of
// Sampler outside this package must be as well: ShouldSample runs on the
// emitting goroutine of every emission, possibly on many goroutines at once.
//
// # Performance
//
// No decision allocates. On a 2-core 2.1 GHz VM, [Always] and [Never] take
// about 3 ns, [Ratio] about 12 ns (one random number), [RateLimited] about
// 40 ns (one read of the monotonic clock), and [ParentBased] adds 25 to 50 ns
// to find the parent span context in the context
// ([go.opentelemetry.io/otel/trace.SpanContextFromContext]); [Dynamic] adds
// an atomic load and a call, about 5 ns, to the decision of its current
// Sampler. Starting and ending a span that the SDK
// then drops costs about 440 ns and 4 allocations, so even the slowest
// combination is a small fraction of tracing an emission. The benchmarks in
// benchmark_test.go measure each sampler with and without a parent span.
//
// # Thinning
//
// [Ratio], [Never] and [RateLimited] are [Thinner]s: each samples at most a
// known share of the emissions, whatever they are, so a caller may draw the
// emissions with that share and ask only about those drawn. package
// otelsignals does so when metrics are off: the signal draws (one random
// number, signals.Share) and calls the instrumentation only for the emissions
// drawn, so that an emission these samplers do not sample adds about 7 ns to a
// plain emission, against about 22 ns (Ratio) and 36 ns (RateLimited) when the
// instrumentation is asked every time (BenchmarkSyncEmit, impl=tracing-ratio
// and impl=tracing-ratelimited, in otelsignals/test). RateLimited adapts its
// share to the rate of emissions; see [Thinner] and [RateLimited].
package sampling
