package natssignals

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// ErrNoListeners is the processing error of a message received while the
// signal has no listener: nothing would handle it, so it is not
// acknowledged but delivered again later (and dead-lettered after
// MaxDeliver deliveries).
var ErrNoListeners = errors.New("natssignals: the signal has no listeners")

// deadLetterTimeout bounds the publish of a dead letter.
const deadLetterTimeout = 5 * time.Second

// Subscriber emits the messages of a durable JetStream consumer into a
// local signal, until it is closed. [Subscribe] creates it.
//
// A message is acknowledged only after the signal's listeners succeeded. A
// failure is negatively acknowledged with a delay, so that JetStream
// delivers the message again; on its MaxDeliver-th delivery
// ([WithMaxDeliver]) a message that still fails is published to the
// dead-letter subject and terminated. A message that does not decode goes
// to the dead-letter subject at once and never reaches a listener. All
// methods are safe for concurrent use. A Subscriber must not be copied.
type Subscriber[T any] struct {
	subject string
	durable string
	stream  string
	nc      *nats.Conn
	js      jetstream.JetStream
	cfg     subscribeConfig
	sigLen  func() int
	emit    func(context.Context, T) error
	restore func() // restores an AsyncSignal's error handler

	cc    jetstream.ConsumeContext
	gate  *gate
	work  chan jetstream.Msg // to the workers, if more than one
	wg    sync.WaitGroup
	base  context.Context // the listeners' context; cancelled when Shutdown's deadline passes
	abort context.CancelFunc

	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error

	tel      telemetry
	spanOpts []trace.SpanStartOption
	dur      *durations

	received, acked, naked     atomic.Int64
	deadDecode, deadMaxDeliver atomic.Int64
	consumedOK                 atomic.Int64
	consumedFailed             byType
	lag                        *consumerLag
}

// SubscribeStats are a subscriber's counts since it was created.
type SubscribeStats struct {
	Received     int64 // deliveries, redeliveries included
	Acked        int64 // messages whose listeners succeeded, acknowledged
	Naked        int64 // deliveries whose listeners failed, negatively acknowledged for a redelivery
	DeadLettered int64 // messages published to the dead-letter subject and terminated
	Undecodable  int64 // of those, messages that did not decode
	// Lag is how many messages of the stream, matching the subject,
	// JetStream had not yet delivered to the consumer when last read: from
	// the metadata of one delivery in 64, and from the server each time the
	// metrics are collected (at most once a second), so that it keeps
	// growing while the consumer is stalled.
	Lag int64
}

