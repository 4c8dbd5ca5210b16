package signalz

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/signalkit/sdk/otelsignals"
)

// The actions, the action field of a POST.
const (
	actionEnableListener = "enable-listener" // id, key
	actionSetMetrics     = "set-metrics"     // id, on
	actionSetTracing     = "set-tracing"     // id, on
)

// Messages of the audit log, in the form of package config's.
const (
	msgApplied   = "signalkit introspection action applied"
	msgUnchanged = "signalkit introspection action unchanged"
	msgRefused   = "signalkit introspection action refused"
)

// sourceIntrospection is the source attribute of the audit log, beside
// config's startup, file and programmatic.
const sourceIntrospection = "introspection"

// unset is the value logged for an override field that is not set, as
// package config logs it.
const unset = "unset"

// maxActionBody bounds the body of a POST: an action's form is a few
// short fields.
const maxActionBody = 16 << 10

// Results of an action: the done parameter of the page a POST redirects
// to, and the result field of its JSON answer.
const (
	resultEnabled     = "enabled"
	resultNotDisabled = "not-disabled"
	resultMetricsOn   = "metrics-on"
	resultMetricsOff  = "metrics-off"
	resultTracingOn   = "tracing-on"
	resultTracingOff  = "tracing-off"
)

// notices are the messages the page shows after an action, by result. The
// page shows only these texts, so that a link cannot make it say anything
// else.
var notices = map[string]string{
	resultEnabled:     "The listener was re-enabled.",
	resultNotDisabled: "The listener was not disabled: nothing changed.",
	resultMetricsOn:   "Metrics are switched on for this signal.",
	resultMetricsOff:  "Metrics are switched off for this signal.",
	resultTracingOn:   "Tracing is switched on for this signal.",
	resultTracingOff:  "Tracing is switched off for this signal.",
}

// actionResult is the JSON answer to an action.
type actionResult struct {
	Action   string `json:"action"`
	Signal   string `json:"signal_id"`
	Listener string `json:"listener,omitempty"`
	Changed  bool   `json:"changed"`
	Result   string `json:"result"`
}

// serveAction runs the action a POST asks for: it checks the request's
// origin, then its authorization, then its form, and logs what it did or
// why it refused.
func (h *Handler) serveAction(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.actions {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: this page has no actions", http.StatusMethodNotAllowed)
		return
	}
	attrs := []slog.Attr{slog.String("source", sourceIntrospection), slog.String("remote", r.RemoteAddr)}
	refuse := func(status int, reason string, extra ...slog.Attr) {
		h.audit(slog.LevelWarn, msgRefused, append(append(attrs, extra...), slog.String("reason", reason))...)
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="signalz"`)
		}
		http.Error(w, http.StatusText(status)+": "+reason, status)
	}
	if err := h.cfg.crossOrigin.Check(r); err != nil {
		refuse(http.StatusForbidden, "cross-origin request", slog.String("error", err.Error()))
		return
	}
	if !h.mayAct(r) {
		switch {
		case h.mayRead(r):
			refuse(http.StatusForbidden, "not authorized to act")
		case h.read == nil:
			refuse(http.StatusForbidden, "served to loopback clients only")
		default:
			refuse(http.StatusUnauthorized, "not authorized")
		}
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxActionBody)
	if err := r.ParseForm(); err != nil {
		refuse(http.StatusBadRequest, "malformed form", slog.String("error", err.Error()))
		return
	}
	form := r.PostForm
	action, id := form.Get("action"), form.Get("id")
	attrs = append(attrs, slog.String("action", action), slog.String("signal_id", id))
	e, ok := h.lookup(id)
	if !ok {
		refuse(http.StatusNotFound, "no such signal")
		return
	}
	attrs = append(attrs, slog.String("signal", e.name()))

	var res actionResult
	switch action {
	case actionEnableListener:
		key := form.Get("key")
		attrs = append(attrs, slog.String("listener", key))
		if e.sig == nil {
			refuse(http.StatusBadRequest, "the signal's type has no EnableListener")
			return
		}
		if e.sig.Metadata(key) == nil {
			refuse(http.StatusNotFound, "no listener with this key")
			return
		}
		res = actionResult{Listener: key, Result: resultNotDisabled}
		if e.sig.EnableListener(key) {
			res.Changed, res.Result = true, resultEnabled
			h.audit(slog.LevelInfo, msgApplied, append(attrs, slog.Group("changes",
				slog.Group("listeners["+key+"].state", slog.String("old", "disabled"), slog.String("new", "enabled"))))...)
		} else {
			h.audit(slog.LevelInfo, msgUnchanged, attrs...)
		}
	case actionSetMetrics, actionSetTracing:
		on, err := strconv.ParseBool(form.Get("on"))
		if err != nil {
			refuse(http.StatusBadRequest, "on must be true or false")
			return
		}
		attrs = append(attrs, slog.Bool("on", on))
		if e.inst == nil {
			refuse(http.StatusConflict, "the signal is not instrumented")
			return
		}
		metrics := action == actionSetMetrics
		old, changed := h.setOverride(e.inst, metrics, on)
		res = actionResult{Changed: changed, Result: switchResult(metrics, on)}
		if !changed {
			h.audit(slog.LevelInfo, msgUnchanged, attrs...)
			break
		}
		field := "traces.enabled"
		if metrics {
			field = "metrics.enabled"
		}
		h.audit(slog.LevelInfo, msgApplied, append(attrs, slog.Group("changes",
			slog.Group("signals["+e.inst.Name+"]."+field, slog.Any("old", old), slog.Bool("new", on))))...)
	default:
		refuse(http.StatusBadRequest, "unknown action")
		return
	}
	res.Action, res.Signal = action, id

	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, res)
		return
	}
	// Post/Redirect/Get: back to the page the form was on, with the
	// notice of the result.
	// The Location is a relative reference, "?query", which the browser
	// resolves against the page's own URL: the handler does not know
	// where it is mounted (http.StripPrefix hides it), and http.Redirect
	// would resolve it against the path's directory.
	back := r.URL.Query()
	back.Set("done", res.Result)
	w.Header().Set("Location", "?"+back.Encode())
	w.WriteHeader(http.StatusSeeOther)
}

// switchResult returns the result of switching metrics or tracing.
func switchResult(metrics, on bool) string {
	switch {
	case metrics && on:
		return resultMetricsOn
	case metrics:
		return resultMetricsOff
	case on:
		return resultTracingOn
	default:
		return resultTracingOff
	}
}

// setOverride sets the metrics (or tracing) field of the override for the
// signal's name in its Settings to on, keeping the override's other fields,
// and returns the field's old value (unset or a bool) and whether it
// changed. Actions are serialized by the handler; a writer outside it,
// such as a configuration reload, replaces the overrides whole, this one
// among them.
func (h *Handler) setOverride(in *otelsignals.Instrumented, metrics, on bool) (old any, changed bool) {
	h.actMu.Lock()
	defer h.actMu.Unlock()
	o := in.Settings.Config().Overrides[in.Name]
	field := &o.Tracing
	if metrics {
		field = &o.Metrics
	}
	old = unset
	if *field != nil {
		old = **field
		if **field == on {
			return old, false
		}
	}
	*field = &on
	// The override's other fields were valid when set, and a bool cannot
	// make it invalid: SetOverride cannot fail here.
	_ = in.Settings.SetOverride(in.Name, o)
	return old, true
}
