// Package signalz serves a live introspection page of a process's signals:
// which listeners are on a signal, which one the circuit breaker disabled,
// how deep the queue is, whether the signal is healthy, and whether its
// metrics and tracing are on. Operators can re-enable a disabled listener
// and switch a signal's metrics or tracing from it.
//
// The name follows the "z-pages" of Google's servers and of OpenTelemetry
// (tracez, rpcz, pipelinez), as net/http/pprof and expvar serve
// /debug/pprof and /debug/vars: a page a process serves about itself, for
// the people who run it.
//
//	page, err := signalz.New(signalz.BearerToken(os.Getenv("SIGNALZ_TOKEN")))
//	if err != nil {
//		return err
//	}
//	mux.Handle("/debug/signals", page)
//
// The handler serves wherever it is mounted (with or without
// [http.StripPrefix]): its links and forms are relative to its own URL.
//
// # Contents
//
// The page lists every signal instrumented with otelsignals.Instrument
// ([otelsignals.InstrumentedSignals]; Detach removes it), and every signal
// registered with [Handler.Register]. The index shows a page of signals,
// sorted by name: kind, listeners (and how many the breaker disabled),
// emissions, errors, panics, dropped emissions, the worker pool and the
// queue, health with its reasons, and the instrumentation's effective
// settings (metrics, tracing, sampler, duration budget and rate). A
// signal's page (?id=...) adds the override for its name and a page of
// its keyed listeners: state, calls, errors, last error, when it was added
// and last called, whether it is a one-time or error-returning listener.
// Everything is read through the public methods of the signals
// ([signals.BaseSignal.Stats], Health, Keys, Metadata) and of otelsignals.
//
// Listeners without a key are counted but not listed, since the core
// names a listener by its key only. Whether a listener is disabled is the
// core's own answer ([signals.ListenerMetadata].Disabled).
//
// Calling Health from the page also moves the samples its rates are
// measured between (see [signals.HealthOptions.Window]); a readiness probe
// that calls Health still sees rates over about one window.
//
// # Formats
//
// The page is HTML rendered on the server with html/template: no script,
// no framework, and a Content-Security-Policy that allows none. ?refresh=N
// reloads it every N seconds (at most 3600). With ?format=json, or an
// Accept header that names application/json, the same content is a JSON
// document: [Report].
//
// # Access
//
// [New] takes an [Authorizer], a func(*http.Request) bool, for reading;
// the requests it refuses get 401 and no data. It refuses to build a
// handler without one unless [WithUnauthenticatedLoopback] is given, and
// then serves loopback clients only. [BearerToken] checks a bearer token:
// both tokens are hashed and the digests compared in constant time, so
// that the check tells nothing about the token, not even its length.
//
// Serve the page with the timeouts of a hardened server (ReadTimeout,
// WriteTimeout, IdleTimeout, ReadHeaderTimeout): it answers within
// milliseconds, so a client that holds a connection longer is stalled.
//
// # Actions
//
// Actions are optional ([WithActions]) and authorized separately from
// reading, by their own Authorizer:
//
//   - re-enable a listener that the circuit breaker disabled
//     ([signals.BaseSignal.EnableListener]);
//   - switch a signal's metrics or tracing on or off, through the override
//     for its name in its [otelsignals.Settings] (the override's other
//     fields stay). Signals instrumented with the same name and Settings
//     share it. A configuration applied later, such as a reload of the
//     file that package config watches, replaces the overrides, this one
//     among them.
//
// They are POST requests of the page's forms: [http.CrossOriginProtection]
// refuses those that a browser says come from another origin
// ([WithCrossOriginProtection]), the body is bounded, and a browser is sent
// back to the page with a fixed notice (Post/Redirect/Get); a client that
// asks for JSON gets the result as JSON. A page shows the action buttons
// only to requests that may act.
//
// # Audit log
//
// Every action is written to the audit log ([WithAuditLogger]; default
// [slog.Default]), in the form package config writes its own: the message
// "signalkit introspection action applied" with the changes as old and new
// values (the override's field, unset or a bool, and the listener's
// state), "... unchanged" when there was nothing to do, and "... refused"
// at level WARN with the reason (cross-origin, not authorized, unknown
// signal or listener, malformed request). Each record carries
// source=introspection and the client's address. With a text handler:
//
//	level=INFO msg="signalkit introspection action applied" source=introspection remote=10.0.0.7:51234 action=enable-listener signal_id=i3 signal=payment.requested listener=fraud-check changes.listeners[fraud-check].state.old=disabled changes.listeners[fraud-check].state.new=enabled
//	level=INFO msg="signalkit introspection action applied" source=introspection remote=10.0.0.7:51234 action=set-tracing signal_id=i3 signal=payment.requested on=false changes.signals[payment.requested].traces.enabled.old=unset changes.signals[payment.requested].traces.enabled.new=false
//	level=WARN msg="signalkit introspection action refused" source=introspection remote=10.0.0.9:40022 reason="not authorized to act"
//
// # Bounds
//
// A page shows at most [DefaultPageSize] signals or listeners, or what
// its limit parameter asks for up to [MaxPageSize], with links to the
// neighbouring pages; listeners can be filtered by key prefix and to the
// disabled ones. A listener's last error and a health reason are cut to
// 1,024 bytes, and their invalid UTF-8 is replaced (JSON replaces it in
// every string). Every key, name and error text is
// escaped for where it appears: a key such as "<script>" shows as text.
//
// The work of a page is bounded by the core's walk over a signal's
// listeners (Stats, Health and Keys each read every listener; the
// disabled filter reads the metadata of every keyed listener): for a
// signal with 100,000 listeners, a page of 100 of them renders in a few
// milliseconds (BenchmarkPage100k).
//
// # Concurrency
//
// A [Handler] is safe for concurrent use, also while signals emit, are
// instrumented and detached, and listeners come and go. It starts no
// goroutine and holds no lock while it renders. Actions that change
// settings are serialized.
package signalz
