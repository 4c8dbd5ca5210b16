package natssignals

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Reading the consumer's lag from the server.
const (
	// lagRefresh is how long a lag read from the server is reused: metric
	// readers that collect at once, or more often than this, ask the
	// server once.
	lagRefresh = time.Second

	// lagTimeout bounds a request for the consumer's info, so that an
	// unreachable server holds a metric collection up for at most this.
	lagTimeout = 250 * time.Millisecond
)

// consumerLag is a subscriber's consumer lag: the messages of its stream
// that match its filter and that JetStream has not delivered yet
// (NumPending). Deliveries keep it current for free, from their metadata
// ([lagEvery]); a stalled consumer has none, so the metric's callback also
// asks the server, at most once per lagRefresh. Its methods are safe for
// concurrent use.
type consumerLag struct {
	cons    jetstream.Consumer
	onError func(error)
	name    string // the consumer, for errors

	value atomic.Int64 // the last lag known

	mu sync.Mutex // serializes the requests to the server
	at time.Time  // when the server was last asked
	ok bool       // whether it answered
}

func newConsumerLag(cons jetstream.Consumer, name string, onError func(error)) *consumerLag {
	return &consumerLag{cons: cons, name: name, onError: onError, ok: true}
}

// store records the lag a delivery's metadata reports.
func (l *consumerLag) store(n int64) { l.value.Store(n) }

// load returns the last lag known.
func (l *consumerLag) load() int64 { return l.value.Load() }

// read returns the consumer's lag, as the server reports it now (or within
// lagRefresh), and false if the server did not answer within lagTimeout:
// the lag is then unknown. The first failure after an answer goes to
// onError.
func (l *consumerLag) read(ctx context.Context) (int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.at.IsZero() && time.Since(l.at) < lagRefresh {
		if !l.ok {
			return 0, false
		}
		return l.value.Load(), true
	}
	l.at = time.Now()
	ctx, cancel := context.WithTimeout(ctx, lagTimeout)
	defer cancel()
	info, err := l.cons.Info(ctx)
	if err != nil {
		if l.ok {
			l.onError(fmt.Errorf("reading the lag of consumer %s: %w", l.name, err))
		}
		l.ok = false
		return 0, false
	}
	l.ok = true
	n := saturate(info.NumPending)
	l.value.Store(n)
	return n, true
}
