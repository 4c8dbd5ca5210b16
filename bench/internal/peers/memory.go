package peers

import (
	"runtime"
	"time"
)

// BytesPerListener registers n listeners that do nothing and returns the
// growth of the live heap plus goroutine stacks, after two garbage
// collections, divided by n: what a listener costs its process, including
// the goroutine a library may start for it. It releases the listeners and
// waits (up to 10 s) for the goroutines they started to end before
// returning, so that one measurement does not leak into the next.
//
// The result is only meaningful with nothing else running in the process.
func (im *Impl) BytesPerListener(n int) float64 {
	g0 := runtime.NumGoroutine()
	var a, z runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&a)
	release := im.register(n)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&z)
	release()
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > g0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	// Heap and stack sizes are far below 1<<63, and the growth may be
	// negative.
	grow := int64(z.HeapAlloc+z.StackInuse) - int64(a.HeapAlloc+a.StackInuse) // #nosec G115 -- see above
	return float64(grow) / float64(n)
}
