package testutil

import (
	"strings"
	"sync"
	"testing"

	"github.com/signalkit/sdk/internal/leakcheck"
)

func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}

// TestBufferConcurrentWrites writes from several goroutines while reading;
// under -race, an unguarded buffer fails.
func TestBufferConcurrentWrites(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				if _, err := b.Write([]byte("x\n")); err != nil {
					t.Error(err)
				}
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got := strings.Count(b.String(), "x\n"); got != 400 {
		t.Errorf("%d lines, want 400", got)
	}
}
