package peers_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// maniartech/signals v1.3.1 starts a worker pool the first time an
		// AsyncSignal with more than one listener emits, and has no way to
		// stop it. The compiler numbers its worker's closure differently
		// with and without -race.
		goleak.IgnoreTopFunction("github.com/maniartech/signals.(*AsyncSignal[...]).ensureWorkerPool.func1.1"),
		goleak.IgnoreTopFunction("github.com/maniartech/signals.(*AsyncSignal[...]).ensureWorkerPool.func2.1"),
	)
}
