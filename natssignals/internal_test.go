package natssignals

import (
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		base, limit time.Duration
		n           int
		want        time.Duration
	}{
		{time.Second, 10 * time.Second, 0, time.Second},
		{time.Second, 10 * time.Second, 2, 4 * time.Second},
		{time.Second, 10 * time.Second, 3, 8 * time.Second},
		{time.Second, 10 * time.Second, 4, 10 * time.Second},
		{time.Second, 10 * time.Second, 100, 10 * time.Second},
	} {
		if got := backoff(tt.base, tt.limit, tt.n); got != tt.want {
			t.Errorf("backoff(%v, %v, %d) = %v, want %v", tt.base, tt.limit, tt.n, got, tt.want)
		}
	}
}

func TestHeaderCarrier(t *testing.T) {
	h := nats.Header{"Traceparent": {"canonical"}, "tracestate": {"exact"}, "empty": {}}
	c := headerCarrier(h)
	if got := c.Get("traceparent"); got != "canonical" {
		t.Errorf("case-insensitive Get = %q", got)
	}
	if got := c.Get("tracestate"); got != "exact" {
		t.Errorf("Get = %q", got)
	}
	if got := c.Get("empty"); got != "" {
		t.Errorf("Get of an empty value = %q", got)
	}
	if got := c.Get("missing"); got != "" {
		t.Errorf("Get of a missing key = %q", got)
	}
	keys := c.Keys()
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"Traceparent", "empty", "tracestate"}) {
		t.Errorf("Keys = %v", keys)
	}
	c.Set("traceparent", "set")
	if got := h["traceparent"]; len(got) != 1 || got[0] != "set" {
		t.Errorf("Set wrote %v: want the key as the propagator gives it", h)
	}
}

// TestGate runs the gate through enter, shut and leave: it refuses calls
// once shut, and drains only after the last call inside left.
func TestGate(t *testing.T) {
	g := newGate()
	for range 2 {
		if !g.enter() {
			t.Fatal("an open gate refused a call")
		}
	}
	done := g.shut()
	if g.enter() {
		t.Error("a shut gate admitted a call")
	}
	g.leave()
	select {
	case <-done:
		t.Error("drained with a call still inside")
	default:
	}
	g.leave()
	select {
	case <-done:
	default:
		t.Error("not drained once the last call left")
	}
	if g.shut() != done {
		t.Error("a second shut returned another channel")
	}
	empty := newGate()
	select {
	case <-empty.shut():
	default:
		t.Error("an empty gate did not drain when shut")
	}
}

func TestJSONCodec(t *testing.T) {
	c := JSON()
	if c.ContentType() != "application/json" {
		t.Errorf("content type %q", c.ContentType())
	}
	type order struct {
		ID string `json:"id"`
	}
	b, err := c.Marshal(order{ID: "A-1"})
	if err != nil || string(b) != `{"id":"A-1"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var o order
	if err := c.Unmarshal(b, &o); err != nil || o.ID != "A-1" {
		t.Errorf("Unmarshal = %+v, %v", o, err)
	}
}

// TestTimed checks which messages have their durations recorded: the
// duration budget of each second, then the sampled fraction. Each case
// runs well within one second, so within one window of the budget.
func TestTimed(t *testing.T) {
	for _, tt := range []struct {
		name     string
		rate     float64
		budget   int
		messages int
		min, max int
	}{
		{"default budget, rate 0", 0, 0, 150, 100, 100},
		{"budget 3, rate 0", 0, 3, 50, 3, 3},
		{"no budget, rate 0", 0, -1, 50, 0, 0},
		{"no budget, rate 1", 1, -1, 50, 50, 50},
		{"no budget, rate 0.5", 0.5, -1, 10_000, 4_700, 5_300},
		{"budget 10, rate 0.5", 0.5, 10, 10_000, 4_700, 5_310},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaultConfig()
			cfg.rate, cfg.budget = tt.rate, tt.budget
			var tel telemetry
			tel.init(&cfg, "orders.created", "publish")
			n := 0
			for range tt.messages {
				if tel.timed() {
					n++
				}
			}
			if n < tt.min || n > tt.max {
				t.Errorf("%d of %d messages timed, want %d to %d", n, tt.messages, tt.min, tt.max)
			}
		})
	}
}

func TestDurationOptions(t *testing.T) {
	cfg := defaultConfig()
	if cfg.rate != DefaultDurationSampleRate || cfg.budget != 0 {
		t.Errorf("defaults: rate %v, budget %d", cfg.rate, cfg.budget)
	}
	for _, tt := range []struct {
		opt    Option
		rate   float64
		budget int
	}{
		{WithDurationSampleRate(0.25), 0.25, 0},
		{WithDurationSampleRate(7), 1, 0},
		{WithDurationSampleRate(-1), 0, 0},
		{WithDurationBudget(20), DefaultDurationSampleRate, 20},
		{WithDurationBudget(-1), DefaultDurationSampleRate, -1},
	} {
		c := publishConfig{config: defaultConfig()}
		tt.opt.applyPublish(&c)
		if c.rate != tt.rate || c.budget != tt.budget {
			t.Errorf("rate %v, budget %d; want %v, %d", c.rate, c.budget, tt.rate, tt.budget)
		}
	}
}
