package hdr

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBucketsAreContiguous(t *testing.T) {
	// Every bucket starts where the previous one ends, and index maps the
	// ends of each bucket back to it.
	next := int64(0)
	for i := range numBuckets {
		low, width := bucketRange(i)
		if low != next {
			t.Fatalf("bucket %d starts at %d, want %d", i, low, next)
		}
		if width < 1 {
			t.Fatalf("bucket %d has width %d", i, width)
		}
		if got := index(low); got != i {
			t.Fatalf("index(%d) = %d, want %d", low, got, i)
		}
		if got := index(low + width - 1); got != i {
			t.Fatalf("index(%d) = %d, want %d", low+width-1, got, i)
		}
		next = low + width
	}
	if next != MaxValue+1 {
		t.Fatalf("the buckets end at %d, want %d", next, int64(MaxValue+1))
	}
}

func TestRelativeError(t *testing.T) {
	bound := 1.0 / half
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		v := int64(math.Exp(r.Float64() * math.Log(MaxValue)))
		low, width := bucketRange(index(v))
		if v < low || v >= low+width {
			t.Fatalf("%d is outside its bucket [%d, %d)", v, low, low+width)
		}
		if e := float64(width-1) / float64(v); e > bound {
			t.Fatalf("bucket of %d is %d wide: relative error %g > %g", v, width, e, bound)
		}
	}
}

func TestQuantile(t *testing.T) {
	uniform := func(n int) []int64 {
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(i + 1)
		}
		return v
	}
	tests := []struct {
		name   string
		values []int64
		q      float64
		want   int64
		relErr float64 // accepted relative error; 0 means exact
	}{
		{"empty", nil, 0.5, 0, 0},
		{"single", []int64{42}, 0.99, 42, 0},
		{"small values are exact", uniform(200), 0.5, 100, 0},
		{"rank of an inexact product", uniform(200), 0.035, 7, 0}, // 0.035 × 200 is 7.000000000000001 in float64
		{"p0 is the minimum", []int64{7, 9, 1000}, 0, 7, 0},
		{"p100 is the maximum", []int64{7, 9, 1000}, 1, 1000, 0},
		{"q above 1 is clamped", []int64{7, 9, 1000}, 2, 1000, 0},
		{"NaN is the minimum", []int64{7, 9, 1000}, math.NaN(), 7, 0},
		{"median of 1..1000", uniform(1000), 0.5, 500, 0.01},
		{"p99 of 1..100000", uniform(100_000), 0.99, 99_000, 0.01},
		{"p999 of 1..100000", uniform(100_000), 0.999, 99_900, 0.01},
		{"tail of a skewed set", append(slices.Repeat([]int64{100}, 999), 1_000_000), 0.999, 100, 0},
		{"the outlier is the p100", append(slices.Repeat([]int64{100}, 999), 1_000_000), 1, 1_000_000, 0},
		{"capped by the maximum", []int64{1_000_001}, 0.5, 1_000_001, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New()
			for _, v := range tt.values {
				h.Record(v)
			}
			got := h.Quantile(tt.q)
			if tt.relErr == 0 {
				if got != tt.want {
					t.Fatalf("Quantile(%v) = %d, want %d", tt.q, got, tt.want)
				}
				return
			}
			if e := math.Abs(float64(got-tt.want)) / float64(tt.want); e > tt.relErr {
				t.Fatalf("Quantile(%v) = %d, want %d within %g (error %g)", tt.q, got, tt.want, tt.relErr, e)
			}
		})
	}
}

func TestStatistics(t *testing.T) {
	tests := []struct {
		name              string
		values            []int64
		count, minV, maxV int64
		mean              float64
	}{
		{"empty", nil, 0, 0, 0, 0},
		{"exact despite buckets", []int64{1000, 3000, 123457}, 3, 1000, 123457, (1000 + 3000 + 123457) / 3.0},
		{"negative counts as zero", []int64{-5, 10}, 2, 0, 10, 5},
		{"huge is clamped", []int64{math.MaxInt64}, 1, MaxValue, MaxValue, MaxValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New()
			for _, v := range tt.values {
				h.Record(v)
			}
			if h.Count() != tt.count || h.Min() != tt.minV || h.Max() != tt.maxV {
				t.Fatalf("count, min, max = %d, %d, %d; want %d, %d, %d", h.Count(), h.Min(), h.Max(), tt.count, tt.minV, tt.maxV)
			}
			if math.Abs(h.Mean()-tt.mean) > 1e-9*math.Max(1, tt.mean) {
				t.Fatalf("mean = %g, want %g", h.Mean(), tt.mean)
			}
		})
	}
}

func TestRecordN(t *testing.T) {
	a, b := New(), New()
	a.RecordN(5000, 3)
	a.RecordN(7, 0)  // nothing
	a.RecordN(7, -2) // nothing
	for range 3 {
		b.Record(5000)
	}
	if !slices.Equal(a.Buckets(), b.Buckets()) || a.Count() != 3 || a.Mean() != b.Mean() || a.Min() != 5000 {
		t.Fatalf("RecordN(5000, 3) = %+v, want %+v", a.Buckets(), b.Buckets())
	}
}

func TestMergeEqualsRecordingEverything(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	all, parts := New(), []*Histogram{New(), New(), New()}
	for i := range 30_000 {
		v := int64(r.ExpFloat64() * 20_000)
		all.Record(v)
		parts[i%3].Record(v)
	}
	merged := New()
	merged.Merge(New()) // an empty one changes nothing
	for _, p := range parts {
		merged.Merge(p)
	}
	if !slices.Equal(merged.Buckets(), all.Buckets()) {
		t.Fatal("merged buckets differ from recording every value in one histogram")
	}
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		if merged.Quantile(q) != all.Quantile(q) {
			t.Fatalf("Quantile(%v): merged %d, all %d", q, merged.Quantile(q), all.Quantile(q))
		}
	}
	if merged.Count() != all.Count() || merged.Min() != all.Min() || merged.Max() != all.Max() {
		t.Fatal("merged count, min or max differs")
	}
	merged.Reset()
	if merged.Count() != 0 || merged.Quantile(0.5) != 0 || merged.Min() != 0 || len(merged.Buckets()) != 0 {
		t.Fatal("Reset left values behind")
	}
}

func TestBucketsSumToCount(t *testing.T) {
	h := New()
	for v := int64(1); v < 1<<40; v *= 3 {
		h.RecordN(v, v%7+1)
	}
	var n int64
	prev := int64(-1)
	for _, b := range h.Buckets() {
		if b.Low <= prev {
			t.Fatalf("buckets out of order at %d", b.Low)
		}
		prev = b.Low
		n += b.Count
	}
	if n != h.Count() {
		t.Fatalf("buckets hold %d values, Count is %d", n, h.Count())
	}
}
