package signals_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

func TestStatsExact(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range signalCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.new(&signals.SignalOptions{Name: "orders", Stats: true, ErrorHandler: func(context.Context, string, error) {}})
			s.AddListener(func(context.Context, int) {})
			s.AddListenerWithErr(func(_ context.Context, v int) error {
				if v%2 == 0 {
					return boom
				}
				return nil
			})
			s.AddListener(func(_ context.Context, v int) {
				if v%5 == 0 {
					panic(v)
				}
			})
			s.AddOnce(func(context.Context, int) {})
			for v := 1; v <= 10; v++ {
				s.Emit(context.Background(), v)
			}
			st := s.(interface{ Stats() signals.Stats }).Stats()
			want := signals.Stats{Name: "orders", StatsEnabled: true, Emissions: 10, ListenerCalls: 31, Errors: 5, Panics: 2, Listeners: 3}
			got := st
			got.PoolSize, got.Workers, got.BusyWorkers, got.QueueLen, got.QueueCap = 0, 0, 0, 0, 0
			if got != want {
				t.Errorf("Stats = %+v, want %+v", st, want)
			}
		})
	}
}

func TestStatsOff(t *testing.T) {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) { panic("x") })
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.Emit(context.Background(), 1)
	st := s.Stats()
	if st.StatsEnabled || st.Emissions != 0 || st.ListenerCalls != 0 || st.Panics != 1 || st.Listeners != 1 {
		t.Errorf("Stats with counting off = %+v (panics are always counted)", st)
	}
	s.EnableStats(true)
	s.Emit(context.Background(), 1)
	s.EnableStats(false)
	s.Emit(context.Background(), 1)
	if st := s.Stats(); st.Emissions != 1 || st.ListenerCalls != 1 || st.Panics != 3 {
		t.Errorf("Stats after switching on for one emission = %+v", st)
	}
}

func TestStatsQueueWait(t *testing.T) {
	s := signals.NewWithOptions[int](&signals.SignalOptions{Stats: true, WorkerPoolSize: 1})
	s.AddListener(func(context.Context, int) { time.Sleep(2 * time.Millisecond) })
	for range 5 {
		s.Enqueue(context.Background(), 1)
	}
	s.Close()
	st := s.Stats()
	if st.QueueWaitMax < 2*time.Millisecond || st.QueueWaitMean <= 0 || st.QueueWaitMean > st.QueueWaitMax {
		t.Errorf("queue wait mean %v max %v: the last of 5 emissions behind 2 ms listeners waits at least 2 ms", st.QueueWaitMean, st.QueueWaitMax)
	}
	if st.PoolSize != 1 || st.QueueCap != signals.DefaultQueueSize {
		t.Errorf("pool size %d, queue capacity %d", st.PoolSize, st.QueueCap)
	}
}