// Subscribe creates or updates the durable JetStream consumer durable on
// the stream that captures subject, and emits every message it delivers
// into sig, until [Subscriber.Close]. subject may have wildcards; it is the
// consumer's filter.
//
// sig must be a *signals.SyncSignal, whose TryEmit tells whether every
// listener succeeded, or a *signals.AsyncSignal, which the subscriber
// emits into with Emit while recording the errors its listeners report to
// the signal's error handler (Subscribe installs a handler that records
// them and then calls the signal's previous handler, or does what the
// default handler does; Close puts the previous one back). Listeners
// receive the context of the message's process span, whose parent is the
// emitter's publish span.
//
// Subscribe returns an error wrapping [ErrNoStream] if no stream captures
// subject or its dead-letter subject ([WithDeadLetterPrefix]),
// [ErrUnsupportedSignal] for another kind of signal, [ErrInvalidArgument]
// for an empty subject or a durable name that JetStream would refuse, and
// JetStream's error if the consumer cannot be created. ctx bounds the
// set-up, not the subscription.
func Subscribe[T any](ctx context.Context, nc *nats.Conn, subject, durable string, sig signals.Signal[T], opts ...SubscribeOption) (*Subscriber[T], error) {
	if nc == nil || sig == nil || isNilSignal(sig) {
		return nil, fmt.Errorf("%w: Subscribe needs a connection and a signal", ErrInvalidArgument)
	}
	if subject == "" || strings.ContainsAny(subject, " \t\r\n") {
		return nil, fmt.Errorf("%w: subject %q", ErrInvalidArgument, subject)
	}
	if durable == "" || strings.ContainsAny(durable, ".*> \t\r\n/\\") {
		return nil, fmt.Errorf("%w: durable consumer name %q: want a name without '.', '*', '>', '/', '\\' or spaces", ErrInvalidArgument, durable)
	}
	cfg := subscribeConfig{
		config:        defaultConfig(),
		deadLetter:    DefaultDeadLetterPrefix,
		maxDeliver:    DefaultMaxDeliver,
		nakDelay:      DefaultNakDelay,
		maxNakDelay:   DefaultMaxNakDelay,
		maxAckPending: DefaultMaxAckPending,
		ackWait:       DefaultAckWait,
		workers:       1,
	}
	for _, o := range opts {
		if o != nil {
			o.applySubscribe(&cfg)
		}
	}
	s := &Subscriber[T]{
		subject: subject,
		durable: durable,
		nc:      nc,
		cfg:     cfg,
		sigLen:  sig.Len,
		gate:    newGate(),
		closed:  make(chan struct{}),
	}
	var async *signals.AsyncSignal[T]
	switch t := sig.(type) {
	case *signals.SyncSignal[T]:
		s.emit = t.TryEmit
	case *signals.AsyncSignal[T]:
		async = t
	default:
		return nil, fmt.Errorf("%w: got %T", ErrUnsupportedSignal, sig)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("natssignals: JetStream: %w", err)
	}
	s.js = js
	if s.stream = cfg.stream; s.stream == "" {
		if s.stream, err = streamOf(ctx, js, subject); err != nil {
			return nil, err
		}
	}
	if _, err := streamOf(ctx, js, cfg.deadLetter+subject); err != nil {
		return nil, fmt.Errorf("dead-letter subject: %w", err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, s.stream, jetstream.ConsumerConfig{
		Durable:       durable,
		Description:   "signalkit natssignals: emits " + subject + " into a local signal",
		FilterSubject: subject,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.ackWait,
		// The subscriber counts deliveries itself and dead-letters a message
		// on its MaxDeliver-th: JetStream must not stop delivering a message
		// whose dead letter could not be published yet.
		MaxDeliver:    -1,
		MaxAckPending: cfg.maxAckPending,
	})
	if err != nil {
		return nil, fmt.Errorf("natssignals: consumer %q on stream %q: %w", durable, s.stream, err)
	}
	s.lag = newConsumerLag(cons, fmt.Sprintf("%q on stream %q", durable, s.stream), s.cfg.onError)
	s.newTelemetry()
	s.base, s.abort = context.WithCancel(context.Background()) // #nosec G118 -- stop calls s.abort, on every path after this one
	if async != nil {
		s.emit, s.restore = s.asyncEmitter(async)
	}
	handler := s.handle
	if cfg.workers > 1 {
		s.work = make(chan jetstream.Msg)
		for range cfg.workers {
			s.wg.Add(1)
			go s.worker()
		}
		handler = s.dispatch
	}
	s.cc, err = cons.Consume(handler,
		jetstream.PullMaxMessages(min(cfg.maxAckPending, 500)),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			s.cfg.onError(fmt.Errorf("consuming %q (consumer %q): %w", subject, durable, err))
		}))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("natssignals: consuming %q: %w", subject, err)
	}
	return s, nil
}

// streamOf returns the stream that captures subject.
func streamOf(ctx context.Context, js jetstream.JetStream, subject string) (string, error) {
	name, err := js.StreamNameBySubject(ctx, subject)
	if err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return "", fmt.Errorf("%w: %q", ErrNoStream, subject)
		}
		return "", fmt.Errorf("natssignals: looking up the stream of %q: %w", subject, err)
	}
	return name, nil
}

// deliveryKey is the context key of the delivery whose listener errors an
// AsyncSignal's error handler records.
type deliveryKey struct{}

// delivery collects the errors the listeners of one emission report.
type delivery struct {
	owner any
	mu    sync.Mutex
	err   error
}

func (d *delivery) record(err error) {
	d.mu.Lock()
	if d.err == nil {
		d.err = err
	}
	d.mu.Unlock()
}

