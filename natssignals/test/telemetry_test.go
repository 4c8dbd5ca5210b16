package test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/signalkit/sdk/natssignals"
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
