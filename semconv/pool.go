package semconv

import "go.opentelemetry.io/otel/attribute"

// PoolWorkerStateKey is the attribute key of the state of a worker goroutine
// of a signal's pool. Its values are [PoolWorkerStateBusy] and
// [PoolWorkerStateIdle].
//
// Type: enum (string)
// Examples: "busy", "idle"
// Cardinality: 2.
const PoolWorkerStateKey = attribute.Key("signals.pool.worker.state")

var (
	// PoolWorkerStateBusy is the [PoolWorkerStateKey] value of a worker that
	// is delivering an emission.
	PoolWorkerStateBusy = PoolWorkerStateKey.String("busy")

	// PoolWorkerStateIdle is the [PoolWorkerStateKey] value of a worker that
	// is waiting for an emission.
	PoolWorkerStateIdle = PoolWorkerStateKey.String("idle")
)
