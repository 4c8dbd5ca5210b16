package otelsignals

import (
	"context"
	"math"
	"testing"

	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/signals"
)

func TestOpIndex(t *testing.T) {
	for op, want := range map[signals.Operation]signals.Operation{
		0:                 signals.OpEmit,
		signals.OpTryEmit: signals.OpTryEmit,
		signals.OpDeliver: signals.OpDeliver,
		99:                signals.OpEmit,
	} {
		if got := opIndex(op); got != want {
			t.Errorf("opIndex(%v) = %v, want %v", op, got, want)
		}
	}
}

func TestClampRate(t *testing.T) {
	for in, want := range map[float64]float64{-1: 0, 0: 0, 0.5: 0.5, 1: 1, 7: 1, math.Inf(1): 1, math.Inf(-1): 0} {
		if got := clampRate(in); got != want {
			t.Errorf("clampRate(%v) = %v, want %v", in, got, want)
		}
	}
	if got := clampRate(math.NaN()); got != 0 {
		t.Errorf("clampRate(NaN) = %v, want 0", got)
	}
}

func TestSetRate(t *testing.T) {
	var e effective
	e.setRate(0)
	if e.timeAll || e.threshold != 0 {
		t.Errorf("rate 0: %+v", e)
	}
	e.setRate(1)
	if !e.timeAll {
		t.Errorf("rate 1: %+v", e)
	}
	e.setRate(0.5)
	if e.timeAll || e.threshold != 1<<63 {
		t.Errorf("rate 0.5: %+v", e)
	}
}

// TestSwitchedOff calls the collector methods of a detached
// instrumentation, as emissions that started before Detach do.
func TestSwitchedOff(t *testing.T) {
	c := &instrumentation{}
	c.shared.init(c)
	c.eff.Store(off)
	ctx := context.Background()
	got, o := c.EmitStart(ctx, signals.Emission{Op: signals.OpEmit})
	if got != ctx || o != nil {
		t.Errorf("EmitStart = %v, %v; want ctx, nil", got, o)
	}
	if _, o := c.EmitStart(ctx, signals.Emission{Op: signals.OpDeliver, Enqueued: &c.shared.enqueue}); o != nil {
		t.Errorf("EmitStart(OpDeliver) observer = %v, want nil", o)
	}
	// The observer of an emission that started before Detach.
	c.shared.timed.EmitEnd(ctx, signals.Emission{}, signals.EmitResult{Calls: 3})
	c.shared.timed.ListenerEnd(ctx, signals.ListenerInfo{}, 1, context.Canceled)
	c.ListenerChanged(signals.ListenerInfo{}, signals.ChangeAdd)
	c.Dropped(ctx, "x", signals.ErrQueueFull)
	if n := c.counts.calls.Load() + c.counts.droppedFull.Load(); n != 0 {
		t.Errorf("a switched-off instrumentation counted %d", n)
	}
}

// TestShareFollowsSettings: the share of emissions the signal shows the
// instrumentation is the sampler's only while metrics are off and the
// sampler thins; a sampler that needs every emission gets every one.
func TestShareFollowsSettings(t *testing.T) {
	for _, tt := range []struct {
		metrics bool
		sampler sampling.Sampler
		want    float64
	}{
		{false, sampling.Ratio(0.25), 0.25},
		{true, sampling.Ratio(0.25), 1},
		{false, sampling.Ratio(0), 0},
		{false, sampling.ParentBased(sampling.Ratio(0.25)), 1},
		{false, sampling.NewDynamic(sampling.Ratio(0.25)), 1},
		{false, sampling.Always(), 1},
		{false, sampling.RateLimited(10), 1}, // a token is available
	} {
		cfg := DefaultConfig()
		cfg.Metrics, cfg.Sampler = tt.metrics, tt.sampler
		c := &instrumentation{}
		c.refresh(&cfg)
		if got := c.Share().Load(); got != tt.want {
			t.Errorf("metrics %v, %s: share %v, want %v", tt.metrics, tt.sampler.Description(), got, tt.want)
		}
	}
}