func (d *delivery) result() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// asyncEmitter returns the emit function for an AsyncSignal and the
// function that restores its error handler.
func (s *Subscriber[T]) asyncEmitter(sig *signals.AsyncSignal[T]) (func(context.Context, T) error, func()) {
	var prev atomic.Pointer[signals.ErrorHandler]
	old := sig.SetErrorHandler(func(ctx context.Context, key string, err error) {
		if d, ok := ctx.Value(deliveryKey{}).(*delivery); ok && d.owner == s {
			d.record(err)
		}
		if h := prev.Load(); h != nil {
			(*h)(ctx, key, err)
			return
		}
		// What the signal's default handler does: log panics.
		var pe *signals.PanicError
		if errors.As(err, &pe) {
			slog.Default().ErrorContext(ctx, "signals: listener panicked",
				"signal", sig.Name(), "key", key, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
		}
	})
	if old != nil {
		prev.Store(&old)
	}
	emit := func(ctx context.Context, v T) error {
		d := &delivery{owner: s}
		sig.Emit(context.WithValue(ctx, deliveryKey{}, d), v)
		return d.result()
	}
	return emit, func() { sig.SetErrorHandler(old) }
}

// dispatch is the consume callback with several workers: it hands the
// message to a free worker, waiting for one.
func (s *Subscriber[T]) dispatch(msg jetstream.Msg) {
	if !s.gate.enter() {
		return // closing: not acknowledged, so JetStream delivers it again
	}
	defer s.gate.leave()
	s.work <- msg
}

func (s *Subscriber[T]) worker() {
	defer s.wg.Done()
	for msg := range s.work {
		s.handle(msg)
	}
}

// lagEvery is how often, in deliveries, the subscriber reads the message
// metadata only for signals.nats.consumer.lag: parsing it allocates, so a
// message that succeeds and is not traced skips it otherwise.
const lagEvery = 64

// meta is a delivery's JetStream metadata, parsed when first needed.
type meta struct {
	msg jetstream.Msg
	md  *jetstream.MsgMetadata
}

func (m *meta) get() *jetstream.MsgMetadata {
	if m.md == nil {
		md, err := m.msg.Metadata()
		if err != nil {
			md = &jetstream.MsgMetadata{NumDelivered: 1} // not a JetStream message: its first delivery
		}
		m.md = md
	}
	return m.md
}

// deliveries returns how many times the message was delivered, this
// delivery included.
func (m *meta) deliveries() int { return int(saturate(m.get().NumDelivered)) }

// saturate converts a JetStream counter to int64, capped at the largest
// value of a 32-bit int so that it also fits an int everywhere.
func saturate(n uint64) int64 {
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int64(n)
}

// handle processes one delivery: decode, emit, settle.
func (s *Subscriber[T]) handle(msg jetstream.Msg) {
	n := s.received.Add(1)
	var start time.Time
	if s.tel.timed() {
		start = time.Now()
	}
	md := meta{msg: msg}
	if n%lagEvery == 1 {
		s.lag.store(saturate(md.get().NumPending))
	}
	hdr := msg.Headers()
	ctx := s.base
	if len(hdr) > 0 {
		ctx = s.cfg.propagator.Extract(ctx, headerCarrier(hdr))
	}
	var span trace.Span
	if s.tel.traced(ctx) {
		opts := s.spanOpts
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			// The conventions ask a process span to link to the message's
			// creation context; it is also its parent, so that the trace
			// stays whole (one message per process span).
			opts = append(opts[:len(opts):len(opts)], trace.WithLinks(trace.Link{SpanContext: sc}))
		}
		ctx, span = s.tel.tracer.Start(ctx, s.tel.spanName, opts...)
		if id := headerCarrier(hdr).Get(jetstream.MsgIDHeader); id != "" {
			span.SetAttributes(semconv.MessagingMessageID(id))
		}
		span.SetAttributes(semconv.MessagingMessageBodySize(len(msg.Data())), semconv.NATSDeliveryCount(md.deliveries()))
		span.SetAttributes(serverAttrs(s.nc)...)
	}

	var (
		v          T
		procErr    error
		settlement attribute.KeyValue
	)
	if err := s.decode(msg, hdr, &v); err != nil {
		procErr = err
		settlement = s.deadLetter(ctx, msg, md.get(), semconv.NATSDeadLetterReasonDecode, err)
	} else if err := s.process(ctx, v); err == nil {
		settlement = semconv.NATSSettlementAck
		s.acked.Add(1)
		if err := msg.Ack(); err != nil {
			s.cfg.onError(fmt.Errorf("acknowledging a message of %q: %w", s.subject, err))
		}
	} else if procErr = err; md.deliveries() >= s.cfg.maxDeliver {
		settlement = s.deadLetter(ctx, msg, md.get(), semconv.NATSDeadLetterReasonMaxDeliver, err)
	} else {
		settlement = s.nak(msg, md.deliveries())
	}

	if procErr == nil {
		s.consumedOK.Add(1)
	} else {
		s.consumedFailed.add(semconv.ErrorTypeOf(procErr))
	}
	if !start.IsZero() {
		s.dur.record(context.Background(), time.Since(start).Seconds(), procErr)
	}
	if span != nil {
		span.SetAttributes(settlement)
		if procErr != nil {
			setError(span, procErr)
		}
		span.End()
	}
}

