package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// Order is the payload of order.placed and inventory.reserved.
type Order struct {
	Seq      int64
	ID       string
	SKU      string
	Quantity int
	Amount   float64
}

// Payment is the payload of payment.requested.
type Payment struct {
	Seq     int64
	OrderID string
	Amount  float64
}

// Notification is the payload of order.notify.
type Notification struct {
	OrderID string
	Text    string
}

// Event is the payload of analytics.event.
type Event struct {
	Name    string
	OrderID string
}

// failure is an error of the workload. Its ErrorType method names the
// error.type attribute that the instrumentation records for it, instead of
// its Go type.
type failure struct{ kind, msg string }

func (f *failure) Error() string     { return f.msg }
func (f *failure) ErrorType() string { return f.kind }

// Failures of the workload, each counted by its error.type.
var (
	errInvalidQuantity = &failure{"invalid_quantity", "invalid quantity"}
	errOutOfStock      = &failure{"out_of_stock", "out of stock"}
	errFraudWarmingUp  = &failure{"fraud_unavailable", "fraud service warming up"}
	errCardDeclined    = &failure{"card_declined", "card declined"}
	errSMSGateway      = &failure{"sms_timeout", "sms gateway timeout"}
	errEndpointGone    = &failure{"endpoint_gone", "legacy exporter: endpoint retired"}
)

// How often things go wrong, by sequence number: deterministic, so that
// every kind of telemetry appears within the first second at the default
// rate.
const (
	invalidEvery  = 20  // orders with quantity 0: validation fails
	stockEvery    = 25  // orders of an SKU out of stock
	declinedEvery = 50  // payments declined
	smsEvery      = 40  // SMS that fail
	panicEvery    = 500 // ledger panics: the 7th payment, then one in 500
	fraudFailures = 3   // first fraud checks fail: the circuit breaker trips once
	breakerAfter  = 3   // consecutive failures that disable a payment listener
	burstEvery    = 2 * time.Second
	burstSize     = 40 // analytics events enqueued at once: the small queue drops some
	reenableAfter = 2 * time.Second
)

// shop is the demo's signals and what their listeners count.
type shop struct {
	log *slog.Logger

	placed    *signals.SyncSignal[Order]
	inventory *signals.SyncSignal[Order]
	payment   *signals.AsyncSignal[Payment]
	notify    *signals.AsyncSignal[Notification]
	analytics *signals.AsyncSignal[Event]

	orders, accepted, rejected, events, dropped atomic.Int64
	payments, fraudCalls, ledgerCalls, sms      atomic.Int64

	reenable      time.Duration // how long the breaker stays open before the operator steps in
	disabledSince time.Time     // when the breaker was seen open; workload goroutine only
	lastBurst     time.Time     // workload goroutine only
}

// named is what the readiness endpoint reads of every signal.
type named struct {
	name   string
	health func() error
}

