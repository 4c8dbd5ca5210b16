// Package natssignals carries signals across services over NATS
// JetStream: a [Publisher] forwards every emission of a local signal to a
// subject, and a [Subscriber] emits the messages of a durable consumer into
// a local signal, with the emitter's trace continued on the other side.
package natssignals
