package test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/otelsignals/otelsignalstest"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// boomError is a listener error with a type of its own.
type boomError struct{}

func (*boomError) Error() string { return "boom" }

// sumMetric is the expected Int64 sum of a metric of semconv.Metrics().
func sumMetric(name string, monotonic bool, points ...metricdata.DataPoint[int64]) metricdata.Metrics {
	for _, d := range semconv.Metrics() {
		if d.Name == name {
			return metricdata.Metrics{
				Name:        d.Name,
				Description: d.Description,
				Unit:        d.Unit,
				Data: metricdata.Sum[int64]{
					Temporality: metricdata.CumulativeTemporality,
					IsMonotonic: monotonic,
					DataPoints:  points,
				},
			}
		}
	}
	panic("unknown metric " + name)
}

func point(v int64, kvs ...attribute.KeyValue) metricdata.DataPoint[int64] {
	return metricdata.DataPoint[int64]{Attributes: attribute.NewSet(kvs...), Value: v}
}

func with(base []attribute.KeyValue, kvs ...attribute.KeyValue) []attribute.KeyValue {
	return append(append([]attribute.KeyValue(nil), base...), kvs...)
}

// assertMetric compares the collected metric named want.Name with want.
func assertMetric(t *testing.T, got *otelsignalstest.Metrics, want metricdata.Metrics) {
	t.Helper()
	m, ok := got.Metric(want.Name)
	if !ok {
		t.Errorf("metric %s not collected", want.Name)
		return
	}
	metricdatatest.AssertEqual(t, want, m, metricdatatest.IgnoreTimestamp())
}

func TestSyncCounts(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders", ErrorHandler: ignore})
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) {}, "a")
	sig.AddListenerWithErr(func(_ context.Context, v int) error {
		if v%2 == 0 {
			return &boomError{}
		}
		return nil
	})
	sig.AddListener(func(_ context.Context, v int) {
		if v == 3 {
			panic("three")
		}
	})
	sig.AddOnce(func(context.Context, int) {})

	ctx := context.Background()
	for v := range 5 {
		sig.Emit(ctx, v) // 4 calls, then 3 each: 16; failures at 0, 2, 4 and a panic at 3
	}
	if err := sig.TryEmit(ctx, 6); err == nil { // a, then the failure: 2 calls
		t.Fatal("TryEmit did not fail")
	}
	sig.RemoveListener("a")

	got := e.Collect(t)
	nk := nameKind("orders", semconv.SignalKindSync)
	assertMetric(t, got, sumMetric(semconv.EmissionsName, true, point(6, nk...)))
	assertMetric(t, got, sumMetric(semconv.ListenerInvocationsName, true, point(18, nk...)))
	assertMetric(t, got, sumMetric(semconv.ListenerErrorsName, true,
		point(4, with(nk, semconv.ErrorType(&boomError{}))...),
		point(1, with(nk, semconv.ErrorTypeKey.String(semconv.ErrorTypePanic))...),
	))
	assertMetric(t, got, sumMetric(semconv.ListenersName, false,
		point(2, with(nk, semconv.ListenerStateEnabled)...),
		point(0, with(nk, semconv.ListenerStateDisabled)...),
	))
	assertMetric(t, got, sumMetric(semconv.ListenerChangesName, true,
		point(4, with(nk, semconv.ListenerChangeAdd)...),
		point(1, with(nk, semconv.ListenerChangeOnceFired)...),
		point(1, with(nk, semconv.ListenerChangeRemove)...),
	))
	for _, name := range []string{semconv.QueueDepthName, semconv.QueueCapacityName, semconv.QueueDroppedName, semconv.PoolSizeName, semconv.PoolWorkersName} {
		if _, ok := got.Metric(name); ok {
			t.Errorf("a SyncSignal reports %s", name)
		}
	}

	sig.Reset()
	got = e.Collect(t)
	assertMetric(t, got, sumMetric(semconv.ListenersName, false,
		point(0, with(nk, semconv.ListenerStateEnabled)...),
		point(0, with(nk, semconv.ListenerStateDisabled)...),
	))
	if n, _ := got.Sum(semconv.ListenerChangesName, with(nk, semconv.ListenerChangeReset)...); n != 2 {
		t.Errorf("reset changes = %d, want 2", n)
	}
}

