package otelsignals_test

import (
	"testing"

	"github.com/signalkit/sdk/internal/leakcheck"
)

// TestMain fails the run if a goroutine outlives the tests.
func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}
