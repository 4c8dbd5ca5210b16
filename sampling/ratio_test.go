package sampling_test

import (
	"context"
	"math"
	"testing"

	"github.com/signalkit/sdk/sampling"
)

func TestRatioClamps(t *testing.T) {
	tests := []struct {
		name     string
		p        float64
		want     bool // every decision
		wantDesc string
	}{
		{"zero", 0, false, "Ratio{0}"},
		{"negative", -0.5, false, "Ratio{0}"},
		{"-Inf", math.Inf(-1), false, "Ratio{0}"},
		{"NaN", math.NaN(), false, "Ratio{0}"},
		{"smaller than 2^-53", 1e-300, false, "Ratio{1e-300}"},
		{"one", 1, true, "Ratio{1}"},
		{"above one", 1.5, true, "Ratio{1}"},
		{"+Inf", math.Inf(1), true, "Ratio{1}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sampling.Ratio(tt.p)
			if got := s.Description(); got != tt.wantDesc {
				t.Errorf("Description() = %q, want %q", got, tt.wantDesc)
			}
			for i := range 1000 {
				if got := s.ShouldSample(params(context.Background())); got != tt.want {
					t.Fatalf("decision %d = %t, want %t", i, got, tt.want)
				}
			}
		})
	}
}

// TestRatioFrequency checks the fraction of sampled emissions. The bound is
// ten standard deviations of the binomial distribution, so a correct sampler
// fails it with probability below 1e-22: it cannot flake, yet it catches an
// off-by-a-factor or inverted comparison.
func TestRatioFrequency(t *testing.T) {
	const n = 100_000
	tests := []struct {
		name string
		p    float64
	}{
		{"one percent", 0.01},
		{"ten percent", 0.1},
		{"half", 0.5},
		{"ninety percent", 0.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sampling.Ratio(tt.p)
			sampled := 0
			for range n {
				if s.ShouldSample(params(context.Background())) {
					sampled++
				}
			}
			got := float64(sampled) / n
			tol := 10 * math.Sqrt(tt.p*(1-tt.p)/n)
			if math.Abs(got-tt.p) > tol {
				t.Errorf("sampled %d of %d (%.4f), want %.4f ± %.4f", sampled, n, got, tt.p, tol)
			}
		})
	}
}

func TestRatioDescription(t *testing.T) {
	tests := []struct {
		p    float64
		want string
	}{
		{0.25, "Ratio{0.25}"},
		{0.001, "Ratio{0.001}"},
		{1e-07, "Ratio{1e-07}"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := sampling.Ratio(tt.p).Description(); got != tt.want {
				t.Errorf("Description() = %q, want %q", got, tt.want)
			}
		})
	}
}
