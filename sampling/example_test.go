package sampling_test

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/sampling"
)

// decide asks s about an emission of "orders.created" in ctx.
func decide(s sampling.Sampler, ctx context.Context) bool {
	return s.ShouldSample(sampling.Parameters{Ctx: ctx, Signal: "orders.created", Operation: "emit"})
}

func ExampleAlways() {
	s := sampling.Always()
	fmt.Println(s.Description(), decide(s, context.Background()))
	// Output: AlwaysOn true
}

func ExampleNever() {
	s := sampling.Never()
	fmt.Println(s.Description(), decide(s, context.Background()))
	// Output: AlwaysOff false
}

func ExampleRatio() {
	fmt.Println(sampling.Ratio(0.25).Description())

	// Out-of-range probabilities are clamped.
	for _, p := range []float64{-1, 0, 1, 7} {
		s := sampling.Ratio(p)
		fmt.Println(s.Description(), decide(s, context.Background()))
	}
	// Output:
	// Ratio{0.25}
	// Ratio{0} false
	// Ratio{0} false
	// Ratio{1} true
	// Ratio{1} true
}

func ExampleRateLimited() {
	s := sampling.RateLimited(0.02) // one emission every 50 seconds
	fmt.Println(s.Description())
	for range 3 {
		fmt.Println(decide(s, context.Background()))
	}
	// Output:
	// RateLimited{0.02}
	// true
	// false
	// false
}

func ExampleParentBased() {
	s := sampling.ParentBased(sampling.Never())

	sampled := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x01},
		SpanID:     trace.SpanID{0x01},
		TraceFlags: trace.FlagsSampled,
	}))
	fmt.Println(s.Description())
	fmt.Println("in a sampled trace:", decide(s, sampled))
	fmt.Println("outside any trace:", decide(s, context.Background()))
	// Output:
	// ParentBased{root:AlwaysOff}
	// in a sampled trace: true
	// outside any trace: false
}

func ExampleNewDynamic() {
	d := sampling.NewDynamic(sampling.Never())
	fmt.Println(d.Description(), decide(d, context.Background()))

	// Later, for example on a configuration reload:
	d.Set(sampling.Always())
	fmt.Println(d.Description(), decide(d, context.Background()))
	// Output:
	// Dynamic{AlwaysOff} false
	// Dynamic{AlwaysOn} true
}

func ExampleDynamic_Set() {
	var d sampling.Dynamic // the zero Dynamic samples nothing
	fmt.Println(d.Sampler().Description())

	s, err := sampling.Parse("parentbased_traceidratio", "0.1")
	if err != nil {
		panic(err)
	}
	d.Set(s)
	fmt.Println(d.Sampler().Description())

	d.Set(nil) // nil is Never
	fmt.Println(d.Sampler().Description())
	// Output:
	// AlwaysOff
	// ParentBased{root:Ratio{0.1}}
	// AlwaysOff
}

func ExampleParse() {
	s, err := sampling.Parse("parentbased_ratelimited", "50")
	fmt.Println(s.Description(), err)

	_, err = sampling.Parse("traceidratio", "1.5")
	fmt.Println(errors.Is(err, sampling.ErrInvalidSampler))
	fmt.Println(err)
	// Output:
	// ParentBased{root:RateLimited{50}} <nil>
	// true
	// sampling: invalid sampler: traceidratio argument "1.5" is not a probability in [0, 1]
}

// A caller that thins asks a Thinner only about the emissions it draws with
// the Thinner's share: for Ratio(0.25), a quarter of them, which are then
// all sampled.
func ExampleThinner() {
	s := sampling.Ratio(0.25)
	th, ok := s.(sampling.Thinner)
	fmt.Println(ok, th.Share(), th.Thinned().Description())
	_, ok = sampling.ParentBased(s).(sampling.Thinner)
	fmt.Println(ok) // it must see every emission's parent
	// Output:
	// true 0.25 AlwaysOn
	// false
}
