package signals_test

import (
	"context"
	"errors"
	"runtime/debug"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

func TestHealthQueueSaturated(t *testing.T) {
	s, release := blockedSignal(t, signals.OverflowDrop, 4)
	defer func() { release(); s.Close() }()
	if !s.IsHealthy() {
		t.Fatalf("healthy signal reports %v", s.Health())
	}
	for i := range 4 {
		s.Enqueue(context.Background(), i)
	}
	err := s.Health()
	if !errors.Is(err, signals.ErrQueueSaturated) || s.IsHealthy() {
		t.Errorf("Health with a full queue = %v", err)
	}
}

func TestHealthThresholds(t *testing.T) {
	opts := &signals.SignalOptions{
		Health:       signals.HealthOptions{MaxErrorsPerSecond: 5, MaxPanicsPerSecond: 2, Window: time.Hour},
		ErrorHandler: func(context.Context, string, error) {},
	}
	s := signals.NewSyncWithOptions[int](opts)
	fail := true
	s.AddListenerWithErr(func(context.Context, int) error {
		if fail {
			return errors.New("e")
		}
		return nil
	})
	s.AddListener(func(_ context.Context, v int) {
		if v < 0 {
			panic("p")
		}
	})
	if err := s.Health(); err != nil { // the first check has no rate yet
		t.Fatalf("first Health = %v", err)
	}
	for range 3 {
		s.Emit(context.Background(), 1)
	}
	if err := s.Health(); err != nil {
		t.Errorf("3 errors within a second: Health = %v", err)
	}
	for range 10 {
		s.Emit(context.Background(), -1)
	}
	err := s.Health()
	if !errors.Is(err, signals.ErrErrorRate) || !errors.Is(err, signals.ErrPanicRate) {
		t.Errorf("13 errors and 10 panics within a second: Health = %v", err)
	}
	off := signals.NewSyncWithOptions[int](&signals.SignalOptions{
		Health:       signals.HealthOptions{MaxErrorsPerSecond: -1, MaxPanicsPerSecond: -1, MaxGoroutines: -1},
		ErrorHandler: func(context.Context, string, error) {},
	})
	off.AddListener(func(context.Context, int) { panic("p") })
	off.Health()
	for range 100 {
		off.Emit(context.Background(), 1)
	}
	if err := off.Health(); err != nil {
		t.Errorf("checks switched off: Health = %v", err)
	}
}

func TestHealthGoroutines(t *testing.T) {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Health: signals.HealthOptions{MaxGoroutines: 1}})
	if err := s.Health(); !errors.Is(err, signals.ErrTooManyGoroutines) {
		t.Errorf("Health = %v, want ErrTooManyGoroutines", err)
	}
}

func TestHealthHeap(t *testing.T) {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Health: signals.HealthOptions{MaxHeapBytes: 1}})
	if err := s.Health(); !errors.Is(err, signals.ErrHeapTooLarge) {
		t.Errorf("Health = %v, want ErrHeapTooLarge", err)
	}
	// With a memory limit set, the default threshold is 90% of it.
	old := debug.SetMemoryLimit(1)
	defer debug.SetMemoryLimit(old)
	if err := signals.NewSync[int]().Health(); !errors.Is(err, signals.ErrHeapTooLarge) {
		t.Errorf("Health under a 1-byte memory limit = %v", err)
	}
	debug.SetMemoryLimit(old)
	if err := signals.NewSync[int]().Health(); err != nil {
		t.Errorf("Health without a memory limit = %v", err)
	}
	off := signals.NewSyncWithOptions[int](&signals.SignalOptions{Health: signals.HealthOptions{MaxHeapBytes: -1}})
	debug.SetMemoryLimit(1)
	if err := off.Health(); err != nil {
		t.Errorf("Health with the heap check off = %v", err)
	}
}
