package natssignals

// ScopeName is the instrumentation scope name of the meter and tracer of
// package natssignals.
const ScopeName = "github.com/signalkit/sdk/natssignals"

// Version is the version of package natssignals, recorded as the
// instrumentation scope version of its meter and tracer.
const Version = "0.2.0"
