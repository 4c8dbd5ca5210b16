package consumer

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain removes the shared proxy directory after the tests and fails the
// run if a goroutine outlives them.
func TestMain(m *testing.M) {
	code := m.Run()
	if proxyDir != "" {
		if err := os.RemoveAll(proxyDir); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}
