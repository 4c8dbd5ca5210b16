package sampling

// alwaysOn samples every emission. It has no fields, so storing it in a
// Sampler does not allocate.
type alwaysOn struct{}

var _ Sampler = alwaysOn{}

// ShouldSample returns true.
func (alwaysOn) ShouldSample(Parameters) bool { return true }

// Description returns "AlwaysOn".
func (alwaysOn) Description() string { return "AlwaysOn" }

// alwaysOff samples no emission.
type alwaysOff struct{}

var _ Sampler = alwaysOff{}

// ShouldSample returns false.
func (alwaysOff) ShouldSample(Parameters) bool { return false }

// Description returns "AlwaysOff".
func (alwaysOff) Description() string { return "AlwaysOff" }

// Share returns 0: no emission needs asking.
func (alwaysOff) Share() float64 { return 0 }

// Thinned returns the sampler itself.
func (alwaysOff) Thinned() Sampler { return alwaysOff{} }

// fixed makes the same decision every time and describes itself as the
// sampler a constructor was asked for, like "Ratio{0}", when its argument
// leaves no choice.
type fixed struct {
	sample      bool
	description string
}

var _ Sampler = (*fixed)(nil)

// ShouldSample returns the fixed decision.
func (f *fixed) ShouldSample(Parameters) bool { return f.sample }

// Share returns 1 for a sampler that samples every emission and 0 for one
// that samples none.
func (f *fixed) Share() float64 {
	if f.sample {
		return 1
	}
	return 0
}

// Thinned returns the sampler itself.
func (f *fixed) Thinned() Sampler { return f }

// Description returns the description given at construction.
func (f *fixed) Description() string { return f.description }

// Always returns a Sampler that samples every emission. Its description is
// "AlwaysOn".
//
// Tracing every emission costs a span per emission and per listener; prefer
// [ParentBased], [Ratio] or [RateLimited] on busy signals.
func Always() Sampler { return alwaysOn{} }

// Never returns a Sampler that samples no emission. Its description is
// "AlwaysOff". Wherever this package accepts a nil Sampler, it uses Never.
func Never() Sampler { return alwaysOff{} }
