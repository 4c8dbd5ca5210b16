//go:build !unix

package suite

import "time"

var processStart = time.Now()

// processCPU stands in for the process's CPU time where getrusage is not
// available: wall time since start.
func processCPU() time.Duration { return time.Since(processStart) }

const cpuClock = "wall time (no getrusage on this OS)"

// familyCPU stands in for the CPU time of the process and its children.
func familyCPU() time.Duration { return processCPU() }
