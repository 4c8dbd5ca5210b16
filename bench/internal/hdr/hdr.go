// Package hdr is a log-linear histogram of non-negative integer values (in the
// suite, nanoseconds), in the style of HdrHistogram: values below 2^SubBits
// are counted exactly, and larger values in buckets whose width is a fixed
// fraction of their value, so that every recorded value is known to within a
// relative error of 2^-(SubBits-1) (0.8 % here) whatever its magnitude, in a
// fixed amount of memory.
//
// A Histogram is not safe for concurrent use: give each goroutine its own and
// merge them afterwards. The zero value is not ready; use New.
package hdr

import (
	"math"
	"math/bits"
)

// SubBits is the number of significant bits a bucket keeps: values below
// 2^SubBits have a bucket each, and above that each power of two is split
// into 2^(SubBits-1) buckets.
const SubBits = 8

// MaxValue is the largest value recorded as itself; larger values are
// recorded as MaxValue (2^44 ns is about 4.9 hours).
const MaxValue = 1<<44 - 1

const (
	half       = 1 << (SubBits - 1)
	numBuckets = (44-SubBits)*half + 1<<SubBits
)

// Histogram counts values in log-linear buckets and keeps their exact count,
// minimum, maximum and sum.
type Histogram struct {
	counts []int64
	n      int64
	min    int64
	max    int64
	sum    float64
}

// New returns an empty histogram.
func New() *Histogram {
	return &Histogram{counts: make([]int64, numBuckets), min: math.MaxInt64}
}

// index returns the bucket of v, which must be in [0, MaxValue].
func index(v int64) int {
	u := uint64(v) // #nosec G115 -- v is in [0, MaxValue], as documented
	if u < 1<<SubBits {
		return int(u)
	}
	shift := bits.Len64(u) - SubBits
	return shift*half + int(u>>uint(shift)) // #nosec G115 -- u>>shift < 1<<SubBits
}

// bucketRange returns the smallest value of bucket i and the bucket's width.
func bucketRange(i int) (low, width int64) {
	if i < 1<<SubBits {
		return int64(i), 1
	}
	shift := i/half - 1
	sub := int64(i - shift*half)
	return sub << uint(shift), 1 << uint(shift)
}

// clamp brings v into [0, MaxValue].
func clamp(v int64) int64 {
	return min(max(v, 0), MaxValue)
}

// Record counts one value. Negative values count as 0 and values above
// MaxValue as MaxValue.
func (h *Histogram) Record(v int64) {
	h.RecordN(v, 1)
}

// RecordN counts the value v n times; n <= 0 records nothing.
func (h *Histogram) RecordN(v int64, n int64) {
	if n <= 0 {
		return
	}
	v = clamp(v)
	h.counts[index(v)] += n
	h.n += n
	h.min = min(h.min, v)
	h.max = max(h.max, v)
	h.sum += float64(v) * float64(n)
}

// Merge adds the counts of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
	h.sum += o.sum
}

// Reset empties h.
func (h *Histogram) Reset() {
	clear(h.counts)
	h.n, h.min, h.max, h.sum = 0, math.MaxInt64, 0, 0
}

// Count returns the number of recorded values.
func (h *Histogram) Count() int64 { return h.n }

// Min returns the smallest recorded value, exactly, or 0 if h is empty.
func (h *Histogram) Min() int64 {
	if h.n == 0 {
		return 0
	}
	return h.min
}

// Max returns the largest recorded value, exactly, or 0 if h is empty.
func (h *Histogram) Max() int64 { return h.max }

// Mean returns the mean of the recorded values, or 0 if h is empty.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return h.sum / float64(h.n)
}

// Quantile returns the value at quantile q (0.99 for the 99th percentile):
// the upper end of the bucket holding the ceil(q·n)-th smallest value, capped
// by the largest value recorded, as HdrHistogram reports it. It returns 0 for
// an empty histogram; q is clamped to [0, 1], and Quantile(0) is Min.
func (h *Histogram) Quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	if !(q > 0) { // also NaN
		return h.min
	}
	q = min(q, 1)
	// q·n carries a rounding error of about one ulp, which can lift an exact
	// rank just above an integer (0.035 × 200 is 7.000000000000001): drop
	// it before rounding up, so that the rank is ceil of the exact product.
	x := q * float64(h.n)
	rank := int64(math.Ceil(x - x*1e-15))
	rank = min(max(rank, 1), h.n)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			low, width := bucketRange(i)
			return min(max(low+width-1, h.min), h.max)
		}
	}
	return h.max
}

// Bucket is one non-empty bucket: Count values in [Low, Low+Width).
type Bucket struct {
	Low, Width, Count int64
}

// Buckets returns the non-empty buckets in increasing order of value.
func (h *Histogram) Buckets() []Bucket {
	var out []Bucket
	for i, c := range h.counts {
		if c != 0 {
			low, width := bucketRange(i)
			out = append(out, Bucket{Low: low, Width: width, Count: c})
		}
	}
	return out
}