// newShop creates the signals, instruments them with opts, and then
// registers their listeners, so that the listener changes are counted.
func newShop(log *slog.Logger, opts []otelsignals.Option) (*shop, error) {
	s := &shop{log: log}
	onError := func(_ context.Context, key string, err error) {
		var pe *signals.PanicError
		if errors.As(err, &pe) {
			log.Warn("listener panicked", "listener", key, "panic", fmt.Sprint(pe.Value))
			return
		}
		log.Debug("listener failed", "listener", key, "error", err)
	}
	s.placed = signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed", Stats: true, ErrorHandler: onError})
	s.inventory = signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "inventory.reserved", Stats: true, ErrorHandler: onError})
	// ListenerMetrics: each listener's calls and last call, which the
	// introspection page (/debug/signals) shows beside its errors.
	s.payment = signals.NewWithOptions[Payment](&signals.SignalOptions{
		Name: "payment.requested", Stats: true, ListenerMetrics: true, ErrorHandler: onError,
		BreakerThreshold: breakerAfter, WorkerPoolSize: 4, QueueSize: 256,
	})
	s.notify = signals.NewWithOptions[Notification](&signals.SignalOptions{
		Name: "order.notify", Stats: true, ErrorHandler: onError, WorkerPoolSize: 4, QueueSize: 256,
	})
	// Best-effort analytics: a small queue that drops when full, which is
	// expected and so not a readiness problem (QueueHighWater -1).
	s.analytics = signals.NewWithOptions[Event](&signals.SignalOptions{
		Name: "analytics.event", Stats: true, ErrorHandler: onError,
		WorkerPoolSize: 1, QueueSize: 16, Overflow: signals.OverflowDrop,
		BreakerThreshold: breakerAfter,
		Health:           signals.HealthOptions{QueueHighWater: -1},
	})
	for _, sig := range []otelsignals.Signal{s.placed, s.inventory, s.payment, s.notify, s.analytics} {
		if err := otelsignals.Instrument(sig, append(opts, otelsignals.WithListenerKeyAttribute(true))...); err != nil {
			return nil, err
		}
	}

	// order.placed: validate, reserve stock, request the payment. TryEmit
	// stops at the first failure, which rejects the order.
	s.placed.AddListenerWithErr(func(_ context.Context, o Order) error {
		if o.Quantity <= 0 {
			return fmt.Errorf("order %s: %w", o.ID, errInvalidQuantity)
		}
		return nil
	}, "validate")
	s.placed.AddListenerWithErr(func(ctx context.Context, o Order) error {
		return s.inventory.TryEmit(ctx, o)
	}, "reserve-inventory")
	s.placed.AddListenerWithErr(func(ctx context.Context, o Order) error {
		return s.payment.Enqueue(ctx, Payment{Seq: s.payments.Add(1), OrderID: o.ID, Amount: o.Amount})
	}, "request-payment")

	// inventory.reserved: the stock database, and a one-time listener.
	s.inventory.AddListenerWithErr(func(_ context.Context, o Order) error {
		work(50 * time.Microsecond)
		if o.SKU == "sku-out" {
			return fmt.Errorf("%s: %w", o.SKU, errOutOfStock)
		}
		return nil
	}, "stock-db")
	s.inventory.AddOnceWithKey(func(_ context.Context, o Order) {
		log.Info("first reservation", "order", o.ID)
	}, "first-reservation")

	// payment.requested, delivered by the pool: a fraud check that fails
	// while it warms up (and trips the circuit breaker), the card, and a
	// ledger that panics now and then.
	s.payment.AddListenerWithErr(func(_ context.Context, _ Payment) error {
		work(200 * time.Microsecond)
		if s.fraudCalls.Add(1) <= fraudFailures {
			return errFraudWarmingUp
		}
		return nil
	}, "fraud-check")
	s.payment.AddListenerWithErr(func(ctx context.Context, p Payment) error {
		work(time.Millisecond + time.Duration(p.Seq%5)*200*time.Microsecond)
		if p.Seq%declinedEvery == declinedEvery-1 {
			return fmt.Errorf("payment %d: %w", p.Seq, errCardDeclined)
		}
		// Fan out the confirmation: Emit waits for every channel.
		s.notify.Emit(ctx, Notification{OrderID: p.OrderID, Text: "payment received"})
		return nil
	}, "charge-card")
	s.payment.AddListener(func(_ context.Context, p Payment) {
		if n := s.ledgerCalls.Add(1); n%panicEvery == 7 {
			panic(fmt.Sprintf("ledger: no account for order %s", p.OrderID))
		}
		work(100 * time.Microsecond)
	}, "ledger")

	// order.notify: three channels, run concurrently by Emit.
	s.notify.AddListener(func(context.Context, Notification) { work(500 * time.Microsecond) }, "email")
	s.notify.AddListenerWithErr(func(context.Context, Notification) error {
		work(300 * time.Microsecond)
		if s.sms.Add(1)%smsEvery == 11 {
			return errSMSGateway
		}
		return nil
	}, "sms")
	s.notify.AddListener(func(context.Context, Notification) { work(100 * time.Microsecond) }, "push")

	// analytics.event: one slow exporter, and a legacy one whose endpoint
	// was retired: it fails until the circuit breaker disables it, and the
	// operator then removes it (see placeOrder).
	s.analytics.AddListener(func(context.Context, Event) { work(2 * time.Millisecond) }, "warehouse-export")
	s.analytics.AddListenerWithErr(func(context.Context, Event) error { return errEndpointGone }, "legacy-export")
	return s, nil
}

