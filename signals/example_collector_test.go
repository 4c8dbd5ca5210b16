package signals_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/signalkit/sdk/signals"
)

// countingCollector counts emissions and failed calls. It is its own
// observer: one shared observer that keeps no per-emission state serves every
// emission, so that they allocate nothing. Embedding NopCollector and
// NopObserver implements the methods it does not need.
type countingCollector struct {
	signals.NopCollector
	signals.NopObserver // Observe returns 0: failed calls only
	emissions, failures atomic.Int64
}

func (c *countingCollector) EmitStart(ctx context.Context, e signals.Emission) (context.Context, signals.EmitObserver) {
	c.emissions.Add(1)
	return ctx, c
}

func (c *countingCollector) ListenerEnd(_ context.Context, _ signals.ListenerInfo, _ time.Duration, err error) {
	if err != nil {
		c.failures.Add(1)
	}
}

func ExampleMetricsCollector() {
	c := &countingCollector{}
	s := signals.NewSync[int]()
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.SetCollector(c)
	s.AddListenerWithErr(func(_ context.Context, v int) error {
		if v < 0 {
			return fmt.Errorf("negative: %d", v)
		}
		return nil
	})
	for _, v := range []int{1, -2, 3, -4} {
		s.Emit(context.Background(), v)
	}
	fmt.Println(c.emissions.Load(), c.failures.Load())
	// Output:
	// 4 2
}

func ExampleNopCollector() {
	var c signals.MetricsCollector = signals.NopCollector{}
	ctx, observer := c.EmitStart(context.Background(), signals.Emission{})
	fmt.Println(ctx == context.Background(), observer == nil)
	// Output:
	// true true
}

func ExampleNopObserver() {
	var o signals.EmitObserver = signals.NopObserver{}
	fmt.Println(o.Observe())
	// Output:
	// 0
}

func ExampleBaseSignal_SetCollector() {
	s := signals.NewSync[int]()
	previous := s.SetCollector(&countingCollector{})
	fmt.Println(previous == nil, s.Collector() != nil)
	s.SetCollector(nil) // detach: emission is back on the fast path
	fmt.Println(s.Collector() == nil)
	// Output:
	// true true
	// true
}

func ExampleBaseSignal_Collector() {
	s := signals.NewSync[int]()
	c := &countingCollector{}
	s.SetCollector(c)
	fmt.Println(s.Collector() == c)
	// Output:
	// true
}

func ExampleBaseSignal_EnableCollector() {
	c := &countingCollector{}
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) {})
	s.SetCollector(c)
	s.Emit(context.Background(), 1)
	s.EnableCollector(false) // still attached, not called
	s.Emit(context.Background(), 2)
	s.EnableCollector(true)
	s.Emit(context.Background(), 3)
	fmt.Println(c.emissions.Load())
	// Output:
	// 2
}

func ExampleKind_String() {
	fmt.Println(signals.KindSync, signals.KindAsync)
	// Output:
	// sync async
}

func ExampleOperation_String() {
	fmt.Println(signals.OpEmit, signals.OpTryEmit, signals.OpEnqueue, signals.OpDeliver)
	// Output:
	// emit try_emit enqueue deliver
}

func ExampleChange_String() {
	fmt.Println(signals.ChangeAdd, signals.ChangeOnceFired, signals.ChangeDisable)
	// Output:
	// add once_fired disable
}

func ExampleOverflowPolicy_String() {
	fmt.Println(signals.OverflowBlock, signals.OverflowDrop)
	// Output:
	// block drop
}

func ExampleNewMultiCollector() {
	mine := &countingCollector{}
	other := &countingCollector{} // for example, OpenTelemetry instrumentation
	s := signals.NewSync[int]()
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.SetCollector(signals.NewMultiCollector(mine, other))
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("failed") })
	s.Emit(context.Background(), 1)
	s.Emit(context.Background(), 2)
	fmt.Println(mine.emissions.Load(), mine.failures.Load(), other.emissions.Load(), other.failures.Load())
	// Output:
	// 2 2 2 2
}

// slowCollector reports emissions to more listeners than a limit. Its
// observer holds what EmitStart learned about the emission: one is allocated
// only for the emissions it watches.
type slowCollector struct {
	signals.NopCollector
	limit int
}

type slowObserver struct {
	signals.NopObserver
	listeners int
}

func (c *slowCollector) EmitStart(ctx context.Context, e signals.Emission) (context.Context, signals.EmitObserver) {
	if e.Listeners <= c.limit {
		return ctx, nil // nothing more to observe: the fast path
	}
	return ctx, &slowObserver{listeners: e.Listeners}
}

func (o *slowObserver) Observe() signals.Observe { return signals.ObserveEnd }

func (o *slowObserver) EmitEnd(_ context.Context, e signals.Emission, r signals.EmitResult) {
	fmt.Printf("%s: %d listeners, %d calls\n", e.Op, o.listeners, r.Calls)
}

func ExampleEmitObserver() {
	s := signals.NewSync[int]()
	s.SetCollector(&slowCollector{limit: 1})
	s.AddListener(func(context.Context, int) {})
	s.Emit(context.Background(), 1) // one listener: not observed
	s.AddListener(func(context.Context, int) {})
	s.Emit(context.Background(), 2)
	// Output:
	// emit: 2 listeners, 2 calls
}
