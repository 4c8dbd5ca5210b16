package otelsignals

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// counts are the exact counts of an instrumentation, which its observable
// counters report at collection. emissions and calls change on every
// emission, so they have a cache line of their own.
type counts struct {
	_         [64]byte
	emissions atomic.Int64
	calls     atomic.Int64
	_         [48]byte

	droppedFull   atomic.Int64
	droppedClosed atomic.Int64
}

// metricsState is an instrumentation's instruments and the measurement
// options it records with, all created by Instrument. An observable
// instrument that could not be created is nil; a synchronous one is a no-op.
type metricsState struct {
	emissions   metric.Int64ObservableCounter
	invocations metric.Int64ObservableCounter
	listeners   metric.Int64ObservableUpDownCounter
	queueDepth  metric.Int64ObservableUpDownCounter
	queueCap    metric.Int64ObservableUpDownCounter
	dropped     metric.Int64ObservableCounter
	poolSize    metric.Int64ObservableUpDownCounter
	poolWorkers metric.Int64ObservableUpDownCounter

	errors      metric.Int64Counter
	changes     metric.Int64Counter
	emissionDur metric.Float64Histogram
	listenerDur metric.Float64Histogram
	queueWait   metric.Float64Histogram

	reg metric.Registration // nil if no callback is registered

	// Measurement options, by attribute set.
	nameKind     attribute.Set
	nameKindRec  []metric.RecordOption  // signals.name, signals.kind
	nameKindObs  []metric.ObserveOption // signals.name, signals.kind
	nameRec      []metric.RecordOption  // signals.name
	nameObs      []metric.ObserveOption // signals.name
	droppedFull  []metric.ObserveOption // signals.name, signals.drop.reason
	droppedClose []metric.ObserveOption
	busy, idle   []metric.ObserveOption // signals.name, signals.pool.worker.state
	enabled      []metric.ObserveOption // signals.name, signals.kind, signals.listener.state
	disabled     []metric.ObserveOption
	changeAdd    [signals.ChangeEnable + 1][]metric.AddOption

	// byErrorType caches the options of failed operations, by error.type.
	byErrorType sync.Map // string -> *errorOptions
}

// errorOptions are the options of measurements of failed operations of one
// error.type.
type errorOptions struct {
	add []metric.AddOption
	rec []metric.RecordOption
}

// withAttrs returns the set of the extra attributes and kvs; kvs win.
func withAttrs(extra []attribute.KeyValue, kvs ...attribute.KeyValue) attribute.Set {
	all := make([]attribute.KeyValue, 0, len(extra)+len(kvs))
	all = append(all, extra...)
	all = append(all, kvs...)
	return attribute.NewSet(all...)
}

func addOpts(s attribute.Set) []metric.AddOption {
	return []metric.AddOption{metric.WithAttributeSet(s)}
}

func recOpts(s attribute.Set) []metric.RecordOption {
	return []metric.RecordOption{metric.WithAttributeSet(s)}
}

func obsOpts(s attribute.Set) []metric.ObserveOption {
	return []metric.ObserveOption{metric.WithAttributeSet(s)}
}

// kindAttr returns the signals.kind attribute of k.
func kindAttr(k signals.Kind) attribute.KeyValue {
	if k == signals.KindAsync {
		return semconv.SignalKindAsync
	}
	return semconv.SignalKindSync
}

