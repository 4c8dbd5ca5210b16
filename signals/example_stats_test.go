package signals_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/signalkit/sdk/signals"
)

func ExampleBaseSignal_Stats() {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "prices", Stats: true})
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.AddListener(func(context.Context, int) {})
	s.AddListener(func(_ context.Context, v int) {
		if v == 0 {
			panic("division by zero")
		}
	})
	for v := range 3 {
		s.Emit(context.Background(), v)
	}
	st := s.Stats()
	fmt.Println(st.Name, st.Emissions, st.ListenerCalls, st.Panics, st.Listeners)
	// Output:
	// prices 3 6 1 2
}

func ExampleBaseSignal_EnableStats() {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) {})
	s.Emit(context.Background(), 1) // not counted: stats are off by default
	s.EnableStats(true)
	s.Emit(context.Background(), 2)
	fmt.Println(s.Stats().Emissions)
	// Output:
	// 1
}

func ExampleBaseSignal_EnableListenerMetrics() {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) {}, "k")
	s.EnableListenerMetrics(true)
	s.Emit(context.Background(), 1)
	s.Emit(context.Background(), 2)
	fmt.Println(s.Metadata("k").CallCount)
	// Output:
	// 2
}

func ExampleBaseSignal_Health() {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{BreakerThreshold: 1})
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("down") }, "db")
	s.Emit(context.Background(), 1) // one failure opens the breaker
	err := s.Health()
	fmt.Println(errors.Is(err, signals.ErrBreakerOpen))
	// Output:
	// true
}

func ExampleBaseSignal_IsHealthy() {
	s := signals.NewSync[int]()
	fmt.Println(s.IsHealthy())
	// Output:
	// true
}

func ExampleBaseSignal_SetBreakerThreshold() {
	s := signals.NewSync[int]()
	s.SetErrorHandler(func(context.Context, string, error) {})
	calls := 0
	s.AddListenerWithErr(func(context.Context, int) error { calls++; return errors.New("down") }, "db")
	s.SetBreakerThreshold(3) // disable a listener after 3 failures in a row
	for range 10 {
		s.Emit(context.Background(), 1)
	}
	fmt.Println(calls, s.Stats().DisabledListeners)
	fmt.Println(errors.Is(s.Metadata("db").LastError, signals.ErrListenerDisabled))
	// Output:
	// 3 1
	// true
}

func ExampleBaseSignal_EnableListener() {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{BreakerThreshold: 1})
	s.SetErrorHandler(func(context.Context, string, error) {})
	healthy := false
	s.AddListenerWithErr(func(context.Context, int) error {
		if !healthy {
			return errors.New("down")
		}
		fmt.Println("delivered")
		return nil
	}, "db")
	s.Emit(context.Background(), 1) // trips the breaker
	healthy = true                  // the dependency recovered
	fmt.Println(s.EnableListener("db"))
	s.Emit(context.Background(), 2)
	// Output:
	// true
	// delivered
}

func ExampleBaseSignal_EnableListeners() {
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{BreakerThreshold: 1})
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.AddListener(func(context.Context, int) { panic("a") })
	s.AddListener(func(context.Context, int) { panic("b") })
	s.Emit(context.Background(), 1)
	fmt.Println(s.EnableListeners())
	// Output:
	// 2
}
