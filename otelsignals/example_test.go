package otelsignals_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

// These examples use the global providers, as a library does: the process
// installs the SDK once (otelsetup.Setup does), and until then the globals
// record nothing. Examples that read the metrics and spans back with the SDK's
// in-memory reader and recorder are in the module otelsignals/test.

func ExampleInstrument() {
	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders.created"})
	// With no provider option, Instrument uses otel.GetMeterProvider() and
	// otel.GetTracerProvider().
	if err := otelsignals.Instrument(orders); err != nil {
		fmt.Println(err)
		return
	}
	orders.AddListener(func(_ context.Context, id string) { fmt.Println("reserve", id) })
	orders.Emit(context.Background(), "a1")

	// A signal takes one instrumentation.
	err := otelsignals.Instrument(orders)
	fmt.Println(errors.Is(err, otelsignals.ErrAlreadyInstrumented))
	// Output:
	// reserve a1
	// true
}

func ExampleDetach() {
	sig := signals.NewSync[int]()
	if err := otelsignals.Instrument(sig, otelsignals.WithName("ticks")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("instrumented:", sig.Collector() != nil)
	if err := otelsignals.Detach(sig); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("instrumented:", sig.Collector() != nil)
	fmt.Println(errors.Is(otelsignals.Detach(sig), otelsignals.ErrNotInstrumented))
	// Output:
	// instrumented: true
	// instrumented: false
	// true
}

func ExampleSettings() {
	// Every signal instrumented with these Settings follows them; a config
	// reload or an admin endpoint changes them while the process runs.
	settings := new(otelsignals.Settings)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "jobs"})
	if err := otelsignals.Instrument(sig, otelsignals.WithSettings(settings)); err != nil {
		fmt.Println(err)
		return
	}

	// Metrics off for this signal only.
	if err := settings.SetOverride("jobs", otelsignals.Override{Metrics: new(false)}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("overrides:", len(settings.Config().Overrides))
	settings.ClearOverride("jobs")
	fmt.Println("overrides:", len(settings.Config().Overrides))

	// Bad values are rejected and change nothing.
	fmt.Println(settings.SetDurationSampleRate(2))
	fmt.Println("rate:", settings.Config().DurationSampleRate)
	// Output:
	// overrides: 1
	// overrides: 0
	// otelsignals: invalid config: DurationSampleRate 2 is not in [0, 1]
	// rate: 0.01
}

func ExampleSettings_Apply() {
	settings := new(otelsignals.Settings)

	// A configuration reload builds a whole Config and applies it at once.
	c := otelsignals.DefaultConfig()
	c.Sampler = sampling.ParentBased(sampling.RateLimited(10))
	c.DurationSampleRate = 0.05
	c.DurationBudget = 20 // time the first 20 emissions of each second, then 5 %
	c.Overrides = map[string]otelsignals.Override{
		"audit.events": {Tracing: new(false)},
		"orders.paid":  {DurationBudget: new(-1)}, // the rate alone
	}
	if err := settings.Apply(c); err != nil {
		fmt.Println(err)
		return
	}
	got := settings.Config()
	fmt.Println(got.Metrics, got.Tracing, got.Sampler.Description(), got.DurationSampleRate, got.DurationBudget, len(got.Overrides))
	// Output:
	// true true ParentBased{root:RateLimited{10}} 0.05 20 2
}

func ExampleNewSettings() {
	c := otelsignals.DefaultConfig()
	c.Tracing = false
	settings, err := otelsignals.NewSettings(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(settings.Config().Metrics, settings.Config().Tracing)

	c.DurationSampleRate = -1
	_, err = otelsignals.NewSettings(c)
	fmt.Println(errors.Is(err, otelsignals.ErrInvalidConfig))
	// Output:
	// true false
	// true
}

func ExampleInstrumentedSignals() {
	settings := new(otelsignals.Settings)
	payments := signals.NewWithOptions[int](&signals.SignalOptions{Name: "payments"})
	defer func() {
		if err := payments.Close(); err != nil {
			fmt.Println(err)
		}
	}()
	if err := otelsignals.Instrument(payments, otelsignals.WithSettings(settings)); err != nil {
		fmt.Println(err)
		return
	}
	// The list is the process's; an introspection page reads it.
	if err := settings.SetOverride("payments", otelsignals.Override{Tracing: new(false)}); err != nil {
		fmt.Println(err)
		return
	}
	for _, in := range otelsignals.InstrumentedSignals() {
		if in.Signal != payments {
			continue // signals instrumented elsewhere in the process
		}
		e := in.Effective()
		fmt.Println(in.Name, in.Signal.Kind(), "metrics:", e.Metrics, "tracing:", e.Tracing, "sampler:", e.Sampler.Description())
	}

	// Detach removes it from the list.
	if err := otelsignals.Detach(payments); err != nil {
		fmt.Println(err)
		return
	}
	for _, in := range otelsignals.InstrumentedSignals() {
		if in.Signal == payments {
			fmt.Println("still listed")
		}
	}
	// Output:
	// payments async metrics: true tracing: false sampler: ParentBased{root:AlwaysOff}
}

// mine is a collector of the user's own, which counts emissions.
type mine struct {
	signals.NopCollector
	emissions atomic.Int64
}

func (c *mine) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	c.emissions.Add(1)
	return ctx, nil
}

func ExampleInstrument_besideCollector() {
	sig := signals.NewSync[int]()
	c := &mine{}
	sig.SetCollector(c)
	// Instrument attaches beside the signal's collector: both observe it.
	if err := otelsignals.Instrument(sig); err != nil {
		fmt.Println(err)
		return
	}
	sig.AddListener(func(context.Context, int) {})
	sig.Emit(context.Background(), 1)
	fmt.Println(c.emissions.Load())
	// Detach gives the signal its own collector back.
	if err := otelsignals.Detach(sig); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sig.Collector() == c)
	// Output:
	// 1
	// true
}