// newMetrics creates the instruments of an instrumentation and registers
// its callback. Errors are passed to otel.Handle: the instrumentation works
// with the instruments that could be created.
func (c *instrumentation) newMetrics(mp metric.MeterProvider, extra []attribute.KeyValue) {
	m := &c.metrics
	meter := mp.Meter(ScopeName,
		metric.WithInstrumentationVersion(Version),
		metric.WithSchemaURL(semconv.SchemaURL))

	name := semconv.SignalName(c.recorded)
	m.nameKind = withAttrs(extra, name, kindAttr(c.kind))
	m.nameKindRec = recOpts(m.nameKind)
	m.nameKindObs = obsOpts(m.nameKind)
	nameOnly := withAttrs(extra, name)
	m.nameRec = recOpts(nameOnly)
	m.nameObs = obsOpts(nameOnly)
	m.droppedFull = obsOpts(withAttrs(extra, name, semconv.DropReasonQueueFull))
	m.droppedClose = obsOpts(withAttrs(extra, name, semconv.DropReasonClosed))
	m.busy = obsOpts(withAttrs(extra, name, semconv.PoolWorkerStateBusy))
	m.idle = obsOpts(withAttrs(extra, name, semconv.PoolWorkerStateIdle))
	m.enabled = obsOpts(withAttrs(extra, name, kindAttr(c.kind), semconv.ListenerStateEnabled))
	m.disabled = obsOpts(withAttrs(extra, name, kindAttr(c.kind), semconv.ListenerStateDisabled))
	for ch, kv := range map[signals.Change]attribute.KeyValue{
		signals.ChangeAdd:       semconv.ListenerChangeAdd,
		signals.ChangeRemove:    semconv.ListenerChangeRemove,
		signals.ChangeReset:     semconv.ListenerChangeReset,
		signals.ChangeOnceFired: semconv.ListenerChangeOnceFired,
		signals.ChangeDisable:   semconv.ListenerChangeDisable,
		signals.ChangeEnable:    semconv.ListenerChangeEnable,
	} {
		m.changeAdd[ch] = addOpts(withAttrs(extra, name, kindAttr(c.kind), kv))
	}

	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var observables []metric.Observable
	obsCounter := func(name, unit, desc string) metric.Int64ObservableCounter {
		i, err := meter.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		check(err)
		if err != nil || i == nil {
			return nil
		}
		observables = append(observables, i)
		return i
	}
	obsUpDown := func(name, unit, desc string) metric.Int64ObservableUpDownCounter {
		i, err := meter.Int64ObservableUpDownCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		check(err)
		if err != nil || i == nil {
			return nil
		}
		observables = append(observables, i)
		return i
	}
	counter := func(name, unit, desc string) metric.Int64Counter {
		i, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		check(err)
		if err != nil || i == nil {
			return noop.Int64Counter{}
		}
		return i
	}
	histogram := func(name, unit, desc string) metric.Float64Histogram {
		i, err := meter.Float64Histogram(name, metric.WithUnit(unit), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(semconv.DurationBuckets()...))
		check(err)
		if err != nil || i == nil {
			return noop.Float64Histogram{}
		}
		return i
	}

	m.emissions = obsCounter(semconv.EmissionsName, semconv.EmissionsUnit, semconv.EmissionsDescription)
	m.emissionDur = histogram(semconv.EmissionDurationName, semconv.EmissionDurationUnit, semconv.EmissionDurationDescription)
	m.invocations = obsCounter(semconv.ListenerInvocationsName, semconv.ListenerInvocationsUnit, semconv.ListenerInvocationsDescription)
	m.listenerDur = histogram(semconv.ListenerDurationName, semconv.ListenerDurationUnit, semconv.ListenerDurationDescription)
	m.errors = counter(semconv.ListenerErrorsName, semconv.ListenerErrorsUnit, semconv.ListenerErrorsDescription)
	m.listeners = obsUpDown(semconv.ListenersName, semconv.ListenersUnit, semconv.ListenersDescription)
	m.changes = counter(semconv.ListenerChangesName, semconv.ListenerChangesUnit, semconv.ListenerChangesDescription)
	if c.kind == signals.KindAsync {
		m.queueDepth = obsUpDown(semconv.QueueDepthName, semconv.QueueDepthUnit, semconv.QueueDepthDescription)
		m.queueCap = obsUpDown(semconv.QueueCapacityName, semconv.QueueCapacityUnit, semconv.QueueCapacityDescription)
		m.queueWait = histogram(semconv.QueueWaitDurationName, semconv.QueueWaitDurationUnit, semconv.QueueWaitDurationDescription)
		m.dropped = obsCounter(semconv.QueueDroppedName, semconv.QueueDroppedUnit, semconv.QueueDroppedDescription)
		m.poolSize = obsUpDown(semconv.PoolSizeName, semconv.PoolSizeUnit, semconv.PoolSizeDescription)
		m.poolWorkers = obsUpDown(semconv.PoolWorkersName, semconv.PoolWorkersUnit, semconv.PoolWorkersDescription)
	} else {
		m.queueWait = noop.Float64Histogram{}
	}

	if len(observables) > 0 {
		reg, err := meter.RegisterCallback(c.observe, observables...)
		check(err)
		if err == nil {
			m.reg = reg
		}
	}
	if err := errors.Join(errs...); err != nil {
		otel.Handle(err)
	}
}

