package semconv

import "go.opentelemetry.io/otel/attribute"

// Names, units and descriptions of signalkit's metrics. [Metrics] lists them
// with their instruments and attributes.
const (
	// EmissionsName is the name of the counter of emissions.
	EmissionsName = "signals.emissions"
	// EmissionsUnit is the unit of [EmissionsName].
	EmissionsUnit = "{emission}"
	// EmissionsDescription is the description of [EmissionsName].
	EmissionsDescription = "Number of emissions of the signal, whether or not they were sampled for tracing."

	// EmissionDurationName is the name of the histogram of emission
	// durations.
	EmissionDurationName = "signals.emission.duration"
	// EmissionDurationUnit is the unit of [EmissionDurationName].
	EmissionDurationUnit = "s"
	// EmissionDurationDescription is the description of
	// [EmissionDurationName].
	EmissionDurationDescription = "Duration of a sampled emission, from its start until its last listener returned."

	// ListenerInvocationsName is the name of the counter of listener calls.
	ListenerInvocationsName = "signals.listener.invocations"
	// ListenerInvocationsUnit is the unit of [ListenerInvocationsName].
	ListenerInvocationsUnit = "{invocation}"
	// ListenerInvocationsDescription is the description of
	// [ListenerInvocationsName].
	ListenerInvocationsDescription = "Number of listener calls made to deliver emissions of the signal."

	// ListenerDurationName is the name of the histogram of listener call
	// durations.
	ListenerDurationName = "signals.listener.duration"
	// ListenerDurationUnit is the unit of [ListenerDurationName].
	ListenerDurationUnit = "s"
	// ListenerDurationDescription is the description of
	// [ListenerDurationName].
	ListenerDurationDescription = "Duration of a sampled listener call."

	// ListenerErrorsName is the name of the counter of failed listener
	// calls.
	ListenerErrorsName = "signals.listener.errors"
	// ListenerErrorsUnit is the unit of [ListenerErrorsName].
	ListenerErrorsUnit = "{error}"
	// ListenerErrorsDescription is the description of [ListenerErrorsName].
	ListenerErrorsDescription = `Number of listener calls that returned an error or panicked (error.type "panic").`

	// ListenersName is the name of the gauge-like count of registered
	// listeners, by [ListenerStateKey].
	ListenersName = "signals.listeners"
	// ListenersUnit is the unit of [ListenersName].
	ListenersUnit = "{listener}"
	// ListenersDescription is the description of [ListenersName].
	ListenersDescription = "Number of listeners currently registered on the signal, by state: enabled, or disabled by the circuit breaker."

	// ListenerChangesName is the name of the counter of changes to a
	// signal's listeners.
	ListenerChangesName = "signals.listener.changes"
	// ListenerChangesUnit is the unit of [ListenerChangesName].
	ListenerChangesUnit = "{change}"
	// ListenerChangesDescription is the description of
	// [ListenerChangesName].
	ListenerChangesDescription = "Number of listener registrations, removals and other changes to the signal's listeners, by kind of change."

	// QueueDepthName is the name of the count of queued emissions.
	QueueDepthName = "signals.queue.depth"
	// QueueDepthUnit is the unit of [QueueDepthName].
	QueueDepthUnit = "{emission}"
	// QueueDepthDescription is the description of [QueueDepthName].
	QueueDepthDescription = "Number of enqueued emissions waiting for delivery."

	// QueueCapacityName is the name of the capacity of a signal's queue.
	QueueCapacityName = "signals.queue.capacity"
	// QueueCapacityUnit is the unit of [QueueCapacityName].
	QueueCapacityUnit = "{emission}"
	// QueueCapacityDescription is the description of [QueueCapacityName].
	QueueCapacityDescription = "Number of emissions the signal's queue can hold."

	// QueueWaitDurationName is the name of the histogram of the time
	// emissions spend queued.
	QueueWaitDurationName = "signals.queue.wait.duration"
	// QueueWaitDurationUnit is the unit of [QueueWaitDurationName].
	QueueWaitDurationUnit = "s"
	// QueueWaitDurationDescription is the description of
	// [QueueWaitDurationName].
	QueueWaitDurationDescription = "Time a sampled enqueued emission waited in the queue before its delivery started."

	// QueueDroppedName is the name of the counter of dropped emissions.
	QueueDroppedName = "signals.queue.dropped"
	// QueueDroppedUnit is the unit of [QueueDroppedName].
	QueueDroppedUnit = "{emission}"
	// QueueDroppedDescription is the description of [QueueDroppedName].
	QueueDroppedDescription = "Number of enqueued emissions dropped before delivery, by reason."

	// PoolSizeName is the name of the size limit of a signal's worker pool.
	PoolSizeName = "signals.pool.size"
	// PoolSizeUnit is the unit of [PoolSizeName].
	PoolSizeUnit = "{worker}"
	// PoolSizeDescription is the description of [PoolSizeName].
	PoolSizeDescription = "Maximum number of worker goroutines the signal's pool may run."

	// PoolWorkersName is the name of the count of a pool's workers by state.
	PoolWorkersName = "signals.pool.workers"
	// PoolWorkersUnit is the unit of [PoolWorkersName].
	PoolWorkersUnit = "{worker}"
	// PoolWorkersDescription is the description of [PoolWorkersName].
	PoolWorkersDescription = "Number of worker goroutines of the signal's pool, by state."
)

