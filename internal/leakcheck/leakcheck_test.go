package leakcheck

import (
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { VerifyTestMain(m) }

// TestLeakedReportsARunningGoroutine starts a goroutine, checks that Leaked
// reports its stack, then stops it and checks that it no longer does.
func TestLeakedReportsARunningGoroutine(t *testing.T) {
	started := make(chan struct{})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		leakyWorker(started, stop)
	}()
	<-started
	got := Leaked(50 * time.Millisecond)
	if !strings.Contains(got, "leakyWorker") {
		t.Fatalf("Leaked did not report the running goroutine; got:\n%s", got)
	}
	close(stop)
	<-done
	if got := Leaked(time.Second); got != "" {
		t.Fatalf("Leaked reports goroutines after they ended:\n%s", got)
	}
}

func leakyWorker(started, stop chan struct{}) {
	close(started)
	<-stop
}
