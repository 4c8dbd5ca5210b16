package natssignals

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/natssignals/internal/testhook"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// Publisher forwards every emission of a local signal to a NATS subject,
// through JetStream, until it is closed. [Publish] creates it.
//
// The emission hands the message to a bounded buffer and returns; the
// publisher's goroutine publishes it asynchronously and waits for
// JetStream's acknowledgement, publishing it again with backoff when the
// acknowledgement fails, with the same Nats-Msg-Id. All methods are safe for
// concurrent use. A Publisher must not be copied.
type Publisher[T any] struct {
	subject  string
	nc       *nats.Conn
	js       jetstream.JetStream
	sig      signals.Signal[T]
	key      string
	cfg      publishConfig
	msgID    func(T) string
	idPrefix string
	idSeq    atomic.Uint64
	ctv      []string // the Content-Type header's value, shared by every message

	gate    *gate
	closing chan struct{} // closed when Close starts
	in      chan *outMsg  // the buffer; closed once the gate is drained
	results chan result   // acknowledgements and failures, from nats.go's callbacks
	abort   chan struct{} // closed when Shutdown's deadline passes
	done    chan struct{} // closed when run returns
	exited  atomic.Bool

	closeOnce sync.Once
	closed    chan struct{} // closed when the first Shutdown returns
	closeErr  error

	tel      telemetry
	spanOpts []trace.SpanStartOption
	dur      *durations

	published, duplicates, retries atomic.Int64
	droppedFull, droppedClosed     atomic.Int64
	failedTotal                    atomic.Int64
	failed                         byType
	pending                        atomic.Int64
}

// outMsg is one message on its way: the nats.Msg and what the publisher
// tracks about it, in one allocation.
type outMsg struct {
	msg      nats.Msg
	idv      [1]string // the Nats-Msg-Id header's value
	span     trace.Span
	start    time.Time // zero if its duration is not recorded
	attempts int
	due      time.Time // when to publish it again
	lastErr  error
}

// result is what nats.go reported for one publish.
type result struct {
	msg *nats.Msg
	ack *jetstream.PubAck
	err error
}

// PublishStats are a publisher's counts since it was created.
type PublishStats struct {
	Published  int64 // messages JetStream acknowledged (duplicates included)
	Duplicates int64 // of those, acknowledged as duplicates within the duplicate window
	Retries    int64 // publishes repeated after an attempt failed
	Failed     int64 // messages given up on after every attempt failed
	Dropped    int64 // emissions not published: buffer full under OverflowDrop, or closed
	Buffered   int   // emissions in the buffer now
	Pending    int64 // messages published and not yet acknowledged (or given up on) now
}

