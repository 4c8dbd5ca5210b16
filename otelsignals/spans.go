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

// markerKey is the context key under which an emitCtx finds itself.
type markerKey struct{}

// emitCtx is the context EmitStart returns for an emission that is traced,
// or for an enqueue whose delivery is to be timed. EmitEnd and ListenerEnd
// recognize it with a type assertion, so that they end only the spans this
// instrumentation started for this emission.
type emitCtx struct {
	context.Context // carries span, if any

	inst  *instrumentation
	op    signals.Operation
	span  trace.Span // nil if the emission is not traced
	timed bool       // durations are measured (for OpEnqueue: the delivery's)
}

// Value returns c for markerKey, and asks the parent otherwise.
func (c *emitCtx) Value(key any) any {
	if key == (markerKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// listenerCtx is the context ListenerStart returns: the listener's span.
type listenerCtx struct {
	context.Context // carries span

	inst *instrumentation
	span trace.Span
}

// plainCtx hides the emitCtx of an outer emission of the same
// instrumentation from an inner emission that is not traced, so that the
// inner emission's EmitEnd and ListenerEnd do not end the outer spans.
type plainCtx struct {
	context.Context
}

// Value hides markerKey, and asks the parent otherwise.
func (c plainCtx) Value(key any) any {
	if key == (markerKey{}) {
		return nil
	}
	return c.Context.Value(key)
}

// startEmission starts the span of emission e, a child of the span in ctx,
// with the extra options, and returns the context that carries it.
func (c *instrumentation) startEmission(ctx context.Context, e *signals.Emission, op signals.Operation, timed bool, extra ...trace.SpanStartOption) *emitCtx {
	t := &c.tracing
	opts := t.opts[op]
	if len(extra) > 0 {
		opts = append(slices.Clip(opts), extra...) // a copy: t.opts is shared
	}
	sctx, span := t.tracer.Start(ctx, t.names[op], opts...)
	span.SetAttributes(semconv.ListenerCount(e.Listeners))
	return &emitCtx{Context: sctx, inst: c, op: e.Op, span: span, timed: timed}
}

// endEmission ends the emission span of ec, with an error status if err is
// not nil.
func endEmission(ec *emitCtx, err error) {
	if err != nil {
		setError(ec.span, err)
	}
	ec.span.End()
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

// startListener starts the span of a listener call, a child of the emission
// span in ctx.
func (c *instrumentation) startListener(ctx context.Context, l *signals.ListenerInfo) context.Context {
	t := &c.tracing
	sctx, span := t.tracer.Start(ctx, t.listenerName, t.listenerOpts...)
	if t.listenerKey && l.Key != "" {
		span.SetAttributes(semconv.ListenerKey(l.Key))
	}
	return &listenerCtx{Context: sctx, inst: c, span: span}
}

// endListener ends the listener span in lctx, if this instrumentation
// started one, with an error status if err is not nil. For a failed call
// without a listener span, it adds an exception event to the emission span,
// if there is one.
func (c *instrumentation) endListener(lctx context.Context, err error) {
	if lc, ok := lctx.(*listenerCtx); ok && lc.inst == c {
		if err != nil {
			setError(lc.span, err)
		}
		lc.span.End()
		return
	}
	if err == nil {
		return
	}
	if ec, ok := lctx.Value(markerKey{}).(*emitCtx); ok && ec.inst == c && ec.span != nil && ec.span.IsRecording() {
		recordError(ec.span, err, semconv.ErrorType(err))
	}
}