// observe is the instrumentation's callback: it reports the counts and
// reads the signal's listeners (by state), pool and queue from its Stats.
// While metrics are off it reports nothing.
func (c *instrumentation) observe(_ context.Context, o metric.Observer) error {
	if !c.eff.Load().metrics {
		return nil
	}
	m := &c.metrics
	if m.emissions != nil {
		o.ObserveInt64(m.emissions, c.counts.emissions.Load(), m.nameKindObs...)
	}
	if m.invocations != nil {
		o.ObserveInt64(m.invocations, c.counts.calls.Load(), m.nameKindObs...)
	}
	st := c.sig.Stats()
	if m.listeners != nil {
		// Both states, always: a disabled count that drops to 0 (the
		// listener was enabled, removed, or reset) is reported as 0, not
		// as a series that disappears.
		o.ObserveInt64(m.listeners, int64(max(st.Listeners-st.DisabledListeners, 0)), m.enabled...)
		o.ObserveInt64(m.listeners, int64(st.DisabledListeners), m.disabled...)
	}
	if c.kind != signals.KindAsync {
		return nil
	}
	if m.dropped != nil {
		o.ObserveInt64(m.dropped, c.counts.droppedFull.Load(), m.droppedFull...)
		o.ObserveInt64(m.dropped, c.counts.droppedClosed.Load(), m.droppedClose...)
	}
	if st.PoolSize == 0 {
		return nil // the signal has not started its pool yet
	}
	if m.queueDepth != nil {
		o.ObserveInt64(m.queueDepth, int64(st.QueueLen), m.nameObs...)
	}
	if m.queueCap != nil {
		o.ObserveInt64(m.queueCap, int64(st.QueueCap), m.nameObs...)
	}
	if m.poolSize != nil {
		o.ObserveInt64(m.poolSize, int64(st.PoolSize), m.nameObs...)
	}
	if m.poolWorkers != nil {
		o.ObserveInt64(m.poolWorkers, int64(st.BusyWorkers), m.busy...)
		o.ObserveInt64(m.poolWorkers, int64(max(st.Workers-st.BusyWorkers, 0)), m.idle...)
	}
	return nil
}

// forError returns the measurement options of a failure with err, creating
// them on the first failure of its error.type.
func (m *metricsState) forError(err error) *errorOptions {
	t := semconv.ErrorTypeOf(err)
	if v, ok := m.byErrorType.Load(t); ok {
		return v.(*errorOptions)
	}
	s := attribute.NewSet(append(m.nameKind.ToSlice(), semconv.ErrorTypeKey.String(t))...)
	v, _ := m.byErrorType.LoadOrStore(t, &errorOptions{add: addOpts(s), rec: recOpts(s)})
	return v.(*errorOptions)
}

// unregister unregisters the callback, if there is one.
func (m *metricsState) unregister() error {
	if m.reg == nil {
		return nil
	}
	return m.reg.Unregister()
}
