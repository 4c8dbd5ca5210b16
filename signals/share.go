package signals

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
)

// Share is the share of a signal's emissions that a [ShareCollector] is
// shown: each Emit, TryEmit and Enqueue is shown to the collector (its
// EmitStart is called) with that probability, independently of every other
// emission, and runs as if no collector were attached otherwise. The
// delivery of an enqueued emission is always shown, with
// [Emission.Enqueued] telling what EmitStart returned for its enqueue.
//
// A collector sets its Share below 1 when it needs nothing of the
// emissions it is not shown: a tracer that samples a random 1 % of the
// emissions and records nothing else sets 0.01 and samples every emission
// it is shown. An emission it is not shown then costs the signal one random
// number (math/rand/v2) instead of a call to the collector, and takes the
// fast path.
//
// The zero Share shows every emission. A Share is safe for concurrent use;
// [Share.Set] takes effect for the emissions that start after it returns.
type Share struct {
	// notShow is the complement of the probability as a threshold: an
	// emission is shown if a random uint64 is below ^notShow. 0 (a
	// threshold of math.MaxUint64) shows every emission without drawing,
	// so that the zero Share does.
	notShow atomic.Uint64
}

// Set sets the probability with which an emission is shown: p is clamped to
// [0, 1], and NaN counts as 1 (show every emission).
func (s *Share) Set(p float64) {
	var show uint64
	switch {
	case p >= 1 || math.IsNaN(p):
		show = math.MaxUint64
	case p > 0:
		show = uint64(p * (1 << 64)) // p < 1: no overflow
	}
	if v := ^show; s.notShow.Load() != v {
		s.notShow.Store(v)
	}
}

// Load returns the probability with which an emission is shown.
func (s *Share) Load() float64 {
	show := ^s.notShow.Load()
	if show == math.MaxUint64 {
		return 1
	}
	return float64(show) / (1 << 64)
}

// draw decides whether one emission is shown to the collector.
func (s *Share) draw() bool { return s.all() || s.drawn() }

// all reports whether every emission is shown, without drawing.
func (s *Share) all() bool { return s.notShow.Load() == 0 }

// drawn draws whether one emission is shown, for a share below 1. It is
// not inlined, so that observer.shows is: an emission shown every time
// pays no call.
//
//go:noinline
func (s *Share) drawn() bool {
	return rand.Uint64() < ^s.notShow.Load() // #nosec G404 -- a fast, uniform draw of a sample, not a secret
}

// ShareCollector is a [MetricsCollector] that is shown only a share of the
// emissions of the signals it is attached to (see [Share]). A signal asks
// for the collector's Share once, when the collector is attached
// ([BaseSignal.SetCollector]): Share must return the same *Share every
// time. [NewMultiCollector] applies the Share of each collector given to it
// that has one, to that collector alone.
type ShareCollector interface {
	MetricsCollector

	// Share returns the share of emissions the collector is shown.
	Share() *Share
}

// shareOf returns the Share of collector c, or everyEmission if it has none.
func shareOf(c MetricsCollector) *Share {
	if sc, ok := c.(ShareCollector); ok {
		if s := sc.Share(); s != nil {
			return s
		}
	}
	return &everyEmission
}

// everyEmission is the Share of a collector that has none: every emission
// is shown. Nothing sets it.
var everyEmission Share
