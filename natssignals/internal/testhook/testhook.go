// Package testhook lets the tests of module natssignals/test inject faults
// that no server can be asked for on demand, such as an acknowledgement
// lost after JetStream stored the message. The hooks travel in the context
// given to natssignals.Publish, so that package natssignals keeps no
// mutable global and exports nothing for them; being internal, the package
// can be imported only by natssignals and its tests.
package testhook

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"
)

// WrapJetStream wraps the JetStream context of a publisher.
type WrapJetStream func(jetstream.JetStream) jetstream.JetStream

type wrapKey struct{}

// WithWrapJetStream returns a copy of ctx under which natssignals.Publish
// wraps its JetStream context with wrap.
func WithWrapJetStream(ctx context.Context, wrap WrapJetStream) context.Context {
	return context.WithValue(ctx, wrapKey{}, wrap)
}

// WrapJetStreamFrom returns the wrapper ctx carries, or nil.
func WrapJetStreamFrom(ctx context.Context) WrapJetStream {
	w, _ := ctx.Value(wrapKey{}).(WrapJetStream)
	return w
}
