package signalz

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// Signal is what the page reads of a signal, and what its re-enable action
// calls: both [*signals.SyncSignal] and [*signals.AsyncSignal] implement it,
// whatever their payload type. Implementations must be safe for concurrent
// use.
type Signal interface {
	Name() string
	Kind() signals.Kind
	Stats() signals.Stats
	Health() error
	Keys() []string
	Metadata(key string) *signals.ListenerMetadata
	EnableListener(key string) bool
}

// Compile-time checks that the signal types implement Signal.
var (
	_ Signal = (*signals.SyncSignal[int])(nil)
	_ Signal = (*signals.AsyncSignal[int])(nil)
)

// Handler serves the introspection page: see the package documentation.
// Create one with [New]. A Handler is safe for concurrent use, and must not
// be copied.
type Handler struct {
	read Authorizer // nil: loopback clients only
	cfg  *config

	mu         sync.Mutex
	registered []registration // in the order of Register; under mu
	nextID     uint64         // under mu

	actMu sync.Mutex // serializes the actions that change settings
}

type registration struct {
	id  uint64
	sig Signal
}

// New returns a Handler that serves the page to the requests that read
// accepts, and answers the others with 401 Unauthorized and no data.
//
// A nil read is accepted only with [WithUnauthenticatedLoopback], and then
// only loopback clients are served; otherwise New returns an error wrapping
// [ErrNoAuthorizer], as it does for [WithActions] with a nil authorizer.
// Use [BearerToken] for a token, or any function of the request, such as
// one that checks a client certificate or a session.
func New(read Authorizer, opts ...Option) (*Handler, error) {
	cfg := newConfig(opts)
	if read == nil && !cfg.loopback {
		return nil, fmt.Errorf("%w: New(nil)", ErrNoAuthorizer)
	}
	if cfg.actions && cfg.act == nil && !cfg.loopback {
		return nil, fmt.Errorf("%w: WithActions(nil)", ErrNoAuthorizer)
	}
	return &Handler{read: read, cfg: cfg}, nil
}

// Register adds sig to the page, for a signal that is not instrumented
// with otelsignals.Instrument (those are listed without registering), or
// for a handler built [WithInstrumented](false). It returns an error
// wrapping [ErrNilSignal] for a nil sig, and one wrapping
// [ErrAlreadyRegistered] if sig is registered already. The handler keeps a
// reference to sig until [Handler.Unregister].
func (h *Handler) Register(sig Signal) error {
	if isNil(sig) {
		return fmt.Errorf("%w: Register", ErrNilSignal)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.registered {
		if same(r.sig, sig) {
			return fmt.Errorf("%w: %q", ErrAlreadyRegistered, sig.Name())
		}
	}
	h.nextID++
	h.registered = append(h.registered, registration{h.nextID, sig})
	return nil
}

// Unregister removes sig from the page, and the handler's reference to it,
// and reports whether it was registered.
func (h *Handler) Unregister(sig Signal) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.registered)
	h.registered = slices.DeleteFunc(h.registered, func(r registration) bool { return same(r.sig, sig) })
	return len(h.registered) < n
}

// isNil reports whether sig is nil or a nil pointer.
func isNil(sig any) bool {
	if sig == nil {
		return true
	}
	v := reflect.ValueOf(sig)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// same reports whether a and b are the same signal, without panicking on
// values of a type that cannot be compared.
func same(a, b any) bool {
	t := reflect.TypeOf(a)
	return t == reflect.TypeOf(b) && t.Comparable() && a == b
}

// described is what every signal of the page offers: what
// otelsignals.Signal and Signal have in common.
type described interface {
	Name() string
	Kind() signals.Kind
	Stats() signals.Stats
}

// entry is one signal of the page.
type entry struct {
	id   string
	reg  bool                      // registered with Register
	seq  uint64                    // the number in id
	base described                 // what every signal offers
	sig  Signal                    // nil if base offers no more
	inst *otelsignals.Instrumented // nil if not instrumented
}

// name returns the signal's name.
func (e *entry) name() string { return e.base.Name() }

// entries returns every signal of the page, sorted by name and then by ID.
func (h *Handler) entries() []entry {
	var insts []otelsignals.Instrumented
	if h.cfg.instrumented || h.hasRegistered() {
		insts = otelsignals.InstrumentedSignals()
	}
	var out []entry
	if h.cfg.instrumented {
		out = make([]entry, 0, len(insts))
		for i := range insts {
			in := &insts[i]
			sig, _ := in.Signal.(Signal)
			out = append(out, entry{id: "i" + strconv.FormatUint(in.ID, 10), seq: in.ID, base: in.Signal, sig: sig, inst: in})
		}
	}
	h.mu.Lock()
	registered := slices.Clone(h.registered)
	h.mu.Unlock()
	for _, r := range registered {
		e := entry{id: "r" + strconv.FormatUint(r.id, 10), reg: true, seq: r.id, base: r.sig, sig: r.sig}
		for i := range insts {
			if same(insts[i].Signal, r.sig) {
				e.inst = &insts[i]
				break
			}
		}
		if h.cfg.instrumented && e.inst != nil {
			continue // listed as instrumented already
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b entry) int {
		return cmp.Or(strings.Compare(a.name(), b.name()), compareBool(a.reg, b.reg), cmp.Compare(a.seq, b.seq))
	})
	return out
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

// hasRegistered reports whether any signal is registered.
func (h *Handler) hasRegistered() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.registered) > 0
}

