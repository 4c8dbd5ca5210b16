// Package fit has the small statistics the suite needs: medians, quantiles of
// samples, and least-squares line fits with their R².
package fit

import (
	"math"
	"slices"
)

// Median returns the median of xs (the mean of the middle two for an even
// count), or NaN for none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Quantile returns the q-quantile of xs (0 ≤ q ≤ 1) by linear
// interpolation between the closest ranks, or NaN for none. xs is not
// modified.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 || math.IsNaN(q) {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := min(max(q, 0), 1) * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

// MedianRatio returns the median of a[i]/b[i] over the indices both have
// (the rounds of a paired measurement: the ratio is taken within each round,
// so that a drift of the machine's speed between rounds cancels out),
// skipping b[i] = 0, or NaN for none.
func MedianRatio(a, b []float64) float64 {
	var rs []float64
	for i := range min(len(a), len(b)) {
		if b[i] != 0 {
			rs = append(rs, a[i]/b[i])
		}
	}
	return Median(rs)
}

// MinMax returns the smallest and largest of xs, or NaN, NaN for none.
func MinMax(xs []float64) (lo, hi float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	return slices.Min(xs), slices.Max(xs)
}

// Line is y = Intercept + Slope·x, fitted by least squares, with the
// coefficient of determination R2 (1 is a perfect fit; NaN when y does not
// vary at all, which no line can explain better than its mean).
type Line struct {
	Slope, Intercept, R2 float64
}

// Linear fits a line to the points (xs[i], ys[i]). It needs at least two
// points with different x; otherwise every field is NaN.
func Linear(xs, ys []float64) Line {
	n := min(len(xs), len(ys))
	nan := Line{math.NaN(), math.NaN(), math.NaN()}
	if n < 2 {
		return nan
	}
	var mx, my float64
	for i := range n {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxx, sxy, syy float64
	for i := range n {
		dx, dy := xs[i]-mx, ys[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 {
		return nan
	}
	l := Line{Slope: sxy / sxx}
	l.Intercept = my - l.Slope*mx
	if syy == 0 {
		l.R2 = math.NaN()
	} else {
		l.R2 = sxy * sxy / (sxx * syy)
	}
	return l
}
