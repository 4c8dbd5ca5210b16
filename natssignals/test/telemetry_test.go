package test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/otelsignals/otelsignalstest"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

var errFault = errors.New("injected fault")

// faultyProvider's meters fail the way fault says: every instrument
// ("instruments"), the callback's registration ("register"), or its
// removal ("unregister").
type faultyProvider struct {
	noop.MeterProvider
	fault string
}

func (p faultyProvider) Meter(string, ...metric.MeterOption) metric.Meter {
	return faultyMeter{fault: p.fault}
}

type faultyMeter struct {
	noop.Meter
	fault string
}

func (m faultyMeter) Int64ObservableCounter(name string, o ...metric.Int64ObservableCounterOption) (metric.Int64ObservableCounter, error) {
	if m.fault == "instruments" {
		return nil, errFault
	}
	return m.Meter.Int64ObservableCounter(name, o...)
}

func (m faultyMeter) Int64ObservableUpDownCounter(name string, o ...metric.Int64ObservableUpDownCounterOption) (metric.Int64ObservableUpDownCounter, error) {
	if m.fault == "instruments" {
		return nil, errFault
	}
	return m.Meter.Int64ObservableUpDownCounter(name, o...)
}

func (m faultyMeter) Float64Histogram(name string, o ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	if m.fault == "instruments" {
		return nil, errFault
	}
	return m.Meter.Float64Histogram(name, o...)
}

func (m faultyMeter) RegisterCallback(metric.Callback, ...metric.Observable) (metric.Registration, error) {
	switch m.fault {
	case "register":
		return nil, errFault
	case "unregister":
		return faultyRegistration{}, nil
	}
	return noop.Registration{}, nil
}

type faultyRegistration struct{ noop.Registration }

func (faultyRegistration) Unregister() error { return errFault }

// TestMetricErrorsAreHandled: instrument and callback errors go to
// otel.Handle, never stop the bridge.
func TestMetricErrorsAreHandled(t *testing.T) {
	var mu sync.Mutex
	var handled []error
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		handled = append(handled, err)
		mu.Unlock()
	}))
	defer otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))

	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	for _, tt := range []struct {
		fault string
		rate  float64
	}{{"instruments", 1}, {"register", 0}, {"unregister", 0.5}} {
		t.Run(tt.fault, func(t *testing.T) {
			mu.Lock()
			handled = nil
			mu.Unlock()
			opts := []natssignals.Option{
				natssignals.WithMeterProvider(faultyProvider{fault: tt.fault}), natssignals.WithDurationSampleRate(tt.rate), quiet(t),
			}
			local := signals.NewSync[Order]()
			pub, err := natssignals.Publish(ctxT(t), nc, "orders.created", local, toPublish(opts)...)
			if err != nil {
				t.Fatal(err)
			}
			got := newReceived()
			remote := signals.NewSync[Order]()
			remote.AddListener(got.add)
			sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "faulty-"+tt.fault, remote, toSubscribe(opts)...)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				if err := local.TryEmit(context.Background(), Order{Seq: i}); err != nil {
					t.Fatal(err)
				}
			}
			got.waitFor(t, 10*time.Second, "5 orders", func() bool { return got.len() >= 5 })
			if err := errors.Join(pub.Close(), sub.Close()); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(handled) == 0 {
				t.Fatal("no error reached otel.Handle")
			}
			for _, err := range handled {
				if !errors.Is(err, errFault) {
					t.Errorf("handled %v", err)
				}
			}
		})
	}
}

