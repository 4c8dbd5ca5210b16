package signalz

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// Report is what a page shows, and the JSON document it serves with
// ?format=json or "Accept: application/json". The index lists a page of
// signals without their listeners; a signal's page (?id=...) lists that
// signal with a page of its listeners.
type Report struct {
	// Time is when the report was made.
	Time time.Time `json:"time"`
	// Total is the number of signals the handler knows of; Signals holds
	// those from Offset on, at most Limit of them. On a signal's page,
	// Total is 1.
	Total   int            `json:"total"`
	Offset  int            `json:"offset"`
	Limit   int            `json:"limit"`
	Signals []SignalReport `json:"signals"`
	// Actions reports whether the request may run actions.
	Actions bool `json:"actions"`
}

// SignalReport describes one signal: its [signals.Stats], health and
// instrumentation settings, and on a signal's page a page of its
// listeners.
type SignalReport struct {
	// ID identifies the signal on the page and in actions: "i" and the
	// otelsignals ID for an instrumented signal ([otelsignals.Instrumented]),
	// "r" and a number for a signal registered with [Handler.Register].
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"` // "sync" or "async"

	Listeners         int `json:"listeners"`          // listeners registered
	KeyedListeners    int `json:"keyed_listeners"`    // of which have a key, and so are listed
	DisabledListeners int `json:"disabled_listeners"` // disabled by the circuit breaker

	StatsEnabled  bool  `json:"stats_enabled"`  // Emissions and ListenerCalls are counted
	Emissions     int64 `json:"emissions"`      // if StatsEnabled
	ListenerCalls int64 `json:"listener_calls"` // if StatsEnabled
	Errors        int64 `json:"errors"`
	Panics        int64 `json:"panics"`
	Dropped       int64 `json:"dropped"` // enqueued emissions dropped

	// The worker pool and queue of an AsyncSignal; zero for a SyncSignal
	// and for an AsyncSignal whose pool has not started.
	PoolSize             int     `json:"pool_size"`
	Workers              int     `json:"workers"`
	BusyWorkers          int     `json:"busy_workers"`
	QueueLen             int     `json:"queue_len"`
	QueueCap             int     `json:"queue_cap"`
	QueueWaitMeanSeconds float64 `json:"queue_wait_mean_seconds"` // if StatsEnabled
	QueueWaitMaxSeconds  float64 `json:"queue_wait_max_seconds"`  // if StatsEnabled

	// Healthy is false if the signal's Health method found problems,
	// which Health lists, one reason each.
	Healthy bool     `json:"healthy"`
	Health  []string `json:"health,omitempty"`

	// Settings is the instrumentation's effective settings; nil for a
	// signal that is not instrumented.
	Settings *SettingsReport `json:"settings,omitempty"`

	// ListenerPage is a page of the keyed listeners, on a signal's page;
	// nil on the index.
	ListenerPage *ListenerPage `json:"listener_page,omitempty"`

	// Limited is true for a signal whose type offers only what
	// otelsignals.Signal requires (no Health, Keys, Metadata or
	// EnableListener): its health and listeners are not shown.
	Limited bool `json:"limited,omitempty"`
}

// SettingsReport is an instrumented signal's effective settings
// ([otelsignals.Effective]) and the override for its name, if any.
type SettingsReport struct {
	// Name is the name the override is looked up by; RecordedName the
	// signals.name attribute recorded (Name, or the overflow name past
	// the cardinality limit).
	Name               string  `json:"name"`
	RecordedName       string  `json:"recorded_name"`
	Metrics            bool    `json:"metrics"`
	Tracing            bool    `json:"tracing"`
	ListenerSpans      bool    `json:"listener_spans"`
	Sampler            string  `json:"sampler"` // its description
	DurationSampleRate float64 `json:"duration_sample_rate"`
	DurationBudget     int     `json:"duration_budget"` // emissions per second; 0: none
	// Override holds the fields of the override for Name that are set;
	// nil if there is none.
	Override *OverrideReport `json:"override,omitempty"`
}

// OverrideReport is the part of an [otelsignals.Override] that is set; nil
// fields are not overridden.
type OverrideReport struct {
	Metrics            *bool    `json:"metrics,omitempty"`
	Tracing            *bool    `json:"tracing,omitempty"`
	ListenerSpans      *bool    `json:"listener_spans,omitempty"`
	Sampler            string   `json:"sampler,omitempty"`
	DurationSampleRate *float64 `json:"duration_sample_rate,omitempty"`
	DurationBudget     *int     `json:"duration_budget,omitempty"`
}

// ListenerPage is a page of a signal's keyed listeners, in registration
// order. Unkeyed listeners are counted but not listed: the core names a
// listener by its key only.
type ListenerPage struct {
	// Filter is the key prefix asked for ("" for every key); State is
	// "disabled" when only listeners disabled by the circuit breaker are
	// asked for, and "" otherwise.
	Filter string `json:"filter,omitempty"`
	State  string `json:"state,omitempty"`
	// Total is the number of keyed listeners that match; Listeners holds
	// those from Offset on, at most Limit of them.
	Total     int              `json:"total"`
	Offset    int              `json:"offset"`
	Limit     int              `json:"limit"`
	Listeners []ListenerReport `json:"listeners"`
}

