package property

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/signalkit/sdk/signals"
)

// The payload of every emission in these tests is the emission's id, and the
// emission's context carries the same id under idKey: a listener can check
// that it received what was emitted, whatever its neighbours did.
type idKey struct{}

// cancelKey holds the emission context's cancel function, for listeners that
// cancel the emission they run in (behCancel).
type cancelKey struct{}

// behavior is what a listener does when called.
type behavior uint8

const (
	behOK     behavior = iota // returns normally
	behErr                    // returns lerr (error-aware listeners only)
	behPanic                  // panics with pval
	behCancel                 // cancels the emission's context, then returns normally
	behRemove                 // removes the listener with its target key from the signal, then returns normally
	behReset                  // resets the signal, then returns normally
)

func (b behavior) String() string {
	return [...]string{"ok", "err", "panic", "cancel", "remove", "reset"}[b]
}

// fails reports whether a call of a listener with behavior b is a failure.
func (b behavior) fails() bool { return b == behErr || b == behPanic }

// lerr is the error listener lid returns from emission eid.
type lerr struct{ lid, eid int }

func (e lerr) Error() string { return fmt.Sprintf("listener %d failed emission %d", e.lid, e.eid) }

// pval is the value listener lid panics with in emission eid.
type pval struct{ lid, eid int }

// call is one listener call seen by a probe.
type call struct {
	lid, eid int
	seq      int64 // global order in which calls started
}

// removal is a RemoveListener call made by a listener.
type removal struct {
	lid, eid int
	key      string
	result   int
}

// probe makes listeners that record their calls. It is safe for concurrent
// use.
type probe struct {
	sig signal // the signal reentrant listeners change

	mu       sync.Mutex
	seq      int64
	calls    []call
	removals []removal
	problems []string
	active   atomic.Int64 // listener calls in progress
}

func (p *probe) enter(ctx context.Context, lid, eid int) {
	p.active.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	p.calls = append(p.calls, call{lid: lid, eid: eid, seq: p.seq})
	if got, _ := ctx.Value(idKey{}).(int); got != eid {
		p.problems = append(p.problems, fmt.Sprintf("listener %d: payload %d with context value %v", lid, eid, ctx.Value(idKey{})))
	}
}

func (p *probe) leave() { p.active.Add(-1) }

// act does what b says, after the call has been recorded. target is the key
// a behRemove listener removes.
func (p *probe) act(ctx context.Context, lid, eid int, b behavior, target string) {
	switch b {
	case behPanic:
		panic(pval{lid, eid})
	case behCancel:
		if cancel, ok := ctx.Value(cancelKey{}).(context.CancelFunc); ok {
			cancel()
		}
	case behRemove:
		n := p.sig.RemoveListener(target)
		p.mu.Lock()
		p.removals = append(p.removals, removal{lid: lid, eid: eid, key: target, result: n})
		p.mu.Unlock()
	case behReset:
		p.sig.Reset()
	}
}

// plain returns a listener with behavior b (not behErr).
func (p *probe) plain(lid int, b behavior, target string) signals.Listener[int] {
	return func(ctx context.Context, eid int) {
		p.enter(ctx, lid, eid)
		defer p.leave()
		p.act(ctx, lid, eid, b, target)
	}
}

// withErr returns an error-aware listener with behavior b.
func (p *probe) withErr(lid int, b behavior, target string) signals.SignalListenerErr[int] {
	return func(ctx context.Context, eid int) error {
		p.enter(ctx, lid, eid)
		defer p.leave()
		if b == behErr {
			return lerr{lid, eid}
		}
		p.act(ctx, lid, eid, b, target)
		return nil
	}
}

// take returns the calls recorded since the last take, in the order they
// started, and the problems seen.
func (p *probe) take() ([]call, []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	calls, problems := p.calls, p.problems
	p.calls, p.problems = nil, nil
	slices.SortFunc(calls, func(a, b call) int { return int(a.seq - b.seq) })
	return calls, problems
}

// takeRemovals returns the removals made by listeners since the last take,
// in the order they were made.
func (p *probe) takeRemovals() []removal {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.removals
	p.removals = nil
	return r
}

// handlerLog records what the signal's error handler receives.
type handlerLog struct {
	mu       sync.Mutex
	byKey    map[string]int
	problems []string
}

func (h *handlerLog) handle(_ context.Context, key string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byKey == nil {
		h.byKey = map[string]int{}
	}
	h.byKey[key]++
	var le lerr
	var pe *signals.PanicError
	switch {
	case errors.As(err, &pe):
		if pe.Key != key {
			h.problems = append(h.problems, fmt.Sprintf("handler: key %q with a PanicError of key %q", key, pe.Key))
		}
		if _, ok := pe.Value.(pval); !ok {
			h.problems = append(h.problems, fmt.Sprintf("handler: panic value %#v", pe.Value))
		}
	case errors.As(err, &le):
	default:
		h.problems = append(h.problems, fmt.Sprintf("handler: unexpected error %v", err))
	}
}

func (h *handlerLog) snapshot() (map[string]int, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := make(map[string]int, len(h.byKey))
	for k, v := range h.byKey {
		m[k] = v
	}
	return m, append([]string(nil), h.problems...)
}

// signal is what both signal types offer that the tests use.
type signal interface {
	signals.Signal[int]
	Stats() signals.Stats
	EnableStats(bool)
	EnableListenerMetrics(bool)
	SetBreakerThreshold(int)
	EnableListener(string) bool
	EnableListeners() int
}

var (
	_ signal = (*signals.SyncSignal[int])(nil)
	_ signal = (*signals.AsyncSignal[int])(nil)
)