func TestAsyncCounts(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "jobs", WorkerPoolSize: 2, QueueSize: 8})
	defer sig.Close()
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		sig.AddListener(func(context.Context, int) {})
	}
	ctx := context.Background()
	for v := range 2 {
		sig.Emit(ctx, v) // 3 calls each
	}
	for v := range 5 {
		if err := sig.Enqueue(ctx, v); err != nil { // 3 calls each
			t.Fatal(err)
		}
	}
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	got := e.Collect(t)
	nk := nameKind("jobs", semconv.SignalKindAsync)
	n := []attribute.KeyValue{semconv.SignalName("jobs")}
	assertMetric(t, got, sumMetric(semconv.EmissionsName, true, point(7, nk...)))
	assertMetric(t, got, sumMetric(semconv.ListenerInvocationsName, true, point(21, nk...)))
	assertMetric(t, got, sumMetric(semconv.ListenersName, false,
		point(3, with(nk, semconv.ListenerStateEnabled)...),
		point(0, with(nk, semconv.ListenerStateDisabled)...),
	))
	assertMetric(t, got, sumMetric(semconv.QueueDepthName, false, point(0, n...)))
	assertMetric(t, got, sumMetric(semconv.QueueCapacityName, false, point(8, n...)))
	assertMetric(t, got, sumMetric(semconv.PoolSizeName, false, point(2, n...)))
	assertMetric(t, got, sumMetric(semconv.PoolWorkersName, false,
		point(0, with(n, semconv.PoolWorkerStateBusy)...),
		point(0, with(n, semconv.PoolWorkerStateIdle)...),
	))
	assertMetric(t, got, sumMetric(semconv.QueueDroppedName, true,
		point(0, with(n, semconv.DropReasonQueueFull)...),
		point(0, with(n, semconv.DropReasonClosed)...),
	))
}

// blocker is a listener that blocks until released, and tells when it
// has started.
type blocker struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blocker) listen(context.Context, int) {
	b.started <- struct{}{}
	<-b.release
}

func (b *blocker) unblock() { b.once.Do(func() { close(b.release) }) }

