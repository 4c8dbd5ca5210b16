package otelsignals

import (
	"context"
	"slices"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// tracingState is an instrumentation's tracer and the span names and start
// options it uses, all computed by Instrument.
type tracingState struct {
	tracer      trace.Tracer
	listenerKey bool // record signals.listener.key on listener spans

	// By operation: emission spans for OpEmit, OpTryEmit and OpEnqueue,
	// the delivery span for OpDeliver.
	names [signals.OpDeliver + 1]string
	opts  [signals.OpDeliver + 1][]trace.SpanStartOption

	listenerName string
	listenerOpts []trace.SpanStartOption
}

// operationNames are the messaging.operation.name values, and the
// sampler's Parameters.Operation, by operation. A delivery is named after
// what it does, process.
var operationNames = [signals.OpDeliver + 1]string{
	signals.OpEmit:    semconv.OperationEmit,
	signals.OpTryEmit: semconv.OperationTryEmit,
	signals.OpEnqueue: semconv.OperationEnqueue,
	signals.OpDeliver: semconv.OperationProcess,
}

// opIndex returns op as an index of the arrays above; an operation this
// package does not know is treated as OpEmit.
func opIndex(op signals.Operation) signals.Operation {
	if op < signals.OpEmit || op > signals.OpDeliver {
		return signals.OpEmit
	}
	return op
}

// newTracing creates the tracer and computes the span names and options.
func (c *instrumentation) newTracing(cfg *config) {
	t := &c.tracing
	t.tracer = cfg.tracerProvider.Tracer(ScopeName,
		trace.WithInstrumentationVersion(Version),
		trace.WithSchemaURL(semconv.SchemaURL))
	t.listenerKey = cfg.listenerKey
	common := func(operation string, opType attribute.KeyValue) []attribute.KeyValue {
		set := withAttrs(cfg.attrs,
			semconv.MessagingSystemSignalkit,
			semconv.MessagingDestinationName(c.recorded),
			opType,
			semconv.MessagingOperationName(operation),
			kindAttr(c.kind),
		)
		return set.ToSlice()
	}
	for op := signals.OpEmit; op <= signals.OpDeliver; op++ {
		operation := operationNames[op]
		kind, opType := semconv.EmissionSpanKind, semconv.MessagingOperationTypeSend
		if op == signals.OpDeliver {
			kind, opType = semconv.ListenerSpanKind, semconv.MessagingOperationTypeProcess
		}
		t.names[op] = validString(cfg.spanName(operation, c.recorded))
		t.opts[op] = []trace.SpanStartOption{
			trace.WithSpanKind(kind),
			trace.WithAttributes(common(operation, opType)...),
		}
	}
	t.listenerName = validString(cfg.spanName(semconv.OperationProcess, c.recorded))
	t.listenerOpts = []trace.SpanStartOption{
		trace.WithSpanKind(semconv.ListenerSpanKind),
		trace.WithAttributes(common(semconv.OperationProcess, semconv.MessagingOperationTypeProcess)...),
	}
}

// startEmission starts the span of emission e, a child of the span in ctx,
// with the extra options, and returns the context that carries it and the
// emission's observer, which ends it. ef are the settings the emission
// started with, and timed whether its durations are measured.
func (c *instrumentation) startEmission(ctx context.Context, e *signals.Emission, op signals.Operation, ef *effective, timed bool, extra ...trace.SpanStartOption) (context.Context, *observer) {
	t := &c.tracing
	opts := t.opts[op]
	if len(extra) > 0 {
		opts = append(slices.Clip(opts), extra...) // a copy: t.opts is shared
	}
	sctx, span := t.tracer.Start(ctx, t.names[op], opts...)
	span.SetAttributes(semconv.ListenerCount(e.Listeners))
	o := &observer{c: c, flags: signals.ObserveEnd, timed: timed, span: span}
	if timed {
		o.flags |= timedFlags
	}
	if ef.listenerSpans {
		o.flags |= signals.ObserveListenerStart | signals.ObserveListeners
	}
	return sctx, o
}

// setError marks span as failed with err: error status, error.type, and an
// exception event for a panic.
func setError(span trace.Span, err error) {
	setStatusError(span, err)
	span.SetAttributes(semconv.ErrorType(err))
	if semconv.ErrorTypeOf(err) == semconv.ErrorTypePanic {
		recordError(span, err)
	}
}

// listenerSpanKey is the context key under which the context ListenerStart
// returns holds the listener's span, so that ListenerEnd ends that span even
// if another collector (beside this one in a signals.NewMultiCollector) put
// a span of its own into the context after it.
type listenerSpanKey struct{}

// startListener starts the span of a listener call, a child of the emission
// span in ctx.
func (c *instrumentation) startListener(ctx context.Context, l *signals.ListenerInfo) context.Context {
	t := &c.tracing
	sctx, span := t.tracer.Start(ctx, t.listenerName, t.listenerOpts...)
	if t.listenerKey && l.Key != "" {
		span.SetAttributes(semconv.ListenerKey(l.Key))
	}
	return context.WithValue(sctx, listenerSpanKey{}, span)
}

// endListener ends the listener span in lctx, if the emission has listener
// spans, with an error status if err is not nil. For a failed call without a
// listener span, it adds an exception event to the emission span, if there
// is one.
func (o *observer) endListener(lctx context.Context, err error) {
	if o.flags&signals.ObserveListenerStart != 0 {
		if span, ok := lctx.Value(listenerSpanKey{}).(trace.Span); ok {
			if err != nil {
				setError(span, err)
			}
			span.End()
		}
		return
	}
	if err != nil && o.span != nil && o.span.IsRecording() {
		recordError(o.span, err, semconv.ErrorType(err))
	}
}
