package natssignals

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// fakeConsumer answers Info with pending, or fails with err.
type fakeConsumer struct {
	jetstream.Consumer
	pending uint64
	err     error
	calls   int
}

func (f *fakeConsumer) Info(ctx context.Context) (*jetstream.ConsumerInfo, error) {
	f.calls++
	if _, ok := ctx.Deadline(); !ok {
		return nil, errors.New("Info without a deadline")
	}
	if f.err != nil {
		return nil, f.err
	}
	return &jetstream.ConsumerInfo{NumPending: f.pending}, nil
}

func TestConsumerLag(t *testing.T) {
	ctx := context.Background()
	cons := &fakeConsumer{pending: 7}
	var reported []error
	l := newConsumerLag(cons, "test", func(err error) { reported = append(reported, err) })
	l.store(3) // from a delivery
	if l.load() != 3 {
		t.Fatalf("load = %d after store(3)", l.load())
	}

	// The first collection asks the server.
	if n, ok := l.read(ctx); n != 7 || !ok || cons.calls != 1 || l.load() != 7 {
		t.Fatalf("read = %d, %t after %d calls; load %d", n, ok, cons.calls, l.load())
	}
	// Within lagRefresh, the answer is reused.
	cons.pending = 9
	if n, ok := l.read(ctx); n != 7 || !ok || cons.calls != 1 {
		t.Errorf("read within lagRefresh = %d, %t after %d calls, want the cached 7", n, ok, cons.calls)
	}
	// After it, the server is asked again: the lag moves without deliveries.
	l.at = l.at.Add(-lagRefresh)
	if n, ok := l.read(ctx); n != 9 || !ok || cons.calls != 2 {
		t.Errorf("read after lagRefresh = %d, %t after %d calls, want 9", n, ok, cons.calls)
	}

	// A server that does not answer: the lag is unknown, and the first
	// failure is reported, once.
	cons.err = context.DeadlineExceeded
	for i := range 3 {
		l.at = l.at.Add(-lagRefresh)
		if n, ok := l.read(ctx); ok || n != 0 {
			t.Errorf("read %d with the server down = %d, %t, want unknown", i, n, ok)
		}
	}
	if len(reported) != 1 || !errors.Is(reported[0], context.DeadlineExceeded) {
		t.Errorf("reported %v, want one DeadlineExceeded", reported)
	}
	if n, ok := l.read(ctx); ok || n != 0 {
		t.Errorf("cached failure = %d, %t", n, ok)
	}
	if l.load() != 9 {
		t.Errorf("load after failures = %d, want the last value known, 9", l.load())
	}

	// Back: answered again, and a later failure is reported again.
	cons.err = nil
	cons.pending = 1
	l.at = time.Time{}
	if n, ok := l.read(ctx); n != 1 || !ok {
		t.Errorf("read after the server came back = %d, %t", n, ok)
	}
	cons.err = errors.New("gone")
	l.at = time.Time{}
	l.read(ctx)
	if len(reported) != 2 {
		t.Errorf("%d failures reported, want 2", len(reported))
	}
}
