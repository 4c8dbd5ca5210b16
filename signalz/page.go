package signalz

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the page's template
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// pageTemplate is the page, rendered on the server: no script runs in it,
// and html/template escapes every value for the context it appears in, so
// that a listener key or an error text such as "<script>" shows as text.
//
//go:embed page.html
var pageTemplate string

// page is the parsed template; it is never modified after the package is
// initialized, and a Template is safe for concurrent execution.
var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"onoff":          onoff,
	"optbool":        optbool,
	"pct":            pct,
	"seconds":        seconds,
	"when":           when,
	"unkeyed":        func(s SignalReport) int { return s.Listeners - s.KeyedListeners },
	"switchForm":     switchForm,
	"overrideTiming": overrideTiming,
}).Parse(pageTemplate))

// contentSecurityPolicy allows the page nothing but its own stylesheet,
// forms that post to itself, and images from nowhere: even an injection
// that escaped the template could not run a script.
var contentSecurityPolicy = "default-src 'none'; style-src '" + styleHash(pageTemplate) +
	"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// styleHash returns the CSP source of the page's inline stylesheet:
// 'sha256-' and the base64 of the SHA-256 of the text between <style> and
// </style>, which the template copies as it is.
func styleHash(tmpl string) string {
	_, after, _ := strings.Cut(tmpl, "<style>")
	css, _, _ := strings.Cut(after, "</style>")
	sum := sha256.Sum256([]byte(css))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// pageView is what the template renders.
type pageView struct {
	Report   *Report
	Signal   *SignalReport // on a signal's page
	NotFound bool
	ID       string // asked for
	Notice   string
	Refresh  int
	CanAct   bool
	Time     string
	From, To int // the items shown, from 1
	Pager    pager

	params url.Values // of the current page, for links
}

type pager struct{ Prev, Next string }

type refreshChoice struct {
	Label   string
	URL     string
	Current bool
}

// refreshChoices are the refresh intervals the page offers, in seconds.
var refreshChoices = []int{0, 5, 30}

// RefreshChoices returns the links that set the refresh interval.
func (v *pageView) RefreshChoices() []refreshChoice {
	out := make([]refreshChoice, 0, len(refreshChoices))
	for _, n := range refreshChoices {
		c := refreshChoice{Label: "off", URL: v.Link("refresh", "", "done", ""), Current: v.Refresh == n}
		if n > 0 {
			c.Label, c.URL = strconv.Itoa(n)+" s", v.Link("refresh", strconv.Itoa(n), "done", "")
		}
		out = append(out, c)
	}
	return out
}

// Link returns a relative URL, "?query", for the current page's parameters
// with those of kv (name, value pairs) set; an empty value removes the
// parameter.
func (v *pageView) Link(kv ...string) string {
	q := url.Values{}
	for k, vs := range v.params {
		q[k] = vs
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	return "?" + q.Encode()
}

// writePage renders the page of rep.
func (h *Handler) writePage(w http.ResponseWriter, status int, q query, rep *Report) {
	v := &pageView{
		Report:  rep,
		ID:      q.id,
		Notice:  q.notice,
		Refresh: q.refresh,
		CanAct:  q.canAct,
		Time:    rep.Time.Format("2006-01-02 15:04:05 MST"),
		params:  url.Values{},
	}
	for k, val := range map[string]string{"id": q.id, "key": q.prefix} {
		if val != "" {
			v.params.Set(k, val)
		}
	}
	if q.disabled {
		v.params.Set("state", "disabled")
	}
	if q.refresh > 0 {
		v.params.Set("refresh", strconv.Itoa(q.refresh))
	}
	if q.limit != h.cfg.pageSize {
		v.params.Set("limit", strconv.Itoa(q.limit))
	}
	if q.offset > 0 {
		v.params.Set("offset", strconv.Itoa(q.offset))
	}
	total, shown := rep.Total, len(rep.Signals)
	switch {
	case status == http.StatusNotFound:
		v.NotFound = true
	case q.id != "":
		v.Signal = &rep.Signals[0]
		if lp := v.Signal.ListenerPage; lp != nil {
			total, shown = lp.Total, len(lp.Listeners)
		} else {
			total, shown = 0, 0
		}
	}
	if shown > 0 {
		v.From, v.To = q.offset+1, q.offset+shown
	}
	if q.offset > 0 {
		v.Pager.Prev = v.Link("offset", offsetParam(max(q.offset-q.limit, 0)), "done", "")
	}
	if q.offset+q.limit < total {
		v.Pager.Next = v.Link("offset", offsetParam(q.offset+q.limit), "done", "")
	}

	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		// Only a defect of the template gets here: its tests render every
		// part of it.
		http.Error(w, "signalz: rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", contentSecurityPolicy)
	hdr.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // a failed write means the client went away
}

// offsetParam returns the offset parameter for n: "" (none) for 0.
func offsetParam(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// writeJSON writes v as indented JSON. encoding/json escapes <, > and & in
// strings, so that the document is safe even if a browser renders it.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // a failed write means the client went away
}

// switchView is the data of the template "switch": a form that switches a
// setting of the signal on the page.
type switchView struct {
	Action string
	ID     string
	On     bool
}

func switchForm(v *pageView, action string, on bool) switchView {
	return switchView{Action: action, ID: v.Signal.ID, On: on}
}

func onoff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func optbool(p *bool) string {
	if p == nil {
		return unset
	}
	return onoff(*p)
}

// pct formats a fraction as a percentage.
func pct(f float64) string {
	return strconv.FormatFloat(f*100, 'g', 4, 64) + " %"
}

// seconds formats a number of seconds as a duration.
func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).String()
}

// when formats a time to the second, or "–" for the zero time.
func when(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.Format("2006-01-02 15:04:05")
}

// overrideTiming describes the timing fields of an override.
func overrideTiming(o *OverrideReport) string {
	var parts []string
	if o.DurationBudget != nil {
		parts = append(parts, "budget "+strconv.Itoa(*o.DurationBudget)+"/s")
	}
	if o.DurationSampleRate != nil {
		parts = append(parts, "rate "+pct(*o.DurationSampleRate))
	}
	if len(parts) == 0 {
		return unset
	}
	return strings.Join(parts, ", ")
}