// lookup returns the signal with the given ID.
func (h *Handler) lookup(id string) (entry, bool) {
	for _, e := range h.entries() {
		if e.id == id {
			return e, true
		}
	}
	return entry{}, false
}

// ServeHTTP serves the page for GET and HEAD, and actions for POST (see
// [WithActions]).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if !h.mayRead(r) {
			h.refuse(w, r)
			return
		}
		h.serveRead(w, r)
	case http.MethodPost:
		h.serveAction(w, r)
	default:
		allow := "GET, HEAD"
		if h.cfg.actions {
			allow += ", POST"
		}
		hdr.Set("Allow", allow)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// mayRead reports whether r may read the page.
func (h *Handler) mayRead(r *http.Request) bool {
	if h.read == nil {
		return fromLoopback(r)
	}
	return h.read(r)
}

// mayAct reports whether r may run actions.
func (h *Handler) mayAct(r *http.Request) bool {
	if !h.cfg.actions {
		return false
	}
	if h.cfg.act == nil {
		return fromLoopback(r)
	}
	return h.cfg.act(r)
}

// refuse answers a request that may not read: 403 to a client that a
// loopback-only handler does not serve, 401 with a Bearer challenge to the
// others. The response holds no data of the page.
func (h *Handler) refuse(w http.ResponseWriter, _ *http.Request) {
	if h.read == nil {
		http.Error(w, "forbidden: served to loopback clients only", http.StatusForbidden)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="signalz"`)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

// wantsJSON reports whether r asks for JSON: ?format=json, or an Accept
// header that names application/json.
func wantsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "json"
	}
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// query is what a GET asks for.
type query struct {
	id       string
	offset   int
	limit    int
	prefix   string
	disabled bool
	refresh  int // seconds; 0: none
	notice   string
	json     bool
	canAct   bool
}

// Bounds of the refresh parameter, in seconds.
const maxRefresh = 3600

func (h *Handler) parseQuery(r *http.Request) query {
	v := r.URL.Query()
	q := query{
		id:     v.Get("id"),
		prefix: v.Get("key"),
		json:   wantsJSON(r),
		limit:  h.cfg.pageSize,
		canAct: h.mayAct(r),
	}
	q.disabled = v.Get("state") == "disabled"
	if n, err := strconv.Atoi(v.Get("offset")); err == nil && n > 0 {
		q.offset = n
	}
	if n, err := strconv.Atoi(v.Get("limit")); err == nil && n > 0 {
		q.limit = min(n, MaxPageSize)
	}
	if n, err := strconv.Atoi(v.Get("refresh")); err == nil && n > 0 {
		q.refresh = min(n, maxRefresh)
	}
	q.notice = notices[v.Get("done")]
	return q
}

// serveRead serves the index or a signal's page.
func (h *Handler) serveRead(w http.ResponseWriter, r *http.Request) {
	q := h.parseQuery(r)
	rep, status := h.report(q)
	if q.json {
		writeJSON(w, status, rep)
		return
	}
	h.writePage(w, status, q, rep)
}

// report builds the report that q asks for, and the status to answer with:
// 404 for an unknown signal.
func (h *Handler) report(q query) (*Report, int) {
	rep := &Report{Time: time.Now(), Offset: q.offset, Limit: q.limit, Signals: []SignalReport{}, Actions: q.canAct}
	if q.id != "" {
		e, ok := h.lookup(q.id)
		if !ok {
			rep.Offset, rep.Limit = 0, 0
			return rep, http.StatusNotFound
		}
		rep.Total, rep.Offset, rep.Limit = 1, 0, 1
		lq := listenerQuery{prefix: q.prefix, disabled: q.disabled, offset: q.offset, limit: q.limit}
		rep.Signals = append(rep.Signals, signalReport(&e, &lq))
		return rep, http.StatusOK
	}
	all := h.entries()
	rep.Total = len(all)
	if q.offset < len(all) {
		for _, e := range all[q.offset:min(len(all), q.offset+q.limit)] {
			rep.Signals = append(rep.Signals, signalReport(&e, nil))
		}
	}
	return rep, http.StatusOK
}

// signalReport describes e, with a page of its listeners if lq is not nil.
func signalReport(e *entry, lq *listenerQuery) SignalReport {
	st := e.base.Stats()
	sr := statsReport(e.id, e.name(), e.base.Kind(), st)
	if e.inst != nil {
		sr.Settings = settingsReport(e.inst)
	}
	if e.sig == nil {
		sr.Limited = true
		return sr
	}
	if reasons := healthReasons(e.sig.Health()); len(reasons) > 0 {
		sr.Healthy, sr.Health = false, reasons
	}
	if lq != nil {
		sr.KeyedListeners, sr.ListenerPage = listenerPage(e.sig, st, *lq)
	} else {
		sr.KeyedListeners = len(e.sig.Keys())
	}
	return sr
}

// audit writes one record of the audit log.
func (h *Handler) audit(level slog.Level, msg string, attrs ...slog.Attr) {
	h.cfg.audit.LogAttrs(context.Background(), level, msg, attrs...)
}
