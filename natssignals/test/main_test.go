package test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a goroutine outlives the tests: the bridge's,
// nats.go's and the embedded server's goroutines all end when the tests
// close what they opened.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