// Values of [MetricDef.Instrument]: the names of the
// [go.opentelemetry.io/otel/metric.Meter] methods that create the
// instruments.
const (
	// InstrumentInt64Counter is a synchronous monotonic counter
	// (Meter.Int64Counter).
	InstrumentInt64Counter = "Int64Counter"

	// InstrumentFloat64Histogram is a synchronous histogram
	// (Meter.Float64Histogram) with [DurationBuckets] as boundaries.
	InstrumentFloat64Histogram = "Float64Histogram"

	// InstrumentInt64ObservableCounter is an asynchronous monotonic counter
	// (Meter.Int64ObservableCounter), read by a callback at collection.
	InstrumentInt64ObservableCounter = "Int64ObservableCounter"

	// InstrumentInt64ObservableUpDownCounter is an asynchronous
	// non-monotonic sum (Meter.Int64ObservableUpDownCounter), read by a
	// callback at collection.
	InstrumentInt64ObservableUpDownCounter = "Int64ObservableUpDownCounter"
)

// MetricDef describes one metric signalkit records. [Metrics] returns them
// all.
type MetricDef struct {
	// Name is the metric's name, like [EmissionsName].
	Name string

	// Instrument is the kind of instrument that records the metric: one of
	// [InstrumentInt64Counter], [InstrumentFloat64Histogram],
	// [InstrumentInt64ObservableCounter] and
	// [InstrumentInt64ObservableUpDownCounter].
	Instrument string

	// Unit is the metric's UCUM unit, like "s" or "{emission}".
	Unit string

	// Description is the metric's one-sentence description.
	Description string

	// Attributes are the keys of the attributes on every data point.
	Attributes []attribute.Key

	// OptionalAttributes are the keys of the attributes on some data points
	// only: [ErrorTypeKey] on the data points of failed operations. Nil if
	// there are none.
	OptionalAttributes []attribute.Key
}

// Metrics returns the definitions of all of signalkit's metrics, in the
// order of the reference documentation. Each call returns a new slice, with
// new attribute slices, that the caller may modify.
func Metrics() []MetricDef {
	nameKind := func() []attribute.Key { return []attribute.Key{SignalNameKey, SignalKindKey} }
	return []MetricDef{
		{
			Name:        EmissionsName,
			Instrument:  InstrumentInt64ObservableCounter,
			Unit:        EmissionsUnit,
			Description: EmissionsDescription,
			Attributes:  nameKind(),
		},
		{
			Name:               EmissionDurationName,
			Instrument:         InstrumentFloat64Histogram,
			Unit:               EmissionDurationUnit,
			Description:        EmissionDurationDescription,
			Attributes:         nameKind(),
			OptionalAttributes: []attribute.Key{ErrorTypeKey},
		},
		{
			Name:        ListenerInvocationsName,
			Instrument:  InstrumentInt64ObservableCounter,
			Unit:        ListenerInvocationsUnit,
			Description: ListenerInvocationsDescription,
			Attributes:  nameKind(),
		},
		{
			Name:               ListenerDurationName,
			Instrument:         InstrumentFloat64Histogram,
			Unit:               ListenerDurationUnit,
			Description:        ListenerDurationDescription,
			Attributes:         nameKind(),
			OptionalAttributes: []attribute.Key{ErrorTypeKey},
		},
		{
			Name:        ListenerErrorsName,
			Instrument:  InstrumentInt64Counter,
			Unit:        ListenerErrorsUnit,
			Description: ListenerErrorsDescription,
			Attributes:  []attribute.Key{SignalNameKey, SignalKindKey, ErrorTypeKey},
		},
		{
			Name:        ListenersName,
			Instrument:  InstrumentInt64ObservableUpDownCounter,
			Unit:        ListenersUnit,
			Description: ListenersDescription,
			Attributes:  []attribute.Key{SignalNameKey, SignalKindKey, ListenerStateKey},
		},
		{
			Name:        ListenerChangesName,
			Instrument:  InstrumentInt64Counter,
			Unit:        ListenerChangesUnit,
			Description: ListenerChangesDescription,
			Attributes:  []attribute.Key{SignalNameKey, SignalKindKey, ListenerChangeKey},
		},
		{
			Name:        QueueDepthName,
			Instrument:  InstrumentInt64ObservableUpDownCounter,
			Unit:        QueueDepthUnit,
			Description: QueueDepthDescription,
			Attributes:  []attribute.Key{SignalNameKey},
		},
		{
			Name:        QueueCapacityName,
			Instrument:  InstrumentInt64ObservableUpDownCounter,
			Unit:        QueueCapacityUnit,
			Description: QueueCapacityDescription,
			Attributes:  []attribute.Key{SignalNameKey},
		},
		{
			Name:        QueueWaitDurationName,
			Instrument:  InstrumentFloat64Histogram,
			Unit:        QueueWaitDurationUnit,
			Description: QueueWaitDurationDescription,
			Attributes:  []attribute.Key{SignalNameKey},
		},
		{
			Name:        QueueDroppedName,
			Instrument:  InstrumentInt64ObservableCounter,
			Unit:        QueueDroppedUnit,
			Description: QueueDroppedDescription,
			Attributes:  []attribute.Key{SignalNameKey, DropReasonKey},
		},
		{
			Name:        PoolSizeName,
			Instrument:  InstrumentInt64ObservableUpDownCounter,
			Unit:        PoolSizeUnit,
			Description: PoolSizeDescription,
			Attributes:  []attribute.Key{SignalNameKey},
		},
		{
			Name:        PoolWorkersName,
			Instrument:  InstrumentInt64ObservableUpDownCounter,
			Unit:        PoolWorkersUnit,
			Description: PoolWorkersDescription,
			Attributes:  []attribute.Key{SignalNameKey, PoolWorkerStateKey},
		},
	}
}
