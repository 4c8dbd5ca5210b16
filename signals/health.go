package signals

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// HealthOptions are the thresholds of a signal's health check
// ([BaseSignal.Health], [AsyncSignal.Health]). For every field, zero means the
// default given, and a negative value switches that check off.
type HealthOptions struct {
	// QueueHighWater is the fraction of the queue's capacity above which an
	// AsyncSignal is unhealthy ([ErrQueueSaturated]). Default 0.9.
	QueueHighWater float64
	// MaxErrorsPerSecond is the listener error rate above which the signal
	// is unhealthy ([ErrErrorRate]). Default 100.
	MaxErrorsPerSecond float64
	// MaxPanicsPerSecond is the listener panic rate above which the signal
	// is unhealthy ([ErrPanicRate]). Default 1.
	MaxPanicsPerSecond float64
	// MaxGoroutines is the number of goroutines in the process above which
	// the signal reports [ErrTooManyGoroutines], a resource warning. Default
	// 10000.
	MaxGoroutines int
	// MaxHeapBytes is the size of the live heap above which the signal
	// reports [ErrHeapTooLarge], a resource warning. Default: 90% of the
	// Go memory limit (GOMEMLIMIT, [runtime/debug.SetMemoryLimit]) if one is
	// set, and no check otherwise.
	MaxHeapBytes int64
	// Window is the period over which rates are measured: a rate is the
	// change of a counter since a health check between Window/2 and Window
	// ago, divided by the time since then (at least one second). Default 30s.
	Window time.Duration
}

// Defaults of HealthOptions.
const (
	defaultQueueHighWater     = 0.9
	defaultMaxErrorsPerSecond = 100
	defaultMaxPanicsPerSecond = 1
	defaultMaxGoroutines      = 10000
	defaultHealthWindow       = 30 * time.Second
)

func (o HealthOptions) withDefaults() HealthOptions {
	if o.QueueHighWater == 0 {
		o.QueueHighWater = defaultQueueHighWater
	}
	if o.MaxErrorsPerSecond == 0 {
		o.MaxErrorsPerSecond = defaultMaxErrorsPerSecond
	}
	if o.MaxPanicsPerSecond == 0 {
		o.MaxPanicsPerSecond = defaultMaxPanicsPerSecond
	}
	if o.MaxGoroutines == 0 {
		o.MaxGoroutines = defaultMaxGoroutines
	}
	if o.MaxHeapBytes == 0 {
		if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
			o.MaxHeapBytes = limit - limit/10
		}
	}
	if o.Window <= 0 {
		o.Window = defaultHealthWindow
	}
	return o
}

// healthState keeps the samples health rates are computed from.
type healthState struct {
	opts HealthOptions

	mu        sync.Mutex
	base, mid healthSample
	now       func() time.Time // time.Now; replaced in tests
}

type healthSample struct {
	at             time.Time
	errors, panics int64
}

// check returns nil if st is healthy, and otherwise every problem joined.
func (h *healthState) check(st Stats) error {
	o := h.opts.withDefaults()
	var problems []error
	if o.QueueHighWater > 0 && st.QueueCap > 0 && float64(st.QueueLen) > o.QueueHighWater*float64(st.QueueCap) {
		problems = append(problems, fmt.Errorf("%w: %d of %d queued", ErrQueueSaturated, st.QueueLen, st.QueueCap))
	}
	errRate, panicRate := h.rates(st, o.Window)
	if o.MaxErrorsPerSecond > 0 && errRate > o.MaxErrorsPerSecond {
		problems = append(problems, fmt.Errorf("%w: %.1f/s", ErrErrorRate, errRate))
	}
	if o.MaxPanicsPerSecond > 0 && panicRate > o.MaxPanicsPerSecond {
		problems = append(problems, fmt.Errorf("%w: %.1f/s", ErrPanicRate, panicRate))
	}
	if st.DisabledListeners > 0 {
		problems = append(problems, fmt.Errorf("%w: %d", ErrBreakerOpen, st.DisabledListeners))
	}
	if n := runtime.NumGoroutine(); o.MaxGoroutines > 0 && n > o.MaxGoroutines {
		problems = append(problems, fmt.Errorf("%w: %d", ErrTooManyGoroutines, n))
	}
	if o.MaxHeapBytes > 0 {
		if heap := heapBytes(); heap > uint64(o.MaxHeapBytes) {
			problems = append(problems, fmt.Errorf("%w: %d bytes", ErrHeapTooLarge, heap))
		}
	}
	return errors.Join(problems...)
}

// heapBytes returns the bytes of heap memory occupied by live objects, and
// by dead ones the garbage collector has not yet freed.
func heapBytes() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// rates returns the error and panic rates per second since the base sample,
// and moves the samples along.
func (h *healthState) rates(st Stats, window time.Duration) (errRate, panicRate float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if h.now != nil {
		now = h.now()
	}
	cur := healthSample{at: now, errors: st.Errors, panics: st.Panics}
	if h.mid.at.IsZero() {
		h.base, h.mid = cur, cur
		return 0, 0
	}
	if now.Sub(h.mid.at) >= window/2 {
		h.base, h.mid = h.mid, cur
	}
	elapsed := max(now.Sub(h.base.at), time.Second).Seconds()
	return float64(cur.errors-h.base.errors) / elapsed, float64(cur.panics-h.base.panics) / elapsed
}

// Health returns nil if the signal is healthy, and otherwise its problems
// joined with [errors.Join]: [ErrErrorRate], [ErrPanicRate], [ErrBreakerOpen],
// [ErrTooManyGoroutines] or [ErrHeapTooLarge], each wrapped with the value
// measured. Rates are
// measured between calls of Health, so call it periodically, as a readiness
// probe does; the first call reports no rate. Thresholds are set with
// [SignalOptions.Health].
func (s *BaseSignal[T]) Health() error {
	return s.health.check(s.Stats())
}

// IsHealthy reports whether [BaseSignal.Health] finds no problem.
func (s *BaseSignal[T]) IsHealthy() bool {
	return s.Health() == nil
}
