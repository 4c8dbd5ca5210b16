// Package leakcheck fails a test binary whose tests leave goroutines running.
//
// It does with the standard library what go.uber.org/goleak does, for the
// modules whose requirements must stay free of test libraries: the root module
// (otelsignals, semconv, sampling) requires only the OpenTelemetry API. The
// core module, which can import nothing of ours, has the same check in its
// main_test.go.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// grace is how long the check waits for goroutines to end by themselves, for
// those that were told to stop just before the tests returned.
const grace = 5 * time.Second

// VerifyTestMain runs the tests of m, then fails the binary if a goroutine
// other than the test framework's own outlives them by more than a few
// seconds, and prints the stacks of those that did. Call it from TestMain.
func VerifyTestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := Leaked(grace); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// Leaked waits up to timeout for every goroutine but the caller's and the
// runtime's and test framework's own to end, and returns the stacks of those
// that did not, or "".
func Leaked(timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		leaked := others()
		if leaked == "" || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ignored are goroutines that the runtime or the testing package start and
// own: they are not the tests' to stop.
var ignored = []string{
	"testing.(*M).",
	"testing.tRunner",
	"testing.runFuzzing",
	"runtime.goexit0",
	"os/signal.signal_recv",
	"os/signal.loop",
	"runtime.ensureSigM",
}

// others returns the stacks of the goroutines other than the calling one
// that are not ignored.
func others() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	stacks := strings.Split(string(buf), "\n\n")
	var leaked []string
	for _, g := range stacks[1:] { // the first is the calling goroutine
		if !isIgnored(g) {
			leaked = append(leaked, g)
		}
	}
	return strings.Join(leaked, "\n\n")
}

func isIgnored(stack string) bool {
	for _, s := range ignored {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}
