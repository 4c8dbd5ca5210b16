package otelsignals

import "errors"

// Errors returned by [Instrument], [Detach] and the methods of [Settings].
// They are wrapped with details; test for them with [errors.Is].
var (
	// ErrNilSignal is returned by Instrument and Detach for a nil signal.
	ErrNilSignal = errors.New("otelsignals: nil signal")

	// ErrAlreadyInstrumented is returned by Instrument for a signal that an
	// earlier Instrument call instrumented: Detach it before instrumenting
	// it again. (A collector of another kind is no obstacle: Instrument
	// attaches beside it, with
	// [github.com/signalkit/sdk/signals.NewMultiCollector].)
	ErrAlreadyInstrumented = errors.New("otelsignals: signal already instrumented (Detach it before instrumenting it again)")

	// ErrNotInstrumented is returned by Detach for a signal that Instrument
	// did not instrument, or that was already detached.
	ErrNotInstrumented = errors.New("otelsignals: signal is not instrumented")

	// ErrInvalidConfig is returned by [Settings.Apply], [Config.Validate],
	// [NewSettings] and the setters of [Settings] for an invalid value: a
	// nil sampler or a duration sample rate outside [0, 1]. The call that
	// returns it changes nothing.
	ErrInvalidConfig = errors.New("otelsignals: invalid config")
)
