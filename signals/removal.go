package signals

import (
	"reflect"
	"runtime"
	"strings"
	"sync"
)

// This file makes the promise of RemoveListener and Reset true: once they have
// returned, no call of a listener they removed is in progress on another
// goroutine, and no emission starts one.
//
// Every emission counts a listener call in the listener's entry before it
// looks at the entry's state bits, in one atomic add (entry.enter), and takes
// the call away when the listener has returned (BaseSignal.leave). A remover
// sets stateRemoved: an emission whose add came first is counted, and one whose
// add came after sees the bit and does not call. The remover then waits until
// the count has dropped. Emission stays free of locks: the cost is a second
// atomic add per listener call instead of a load (docs/performance.md has the
// numbers).
//
// The remover must not wait for calls on its own goroutine: a listener that
// removes itself, or a listener of a nested emission that removes a listener
// it runs inside of, would wait for itself forever. Go has no goroutine
// identity, so the remover reads its own stack, and only when calls are in
// progress (callsOnThisGoroutine): a listener call in progress on this
// goroutine is a frame of this package's emission code (callSites) with the
// listener's function directly above it. It counts the calls of functions
// that may be the removed listener's, and waits until the entry's count
// drops to that number. Functions are known by name; where a name does not
// say which function runs (a method value of an interface, a function made
// by package reflect), any function that may be it counts, so that a remover
// may wait for too few calls, never for itself.

// removals is where RemoveListener and Reset wait for calls in progress to
// end. The zero value is ready to use.
type removals struct {
	mu sync.Mutex
	ch chan struct{} // closed by wake; made by next when a remover waits
}

// wake wakes the removers waiting for calls to end, after a call of an entry
// with stateWaited has ended.
func (r *removals) wake() {
	r.mu.Lock()
	if r.ch != nil {
		close(r.ch)
		r.ch = nil
	}
	r.mu.Unlock()
}

// next returns a channel that the next wake closes.
func (r *removals) next() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ch == nil {
		r.ch = make(chan struct{})
	}
	return r.ch
}

// awaitCalls waits until no call of the removed entries es is in progress,
// except calls on the calling goroutine. The caller has set stateRemoved on
// each, and does not hold s.mu: a listener still running may add or remove
// listeners.
func (s *BaseSignal[T]) awaitCalls(es []*entry[T]) {
	var own *ownCalls // read from the stack when first needed
	for _, e := range es {
		if calls(e.state.Load()) == 0 {
			continue
		}
		if own == nil {
			own = callsOnThisGoroutine()
		}
		mine := own.of(listenerName(e))
		// Ask the calls in progress to wake us when they end. The bit stays
		// set: the entry is removed for good, and a wake nobody waits for
		// costs a lock.
		if calls(e.state.Or(stateWaited)) <= mine {
			continue
		}
		for {
			ch := s.removals.next()
			if calls(e.state.Load()) <= mine {
				break
			}
			<-ch
		}
	}
}

// listenerName returns the name of e's function as the runtime knows it, or
// "" if it has none.
func listenerName[T any](e *entry[T]) string {
	var fn any = e.fn
	if e.errFn != nil {
		fn = e.errFn
	}
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		return f.Name()
	}
	return ""
}

// pkgPrefix is what the names of this package's functions start with.
var pkgPrefix = reflect.TypeFor[removals]().PkgPath() + "."

// callSites are the ends of the names of the functions of this package that
// call listeners: while a listener runs, the frame directly under it is one of
// them. Generic types appear in function names as [...].
var callSites = []string{
	").emitFast",
	").tryEmitFast",
	").callCounted",
	").callOne",
	").callObserved",
}

// recoveries are the functions whose deferred function handles a listener that
// did not return normally and may go on with the emission: while it does, the
// frames between the panic (or runtime.Goexit) and that function are being
// unwound, and their listener calls are no longer counted.
var recoveries = []string{
	").emitFast",
	").tryEmitFast",
	").callCounted",
	").callFrom",
	").helpOut",
}

// ownCalls are the listener calls in progress on one goroutine: the names of
// the functions that this package's emission code is calling.
type ownCalls struct {
	callees []string
}

// callsOnThisGoroutine reads the calling goroutine's stack.
func callsOnThisGoroutine() *ownCalls {
	return &ownCalls{callees: listenerCalls(stackNames(1))}
}

// listenerCalls returns the functions that this package's emission code calls
// in the stack of function names, innermost first, skipping the frames being
// unwound under a recovery.
func listenerCalls(names []string) []string {
	var callees []string
	for i := 1; i < len(names); i++ {
		name := names[i]
		if name == "runtime.gopanic" || name == "runtime.Goexit" {
			// names[i-1] is a deferred function the panic or Goexit runs.
			// If it is a recovery of ours, the frames down to its function
			// are being unwound: skip them, that function included, since
			// its call of the listener that failed is over.
			if owner, ok := recoveryOwner(names[i-1]); ok {
				for j := i + 1; j < len(names); j++ {
					if names[j] == owner {
						i = j
						break
					}
				}
			}
			continue
		}
		if isOurs(name, callSites) {
			callees = append(callees, names[i-1])
		}
	}
	return callees
}

// recoveryOwner returns the function whose deferred closure deferred is, if it
// is one of the recoveries.
func recoveryOwner(deferred string) (string, bool) {
	i := strings.LastIndex(deferred, ".func")
	if i < 0 {
		return "", false
	}
	owner := deferred[:i]
	return owner, isOurs(owner, recoveries)
}

func isOurs(name string, ends []string) bool {
	if !strings.HasPrefix(name, pkgPrefix) {
		return false
	}
	for _, end := range ends {
		if strings.HasSuffix(name, end) {
			return true
		}
	}
	return false
}

// of returns how many of the calls may be calls of the function named fn.
func (o *ownCalls) of(fn string) uint32 {
	var n uint32
	for _, callee := range o.callees {
		if mayBe(callee, fn) {
			n++
		}
	}
	return n
}

// mayBe reports whether a frame of the function named callee may be a call of
// a listener whose function is named fn.
func mayBe(callee, fn string) bool {
	switch {
	case callee == fn:
		return true
	case fn == "" || strings.HasPrefix(fn, "reflect."):
		// reflect.MakeFunc, or a method value made by package reflect: the
		// function that runs has another name. Any listener may be it.
		return !strings.HasPrefix(callee, pkgPrefix)
	case strings.HasSuffix(fn, "-fm"):
		// A method value: its wrapper (T.M-fm) is left out of the stack,
		// and the method that runs is T.M, or for a method value of an
		// interface or of a promoted method, the method of that name of
		// another type.
		m := strings.TrimSuffix(fn, "-fm")
		return callee == m || strings.HasSuffix(callee, m[strings.LastIndexByte(m, '.'):])
	}
	return false
}
