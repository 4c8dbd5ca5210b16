// Package work is calibrated busy work: CPU time a listener spends without
// sleeping, allocating or touching shared memory, to stand for a listener
// that does something.
package work

import (
	"math"
	"sync/atomic"
	"time"
)

// Spin does n steps of integer arithmetic and returns a value that depends on
// every step, so that the compiler cannot drop the work.
func Spin(n int) uint64 {
	x := uint64(n) | 1 // #nosec G115 -- any bit pattern will do: this is a seed
	for i := range n {
		x = x*6364136223846793005 + uint64(i) // #nosec G115 -- i is in [0, n)
	}
	return x
}

// Sink keeps results of Spin alive.
var Sink atomic.Uint64

// Calibrate returns the number of Spin steps that take about d on this
// machine: the fastest of several timed runs of a million steps sets the
// rate, since slower runs were interrupted. It returns at least 1.
func Calibrate(d time.Duration) int {
	best := time.Duration(math.MaxInt64)
	for range 7 {
		start := time.Now()
		Sink.Add(Spin(calibrationSteps))
		best = min(best, time.Since(start))
	}
	return stepsFor(d, best)
}

// calibrationSteps is the length of one timed run of Calibrate.
const calibrationSteps = 1 << 20

// stepsFor returns the Spin steps that take d when calibrationSteps took
// best: at least 1.
func stepsFor(d, best time.Duration) int {
	best = max(best, 1)
	return max(1, int(float64(d)*calibrationSteps/float64(best)))
}