// work stands for a listener's work, such as a call to another service.
func work(d time.Duration) { time.Sleep(d) }

// checks returns the health check of every signal.
func (s *shop) checks() []named {
	return []named{
		{"order.placed", s.placed.Health},
		{"inventory.reserved", s.inventory.Health},
		{"payment.requested", s.payment.Health},
		{"order.notify", s.notify.Health},
		{"analytics.event", s.analytics.Health},
	}
}

// placeOrder runs one order through the signals.
func (s *shop) placeOrder(ctx context.Context, now time.Time) {
	n := s.orders.Add(1)
	o := Order{Seq: n, ID: fmt.Sprintf("A-%d", n), SKU: fmt.Sprintf("sku-%d", n%7), Quantity: 1 + int(n%3), Amount: 10 + float64(n%90)}
	if n%invalidEvery == invalidEvery-7 {
		o.Quantity = 0
	}
	if n%stockEvery == stockEvery-8 {
		o.SKU = "sku-out"
	}
	if err := s.placed.TryEmit(ctx, o); err != nil {
		s.rejected.Add(1)
		s.log.Debug("order rejected", "order", o.ID, "error", err)
	} else {
		s.accepted.Add(1)
	}
	s.enqueueEvent(ctx, Event{Name: "order_placed", OrderID: o.ID})

	// Now and then, a burst of events: more than the small queue holds.
	if s.lastBurst.IsZero() || now.Sub(s.lastBurst) >= burstEvery {
		s.lastBurst = now
		for range burstSize {
			s.enqueueEvent(ctx, Event{Name: "page_view", OrderID: o.ID})
		}
	}

	// The operator's part: re-enable what the circuit breaker disabled, a
	// while after it did.
	if s.payment.Stats().DisabledListeners > 0 {
		if s.disabledSince.IsZero() {
			s.disabledSince = now
			s.log.Warn("circuit breaker open", "signal", "payment.requested")
		} else if now.Sub(s.disabledSince) >= s.reenable {
			s.log.Info("re-enabling listeners", "signal", "payment.requested", "count", s.payment.EnableListeners())
			s.disabledSince = time.Time{}
		}
	}
	// A listener that will never work again is removed rather than
	// re-enabled: the breaker's alert must then resolve too.
	if s.analytics.Stats().DisabledListeners > 0 && s.analytics.RemoveListener("legacy-export") > 0 {
		s.log.Info("removed a listener disabled by the circuit breaker", "signal", "analytics.event", "listener", "legacy-export")
	}
}

func (s *shop) enqueueEvent(ctx context.Context, e Event) {
	s.events.Add(1)
	if err := s.analytics.Enqueue(ctx, e); errors.Is(err, signals.ErrQueueFull) {
		s.dropped.Add(1)
	}
}

// close delivers what is queued and stops the workers: payments first,
// since their listeners emit notifications. Closing again is harmless.
func (s *shop) close() error {
	return errors.Join(s.payment.Close(), s.notify.Close(), s.analytics.Close())
}

// detach removes the instrumentation, which takes the signals off the
// introspection page (and the process's list of instrumented signals).
// run calls it after the last export of the telemetry, which reads the
// instrumentation's observable instruments.
func (s *shop) detach() error {
	var err error
	for _, sig := range []otelsignals.Signal{s.placed, s.inventory, s.payment, s.notify, s.analytics} {
		err = errors.Join(err, otelsignals.Detach(sig))
	}
	return err
}

// summary logs what happened.
func (s *shop) summary() {
	p, n := s.payment.Stats(), s.notify.Stats()
	s.log.Info("summary",
		"orders", s.orders.Load(), "accepted", s.accepted.Load(), "rejected", s.rejected.Load(),
		"payments", p.Emissions, "payment_errors", p.Errors, "payment_panics", p.Panics,
		"notifications", n.Emissions, "notification_errors", n.Errors,
		"events", s.events.Load(), "events_dropped", s.dropped.Load())
}
