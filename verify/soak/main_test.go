package soak

import (
	"flag"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// duration is the total time of TestSoak and TestChaos; each runs for half.
var duration = flag.Duration("soak.duration", 6*time.Second, "total run time of TestSoak and TestChaos (each runs for half)")

// TestMain fails the run if any goroutine outlives the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
