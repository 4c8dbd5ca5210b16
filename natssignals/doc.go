// Package natssignals carries signals across services over NATS JetStream:
// a [Publisher] forwards every emission of a local signal to a subject, and
// a [Subscriber] emits the messages of a durable JetStream consumer into a
// local signal, with the emitter's trace continued on the other side.
//
// It is a module of its own (github.com/signalkit/sdk/natssignals), so
// that only the services that use it depend on the NATS client. It uses the
// OpenTelemetry API, never the SDK: the process sets up its providers and
// propagator (package otelsetup does), and the bridge records through them.
// docs/distributed.md in the repository says when to use it, and how to run
// NATS in production.
//
// # Getting started
//
// Both sides need a stream that captures the subject, and the subscriber
// one that captures the dead-letter subjects ("deadletter." + subject by
// default). Give the stream a duplicate window, in which JetStream stores a
// message ID once:
//
//	js, _ := jetstream.New(nc)
//	js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "ORDERS",
//		Subjects: []string{"orders.>"}, Duplicates: 2 * time.Minute})
//	js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "DEADLETTER",
//		Subjects: []string{"deadletter.>"}})
//
// In the emitting service:
//
//	placed := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed"})
//	pub, err := natssignals.Publish(ctx, nc, "orders.placed", placed)
//	...
//	placed.Emit(ctx, order) // local listeners run, and the order is published
//	...
//	pub.Close()             // publishes what is buffered, waits for the acknowledgements
//
// In the receiving service:
//
//	received := signals.NewSync[Order]()
//	received.AddListenerWithErr(ship, "ship")
//	sub, err := natssignals.Subscribe(ctx, nc, "orders.placed", "shipping", received)
//	...
//	sub.Close()
//
// # Delivery
//
// Delivery is at least once. The publisher's listener puts each emission in
// a bounded buffer ([WithBufferSize]); a full buffer blocks the emission or
// drops it, as [WithOverflow] says. The publisher's goroutine publishes
// asynchronously, at most [WithMaxPending] messages awaiting their
// acknowledgement, and publishes a message again with backoff when its
// acknowledgement fails or times out ([WithRetry], [WithAckTimeout]):
// during a server restart or a network partition, messages wait and are
// published again. Every attempt carries the same Nats-Msg-Id, so that
// JetStream stores a message once within its duplicate window even if an
// earlier attempt did land. A message the publisher gives up on is counted
// and passed to the error handler as a [*PublishError]. [Publisher.Close]
// waits until every emission accepted before it is settled.
//
// The subscriber acknowledges a message only after the signal's listeners
// succeeded: TryEmit on a [signals.SyncSignal] returned nil, or no listener
// of a [signals.AsyncSignal] reported an error to the signal's error
// handler. Otherwise it negatively acknowledges the message with a delay
// that doubles with each delivery ([WithNakDelay]), and on the
// [WithMaxDeliver]-th delivery it publishes the message, with the error in
// its headers, to the dead-letter subject, and terminates it. A message
// that does not decode goes there at once, and never reaches a listener.
// [WithMaxAckPending] bounds how many messages JetStream sends before it
// waits for acknowledgements. Listeners may therefore see a message more
// than once (after a failure, a restart or an acknowledgement lost on the
// way); make them idempotent, keyed by the message's ID.
//
// # Ordering
//
// With one worker (the default; [WithWorkers]) the subscriber emits
// messages in the order JetStream delivers them, which is the order of the
// stream while nothing fails. A message the publisher published again, or
// a redelivered one, comes after the messages published meanwhile.
//
// # Telemetry
//
// The bridge follows the OpenTelemetry messaging conventions with
// messaging.system "nats" (docs/semconv.md lists every name). An emission
// made inside a sampled trace has a "publish {subject}" span (PRODUCER),
// child of the emission's span, whose context the propagator writes into
// the message headers ([WithPropagator]). The subscriber's "process
// {subject}" span (CONSUMER) is the child of that context and links to it,
// and the listeners receive its context, so one trace holds the request,
// the emission, the publish, the remote processing and the remote
// listeners. Sampling is decided as in otelsignals ([WithSampler]). The
// metrics are the standard messaging.client.sent.messages,
// messaging.client.consumed.messages, messaging.client.operation.duration
// and messaging.process.duration, and signals.nats.* for the buffer,
// retries, duplicates, dead letters and consumer lag. Counts are kept in
// atomics and reported at collection. Durations are recorded as otelsignals
// records an emission's: for every message up to a duration budget per
// second ([WithDurationBudget], 100 by default), and for a sample of the
// others ([WithDurationSampleRate], 1 % by default).
//
// # Concurrency
//
// Publish, Subscribe and the methods of Publisher and Subscriber are safe
// for concurrent use. Each Publisher owns one goroutine and each Subscriber
// its workers beyond the first; Close and Shutdown end them, and a second
// call is harmless. nats.go's own goroutines belong to the connection,
// which the caller closes.
//
// # Performance
//
// An emission pays the codec, one message and header allocation, and a
// channel send; the network work happens on the publisher's goroutine. The
// benchmarks of natssignals/test measure the bridge beside raw nats.go
// JetStream publish and consume, on the same server, in the same run.
package natssignals