// TestDurationBudget: by default every message of a quiet subject has its
// publish and process durations recorded (the duration budget, as in
// otelsignals); with a budget of 5 and no sampling beyond it, about 5 of 20
// messages sent at once are.
func TestDurationBudget(t *testing.T) {
	if natssignals.DefaultDurationBudget != otelsignals.DefaultDurationBudget ||
		natssignals.DefaultDurationSampleRate != otelsignals.DefaultDurationSampleRate {
		t.Errorf("defaults %d, %v differ from otelsignals' %d, %v", natssignals.DefaultDurationBudget,
			natssignals.DefaultDurationSampleRate, otelsignals.DefaultDurationBudget, otelsignals.DefaultDurationSampleRate)
	}
	srv := startServer(t)
	nc := srv.connect(t)
	createStreams(t, jetStream(t, nc))
	const n = 20
	for i, tt := range []struct {
		name     string
		opts     []natssignals.Option
		min, max uint64
	}{
		{"defaults", nil, n, n},
		// One window of the budget holds the 20 messages unless the run
		// takes more than a second; a second window would time 5 more.
		{"budget 5, rate 0", []natssignals.Option{natssignals.WithDurationBudget(5), natssignals.WithDurationSampleRate(0)}, 5, 10},
		{"no budget, rate 0", []natssignals.Option{natssignals.WithDurationBudget(-1), natssignals.WithDurationSampleRate(0)}, 0, 0},
	} {
		subject := "orders.budget" + strconv.Itoa(i) // a subject of its own: the stream keeps the others'
		t.Run(tt.name, func(t *testing.T) {
			tel := otelsignalstest.New(t)
			opts := append([]natssignals.Option{natssignals.WithMeterProvider(tel.MeterProvider()), quiet(t)}, tt.opts...)
			local := signals.NewSync[Order]()
			pub, err := natssignals.Publish(ctxT(t), nc, subject, local, toPublish(opts)...)
			if err != nil {
				t.Fatal(err)
			}
			got := newReceived()
			remote := signals.NewSync[Order]()
			remote.AddListener(got.add)
			sub, err := natssignals.Subscribe(ctxT(t), nc, subject, "budget"+strconv.Itoa(i), remote, toSubscribe(opts)...)
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if err := local.TryEmit(context.Background(), Order{Seq: i}); err != nil {
					t.Fatal(err)
				}
			}
			if err := pub.Close(); err != nil {
				t.Fatal(err)
			}
			got.waitFor(t, 10*time.Second, "20 orders", func() bool { return got.len() == n })
			if err := sub.Close(); err != nil {
				t.Fatal(err)
			}
			h := natsHistograms(tel.Collect(t).ResourceMetrics())
			for _, name := range []string{semconv.MessagingClientOperationDurationName, semconv.MessagingProcessDurationName} {
				if c := h[name]; c < tt.min || c > tt.max {
					t.Errorf("%s holds %d durations of %d messages, want %d to %d", name, c, n, tt.min, tt.max)
				}
			}
		})
	}
}

// TestConsumerLagWhileStalled: a listener that does not return stalls the
// consumer (MaxAckPending 1), so nothing is delivered; the lag gauge still
// follows the messages published meanwhile, since it is read from the
// server when the metrics are collected. Once the listener returns, the
// backlog drains and the lag falls to 0. With the server down, the lag is
// unknown: not reported, and the error handler hears of it.
func TestConsumerLagWhileStalled(t *testing.T) {
	tel := otelsignalstest.New(t)
	srv := startServer(t)
	nc := srv.connect(t)
	js := jetStream(t, nc)
	createStreams(t, js)
	errs := &errorSink{}
	release := make(chan struct{})
	var releaseOnce sync.Once
	unstall := func() { releaseOnce.Do(func() { close(release) }) }
	defer unstall()
	got := newReceived()
	remote := signals.NewSync[Order]()
	remote.AddListener(func(ctx context.Context, o Order) {
		got.add(ctx, o)
		<-release
	})
	sub, err := natssignals.Subscribe(ctxT(t), nc, "orders.created", "stalled", remote,
		natssignals.WithMeterProvider(tel.MeterProvider()), natssignals.WithErrorHandler(errs.handle),
		natssignals.WithMaxAckPending(1))
	if err != nil {
		t.Fatal(err)
	}
	publish := func(n int) {
		t.Helper()
		for i := range n {
			if _, err := js.Publish(ctxT(t), "orders.created", []byte(`{"seq":`+strconv.Itoa(i)+`}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	group := attribute.NewSet(semconv.MessagingSystemNATS, semconv.MessagingDestinationName("orders.created"),
		semconv.MessagingConsumerGroupName("stalled"))
	lag := func() (int64, bool) {
		v, ok := natsSums(tel.Collect(t).ResourceMetrics())[semconv.NATSConsumerLagName][group]
		return v, ok
	}
	waitLag := func(want int64) {
		t.Helper()
		var last int64
		if err := waitUntil(10*time.Second, func() bool { last, _ = lag(); return last == want }, nil); err != nil {
			t.Fatalf("lag %d, want %d: %v", last, want, err)
		}
	}

	publish(1)
	got.waitFor(t, 10*time.Second, "the first order", func() bool { return got.len() == 1 })
	// Stalled: the first message is in the listener, the others wait.
	publish(10)
	waitLag(10)
	publish(5)
	waitLag(15)
	if st := sub.Stats(); st.Lag != 15 || st.Received != 1 {
		t.Errorf("stats %+v, want 1 received and a lag of 15", st)
	}

	unstall()
	got.waitFor(t, 20*time.Second, "the backlog", func() bool { return got.len() == 16 })
	waitLag(0)

	srv.stop()
	if err := waitUntil(10*time.Second, func() bool { _, ok := lag(); return !ok }, nil); err != nil {
		t.Errorf("the lag is still reported with the server down: %v", err)
	}
	var lagErr bool
	for _, err := range errs.all() {
		lagErr = lagErr || strings.Contains(err.Error(), "reading the lag of consumer")
	}
	if !lagErr {
		t.Errorf("no error about the lag among %v", errs.all())
	}
	srv.start() // Close drains the consumer, which takes a server
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
}
