package fit

import (
	"math"
	"testing"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{7}, 7},
		{nil, math.NaN()},
	}
	for _, tt := range tests {
		in := append([]float64(nil), tt.in...)
		got := Median(in)
		if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("Median(%v) = %g, want %g", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Fatalf("Median modified its input")
			}
		}
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	tests := []struct{ q, want float64 }{{0, 1}, {0.25, 2}, {0.5, 3}, {0.75, 4}, {1, 5}, {0.1, 1.4}, {-1, 1}, {2, 5}}
	for _, tt := range tests {
		if got := Quantile(xs, tt.q); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Quantile(%v, %g) = %g, want %g", xs, tt.q, got, tt.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) || !math.IsNaN(Quantile(xs, math.NaN())) {
		t.Error("Quantile of nothing or at NaN is not NaN")
	}
	if xs[0] != 5 {
		t.Error("Quantile modified its input")
	}
}

func TestMedianRatio(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want float64
	}{
		// The ratio of the medians would be 20/5 = 4; within rounds it is 3.
		{"within rounds", []float64{30, 20, 3}, []float64{10, 5, 1}, 3},
		{"shorter b", []float64{4, 9, 100}, []float64{2, 3}, 2.5},
		{"zero skipped", []float64{4, 9}, []float64{0, 3}, 3},
		{"none", nil, []float64{1}, math.NaN()},
	}
	for _, tt := range tests {
		got := MedianRatio(tt.a, tt.b)
		if !(math.Abs(got-tt.want) < 1e-12 || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("%s: MedianRatio(%v, %v) = %g, want %g", tt.name, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMinMax(t *testing.T) {
	lo, hi := MinMax([]float64{3, -1, 8})
	if lo != -1 || hi != 8 {
		t.Fatalf("MinMax = %g, %g", lo, hi)
	}
	if lo, hi := MinMax(nil); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Fatal("MinMax(nil) is not NaN")
	}
}

func TestLinear(t *testing.T) {
	tests := []struct {
		name         string
		xs, ys       []float64
		slope, icept float64
		r2           float64 // NaN: want NaN
	}{
		{"perfect", []float64{1, 2, 3, 4}, []float64{3, 5, 7, 9}, 2, 1, 1},
		{"flat", []float64{1, 2, 3}, []float64{5, 5, 5}, 0, 5, math.NaN()},
		{"noisy", []float64{1, 2, 3, 4, 5}, []float64{1, 3, 2, 5, 4}, 0.8, 0.6, 0.64},
		{"one point", []float64{1}, []float64{1}, math.NaN(), math.NaN(), math.NaN()},
		{"same x", []float64{2, 2}, []float64{1, 3}, math.NaN(), math.NaN(), math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Linear(tt.xs, tt.ys)
			check := func(what string, got, want float64) {
				if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && math.Abs(got-want) > 1e-9) {
					t.Errorf("%s = %g, want %g", what, got, want)
				}
			}
			check("slope", l.Slope, tt.slope)
			check("intercept", l.Intercept, tt.icept)
			check("R2", l.R2, tt.r2)
		})
	}
}