func TestPoolAndQueueGauges(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "q", WorkerPoolSize: 1, QueueSize: 4})
	b := newBlocker()
	defer sig.Close()
	defer b.unblock()
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	n := []attribute.KeyValue{semconv.SignalName("q")}
	if got := e.Collect(t); got.Points(semconv.PoolSizeName) != 0 {
		t.Error("pool gauges reported before the signal started its pool")
	}
	sig.AddListener(b.listen)
	ctx := context.Background()
	for v := range 3 {
		if err := sig.Enqueue(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	<-b.started // the first delivery is running; two wait in the queue
	got := e.Collect(t)
	assertMetric(t, got, sumMetric(semconv.QueueDepthName, false, point(2, n...)))
	assertMetric(t, got, sumMetric(semconv.QueueCapacityName, false, point(4, n...)))
	assertMetric(t, got, sumMetric(semconv.PoolSizeName, false, point(1, n...)))
	assertMetric(t, got, sumMetric(semconv.PoolWorkersName, false,
		point(1, with(n, semconv.PoolWorkerStateBusy)...),
		point(0, with(n, semconv.PoolWorkerStateIdle)...),
	))
	b.unblock()
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDropped(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{
		Name: "drop", WorkerPoolSize: 1, QueueSize: 1, Overflow: signals.OverflowDrop,
	})
	b := newBlocker()
	defer sig.Close()
	defer b.unblock()
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	sig.AddListener(b.listen)
	ctx := context.Background()
	if err := sig.Enqueue(ctx, 1); err != nil {
		t.Fatal(err)
	}
	<-b.started
	if err := sig.Enqueue(ctx, 2); err != nil { // fills the queue
		t.Fatal(err)
	}
	if err := sig.Enqueue(ctx, 3); !errors.Is(err, signals.ErrQueueFull) {
		t.Fatalf("Enqueue on a full queue = %v, want ErrQueueFull", err)
	}
	// Shut down with no time left: the queued emission is dropped.
	expired, cancel := context.WithCancel(ctx)
	cancel()
	if err := sig.Shutdown(expired); err == nil {
		t.Fatal("Shutdown with a cancelled context returned nil")
	}
	b.unblock()
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	n := []attribute.KeyValue{semconv.SignalName("drop")}
	assertMetric(t, e.Collect(t), sumMetric(semconv.QueueDroppedName, true,
		point(1, with(n, semconv.DropReasonQueueFull)...),
		point(1, with(n, semconv.DropReasonClosed)...),
	))
}

func TestDurations(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "t", ErrorHandler: ignore})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithDurationSampleRate(1))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) {})
	sig.AddListenerWithErr(func(_ context.Context, v int) error {
		if v == 0 {
			return &boomError{}
		}
		return nil
	})
	ctx := context.Background()
	for v := range 3 {
		sig.Emit(ctx, v)
	}
	if err := sig.TryEmit(ctx, 0); err == nil {
		t.Fatal("TryEmit did not fail")
	}
	got := e.Collect(t)
	nk := nameKind("t", semconv.SignalKindSync)
	failed := with(nk, semconv.ErrorType(&boomError{}))
	if c, _ := got.HistogramCount(semconv.EmissionDurationName, nk...); c != 3 {
		t.Errorf("emission durations = %d, want 3", c)
	}
	if c, _ := got.HistogramCount(semconv.EmissionDurationName, failed...); c != 1 {
		t.Errorf("failed emission durations = %d, want 1", c)
	}
	if c, _ := got.HistogramCount(semconv.ListenerDurationName, nk...); c != 6 {
		t.Errorf("listener durations = %d, want 6", c)
	}
	if c, _ := got.HistogramCount(semconv.ListenerDurationName, failed...); c != 2 {
		t.Errorf("failed listener durations = %d, want 2", c)
	}
	m, _ := got.Metric(semconv.ListenerDurationName)
	h := m.Data.(metricdata.Histogram[float64])
	if b := h.DataPoints[0].Bounds; !equal(b, semconv.DurationBuckets()) {
		t.Errorf("bounds = %v, want semconv.DurationBuckets()", b)
	}
}

func TestDurationsAsync(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "ta", WorkerPoolSize: 2})
	defer sig.Close()
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithDurationSampleRate(1))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) { time.Sleep(time.Millisecond) })
	sig.AddListener(func(context.Context, int) {})
	ctx := context.Background()
	for v := range 4 {
		if err := sig.Enqueue(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	sig.Emit(ctx, 9)
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	got := e.Collect(t)
	nk := nameKind("ta", semconv.SignalKindAsync)
	if c, _ := got.HistogramCount(semconv.QueueWaitDurationName, semconv.SignalName("ta")); c != 4 {
		t.Errorf("queue waits = %d, want 4", c)
	}
	if c, _ := got.HistogramCount(semconv.EmissionDurationName, nk...); c != 5 {
		t.Errorf("emission durations = %d, want 5 (4 deliveries, 1 Emit)", c)
	}
	if c, _ := got.HistogramCount(semconv.ListenerDurationName, nk...); c != 10 {
		t.Errorf("listener durations = %d, want 10", c)
	}
	// A delivery's duration includes its queue wait: at least the 1 ms of
	// the slow listener.
	m, _ := got.Metric(semconv.EmissionDurationName)
	h := m.Data.(metricdata.Histogram[float64])
	if min, ok := h.DataPoints[0].Min.Value(); !ok || min < 0.001 {
		t.Errorf("shortest emission = %v s, want >= 0.001", min)
	}
}

func TestNoDurationsAtRateZero(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "z"})
	defer sig.Close()
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithDurationSampleRate(0), otelsignals.WithDurationBudget(-1))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) {})
	for v := range 10 {
		sig.Emit(context.Background(), v)
		if err := sig.Enqueue(context.Background(), v); err != nil {
			t.Fatal(err)
		}
	}
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	got := e.Collect(t)
	for _, name := range []string{semconv.EmissionDurationName, semconv.ListenerDurationName, semconv.QueueWaitDurationName} {
		if p := got.Points(name); p != 0 {
			t.Errorf("%s has %d data points at rate 0", name, p)
		}
	}
	if n, _ := got.Sum(semconv.EmissionsName, nameKind("z", semconv.SignalKindAsync)...); n != 20 {
		t.Errorf("emissions = %d, want 20", n)
	}
}