// ListenerReport is one listener's [signals.ListenerMetadata]. Its key is
// shown whole, as it identifies the listener for actions; its last error is
// cut to 1,024 bytes.
type ListenerReport struct {
	Key        string    `json:"key"`
	Once       bool      `json:"once"`
	ErrorAware bool      `json:"error_aware"`
	Calls      int64     `json:"calls"` // if the signal keeps listener metrics
	Errors     int64     `json:"errors"`
	LastError  string    `json:"last_error,omitempty"` // cut to maxErrorText bytes
	AddedAt    time.Time `json:"added_at"`
	LastCalled time.Time `json:"last_called,omitzero"` // if the signal keeps listener metrics
	// Disabled is true while the circuit breaker has the listener
	// disabled (signals.ListenerMetadata.Disabled).
	Disabled bool `json:"disabled"`
}

// maxErrorText bounds the text of a listener's last error on a page: an
// error's message is the application's, and may be of any size.
const maxErrorText = 1024

// clean returns s as valid UTF-8 of at most max bytes, cut at a rune
// boundary with an ellipsis when it was longer.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// statsReport returns a SignalReport of the stats of a signal.
func statsReport(id, name string, kind signals.Kind, st signals.Stats) SignalReport {
	return SignalReport{
		ID:                   id,
		Name:                 name,
		Kind:                 kind.String(),
		Listeners:            st.Listeners,
		DisabledListeners:    st.DisabledListeners,
		StatsEnabled:         st.StatsEnabled,
		Emissions:            st.Emissions,
		ListenerCalls:        st.ListenerCalls,
		Errors:               st.Errors,
		Panics:               st.Panics,
		Dropped:              st.Dropped,
		PoolSize:             st.PoolSize,
		Workers:              st.Workers,
		BusyWorkers:          st.BusyWorkers,
		QueueLen:             st.QueueLen,
		QueueCap:             st.QueueCap,
		QueueWaitMeanSeconds: st.QueueWaitMean.Seconds(),
		QueueWaitMaxSeconds:  st.QueueWaitMax.Seconds(),
		Healthy:              true,
	}
}

// healthReasons returns the problems of a Health error, one each: the
// errors it joins, or itself.
func healthReasons(err error) []string {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	reasons := make([]string, 0, len(errs))
	for _, e := range errs {
		reasons = append(reasons, clean(e.Error(), maxErrorText))
	}
	return reasons
}

// settingsReport returns the settings of an instrumented signal.
func settingsReport(in *otelsignals.Instrumented) *SettingsReport {
	e := in.Effective()
	r := &SettingsReport{
		Name:               in.Name,
		RecordedName:       in.RecordedName,
		Metrics:            e.Metrics,
		Tracing:            e.Tracing,
		ListenerSpans:      e.ListenerSpans,
		DurationSampleRate: e.DurationSampleRate,
		DurationBudget:     e.DurationBudget,
	}
	if e.Sampler != nil {
		r.Sampler = e.Sampler.Description()
	}
	if o, ok := in.Settings.Config().Overrides[in.Name]; ok {
		or := &OverrideReport{
			Metrics:            o.Metrics,
			Tracing:            o.Tracing,
			ListenerSpans:      o.ListenerSpans,
			DurationSampleRate: o.DurationSampleRate,
			DurationBudget:     o.DurationBudget,
		}
		if o.Sampler != nil {
			or.Sampler = o.Sampler.Description()
		}
		r.Override = or
	}
	return r
}

// listenerQuery is what a signal's page asks of its listeners.
type listenerQuery struct {
	prefix        string
	disabled      bool
	offset, limit int
}

// listenerPage returns the page of sig's keyed listeners that q asks for.
// st is the signal's stats, read just before.
func listenerPage(sig Signal, st signals.Stats, q listenerQuery) (keyed int, page *ListenerPage) {
	keys := sig.Keys()
	keyed = len(keys)
	page = &ListenerPage{Filter: q.prefix, Offset: q.offset, Limit: q.limit, Listeners: []ListenerReport{}}
	if q.prefix != "" {
		keys = filter(keys, func(k string) bool { return strings.HasPrefix(k, q.prefix) })
	}
	if q.disabled {
		page.State = "disabled"
		if st.DisabledListeners == 0 {
			keys = nil // nothing to look for: the count is exact
		} else {
			keys = filter(keys, func(k string) bool {
				md := sig.Metadata(k)
				return md != nil && md.Disabled
			})
		}
	}
	page.Total = len(keys)
	if q.offset >= len(keys) {
		return keyed, page
	}
	for _, k := range keys[q.offset:min(len(keys), q.offset+q.limit)] {
		md := sig.Metadata(k)
		if md == nil {
			continue // removed since Keys
		}
		lr := ListenerReport{
			Key:        md.Key,
			Once:       md.IsOnce,
			ErrorAware: md.IsErrorAware,
			Calls:      md.CallCount,
			Errors:     md.ErrorCount,
			AddedAt:    md.AddedAt,
			LastCalled: md.LastCalled,
			Disabled:   md.Disabled,
		}
		if md.LastError != nil {
			lr.LastError = clean(md.LastError.Error(), maxErrorText)
		}
		page.Listeners = append(page.Listeners, lr)
	}
	return keyed, page
}

// filter returns the elements of s that keep accepts, in place.
func filter(s []string, keep func(string) bool) []string {
	out := s[:0]
	for _, x := range s {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
