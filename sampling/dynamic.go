package sampling

import "sync/atomic"

// Dynamic is a [Sampler] whose policy can be replaced at run time, for
// example when configuration is reloaded. It delegates every decision to
// the Sampler most recently passed to [Dynamic.Set] (or [NewDynamic]).
//
// A Dynamic is safe for concurrent use: Set may be called while other
// goroutines call ShouldSample, which takes no lock (it loads one atomic
// pointer) and adds a few nanoseconds to the decision of the current
// Sampler. A decision that is in progress during Set uses either the old or
// the new Sampler.
//
// The zero Dynamic is ready for use and samples nothing, as [Never]. A
// Dynamic must not be copied after first use.
type Dynamic struct {
	current atomic.Pointer[holder]
}

// holder boxes a Sampler so that it can be stored in an atomic.Pointer.
type holder struct {
	s Sampler
}

var _ Sampler = (*Dynamic)(nil)

// NewDynamic returns a Dynamic that starts with initial. A nil initial is
// [Never].
func NewDynamic(initial Sampler) *Dynamic {
	d := new(Dynamic)
	d.Set(initial)
	return d
}

// Set makes s the Sampler of all later decisions. A nil s is [Never]. s
// must not be d, or a Sampler that delegates to d: the decision would
// recurse forever.
func (d *Dynamic) Set(s Sampler) {
	if s == nil {
		s = Never()
	}
	d.current.Store(&holder{s: s})
}

// Sampler returns the current Sampler: the last one passed to Set or
// NewDynamic, or [Never] if that was nil or if there was none.
func (d *Dynamic) Sampler() Sampler {
	if h := d.current.Load(); h != nil {
		return h.s
	}
	return Never()
}

// ShouldSample reports the decision of the current Sampler.
func (d *Dynamic) ShouldSample(p Parameters) bool {
	if h := d.current.Load(); h != nil {
		return h.s.ShouldSample(p)
	}
	return false
}

// Description returns "Dynamic{...}" with the current Sampler's description,
// like "Dynamic{Ratio{0.25}}".
func (d *Dynamic) Description() string {
	return "Dynamic{" + d.Sampler().Description() + "}"
}
