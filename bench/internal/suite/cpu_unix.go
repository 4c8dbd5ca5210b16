//go:build unix

package suite

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const cpuClock = "getrusage(RUSAGE_SELF), user + system"

// familyCPU returns the CPU time of the process and of its waited-for
// children (the go test binaries and builds it runs).
func familyCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return processCPU()
	}
	return processCPU() + time.Duration(ru.Utime.Nano()+ru.Stime.Nano())
}
