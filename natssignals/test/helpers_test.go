package test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/signalkit/sdk/natssignals/internal/testhook"
)

// testServer is an embedded nats-server with JetStream on a temporary
// directory, listening on 127.0.0.1 and a free port. It can be stopped and
// started again on the same port and directory.
type testServer struct {
	tb   testing.TB
	dir  string
	port int
	srv  *server.Server
}

// startServer starts a server for tb and stops it when tb ends.
func startServer(tb testing.TB) *testServer {
	tb.Helper()
	s := &testServer{tb: tb, dir: tb.TempDir(), port: freePort(tb)}
	s.start()
	tb.Cleanup(s.stop)
	return s
}

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *testServer) start() {
	s.tb.Helper()
	srv, err := server.NewServer(&server.Options{
		ServerName: "natssignals-test",
		Host:       "127.0.0.1",
		Port:       s.port,
		JetStream:  true,
		StoreDir:   s.dir,
		NoLog:      true,
		NoSigs:     true,
	})
	if err != nil {
		s.tb.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		s.tb.Fatal("nats-server: not ready within 10s")
	}
	s.srv = srv
}

// stop stops the server and waits until it has; a second call does
// nothing.
func (s *testServer) stop() {
	if s.srv == nil {
		return
	}
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	s.srv = nil
}

func (s *testServer) url() string { return "nats://127.0.0.1:" + strconv.Itoa(s.port) }

// connect returns a connection that reconnects for ever, closed when tb
// ends.
func (s *testServer) connect(tb testing.TB) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(s.url(), nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond),
		nats.ReconnectJitter(0, 0), nats.Name(tb.Name()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// jetStream returns a JetStream context on nc.
func jetStream(tb testing.TB, nc *nats.Conn) jetstream.JetStream {
	tb.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

// storedMessages returns how many messages the stream named name holds.
func storedMessages(tb testing.TB, js jetstream.JetStream, name string) uint64 {
	tb.Helper()
	info, err := js.Stream(ctxT(tb), name)
	if err != nil {
		tb.Fatal(err)
	}
	return info.CachedInfo().State.Msgs
}

// createStreams creates a file-backed stream ORDERS on "orders.>" with a
// duplicate window, and a stream DEADLETTER on "deadletter.>".
func createStreams(tb testing.TB, js jetstream.JetStream) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, cfg := range []jetstream.StreamConfig{
		{Name: "ORDERS", Subjects: []string{"orders.>"}, Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute},
		{Name: "DEADLETTER", Subjects: []string{"deadletter.>"}, Storage: jetstream.FileStorage},
	} {
		if _, err := js.CreateOrUpdateStream(ctx, cfg); err != nil {
			tb.Fatal(err)
		}
	}
}

// Order is the payload of the tests.
type Order struct {
	ID  string `json:"id"`
	Seq int    `json:"seq"`
}

// received collects what a listener received.
type received struct {
	mu    sync.Mutex
	items []Order
	ctxs  []context.Context
	ch    chan struct{} // signalled on each receipt
}

func newReceived() *received { return &received{ch: make(chan struct{}, 1)} }

func (r *received) add(ctx context.Context, o Order) {
	r.mu.Lock()
	r.items = append(r.items, o)
	r.ctxs = append(r.ctxs, ctx)
	r.mu.Unlock()
	select {
	case r.ch <- struct{}{}:
	default:
	}
}

func (r *received) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.items)
}

func (r *received) snapshot() []Order {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Order(nil), r.items...)
}

// waitFor waits until cond holds, checking it on every receipt and every
// 20 ms, for at most d.
func (r *received) waitFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	if err := waitUntil(d, cond, r.ch); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// waitUntil waits until cond holds, for at most d.
func waitUntil(d time.Duration, cond func() bool, wake <-chan struct{}) error {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-wake:
		case <-tick.C:
		case <-deadline.C:
			if cond() {
				return nil
			}
			return fmt.Errorf("not within %v", d)
		}
	}
	return nil
}

// errorSink collects the errors of WithErrorHandler.
type errorSink struct {
	mu   sync.Mutex
	errs []error
}

func (e *errorSink) handle(err error) {
	e.mu.Lock()
	e.errs = append(e.errs, err)
	e.mu.Unlock()
}

func (e *errorSink) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.errs...)
}

// find returns the first error whose chain has a T.
func findErr[T error](errs []error) (T, bool) {
	for _, err := range errs {
		var t T
		if errors.As(err, &t) {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// ctxT returns a context for a test step.
func ctxT(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// natsMsg returns a message with headers given as key, value pairs.
func natsMsg(subject, data string, kv ...string) *nats.Msg {
	m := nats.NewMsg(subject)
	m.Data = []byte(data)
	for i := 0; i+1 < len(kv); i += 2 {
		m.Header.Set(kv[i], kv[i+1])
	}
	return m
}

// loseFirstAck returns a copy of ctx under which Publish's first publish
// stores the message in JetStream but reports a lost acknowledgement, as
// when the connection drops after the server stored a message and before
// its acknowledgement arrived: the publisher publishes it again.
func loseFirstAck(ctx context.Context) context.Context {
	return testhook.WithWrapJetStream(ctx, func(js jetstream.JetStream) jetstream.JetStream {
		return &lossyJS{JetStream: js}
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
