package otelsignals

import "github.com/signalkit/sdk/signals"

// Signal is what [Instrument] needs of a signal: both
// [*signals.SyncSignal] and [*signals.AsyncSignal] implement it, whatever
// their payload type. It is not generic, so that one function instruments
// signals of every payload type.
//
// Instrumentation attaches itself with SetCollector, finds itself again with
// Collector, switches itself off with EnableCollector when both metrics and
// tracing are off, and reads Stats when metrics are collected.
// Implementations must be safe for concurrent use.
type Signal interface {
	// Name returns the signal's name.
	Name() string
	// Kind returns whether the signal is synchronous or asynchronous.
	Kind() signals.Kind
	// SetCollector attaches a collector, or detaches with nil, and returns
	// the previous one.
	SetCollector(c signals.MetricsCollector) (previous signals.MetricsCollector)
	// Collector returns the attached collector, or nil.
	Collector() signals.MetricsCollector
	// EnableCollector switches the attached collector on or off without
	// detaching it.
	EnableCollector(on bool)
	// Stats returns a snapshot of the signal's counters, pool and queue.
	Stats() signals.Stats
	// Len returns the number of listeners.
	Len() int
}

// Compile-time checks that the signal types implement Signal.
var (
	_ Signal = (*signals.SyncSignal[int])(nil)
	_ Signal = (*signals.AsyncSignal[int])(nil)
)
