package sampling_test

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/sampling"
)

var (
	traceID = trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	spanID  = trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
)

// parentCtx returns a context carrying a valid span context with the given
// sampled flag, remote or local.
func parentCtx(sampled, remote bool) context.Context {
	var flags trace.TraceFlags
	if sampled {
		flags = trace.FlagsSampled
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    traceID,
		SpanID:     spanID,
		TraceFlags: flags,
		Remote:     remote,
	})
	if remote {
		return trace.ContextWithRemoteSpanContext(context.Background(), sc)
	}
	return trace.ContextWithSpanContext(context.Background(), sc)
}

// params returns the Parameters of an emission of "orders" with ctx.
func params(ctx context.Context) sampling.Parameters {
	return sampling.Parameters{Ctx: ctx, Signal: "orders", Operation: "emit"}
}

// countingSampler counts its decisions and always returns sample.
type countingSampler struct {
	sample bool
	calls  atomic.Int64
}

func (c *countingSampler) ShouldSample(sampling.Parameters) bool {
	c.calls.Add(1)
	return c.sample
}

func (c *countingSampler) Description() string { return "Counting" }
