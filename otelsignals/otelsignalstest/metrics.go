package otelsignalstest

import (
	"maps"
	"reflect"
	"slices"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/semconv"
)

// Metrics is one collection of the metrics of a [Telemetry], from
// [Telemetry.Collect]. Its methods look metrics up by name among those of
// the instrumentation scope [otelsignals.ScopeName]; metrics of other
// scopes are in [Metrics.ResourceMetrics] only.
//
// A Metrics does not change after Collect returns, and is safe for
// concurrent use.
type Metrics struct {
	rm     metricdata.ResourceMetrics
	byName map[string]metricdata.Metrics
}

// index fills m.byName from m.rm.
func (m *Metrics) index() {
	m.byName = make(map[string]metricdata.Metrics)
	for _, sm := range m.rm.ScopeMetrics {
		if sm.Scope.Name != otelsignals.ScopeName {
			continue
		}
		for _, md := range sm.Metrics {
			m.byName[md.Name] = md
		}
	}
}

// ResourceMetrics returns the whole collection, of every instrumentation
// scope, for example to compare with
// go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest. Its slices
// are those m reads: do not modify them.
func (m *Metrics) ResourceMetrics() metricdata.ResourceMetrics { return m.rm }

// Names returns the names of the instrumentation's metrics collected, in
// lexical order, in a new slice. A metric has been collected once its
// instrument has recorded something: a signal that was never emitted has
// no emission counter yet, and a SyncSignal has no queue metrics.
func (m *Metrics) Names() []string {
	return slices.Sorted(maps.Keys(m.byName))
}

// Metric returns the metric of the instrumentation named name (such as
// [semconv.EmissionsName]), and whether it was collected.
func (m *Metrics) Metric(name string) (metricdata.Metrics, bool) {
	md, ok := m.byName[name]
	return md, ok
}

// Emissions returns the number of emissions of the signal recorded under
// the name signal ([semconv.EmissionsName]), whatever their other
// attributes; 0 if it has none. An empty signal stands for
// [semconv.DefaultSignalName].
func (m *Metrics) Emissions(signal string) int64 {
	return m.signalSum(semconv.EmissionsName, signal, nil)
}

// ListenerCalls returns the number of listener calls that delivered
// emissions of the signal recorded under the name signal
// ([semconv.ListenerInvocationsName]); 0 if it has none.
func (m *Metrics) ListenerCalls(signal string) int64 {
	return m.signalSum(semconv.ListenerInvocationsName, signal, nil)
}

// ListenerErrors returns the number of listener calls of the signal
// recorded under the name signal that returned an error or panicked
// ([semconv.ListenerErrorsName]), of every error type; 0 if it has none.
func (m *Metrics) ListenerErrors(signal string) int64 {
	return m.signalSum(semconv.ListenerErrorsName, signal, nil)
}

// ListenerErrorsByType returns the failed listener calls of the signal
// recorded under the name signal by their error.type
// ([semconv.ErrorTypeKey]: [semconv.ErrorTypePanic] for a panic, the Go
// type of the error otherwise), in a new map; an empty map if there are
// none.
func (m *Metrics) ListenerErrorsByType(signal string) map[string]int64 {
	byType := make(map[string]int64)
	m.signalSum(semconv.ListenerErrorsName, signal, func(attrs attribute.Set, v int64) {
		t, _ := attrs.Value(semconv.ErrorTypeKey)
		byType[t.AsString()] += v
	})
	return byType
}

// signalSum adds up the data points of the Int64 sum named name whose
// signals.name is signal, and passes each to each, if not nil.
func (m *Metrics) signalSum(name, signal string, each func(attribute.Set, int64)) int64 {
	sum, ok := m.byName[name].Data.(metricdata.Sum[int64])
	if !ok {
		return 0
	}
	want := semconv.SignalName(signal)
	var total int64
	for _, dp := range sum.DataPoints {
		if v, ok := dp.Attributes.Value(want.Key); ok && v == want.Value {
			total += dp.Value
			if each != nil {
				each(dp.Attributes, dp.Value)
			}
		}
	}
	return total
}

// Sum returns the value of the data point of the Int64 sum named name
// (such as [semconv.QueueDroppedName]) whose attributes are exactly attrs,
// and whether there is one.
func (m *Metrics) Sum(name string, attrs ...attribute.KeyValue) (int64, bool) {
	sum, ok := m.byName[name].Data.(metricdata.Sum[int64])
	if !ok {
		return 0, false
	}
	want := attribute.NewSet(attrs...)
	for _, dp := range sum.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value, true
		}
	}
	return 0, false
}

// HistogramCount returns the number of values recorded in the data point of
// the histogram named name (such as [semconv.EmissionDurationName]) whose
// attributes are exactly attrs, and whether there is one.
func (m *Metrics) HistogramCount(name string, attrs ...attribute.KeyValue) (uint64, bool) {
	h, ok := m.byName[name].Data.(metricdata.Histogram[float64])
	if !ok {
		return 0, false
	}
	want := attribute.NewSet(attrs...)
	for _, dp := range h.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Count, true
		}
	}
	return 0, false
}

// Points returns the number of data points of the metric named name, of
// any kind of aggregation; 0 if it was not collected.
func (m *Metrics) Points(name string) int {
	md, ok := m.byName[name]
	if !ok || md.Data == nil {
		return 0
	}
	// Every aggregation of metricdata (Sum, Gauge, Histogram, ... of each
	// number type) is a struct with a DataPoints slice.
	dps := reflect.ValueOf(md.Data).FieldByName("DataPoints")
	if !dps.IsValid() {
		return 0
	}
	return dps.Len()
}