// Publish forwards every emission of sig to subject, a JetStream subject
// without wildcards, over nc, until [Publisher.Close]. It adds to sig an
// error-aware listener with the key "natssignals.publish:" + subject, which
// encodes the payload with the codec ([WithCodec]), gives the message its
// Nats-Msg-Id and trace context headers, and puts it in the publisher's
// buffer. The emission then returns, and the publisher's goroutine
// publishes the message.
//
// The listener returns an error, which the emission records or returns
// (TryEmit), when the payload does not encode, when the buffer is full
// under [signals.OverflowDrop] ([ErrBufferFull]), when the emission's
// context ends while it waits for room, and after Close ([ErrClosed]).
//
// Publish checks that a stream captures subject and returns an error
// wrapping [ErrNoStream] if none does, and one wrapping
// [ErrInvalidArgument] or [ErrAlreadyPublished] for bad arguments. ctx
// bounds that check.
func Publish[T any](ctx context.Context, nc *nats.Conn, subject string, sig signals.Signal[T], opts ...PublishOption) (*Publisher[T], error) {
	if nc == nil || sig == nil || isNilSignal(sig) {
		return nil, fmt.Errorf("%w: Publish needs a connection and a signal", ErrInvalidArgument)
	}
	if subject == "" || strings.ContainsAny(subject, "*> \t\r\n") {
		return nil, fmt.Errorf("%w: publish subject %q: want a subject without wildcards or spaces", ErrInvalidArgument, subject)
	}
	cfg := publishConfig{
		config:     defaultConfig(),
		bufferSize: DefaultBufferSize,
		maxPending: DefaultMaxPending,
		ackTimeout: DefaultAckTimeout,
		attempts:   DefaultPublishAttempts,
		backoff:    DefaultRetryBackoff,
		maxBackoff: DefaultMaxRetryBackoff,
	}
	if a, ok := sig.(interface{ Overflow() signals.OverflowPolicy }); ok {
		cfg.overflow = a.Overflow() // an AsyncSignal's own policy
	}
	for _, o := range opts {
		if o != nil {
			o.applyPublish(&cfg)
		}
	}
	p := &Publisher[T]{
		subject:  subject,
		nc:       nc,
		sig:      sig,
		key:      "natssignals.publish:" + subject,
		cfg:      cfg,
		idPrefix: nuid.Next() + ".",
		gate:     newGate(),
		closing:  make(chan struct{}),
		in:       make(chan *outMsg, cfg.bufferSize),
		results:  make(chan result, cfg.maxPending+1),
		abort:    make(chan struct{}),
		done:     make(chan struct{}),
		closed:   make(chan struct{}),
	}
	if cfg.msgID != nil {
		f, ok := cfg.msgID.(func(T) string)
		if !ok {
			return nil, fmt.Errorf("%w: WithMessageID takes a %T, not a func(%T) string", ErrInvalidArgument, cfg.msgID, *new(T))
		}
		p.msgID = f
	}
	if ct := cfg.codec.ContentType(); ct != "" {
		p.ctv = []string{ct}
	}
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(cfg.maxPending),
		jetstream.WithPublishAsyncTimeout(cfg.ackTimeout),
		jetstream.WithPublishAsyncAckHandler(func(_ jetstream.JetStream, m *nats.Msg, ack *jetstream.PubAck) {
			p.report(result{msg: m, ack: ack})
		}),
		jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, m *nats.Msg, err error) {
			p.report(result{msg: m, err: err})
		}))
	if err != nil {
		return nil, fmt.Errorf("natssignals: JetStream: %w", err)
	}
	if wrap := testhook.WrapJetStreamFrom(ctx); wrap != nil {
		js = wrap(js) // fault injection by the tests (natssignals/test)
	}
	p.js = js
	if _, err := js.StreamNameBySubject(ctx, subject); err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fmt.Errorf("%w: %q", ErrNoStream, subject)
		}
		return nil, fmt.Errorf("natssignals: looking up the stream of %q: %w", subject, err)
	}
	p.newTelemetry()
	if sig.AddListenerWithErr(p.forward, p.key) < 0 {
		p.tel.unregister()
		return nil, fmt.Errorf("%w: %q", ErrAlreadyPublished, subject)
	}
	go p.run()
	return p, nil
}

// isNilSignal reports whether sig holds a nil pointer.
func isNilSignal[T any](sig signals.Signal[T]) bool {
	switch s := sig.(type) {
	case *signals.SyncSignal[T]:
		return s == nil
	case *signals.AsyncSignal[T]:
		return s == nil
	case *signals.BaseSignal[T]:
		return s == nil
	}
	return false
}

// Subject returns the subject the publisher publishes to.
func (p *Publisher[T]) Subject() string { return p.subject }

// Stats returns the publisher's counts.
func (p *Publisher[T]) Stats() PublishStats {
	return PublishStats{
		Published:  p.published.Load(),
		Duplicates: p.duplicates.Load(),
		Retries:    p.retries.Load(),
		Failed:     p.failedTotal.Load(),
		Dropped:    p.droppedFull.Load() + p.droppedClosed.Load(),
		Buffered:   len(p.in),
		Pending:    p.pending.Load(),
	}
}

// nextID returns a Nats-Msg-Id unique to this emission: the publisher's
// random prefix and a sequence number.
func (p *Publisher[T]) nextID() string {
	var b [64]byte
	return string(strconv.AppendUint(append(b[:0], p.idPrefix...), p.idSeq.Add(1), 10))
}

