package signals_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if a goroutine of this package outlives the tests.
// The core module has no requirements, so it checks with the standard library
// what goleak checks in the root module.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines waits up to timeout for every goroutine that runs code of
// package signals to end, and returns the stacks of those that did not.
func leakedGoroutines(timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		leaked := signalsGoroutines()
		if leaked == "" || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func signalsGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var leaked []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "github.com/signalkit/sdk/signals.") &&
			!strings.Contains(g, "signals_test.signalsGoroutines") {
			leaked = append(leaked, g)
		}
	}
	return strings.Join(leaked, "\n\n")
}

// checkNoLeak fails t if a goroutine of package signals is still running
// shortly after the test; tests that create worker pools call it when done.
func checkNoLeak(t *testing.T) {
	t.Helper()
	if leaked := leakedGoroutines(2 * time.Second); leaked != "" {
		t.Fatalf("goroutines left running:\n%s", leaked)
	}
}
