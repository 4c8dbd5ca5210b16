package sampling

import "context"

// Parameters are the inputs of a sampling decision.
//
// Samplers receive Parameters by value; they must not retain Ctx after
// ShouldSample returns.
type Parameters struct {
	// Ctx is the emission's context: it carries the parent span, if any. A
	// nil Ctx is treated as [context.Background].
	Ctx context.Context

	// Signal is the signal's name, as recorded in the signals.name attribute.
	Signal string

	// Operation is the operation being decided on: one of the semconv
	// operation names [github.com/signalkit/sdk/semconv.OperationEmit],
	// [github.com/signalkit/sdk/semconv.OperationTryEmit] and
	// [github.com/signalkit/sdk/semconv.OperationEnqueue].
	Operation string
}

// A Sampler decides whether an emission is traced, before any span is
// allocated.
//
// Implementations must be safe for concurrent use: ShouldSample and
// Description may be called from any number of goroutines at once, and
// ShouldSample is called on the emitting goroutine for every emission, so it
// must not block and should allocate nothing.
type Sampler interface {
	// ShouldSample reports whether the emission described by p is traced.
	ShouldSample(p Parameters) bool

	// Description returns a short, human-readable description of the
	// sampler and its configuration, like "Ratio{0.25}", for logs and
	// debugging. It is not on the emission path.
	Description() string
}
