package signalz_test

import (
	"testing"

	"github.com/signalkit/sdk/internal/leakcheck"
)

// TestMain fails the run if a goroutine, of a signal's pool or of a test
// server, outlives the tests.
func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}
