package natssignals

import (
	"testing"

	"github.com/signalkit/sdk/internal/leakcheck"
)

// TestMain fails the run if a goroutine outlives the tests. The module's
// own tests need no server; those that do live in module natssignals/test,
// with goleak, so that this module requires no test library.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }
