package natssignals

import (
	"context"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// LoseFirstAck returns an option under which the publisher's first publish
// stores the message in JetStream but reports a lost acknowledgement, as
// when the connection drops after the server stored a message and before
// its acknowledgement arrived: the publisher publishes it again.
func LoseFirstAck() PublishOption {
	return publishOption(func(c *publishConfig) {
		c.wrapJS = func(js jetstream.JetStream) jetstream.JetStream { return &lossyJS{JetStream: js} }
	})
}

type lossyJS struct {
	jetstream.JetStream
	lost atomic.Bool
}

func (l *lossyJS) PublishMsgAsync(m *nats.Msg, opts ...jetstream.PublishOpt) (jetstream.PubAckFuture, error) {
	if l.lost.CompareAndSwap(false, true) {
		if _, err := l.JetStream.PublishMsg(context.Background(), &nats.Msg{Subject: m.Subject, Data: m.Data, Header: m.Header}); err != nil {
			return nil, err
		}
		return nil, jetstream.ErrAsyncPublishTimeout
	}
	return l.JetStream.PublishMsgAsync(m, opts...)
}

// Internal pieces, for the tests of package natssignals_test.
var (
	Backoff = backoff
)

// CarrierGet and CarrierKeys expose the header carrier.
func CarrierGet(h nats.Header, key string) string { return headerCarrier(h).Get(key) }
func CarrierKeys(h nats.Header) []string          { return headerCarrier(h).Keys() }

// GateSequence runs the gate through enter, shut and leave, and reports
// whether it drained only after the last call left.
func GateSequence() (refusedAfterShut, drainedEarly, drainedAtEnd bool) {
	g := newGate()
	g.enter()
	g.enter()
	done := g.shut()
	refusedAfterShut = !g.enter()
	g.leave()
	select {
	case <-done:
		drainedEarly = true
	default:
	}
	g.leave()
	select {
	case <-done:
		drainedAtEnd = true
	default:
	}
	return refusedAfterShut, drainedEarly, drainedAtEnd && g.shut() == done
}
