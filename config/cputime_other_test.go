//go:build !unix

package config_test

import "time"

// processCPU returns false: this platform has no getrusage, and the tests
// that bound CPU time skip that bound.
func processCPU() (time.Duration, bool) { return 0, false }