// decode decodes msg into v, checking its content type first.
func (s *Subscriber[T]) decode(msg jetstream.Msg, hdr nats.Header, v *T) error {
	if want := s.cfg.codec.ContentType(); want != "" {
		if got := headerCarrier(hdr).Get(HeaderContentType); got != "" && got != want {
			return &DecodeError{Subject: msg.Subject(), Err: fmt.Errorf("%w: %q, want %q", ErrContentType, got, want)}
		}
	}
	if err := s.cfg.codec.Unmarshal(msg.Data(), v); err != nil {
		return &DecodeError{Subject: msg.Subject(), Err: err}
	}
	return nil
}

// process emits v into the signal and returns the first listener failure.
func (s *Subscriber[T]) process(ctx context.Context, v T) error {
	if s.sigLen() == 0 {
		return ErrNoListeners
	}
	return s.emit(ctx, v)
}

// nak negatively acknowledges the delivered-th delivery of msg, with the
// delay of its backoff.
func (s *Subscriber[T]) nak(msg jetstream.Msg, delivered int) attribute.KeyValue {
	s.naked.Add(1)
	if err := msg.NakWithDelay(backoff(s.cfg.nakDelay, s.cfg.maxNakDelay, delivered-1)); err != nil {
		s.cfg.onError(fmt.Errorf("negatively acknowledging a message of %q: %w", s.subject, err))
	}
	return semconv.NATSSettlementNak
}

// deadLetter publishes msg to its dead-letter subject with why it failed,
// then terminates it. If the publish fails, it negatively acknowledges msg
// instead, so that a later delivery tries again.
func (s *Subscriber[T]) deadLetter(ctx context.Context, msg jetstream.Msg, md *jetstream.MsgMetadata, reason attribute.KeyValue, cause error) attribute.KeyValue {
	delivered := int(saturate(md.NumDelivered))
	dl := &nats.Msg{Subject: s.cfg.deadLetter + msg.Subject(), Data: msg.Data(), Header: nats.Header{}}
	for k, v := range msg.Headers() {
		if !strings.HasPrefix(k, "Nats-") {
			dl.Header[k] = v
		}
	}
	errText := cause.Error()
	if len(errText) > 1024 {
		errText = errText[:1024]
	}
	seq := strconv.FormatUint(md.Sequence.Stream, 10)
	// Dead-lettering the same message again (its terminate was lost) is
	// deduplicated.
	dl.Header.Set(jetstream.MsgIDHeader, "deadletter."+md.Stream+"."+seq)
	dl.Header.Set(HeaderDeadLetterReason, reason.Value.AsString())
	dl.Header.Set(HeaderDeadLetterError, errText)
	dl.Header.Set(HeaderDeadLetterErrorType, semconv.ErrorTypeOf(cause))
	dl.Header.Set(HeaderOriginalSubject, msg.Subject())
	dl.Header.Set(HeaderOriginalStream, md.Stream)
	dl.Header.Set(HeaderOriginalSequence, seq)
	dl.Header.Set(HeaderDeliveries, strconv.Itoa(delivered))
	pctx, cancel := context.WithTimeout(ctx, deadLetterTimeout)
	defer cancel()
	if _, err := s.js.PublishMsg(pctx, dl); err != nil {
		s.cfg.onError(&DeadLetterError{Subject: dl.Subject, Stream: md.Stream, Sequence: md.Sequence.Stream,
			Reason: reason.Value.AsString(), Err: err, ProcessErr: cause})
		return s.nak(msg, delivered)
	}
	if reason == semconv.NATSDeadLetterReasonDecode {
		s.deadDecode.Add(1)
	} else {
		s.deadMaxDeliver.Add(1)
	}
	if err := msg.TermWithReason("dead-lettered: " + reason.Value.AsString()); err != nil {
		s.cfg.onError(fmt.Errorf("terminating a dead-lettered message of %q: %w", s.subject, err))
	}
	return semconv.NATSSettlementDeadLetter
}

// Subject returns the subject (the consumer's filter).
func (s *Subscriber[T]) Subject() string { return s.subject }

// Stream returns the name of the consumer's stream.
func (s *Subscriber[T]) Stream() string { return s.stream }

// Stats returns the subscriber's counts.
func (s *Subscriber[T]) Stats() SubscribeStats {
	decode := s.deadDecode.Load()
	return SubscribeStats{
		Received:     s.received.Load(),
		Acked:        s.acked.Load(),
		Naked:        s.naked.Load(),
		DeadLettered: decode + s.deadMaxDeliver.Load(),
		Undecodable:  decode,
		Lag:          s.lag.load(),
	}
}

