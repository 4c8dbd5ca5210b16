package signalstest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signals/signalstest"
)

func TestSpy(t *testing.T) {
	for name, spy := range map[string]*signalstest.Spy[string]{
		"NewSpy":     signalstest.NewSpy[string](),
		"zero value": new(signalstest.Spy[string]),
	} {
		t.Run(name, func(t *testing.T) {
			if spy.WasCalled() || spy.CallCount() != 0 {
				t.Fatalf("new spy: WasCalled %v, CallCount %d", spy.WasCalled(), spy.CallCount())
			}
			if p, ok := spy.LastPayload(); ok || p != "" {
				t.Fatalf("new spy: LastPayload() = %q, %v; want \"\", false", p, ok)
			}
			sig := signals.NewSync[string]()
			sig.AddListener(spy.Listener())
			sig.AddOnce(spy.Listener()) // another listener of the same spy
			sig.Emit(context.Background(), "a")
			sig.Emit(context.Background(), "b")
			if n := spy.CallCount(); n != 3 {
				t.Errorf("CallCount() = %d, want 3", n)
			}
			if !spy.WasCalled() {
				t.Error("WasCalled() = false after calls")
			}
			if p, ok := spy.LastPayload(); !ok || p != "b" {
				t.Errorf("LastPayload() = %q, %v; want \"b\", true", p, ok)
			}
		})
	}
}

func TestSpyConcurrentCalls(t *testing.T) {
	const goroutines, each = 8, 1000
	spy := signalstest.NewSpy[int]()
	l := spy.Listener()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				l(context.Background(), i+1)
				_, _ = spy.LastPayload()
			}
		}()
	}
	wg.Wait()
	if n := spy.CallCount(); n != goroutines*each {
		t.Errorf("CallCount() = %d, want %d", n, goroutines*each)
	}
	if p, _ := spy.LastPayload(); p != each {
		t.Errorf("LastPayload() = %d, want %d (every goroutine's last call)", p, each)
	}
}