// forward is the listener Publish adds to the signal: it turns an emission
// into a message and puts it in the buffer.
func (p *Publisher[T]) forward(ctx context.Context, v T) error {
	if !p.gate.enter() {
		p.droppedClosed.Add(1)
		return ErrClosed
	}
	defer p.gate.leave()
	data, err := p.cfg.codec.Marshal(v)
	if err != nil {
		return fmt.Errorf("natssignals: encoding a message for %q: %w", p.subject, err)
	}
	m := &outMsg{}
	m.msg.Subject, m.msg.Data = p.subject, data
	var id string
	if p.msgID != nil {
		id = p.msgID(v)
	}
	if id == "" {
		id = p.nextID()
	}
	m.idv[0] = id
	h := make(nats.Header, 4)
	h[jetstream.MsgIDHeader] = m.idv[:]
	if p.ctv != nil {
		h[HeaderContentType] = p.ctv
	}
	m.msg.Header = h
	mctx := ctx
	if p.tel.traced(ctx) {
		mctx, m.span = p.tel.tracer.Start(ctx, p.tel.spanName, p.spanOpts...)
		m.span.SetAttributes(semconv.MessagingMessageID(id), semconv.MessagingMessageBodySize(len(data)))
		m.span.SetAttributes(serverAttrs(p.nc)...)
	}
	// The message's creation context: the publish span, or else the
	// emission's own context (which may carry a not-sampled parent, so
	// that the consumer side does not sample the message either).
	p.cfg.propagator.Inject(mctx, headerCarrier(h))
	if p.tel.timed() {
		m.start = time.Now()
	}
	select {
	case p.in <- m:
		return nil
	default:
	}
	if p.cfg.overflow == signals.OverflowDrop {
		p.droppedFull.Add(1)
		p.endSpan(m, ErrBufferFull)
		return ErrBufferFull
	}
	select {
	case p.in <- m:
		return nil
	case <-ctx.Done():
		p.droppedFull.Add(1)
		err := fmt.Errorf("natssignals: waiting for room in the publish buffer of %q: %w", p.subject, ctx.Err())
		p.endSpan(m, err)
		return err
	case <-p.closing:
		p.droppedClosed.Add(1)
		p.endSpan(m, ErrClosed)
		return ErrClosed
	}
}

// report passes what nats.go reported for a publish to run. It is called
// on nats.go's goroutines; results has room for one report per message in
// flight, so it never blocks.
func (p *Publisher[T]) report(r result) {
	if p.exited.Load() {
		return
	}
	p.results <- r
}

// run publishes the messages of the buffer, waits for their
// acknowledgements and publishes again those whose acknowledgement failed,
// until the buffer is closed and every message is settled, or until abort.
func (p *Publisher[T]) run() {
	defer close(p.done)
	defer p.exited.Store(true)
	inflight := make(map[*nats.Msg]*outMsg, p.cfg.maxPending)
	var waiting []*outMsg // messages waiting for their next attempt
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var armed time.Time // when timer fires; zero if it is stopped
	schedule := func(m *outMsg) {
		m.due = time.Now().Add(backoff(p.cfg.backoff, p.cfg.maxBackoff, m.attempts-1))
		waiting = append(waiting, m)
		if armed.IsZero() || m.due.Before(armed) {
			timer.Reset(time.Until(m.due))
			armed = m.due
		}
	}
	// publish makes an attempt; a failure at once waits for the next.
	publish := func(m *outMsg) {
		m.attempts++
		if m.attempts > 1 {
			p.retries.Add(1)
			if m.span != nil {
				m.span.AddEvent("retry", trace.WithAttributes(semconv.NATSPublishAttempts(m.attempts), semconv.ErrorType(m.lastErr)))
			}
		}
		if _, err := p.js.PublishMsgAsync(&m.msg); err != nil {
			p.failedAttempt(m, err, inflight, schedule)
		}
	}
	in := p.in
	for {
		if in == nil && len(inflight) == 0 {
			return
		}
		var accept <-chan *outMsg
		if in != nil && len(inflight) < p.cfg.maxPending {
			accept = in
		}
		select {
		case m, ok := <-accept:
			if !ok {
				in = nil
				continue
			}
			inflight[&m.msg] = m
			p.pending.Add(1)
			publish(m)
		case r := <-p.results:
			m := inflight[r.msg]
			if m == nil {
				continue // a late report of a message already settled
			}
			if r.err != nil {
				p.failedAttempt(m, r.err, inflight, schedule)
				continue
			}
			delete(inflight, r.msg)
			p.pending.Add(-1)
			p.published.Add(1)
			if r.ack.Duplicate {
				p.duplicates.Add(1)
			}
			if m.span != nil {
				m.span.SetAttributes(semconv.NATSDuplicateKey.Bool(r.ack.Duplicate))
			}
			p.settle(m, nil)
		case <-timer.C:
			armed = time.Time{}
			now := time.Now()
			due := waiting[:0]
			var later []*outMsg
			for _, m := range waiting {
				if m.due.After(now) {
					later = append(later, m)
				} else {
					due = append(due, m)
				}
			}
			waiting = later
			for _, m := range waiting {
				if armed.IsZero() || m.due.Before(armed) {
					armed = m.due
				}
			}
			if !armed.IsZero() {
				timer.Reset(time.Until(armed))
			}
			for _, m := range due {
				publish(m)
			}
		case <-p.abort:
			for _, m := range inflight {
				p.pending.Add(-1)
				p.droppedClosed.Add(1)
				p.endSpan(m, ErrClosed)
			}
			if in != nil {
				for m := range in {
					p.droppedClosed.Add(1)
					p.endSpan(m, ErrClosed)
				}
			}
			return
		}
	}
}

