package httpguard

import (
	"testing"

	"github.com/signalkit/sdk/internal/leakcheck"
)

// TestMain fails the run if a server's or a connection's goroutine outlives
// the tests.
func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}
