package signals_test

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/signalkit/sdk/signals"
)

// tracer is a collector that traces a share of the emissions and records
// nothing of the others: it is shown only that share, and traces every
// emission it is shown.
type tracer struct {
	signals.NopCollector
	share  signals.Share
	traced atomic.Int64
}

func (t *tracer) Share() *signals.Share { return &t.share }

func (t *tracer) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	t.traced.Add(1) // start a span here
	return ctx, nil
}

func ExampleShare() {
	t := &tracer{}
	sig := signals.NewSync[int]()
	sig.SetCollector(t)
	var calls atomic.Int64
	sig.AddListener(func(context.Context, int) { calls.Add(1) })

	t.share.Set(0) // trace nothing: emissions do not call the collector
	for i := range 1000 {
		sig.Emit(context.Background(), i)
	}
	t.share.Set(1) // trace everything (the zero Share too)
	for i := range 10 {
		sig.Emit(context.Background(), i)
	}
	fmt.Println("listener calls:", calls.Load(), "traced:", t.traced.Load())
	// Output:
	// listener calls: 1010 traced: 10
}