// Close stops consuming: JetStream delivers no more messages to this
// subscriber, the messages it already received are emitted and settled,
// and its goroutines end. The durable consumer stays on the server, so a
// later Subscribe with the same durable name goes on where this one
// stopped. Close is Shutdown without a deadline. Calling it again is
// harmless.
func (s *Subscriber[T]) Close() error {
	return s.Shutdown(context.Background())
}

// Shutdown is Close with a deadline: if ctx ends before the messages
// already received are processed, the subscriber stops at once, cancels the
// context its listeners receive, and returns ctx's error once the listener
// in progress has returned; the messages it did not settle are delivered
// again by JetStream after AckWait. A second call waits for the first, or
// for its own ctx.
func (s *Subscriber[T]) Shutdown(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	first := false
	s.closeOnce.Do(func() {
		first = true
		s.cc.Drain()
		select {
		case <-s.cc.Closed():
		case <-ctx.Done():
			s.closeErr = ctx.Err()
			s.abort()
			s.cc.Stop()
			<-s.cc.Closed()
		}
		s.stop()
		close(s.closed)
	})
	if first {
		return s.closeErr
	}
	select {
	case <-s.closed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop ends the workers and restores what Subscribe changed.
func (s *Subscriber[T]) stop() {
	<-s.gate.shut()
	if s.work != nil {
		close(s.work)
	}
	s.wg.Wait()
	if s.restore != nil {
		s.restore()
	}
	s.tel.unregister()
	s.abort()
}

// newTelemetry creates the subscriber's tracer, instruments and callback.
func (s *Subscriber[T]) newTelemetry() {
	s.tel.init(&s.cfg.config, s.subject, semconv.OperationProcess)
	base := []attribute.KeyValue{
		semconv.MessagingSystemNATS,
		semconv.MessagingDestinationName(s.subject),
		semconv.MessagingOperationName(semconv.OperationProcess),
		semconv.MessagingConsumerGroupName(s.durable),
	}
	s.spanOpts = []trace.SpanStartOption{
		trace.WithSpanKind(semconv.NATSProcessSpanKind),
		trace.WithAttributes(append(base[:len(base):len(base)], semconv.MessagingOperationTypeProcess)...),
	}
	m := s.tel.meter
	s.dur = newDurations(m, semconv.MessagingProcessDurationName, semconv.MessagingProcessDurationUnit,
		semconv.MessagingProcessDurationDescription, base)
	consumed := observableCounter(m, semconv.MessagingClientConsumedMessagesName, semconv.MessagingClientConsumedMessagesUnit,
		semconv.MessagingClientConsumedMessagesDescription)
	dead := observableCounter(m, semconv.NATSDeadLettersName, semconv.NATSDeadLettersUnit, semconv.NATSDeadLettersDescription)
	lag := observableGauge(m, semconv.NATSConsumerLagName, semconv.NATSConsumerLagUnit, semconv.NATSConsumerLagDescription)

	okSet := metric.WithAttributeSet(attribute.NewSet(base...))
	group := []attribute.KeyValue{semconv.MessagingSystemNATS, semconv.MessagingDestinationName(s.subject), semconv.MessagingConsumerGroupName(s.durable)}
	groupSet := metric.WithAttributeSet(attribute.NewSet(group...))
	decodeSet := metric.WithAttributeSet(attribute.NewSet(append(group[:len(group):len(group)], semconv.NATSDeadLetterReasonDecode)...))
	maxSet := metric.WithAttributeSet(attribute.NewSet(append(group[:len(group):len(group)], semconv.NATSDeadLetterReasonMaxDeliver)...))
	list := observables(consumed, dead, lag)
	if len(list) == 0 {
		return
	}
	reg, err := m.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		if consumed != nil {
			o.ObserveInt64(consumed, s.consumedOK.Load(), okSet)
			s.consumedFailed.observe(o, consumed, base)
		}
		if dead != nil {
			o.ObserveInt64(dead, s.deadDecode.Load(), decodeSet)
			o.ObserveInt64(dead, s.deadMaxDeliver.Load(), maxSet)
		}
		if lag != nil {
			// Asked at collection, so that the gauge moves while no
			// message is delivered: a stalled consumer's lag grows.
			if n, ok := s.lag.read(ctx); ok {
				o.ObserveInt64(lag, n, groupSet)
			}
		}
		return nil
	}, list...)
	if err != nil {
		otel.Handle(err)
		return
	}
	s.tel.reg = reg
}