// failedAttempt handles an attempt of m that failed with err: it waits for
// the next attempt, or, after the last, gives up on m.
func (p *Publisher[T]) failedAttempt(m *outMsg, err error, inflight map[*nats.Msg]*outMsg, schedule func(*outMsg)) {
	m.lastErr = err
	if m.attempts < p.cfg.attempts {
		schedule(m)
		return
	}
	delete(inflight, &m.msg)
	p.pending.Add(-1)
	perr := &PublishError{Subject: p.subject, MsgID: m.idv[0], Attempts: m.attempts, Err: err}
	// By error type first: whoever sees Stats().Failed grow then also
	// finds the message in the metric.
	p.failed.add(semconv.ErrorTypeOf(err))
	p.failedTotal.Add(1)
	p.settle(m, perr)
	p.cfg.onError(perr)
}

// settle records the outcome of a message and ends its span.
func (p *Publisher[T]) settle(m *outMsg, err error) {
	if !m.start.IsZero() {
		p.dur.record(context.Background(), time.Since(m.start).Seconds(), err)
	}
	p.endSpan(m, err)
}

// endSpan ends m's span, if it has one, with err as its error.
func (p *Publisher[T]) endSpan(m *outMsg, err error) {
	if m.span == nil {
		return
	}
	if err != nil {
		setError(m.span, err)
	}
	if m.attempts > 1 {
		m.span.SetAttributes(semconv.NATSPublishAttempts(m.attempts))
	}
	m.span.End()
}

// Close stops forwarding: it removes the listener from the signal, waits
// for the emissions that are handing over a message, publishes what the
// buffer holds and waits until JetStream has acknowledged every message
// (or the publisher gave up on it after its attempts). It is Shutdown
// without a deadline. Emissions after Close get [ErrClosed]. Calling it
// again is harmless.
func (p *Publisher[T]) Close() error {
	return p.Shutdown(context.Background())
}