// TestDurationSampleRate checks that a rate times about that fraction of
// emissions, and that the counters count all of them.
func TestDurationSampleRate(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "r"})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithDurationSampleRate(0.25), otelsignals.WithDurationBudget(-1))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) {})
	const n = 4000
	for v := range n {
		sig.Emit(context.Background(), v)
	}
	got := e.Collect(t)
	nk := nameKind("r", semconv.SignalKindSync)
	timed, _ := got.HistogramCount(semconv.EmissionDurationName, nk...)
	if timed < n/4-200 || timed > n/4+200 {
		t.Errorf("timed %d of %d emissions at rate 0.25", timed, n)
	}
	if c, _ := got.Sum(semconv.EmissionsName, nk...); c != n {
		t.Errorf("emissions = %d, want %d", c, n)
	}
}

// TestExtraAttributes checks WithAttributes and WithName on metrics.
func TestExtraAttributes(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSync[int]()
	svc := attribute.String("service", "shop")
	err := otelsignals.Instrument(sig, e.Options(
		otelsignals.WithName("renamed"),
		otelsignals.WithAttributes(svc, attribute.KeyValue{}, semconv.SignalName("ignored")),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	got := e.Collect(t)
	assertMetric(t, got, sumMetric(semconv.EmissionsName, true,
		point(1, svc, semconv.SignalName("renamed"), semconv.SignalKindSync)))
}

// TestUnnamed checks the default name of a signal created without one.
func TestUnnamed(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewSync[int]()
	if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	assertMetric(t, e.Collect(t), sumMetric(semconv.EmissionsName, true,
		point(1, nameKind(semconv.DefaultSignalName, semconv.SignalKindSync)...)))
}

func TestCardinalityLimit(t *testing.T) {
	e := newEnv(t)
	s := new(otelsignals.Settings)
	var sigs []*signals.SyncSignal[int]
	for _, name := range []string{"a", "b", "c", "d", "a"} {
		sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: name})
		if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s), otelsignals.WithCardinalityLimit(2))...); err != nil {
			t.Fatal(err)
		}
		sig.Emit(context.Background(), 1)
		sigs = append(sigs, sig)
	}
	assertMetric(t, e.Collect(t), sumMetric(semconv.EmissionsName, true,
		point(2, nameKind("a", semconv.SignalKindSync)...),
		point(1, nameKind("b", semconv.SignalKindSync)...),
		point(2, nameKind(semconv.OverflowSignalName, semconv.SignalKindSync)...),
	))
	// Names stay counted after Detach.
	for _, sig := range sigs {
		if err := otelsignals.Detach(sig); err != nil {
			t.Fatal(err)
		}
	}
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "e"})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s), otelsignals.WithCardinalityLimit(2))...); err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	assertMetric(t, e.Collect(t), sumMetric(semconv.EmissionsName, true,
		point(1, nameKind(semconv.OverflowSignalName, semconv.SignalKindSync)...)))
}

// TestEveryMetricDescribed checks that every metric collected has the
// name, unit and description of semconv.
func TestEveryMetricDescribed(t *testing.T) {
	e := newEnv(t)
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "all", ErrorHandler: ignore})
	defer sig.Close()
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithDurationSampleRate(1))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListenerWithErr(func(context.Context, int) error { return &boomError{} })
	sig.AddListener(func(context.Context, int) {})
	if err := sig.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	got := e.Collect(t)
	for _, d := range semconv.Metrics() {
		m, ok := got.Metric(d.Name)
		if !ok {
			t.Errorf("metric %s not collected", d.Name)
			continue
		}
		if m.Unit != d.Unit || m.Description != d.Description {
			t.Errorf("%s: unit %q, description %q; want %q, %q", d.Name, m.Unit, m.Description, d.Unit, d.Description)
		}
	}
	if names := got.Names(); len(names) != len(semconv.Metrics()) {
		t.Errorf("collected %d metrics, want %d: %q", len(names), len(semconv.Metrics()), names)
	}
}
