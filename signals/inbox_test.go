package signals_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/signalkit/sdk/signals"
)

// TestEnqueueBatchFailures: emissions that a worker takes from the queue in
// one batch, to plain listeners (the batch's own loop), are all delivered in
// order when a listener panics or calls runtime.Goexit in the middle of the
// batch: the failing call is recorded, the emission goes on at the next
// listener, and the emissions after it in the batch are delivered.
func TestEnqueueBatchFailures(t *testing.T) {
	var h handlerLog
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, ErrorHandler: h.handle})
	var r recorder
	gate, held := make(chan struct{}), make(chan struct{})
	s.AddListener(func(_ context.Context, v int) {
		if v < 0 {
			close(held)
			<-gate
		}
		r.add(fmt.Sprint("a", v))
	})
	s.AddListener(func(_ context.Context, v int) {
		switch v {
		case 2:
			panic("boom")
		case 5:
			runtime.Goexit()
		}
		r.add(fmt.Sprint("b", v))
	})
	s.AddListener(func(_ context.Context, v int) { r.add(fmt.Sprint("c", v)) })
	ctx := context.Background()
	if err := s.Enqueue(ctx, -1); err != nil {
		t.Fatal(err)
	}
	<-held // the worker is delivering -1: the next ones wait in the queue
	var want []string
	for v := range 8 {
		if err := s.Enqueue(ctx, v); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprint("a", v))
		if v != 2 && v != 5 {
			want = append(want, fmt.Sprint("b", v))
		}
		want = append(want, fmt.Sprint("c", v))
	}
	if st := s.Stats(); st.QueueLen != 8 {
		t.Errorf("QueueLen = %d while the worker is held, want 8", st.QueueLen)
	}
	close(gate)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want = append([]string{"a-1", "b-1", "c-1"}, want...)
	if got := r.get(); !equal(got, want) {
		t.Errorf("calls %v\nwant %v", got, want)
	}
	checkBatchFailed(t, &h, s)
}

// checkBatchFailed checks what the batch failure tests leave: a panic then a
// Goexit passed to the error handler and counted, an empty queue, and no
// goroutine left.
func checkBatchFailed(t *testing.T, h *handlerLog, s *signals.AsyncSignal[int]) {
	t.Helper()
	_, errs := h.get()
	var perr *signals.PanicError
	if len(errs) != 2 || !errors.As(errs[0], &perr) || !errors.Is(errs[1], signals.ErrGoexit) {
		t.Errorf("error handler got %v, want a panic then a Goexit", errs)
	}
	if st := s.Stats(); st.Panics != 2 || st.QueueLen != 0 {
		t.Errorf("Stats: Panics = %d, want 2; QueueLen = %d", st.Panics, st.QueueLen)
	}
	checkNoLeak(t)
}

// deliverInOneBatch enqueues -1, whose delivery a listener of s holds until
// gate is closed (closing held when it starts), then 0 to 7, which wait in the
// queue to be taken in one batch; then it lets the delivery go and closes s.
func deliverInOneBatch(t *testing.T, s *signals.AsyncSignal[int], gate, held chan struct{}) {
	t.Helper()
	ctx := context.Background()
	if err := s.Enqueue(ctx, -1); err != nil {
		t.Fatal(err)
	}
	<-held
	for v := range 8 {
		if err := s.Enqueue(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	close(gate)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestEnqueueBatchFailuresOneListener is TestEnqueueBatchFailures with a
// single plain listener: the emissions of the batch after the one whose
// listener panics, and after the one whose listener calls runtime.Goexit,
// are delivered in order.
func TestEnqueueBatchFailuresOneListener(t *testing.T) {
	var h handlerLog
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, ErrorHandler: h.handle})
	var r recorder
	gate, held := make(chan struct{}), make(chan struct{})
	s.AddListener(func(_ context.Context, v int) {
		switch v {
		case -1:
			close(held)
			<-gate
		case 2:
			panic("boom")
		case 5:
			runtime.Goexit()
		}
		r.add(fmt.Sprint(v))
	})
	deliverInOneBatch(t, s, gate, held)
	if got, want := r.get(), []string{"-1", "0", "1", "3", "4", "6", "7"}; !equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	checkBatchFailed(t, &h, s)
}

// TestEnqueueBatchFailuresPairs is TestEnqueueBatchFailuresOneListener with
// five plain listeners, which deliverAll calls two at a turn
// (callPlainPairs): the listener that panics, then calls runtime.Goexit, is
// the first of a pair, the second of one, or the one left after the pairs.
// The listeners after it in the same emission, and the emissions after it in
// the batch, are delivered in order.
func TestEnqueueBatchFailuresPairs(t *testing.T) {
	for _, failing := range []int{2, 1, 4} {
		t.Run(fmt.Sprintf("failing=%d", failing), func(t *testing.T) {
			var h handlerLog
			s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, ErrorHandler: h.handle})
			var r recorder
			gate, held := make(chan struct{}), make(chan struct{})
			for i := range 5 {
				s.AddListener(func(_ context.Context, v int) {
					switch {
					case v == -1 && i == 0:
						close(held)
						<-gate
					case v == 2 && i == failing:
						panic("boom")
					case v == 5 && i == failing:
						runtime.Goexit()
					}
					r.add(fmt.Sprintf("%c%d", 'a'+i, v))
				})
			}
			deliverInOneBatch(t, s, gate, held)
			var want []string
			for v := -1; v < 8; v++ {
				for i := range 5 {
					if i != failing || (v != 2 && v != 5) {
						want = append(want, fmt.Sprintf("%c%d", 'a'+i, v))
					}
				}
			}
			if got := r.get(); !equal(got, want) {
				t.Errorf("calls %v\nwant %v", got, want)
			}
			checkBatchFailed(t, &h, s)
		})
	}
}
