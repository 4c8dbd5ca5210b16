package test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// TestListenersByState checks that signals.listeners tells how many listeners
// the circuit breaker has disabled now: after the disabled listener is
// enabled again, removed, or dropped by Reset, the disabled count is 0 (the
// alert SignalsListenerCircuitOpen in deploy/prometheus/alerts.yml relies on
// it), while the counter of changes keeps its history.
func TestListenersByState(t *testing.T) {
	tests := []struct {
		name   string
		change attribute.KeyValue                 // the change the operator's action counts
		after  func(sig *signals.SyncSignal[int]) // what the operator does
		// listeners enabled afterwards; "healthy" and "other" are enabled
		// throughout until then
		enabled int64
	}{
		{"enabled again", semconv.ListenerChangeEnable, func(sig *signals.SyncSignal[int]) { sig.EnableListener("flaky") }, 3},
		{"removed", semconv.ListenerChangeRemove, func(sig *signals.SyncSignal[int]) { sig.RemoveListener("flaky") }, 2},
		{"signal reset", semconv.ListenerChangeReset, func(sig *signals.SyncSignal[int]) { sig.Reset() }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "payments", BreakerThreshold: 2, ErrorHandler: ignore})
			if err := otelsignals.Instrument(sig, e.Options()...); err != nil {
				t.Fatal(err)
			}
			sig.AddListener(func(context.Context, int) {}, "healthy")
			sig.AddListener(func(context.Context, int) {}, "other")
			sig.AddListenerWithErr(func(context.Context, int) error { return errors.New("down") }, "flaky")
			nk := nameKind("payments", semconv.SignalKindSync)
			state := func(want string, enabled, disabled int64) {
				t.Helper()
				got := e.Collect(t)
				en, ok1 := got.Sum(semconv.ListenersName, with(nk, semconv.ListenerStateEnabled)...)
				dis, ok2 := got.Sum(semconv.ListenersName, with(nk, semconv.ListenerStateDisabled)...)
				if !ok1 || !ok2 || en != enabled || dis != disabled {
					t.Errorf("%s: listeners enabled %d (reported %t), disabled %d (reported %t); want %d and %d",
						want, en, ok1, dis, ok2, enabled, disabled)
				}
			}

			state("before any failure", 3, 0)
			sig.Emit(context.Background(), 1)
			sig.Emit(context.Background(), 2) // the second failure in a row disables "flaky"
			if st := sig.Stats(); st.DisabledListeners != 1 {
				t.Fatalf("Stats().DisabledListeners = %d, want 1: the breaker did not trip", st.DisabledListeners)
			}
			state("after the breaker tripped", 2, 1)

			tt.after(sig)
			state("afterwards", tt.enabled, 0)
			changes := e.Collect(t)
			if n, _ := changes.Sum(semconv.ListenerChangesName, with(nk, semconv.ListenerChangeDisable)...); n != 1 {
				t.Errorf("disable changes = %d, want 1", n)
			}
			if n, _ := changes.Sum(semconv.ListenerChangesName, with(nk, tt.change)...); n < 1 {
				t.Errorf("%s changes = %d, want at least 1", tt.change.Value.AsString(), n)
			}
		})
	}
}