// Shutdown is Close with a deadline: if ctx ends before every message is
// settled, the rest are dropped (counted in signals.nats.publish.dropped
// with reason closed; their spans end with an error) and Shutdown returns
// ctx's error. Messages already published may still be stored by
// JetStream. The publisher's goroutine has ended when Shutdown returns.
// A second call waits for the first, or for its own ctx.
func (p *Publisher[T]) Shutdown(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	first := false
	p.closeOnce.Do(func() {
		first = true
		close(p.closing)
		p.sig.RemoveListener(p.key)
		<-p.gate.shut() // each call in progress returns promptly once closing is closed
		close(p.in)
		select {
		case <-p.done:
		case <-ctx.Done():
			close(p.abort)
			<-p.done
			p.closeErr = ctx.Err()
		}
		p.js.CleanupPublisher()
		p.tel.unregister()
		close(p.closed)
	})
	if first {
		return p.closeErr
	}
	select {
	case <-p.closed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newTelemetry creates the publisher's tracer, instruments and callback.
func (p *Publisher[T]) newTelemetry() {
	p.tel.init(&p.cfg.config, p.subject, semconv.OperationPublish)
	base := []attribute.KeyValue{
		semconv.MessagingSystemNATS,
		semconv.MessagingDestinationName(p.subject),
		semconv.MessagingOperationName(semconv.OperationPublish),
	}
	p.spanOpts = []trace.SpanStartOption{
		trace.WithSpanKind(semconv.NATSPublishSpanKind),
		trace.WithAttributes(append(base[:len(base):len(base)], semconv.MessagingOperationTypeSend)...),
	}
	m := p.tel.meter
	p.dur = newDurations(m, semconv.MessagingClientOperationDurationName, semconv.MessagingClientOperationDurationUnit,
		semconv.MessagingClientOperationDurationDescription, append(base[:len(base):len(base)], semconv.MessagingOperationTypeSend))
	sent := observableCounter(m, semconv.MessagingClientSentMessagesName, semconv.MessagingClientSentMessagesUnit, semconv.MessagingClientSentMessagesDescription)
	depth := observableGauge(m, semconv.NATSPublishBufferDepthName, semconv.NATSPublishBufferDepthUnit, semconv.NATSPublishBufferDepthDescription)
	capacity := observableGauge(m, semconv.NATSPublishBufferCapacityName, semconv.NATSPublishBufferCapacityUnit, semconv.NATSPublishBufferCapacityDescription)
	pending := observableGauge(m, semconv.NATSPublishPendingName, semconv.NATSPublishPendingUnit, semconv.NATSPublishPendingDescription)
	dropped := observableCounter(m, semconv.NATSPublishDroppedName, semconv.NATSPublishDroppedUnit, semconv.NATSPublishDroppedDescription)
	retries := observableCounter(m, semconv.NATSPublishRetriesName, semconv.NATSPublishRetriesUnit, semconv.NATSPublishRetriesDescription)
	dups := observableCounter(m, semconv.NATSPublishDuplicatesName, semconv.NATSPublishDuplicatesUnit, semconv.NATSPublishDuplicatesDescription)

	pubSet := metric.WithAttributeSet(attribute.NewSet(base...))
	dest := []attribute.KeyValue{semconv.MessagingSystemNATS, semconv.MessagingDestinationName(p.subject)}
	destSet := metric.WithAttributeSet(attribute.NewSet(dest...))
	fullSet := metric.WithAttributeSet(attribute.NewSet(append(dest[:len(dest):len(dest)], semconv.DropReasonQueueFull)...))
	closedSet := metric.WithAttributeSet(attribute.NewSet(append(dest[:len(dest):len(dest)], semconv.DropReasonClosed)...))
	list := observables(sent, depth, capacity, pending, dropped, retries, dups)
	if len(list) == 0 {
		return
	}
	reg, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		if sent != nil {
			o.ObserveInt64(sent, p.published.Load(), pubSet)
			p.failed.observe(o, sent, base)
		}
		if depth != nil {
			o.ObserveInt64(depth, int64(len(p.in)), destSet)
		}
		if capacity != nil {
			o.ObserveInt64(capacity, int64(cap(p.in)), destSet)
		}
		if pending != nil {
			o.ObserveInt64(pending, p.pending.Load(), destSet)
		}
		if dropped != nil {
			o.ObserveInt64(dropped, p.droppedFull.Load(), fullSet)
			o.ObserveInt64(dropped, p.droppedClosed.Load(), closedSet)
		}
		if retries != nil {
			o.ObserveInt64(retries, p.retries.Load(), destSet)
		}
		if dups != nil {
			o.ObserveInt64(dups, p.duplicates.Load(), destSet)
		}
		return nil
	}, list...)
	if err != nil {
		otel.Handle(err)
		return
	}
	p.tel.reg = reg
}
