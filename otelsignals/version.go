package otelsignals

// ScopeName is the instrumentation scope name of the meter and tracer that
// package otelsignals uses.
const ScopeName = "github.com/signalkit/sdk/otelsignals"

// Version is the version of package otelsignals, recorded as the
// instrumentation scope version of its meter and tracer.
const Version = "0.2.0"
