package otelsignals

import (
	"reflect"
	"slices"
	"sync"

	"github.com/signalkit/sdk/internal/timing"
	"github.com/signalkit/sdk/sampling"
)

// registry holds every instrumentation that is attached to its signal, for
// [InstrumentedSignals]: the introspection page (package signalz) lists
// them. Instrument adds to it and Detach removes from it, each under the
// lock of the instrumentation's Settings, so that the two happen in the
// order of attaching and detaching. The emission path never reads it.
//
// It is the package's only mutable global, as the set of instrumented
// signals is the process's: like expvar's variables, it has no owner that
// could hold it instead.
var registry struct {
	mu      sync.Mutex
	nextID  uint64
	entries []registered // in the order of Instrument; under mu
}

type registered struct {
	id   uint64
	inst *instrumentation
}

// register adds c to the registry.
func register(c *instrumentation) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.nextID++
	registry.entries = append(registry.entries, registered{registry.nextID, c})
}

// registeredFor returns the instrumentation in the registry that is attached
// to sig, or nil. Signals of a type that cannot be compared are never found.
func registeredFor(sig Signal) *instrumentation {
	t := reflect.TypeOf(sig)
	if !t.Comparable() {
		return nil
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	for _, r := range registry.entries {
		if reflect.TypeOf(r.inst.sig) == t && r.inst.sig == sig {
			return r.inst
		}
	}
	return nil
}

// unregister removes c from the registry, releasing the registry's
// reference to it and to its signal.
func unregister(c *instrumentation) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	// DeleteFunc zeroes the elements past the new length: no reference to c
	// stays in the backing array.
	registry.entries = slices.DeleteFunc(registry.entries, func(r registered) bool { return r.inst == c })
}

// Instrumented describes a signal that [Instrument] instrumented and [Detach]
// has not detached, as [InstrumentedSignals] returns it. It is a snapshot of
// what identifies the instrumentation; [Instrumented.Effective] reads its
// settings as they are now. Holding an Instrumented keeps the signal
// reachable: do not keep it longer than needed.
type Instrumented struct {
	// ID identifies the instrumentation in the process: IDs are given in
	// the order of the Instrument calls, from 1, and never reused, also
	// after the signal is detached and instrumented again.
	ID uint64
	// Signal is the signal that was instrumented.
	Signal Signal
	// Name is the name the instrumentation looks its override up by in
	// Settings: [WithName], or the signal's name.
	Name string
	// RecordedName is the name recorded in the signals.name attribute:
	// Name, or [semconv.OverflowSignalName] when Settings already recorded
	// as many names as the cardinality limit allows.
	RecordedName string
	// Settings is the Settings the instrumentation follows: the one given
	// with [WithSettings], or its own. Change it to switch the signal's
	// metrics or tracing, for example with [Settings.SetOverride] for Name.
	Settings *Settings

	inst *instrumentation
}

// InstrumentedSignals returns every signal instrumented with [Instrument] and
// not detached since, in the order they were instrumented, in a new slice
// the caller owns. It is safe for concurrent use, also with Instrument,
// Detach and emissions, and it does not slow emissions: they never read
// what it reads.
//
// The list is the process's: it holds the signals of every Settings and
// every provider. Detach removes a signal from it, and with that the
// reference that the list held.
func InstrumentedSignals() []Instrumented {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	out := make([]Instrumented, len(registry.entries))
	for i, r := range registry.entries {
		c := r.inst
		out[i] = Instrumented{
			ID:           r.id,
			Signal:       c.sig,
			Name:         c.name,
			RecordedName: c.recorded,
			Settings:     c.settings,
			inst:         c,
		}
	}
	return out
}

// Effective is the settings that an instrumented signal's emissions start
// with: those of its [Settings], the options given to [Instrument], and the
// [Override] for its name, in increasing precedence.
type Effective struct {
	Metrics       bool             // metrics are recorded
	Tracing       bool             // spans start, as Sampler decides
	ListenerSpans bool             // a traced emission has a span per listener call
	Sampler       sampling.Sampler // decides which emissions are traced; nil for a detached signal

	// DurationSampleRate is the fraction of emissions beyond the budget
	// whose durations are measured, in [0, 1].
	DurationSampleRate float64
	// DurationBudget is the number of emissions per second whose durations
	// are measured whatever the rate; 0 means none.
	DurationBudget int
}

// Effective returns the settings the signal's emissions start with now. For
// a signal detached since InstrumentedSignals returned, and for the zero
// Instrumented, everything is off. It takes no lock.
func (i Instrumented) Effective() Effective {
	if i.inst == nil {
		return Effective{}
	}
	e := i.inst.eff.Load() // set before the instrumentation is registered
	rate := 1.0
	if !e.timeAll {
		// The inverse of setRate: exact for every rate of 2^-11 or more,
		// and within 2^-64 of the rate set below that.
		rate = timing.Rate(e.threshold)
	}
	return Effective{
		Metrics:            e.metrics,
		Tracing:            e.tracing,
		ListenerSpans:      e.listenerSpans,
		Sampler:            e.sampler,
		DurationSampleRate: rate,
		DurationBudget:     int(e.budget),
	}
}
