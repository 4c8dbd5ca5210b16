package signalz

import "errors"

// Errors returned by [New] and [Handler.Register]. Test for them with
// [errors.Is].
var (
	// ErrNoAuthorizer is returned by New for a nil authorizer, for reading
	// or for actions, unless [WithUnauthenticatedLoopback] is given: a page
	// that shows listener keys and errors, and can change what the process
	// does, must not be open to whoever reaches its port by mistake.
	ErrNoAuthorizer = errors.New("signalz: no authorizer (pass one, or WithUnauthenticatedLoopback for a page served to loopback clients only)")

	// ErrNilSignal is returned by Register for a nil signal.
	ErrNilSignal = errors.New("signalz: nil signal")

	// ErrAlreadyRegistered is returned by Register for a signal that is
	// registered already.
	ErrAlreadyRegistered = errors.New("signalz: signal already registered")
)
