package signals_test

import (
	"context"
	"math"
	"testing"

	"github.com/signalkit/sdk/signals"
)

// TestQueueSizeLimit: a queue size above MaxQueueSize is lowered to it instead
// of spinning forever while rounding it to a power of two (issue 17, defect 7).
func TestQueueSizeLimit(t *testing.T) {
	made := make(chan *signals.WorkerPool, 1)
	go func() { made <- signals.NewWorkerPool(signals.PoolOptions{QueueSize: math.MaxInt}) }()
	p := await(t, made, "NewWorkerPool")
	defer p.Close()
	if c := p.Stats().QueueCap; c != signals.MaxQueueSize {
		t.Errorf("QueueCap = %d, want %d", c, signals.MaxQueueSize)
	}
	s := signals.NewWithOptions[int](&signals.SignalOptions{Pool: p})
	defer s.Close()
	delivered := make(chan struct{})
	s.AddListener(func(context.Context, int) { close(delivered) })
	if err := s.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	await(t, delivered, "the delivery")
}
