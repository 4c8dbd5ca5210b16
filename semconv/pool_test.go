package semconv_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/semconv"
)

func TestPoolWorkerState(t *testing.T) {
	tests := []struct {
		name string
		got  attribute.KeyValue
		want attribute.KeyValue
	}{
		{"busy", semconv.PoolWorkerStateBusy, attribute.String("signals.pool.worker.state", "busy")},
		{"idle", semconv.PoolWorkerStateIdle, attribute.String("signals.pool.worker.state", "idle")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertKV(t, tt.got, tt.want)
		})
	}
}
