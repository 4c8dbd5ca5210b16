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
// Emissions announce the calls they make in call slots, or count them in the
// listeners' handles (calls.go), before they look at the listener's state. A
// remover marks the listeners removed, then looks for the calls announced or
// counted: an emission whose announcement came first is found, and one whose
// announcement came after sees the mark and does not call. The remover then
// waits until the calls it found have ended. Emission stays free of locks.
//
// The remover must not wait for calls on its own goroutine: a listener that
// removes itself, or a listener of a nested emission that removes a listener
// it runs inside of, would wait for itself forever. Go has no goroutine
// identity, so the remover reads its own stack, and only when calls are in
// progress (callsOnThisGoroutine): a listener call in progress on this
// goroutine is a frame of this package's emission code (callSites) with the
// listener's function directly above it. It counts the calls of functions
// that may be those of a removed listener, and waits until the calls in
// progress drop to that number. Functions are known by name; where a name does
// not say which function runs (a method value of an interface, a function made
// by package reflect), any function that may be it counts, so that a remover
// may wait for too few calls, never for itself.

// notifier lets goroutines wait until another goroutine says that something
// may have changed: RemoveListener and Reset wait in one for calls to end, a
// closing AsyncSignal for its deliveries to end, a producer for room in a full
// queue. A waiter takes the channel (next), checks its condition, and waits on
// the channel if the condition does not hold; whoever changes the condition
// changes it first, then wakes. The zero value is ready to use.
type notifier struct {
	mu sync.Mutex
	ch chan struct{} // closed by wake; made by next when someone waits
}

// wake wakes the goroutines waiting on the notifier.
func (r *notifier) wake() {
	r.mu.Lock()
	if r.ch != nil {
		close(r.ch)
		r.ch = nil
	}
	r.mu.Unlock()
}

// next returns a channel that the next wake closes.
func (r *notifier) next() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ch == nil {
		r.ch = make(chan struct{})
	}
	return r.ch
}

// removal is what one RemoveListener or Reset has removed, as the calls in
// progress name it.
type removal[T any] struct {
	gen     *handle    // the generation Reset removed; nil for RemoveListener
	entries []entry[T] // the listeners removed
	handles map[uintptr]bool
}

// inProgress returns the number of calls of removed listeners in progress:
// announced in a call slot, or counted in a handle.
func (r *removal[T]) inProgress() uint32 {
	var n uint32
	if r.gen != nil {
		n += countedCalls(r.gen.state.Load())
	}
	for i := range r.entries {
		if h := r.entries[i].h; h != nil {
			n += countedCalls(h.state.Load())
		}
	}
	for i := range callSlots.slots {
		if h := callSlots.slots[i].cur.Load(); h != 0 && h != id(noCall) && r.removed(h) {
			n++
		}
	}
	return n
}

// removed reports whether a call slot's announcement h is that of a removed
// listener, or of the removed generation.
func (r *removal[T]) removed(h uintptr) bool {
	if r.gen != nil && h == id(r.gen) {
		return true
	}
	if len(r.entries) == 1 {
		return r.entries[0].h != nil && id(r.entries[0].h) == h
	}
	if r.handles == nil {
		r.handles = make(map[uintptr]bool, len(r.entries))
		for i := range r.entries {
			if h := r.entries[i].h; h != nil {
				r.handles[id(h)] = true
			}
		}
	}
	return r.handles[h]
}

// markWaited asks the emissions that end a call of a removed listener to
// wake the removers. The bit stays set: the listeners are removed for good,
// and a wake nobody waits for costs a lock.
func (r *removal[T]) markWaited() {
	if r.gen != nil {
		r.gen.state.Or(stateWaited)
	}
	for i := range r.entries {
		if h := r.entries[i].h; h != nil {
			h.state.Or(stateWaited)
		}
	}
}

// awaitCalls waits until no call of the removed listeners is in progress,
// except calls on the calling goroutine. The caller has marked them removed,
// and does not hold s.mu: a listener still running may add or remove
// listeners.
func (s *BaseSignal[T]) awaitCalls(r *removal[T]) {
	if r.inProgress() == 0 {
		return
	}
	mine := of(callsOnThisGoroutine(), r.entries)
	r.markWaited()
	for {
		ch := s.removals.next()
		if r.inProgress() <= mine {
			return
		}
		<-ch
	}
}

// listenerName returns the name of x's function as the runtime knows it, or
// "" if it has none.
func listenerName[T any](x *entry[T]) string {
	var fn any = x.fn
	if x.errFn != nil {
		fn = x.errFn
	}
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		return f.Name()
	}
	return ""
}

// pkgPrefix is what the names of this package's functions start with.
var pkgPrefix = reflect.TypeFor[notifier]().PkgPath() + "."

// callSites are the ends of the names of the functions of this package that
// call listeners: while a listener runs, the frame directly under it is one of
// them. Generic types appear in function names as [...].
var callSites = []string{
	").emitFast",
	").emitView",
	".callPlain[...]",
	".callPlainPairs[...]",
	").callFast",
	").deliverAll",
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
	").emitView",
	").callFast",
	").deliverAll",
	").drain",
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

// of returns how many of the calls may be calls of one of the listeners xs.
func of[T any](o *ownCalls, xs []entry[T]) uint32 {
	if len(o.callees) == 0 {
		return 0
	}
	names := make(map[string]bool)
	for i := range xs {
		names[listenerName(&xs[i])] = true
	}
	var n uint32
	for _, callee := range o.callees {
		for fn := range names {
			if mayBe(callee, fn) {
				n++
				break
			}
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
