package signals_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

// FuzzOperations decodes its input into a configuration and a sequence of
// operations on a SyncSignal or an AsyncSignal (adding listeners of every
// kind with keys from a small alphabet, removing, resetting, emitting,
// TryEmit, Enqueue, Close, and switching stats, listener metrics and the
// circuit breaker), runs them, and after every operation checks the signal
// against a simple model: Len, IsEmpty, Keys, HasKey, Metadata, Stats, who each
// emission called (and in which order, where the order is defined), what
// TryEmit returned, what the error handler and the collector received, and
// that every enqueued emission was delivered or counted as dropped.
//
// Listeners fail, panic, cancel their emission's context, or remove a
// listener while the emission runs, as the input says.
//
// The seed corpus is in testdata/fuzz/FuzzOperations; run the fuzzer with
//
//	go test -run '^$' -fuzz '^FuzzOperations$' -fuzztime 1m
func FuzzOperations(f *testing.F) {
	for _, seed := range fzSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fz := newFzRun(t, data)
		defer fz.close()
		fz.check()
		for i := 0; i < fzMaxOps && fz.more(); i++ {
			fz.step()
			fz.check()
		}
	})
}

// fzMaxOps bounds the work of one input.
const fzMaxOps = 48

// Operation codes: one byte each, most followed by one argument byte.
const (
	fzAdd = iota
	fzAddErr
	fzAddOnce
	fzAddOnceKey
	fzAddOnceErr
	fzAddOnceErrKey
	fzRemove
	fzReset
	fzEmit
	fzTryOrEnqueue // TryEmit on a SyncSignal, a burst of Enqueue on an AsyncSignal
	fzClose
	fzStats
	fzMetrics
	fzBreaker
	fzEnableAll
	fzOps
)

// fzSeeds are a few meaningful inputs; testdata/fuzz/FuzzOperations holds
// more, in the corpus file format.
var fzSeeds = [][]byte{
	// sync, stats on: add ok "a", add failing "b", emit, TryEmit, remove "a", emit
	{0x10, 0x00, 0x00, fzAdd, 0x10, fzAddErr, 0x21, fzEmit, 0x00, fzTryOrEnqueue, 0x00, fzRemove, 0x01, fzEmit, 0x00},
	// async, pool 2, queue 1, drop: two listeners, a burst of three enqueues, close
	{0x01, 0x11, 0x01, fzAdd, 0x00, fzAdd, 0x10, fzTryOrEnqueue, 0x02, fzClose, 0x00, fzEmit, 0x00},
	// sync, breaker 1: a panicking keyed listener trips, is re-enabled
	{0x40, 0x00, 0x00, fzAdd, 0x51, fzEmit, 0x00, fzEmit, 0x00, fzEnableAll, 0x00, fzEmit, 0x01},
}

// fzBehavior is what a listener does when called.
type fzBehavior uint8

const (
	fzOK fzBehavior = iota
	fzFail
	fzPanic
	fzCancel // cancels the emission's context
	fzRemoveKey
	fzBehaviors
)

func (b fzBehavior) fails() bool { return b == fzFail || b == fzPanic }

var fzKeys = []string{"", "a", "b", "c"}

type fzIDKey struct{}
type fzCancelKey struct{}

type fzErr struct{ lid, eid int }

func (e fzErr) Error() string { return fmt.Sprintf("listener %d failed emission %d", e.lid, e.eid) }

type fzPanicValue struct{ lid, eid int }

// fzListener is the model of a listener.
type fzListener struct {
	id             int
	key            string
	once, errAware bool
	beh            fzBehavior
	target         string // key a fzRemoveKey listener removes

	gone, disabled bool
	streak         int
	errors, calls  int64
}

type fzCall struct {
	lid, eid int
	seq      int64
}

type fzRun struct {
	t    *testing.T
	data []byte
	pos  int

	async    bool
	s        fzSignal
	sync     *signals.SyncSignal[int]
	as       *signals.AsyncSignal[int]
	queue    int
	overflow signals.OverflowPolicy
	col      *fzCollector

	// The model.
	list                     []*fzListener
	stats, metrics           bool
	breaker                  int
	published, closed        bool
	emissions, listenerCalls int64
	errs, panics, dropped    int64
	handled                  int64
	changes                  [signals.ChangeEnable + 1]int64

	nextLID, nextEID int

	mu       sync.Mutex
	seq      int64
	calls    []fzCall
	problems []string
	active   atomic.Int64
	handler  atomic.Int64
}

type fzSignal interface {
	signals.Signal[int]
	Stats() signals.Stats
	EnableStats(bool)
	EnableListenerMetrics(bool)
	SetBreakerThreshold(int)
	EnableListeners() int
}

func (fz *fzRun) more() bool { return fz.pos < len(fz.data) }

func (fz *fzRun) next() byte {
	if fz.pos >= len(fz.data) {
		return 0
	}
	b := fz.data[fz.pos]
	fz.pos++
	return b
}

// newFzRun decodes the configuration: byte 0 chooses the signal type
// (bit 0), stats (bit 4), listener metrics (bit 5) and the breaker threshold
// (bits 6-7); byte 1 the pool size (bits 0-1, plus 1), the queue size (bits
// 2-3, plus 1) and the overflow policy (bit 4); byte 2 what the collector
// observes.
func newFzRun(t *testing.T, data []byte) *fzRun {
	fz := &fzRun{t: t, data: data}
	c0, c1, c2 := fz.next(), fz.next(), fz.next()
	fz.async = c0&1 != 0
	fz.stats, fz.metrics, fz.breaker = c0&0x10 != 0, c0&0x20 != 0, int(c0>>6)
	opts := &signals.SignalOptions{
		Name:             "fuzz",
		Stats:            fz.stats,
		ListenerMetrics:  fz.metrics,
		BreakerThreshold: fz.breaker,
		ErrorHandler: func(_ context.Context, key string, err error) {
			fz.handler.Add(1)
			var fe fzErr
			var pe *signals.PanicError
			if !errors.As(err, &fe) && !(errors.As(err, &pe) && pe.Key == key) {
				fz.problem("error handler received %v for key %q", err, key)
			}
		},
	}
	if fz.async {
		// Deliveries are observed through the collector: its EmitEnd for a
		// delivery says that the delivery has ended.
		fz.col = &fzCollector{flags: signals.ObserveEnd | signals.Observe(c2&0x0e), delivered: map[int]chan struct{}{}}
		opts.WorkerPoolSize = int(c1&3) + 1
		opts.QueueSize = int(c1>>2&3) + 1
		if c1&0x10 != 0 {
			opts.Overflow = signals.OverflowDrop
		}
		fz.queue, fz.overflow = opts.QueueSize, opts.Overflow
		fz.as = signals.NewWithOptions[int](opts)
		fz.as.SetCollector(fz.col)
		fz.s = fz.as
		fz.published = true
	} else {
		fz.sync = signals.NewSyncWithOptions[int](opts)
		fz.s = fz.sync
		if c2&1 != 0 {
			// Observed by a collector: the general path for every emission.
			fz.col = &fzCollector{flags: signals.Observe(c2 & 0x0f), delivered: map[int]chan struct{}{}}
			fz.sync.SetCollector(fz.col)
		}
		fz.published = fz.observed()
	}
	return fz
}

// observed reports whether the signal has an observer: then Enqueue queues an
// emission even with no listener.
func (fz *fzRun) observed() bool {
	return fz.stats || fz.metrics || fz.breaker > 0 || fz.col != nil
}

func (fz *fzRun) close() {
	if fz.async {
		if err := fz.as.Close(); err != nil {
			fz.t.Errorf("Close = %v", err)
		}
	}
}

func (fz *fzRun) problem(format string, args ...any) {
	fz.mu.Lock()
	fz.problems = append(fz.problems, fmt.Sprintf(format, args...))
	fz.mu.Unlock()
}

// listener returns the two forms of model listener l.
func (fz *fzRun) listener(l *fzListener) (signals.Listener[int], signals.SignalListenerErr[int]) {
	body := func(ctx context.Context, eid int) error {
		fz.active.Add(1)
		defer fz.active.Add(-1)
		fz.mu.Lock()
		fz.seq++
		fz.calls = append(fz.calls, fzCall{l.id, eid, fz.seq})
		fz.mu.Unlock()
		if got, _ := ctx.Value(fzIDKey{}).(int); got != eid {
			fz.problem("listener %d: payload %d, context value %v", l.id, eid, ctx.Value(fzIDKey{}))
		}
		switch l.beh {
		case fzFail:
			return fzErr{l.id, eid}
		case fzPanic:
			panic(fzPanicValue{l.id, eid})
		case fzCancel:
			if cancel, ok := ctx.Value(fzCancelKey{}).(context.CancelFunc); ok {
				cancel()
			}
		case fzRemoveKey:
			fz.s.RemoveListener(l.target)
		}
		return nil
	}
	return func(ctx context.Context, eid int) { _ = body(ctx, eid) }, body
}

func (fz *fzRun) byKey(key string) *fzListener {
	if key == "" {
		return nil
	}
	for _, l := range fz.list {
		if l.key == key {
			return l
		}
	}
	return nil
}

func (fz *fzRun) drop(l *fzListener, c signals.Change) {
	l.gone = true
	fz.list = slices.DeleteFunc(fz.list, func(x *fzListener) bool { return x == l })
	fz.changes[c]++
}

func (fz *fzRun) removeKey(key string) int {
	l := fz.byKey(key)
	if l == nil {
		return -1
	}
	fz.drop(l, signals.ChangeRemove)
	return len(fz.list)
}

func (fz *fzRun) reset() {
	for _, l := range fz.list {
		l.gone = true
		fz.changes[signals.ChangeReset]++
	}
	fz.list = nil
	fz.published = true
}

// step decodes and runs one operation.
func (fz *fzRun) step() {
	code, arg := int(fz.next())%fzOps, fz.next()
	switch code {
	case fzAdd, fzAddErr, fzAddOnce, fzAddOnceKey, fzAddOnceErr, fzAddOnceErrKey:
		fz.add(code, arg)
	case fzRemove:
		key := fzKeys[arg%4]
		if got, want := fz.s.RemoveListener(key), fz.removeKey(key); got != want {
			fz.t.Fatalf("RemoveListener(%q) = %d, want %d", key, got, want)
		}
	case fzReset:
		fz.s.Reset()
		fz.reset()
	case fzEmit:
		fz.emit(arg, false)
	case fzTryOrEnqueue:
		if fz.async {
			fz.enqueue(arg)
		} else {
			fz.emit(arg, true)
		}
	case fzClose:
		if fz.async {
			fz.close()
			fz.closed = true
		}
	case fzStats:
		fz.stats = arg&1 != 0
		fz.s.EnableStats(fz.stats)
		fz.published = true
	case fzMetrics:
		fz.metrics = arg&1 != 0
		fz.s.EnableListenerMetrics(fz.metrics)
		fz.published = true
	case fzBreaker:
		fz.breaker = int(arg % 4)
		fz.s.SetBreakerThreshold(fz.breaker)
		fz.published = true
	case fzEnableAll:
		want := 0
		for _, l := range fz.list {
			if l.disabled {
				want++
				l.disabled, l.streak = false, 0
				fz.changes[signals.ChangeEnable]++
			}
		}
		if got := fz.s.EnableListeners(); got != want {
			fz.t.Fatalf("EnableListeners = %d, want %d", got, want)
		}
	}
}

// add decodes arg as a key (bits 0-1), a behavior (bits 4-6) and a removal
// target (bits 2-3).
func (fz *fzRun) add(code int, arg byte) {
	errAware := code == fzAddErr || code == fzAddOnceErr || code == fzAddOnceErrKey
	fz.nextLID++
	l := &fzListener{
		id:       fz.nextLID,
		key:      fzKeys[arg&3],
		once:     code >= fzAddOnce,
		errAware: errAware,
		beh:      fzBehavior(arg>>4) % fzBehaviors,
		target:   fzKeys[arg>>2&3],
	}
	if l.beh == fzFail && !errAware {
		l.beh = fzOK
	}
	if code == fzAddOnce || code == fzAddOnceErr {
		l.key = ""
	}
	plain, withErr := fz.listener(l)
	var got int
	switch code {
	case fzAdd:
		got = fz.s.AddListener(plain, l.key)
	case fzAddErr:
		got = fz.s.AddListenerWithErr(withErr, l.key)
	case fzAddOnce:
		got = fz.s.AddOnce(plain)
	case fzAddOnceKey:
		got = fz.s.AddOnceWithKey(plain, l.key)
	case fzAddOnceErr:
		got = fz.s.AddOnceWithErr(withErr)
	case fzAddOnceErrKey:
		got = fz.s.AddOnceWithErrAndKey(withErr, l.key)
	}
	want := -1
	if fz.byKey(l.key) == nil {
		fz.list = append(fz.list, l)
		fz.published = true
		fz.changes[signals.ChangeAdd]++
		want = len(fz.list)
	}
	if got != want {
		fz.t.Fatalf("add (code %d, key %q) = %d, want %d", code, l.key, got, want)
	}
}

// context returns the context of emission eid: mode 0 cannot be cancelled,
// mode 1 can, mode 2 is cancelled already.
func (fz *fzRun) context(mode byte, eid int) (context.Context, context.CancelFunc) {
	ctx := context.WithValue(context.Background(), fzIDKey{}, eid)
	if mode == 0 {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	ctx = context.WithValue(ctx, fzCancelKey{}, cancel)
	if mode == 2 {
		cancel()
	}
	return ctx, cancel
}

func (fz *fzRun) take() []fzCall {
	fz.mu.Lock()
	defer fz.mu.Unlock()
	if len(fz.problems) > 0 {
		fz.t.Fatalf("listeners: %v", fz.problems)
	}
	calls := fz.calls
	fz.calls = nil
	slices.SortFunc(calls, func(a, b fzCall) int { return int(a.seq - b.seq) })
	return calls
}

// call applies one call of l to the model; try: TryEmit returns the failure.
func (fz *fzRun) call(l *fzListener, stats, metrics bool, breaker int, try bool) {
	if l.once {
		fz.drop(l, signals.ChangeOnceFired)
	}
	if metrics {
		l.calls++
	}
	if stats {
		fz.listenerCalls++
	}
	if !l.beh.fails() {
		if breaker > 0 {
			l.streak = 0
		}
		return
	}
	l.errors++
	if l.beh == fzPanic {
		fz.panics++
	} else {
		fz.errs++
	}
	if !try {
		fz.handled++
	}
	if breaker > 0 {
		l.streak++
		if fzTrips(l.streak-1, 1, breaker) && !l.disabled {
			l.disabled = true
			fz.changes[signals.ChangeDisable]++
		}
	}
}

// reenter applies what a fzRemoveKey listener did.
func (fz *fzRun) reenter(l *fzListener) {
	if l.beh == fzRemoveKey {
		fz.removeKey(l.target)
	}
}

// emit runs Emit or TryEmit with context mode arg%3.
func (fz *fzRun) emit(arg byte, try bool) {
	mode := arg % 3
	fz.nextEID++
	eid := fz.nextEID
	ctx, cancel := fz.context(mode, eid)
	defer cancel()
	concurrent := fz.async && !fz.closed && len(fz.list) > 1
	snapshot := slices.Clone(fz.list)
	stats, metrics, breaker := fz.stats, fz.metrics, fz.breaker
	var err error
	if try {
		err = fz.sync.TryEmit(ctx, eid)
	} else {
		fz.s.Emit(ctx, eid)
	}
	if n := fz.active.Load(); n != 0 {
		fz.t.Fatalf("Emit returned with %d listener calls running", n)
	}
	calls := fz.take()
	if stats && fz.published {
		fz.emissions++
	}
	if concurrent {
		fz.checkDeliveries(snapshot, []fzDelivery{{eid: eid, mode: mode}}, calls, stats, metrics, breaker)
		return
	}
	// Sequential: the model runs the emission.
	var want []int
	var failed *fzListener
	cancelled := mode == 2
	for _, l := range snapshot {
		if cancelled {
			break
		}
		if l.disabled || l.gone {
			continue
		}
		want = append(want, l.id)
		fz.call(l, stats, metrics, breaker, try)
		if l.beh == fzCancel && mode == 1 {
			cancelled = true
		}
		fz.reenter(l)
		if try && l.beh.fails() {
			failed = l
			break
		}
	}
	got := make([]int, len(calls))
	for i, c := range calls {
		got[i] = c.lid
		if c.eid != eid {
			fz.t.Fatalf("emission %d delivered payload %d", eid, c.eid)
		}
	}
	if !slices.Equal(got, want) {
		fz.t.Fatalf("emission %d (ctx mode %d) called %v, want %v in that order", eid, mode, got, want)
	}
	if !try {
		return
	}
	var pe *signals.PanicError
	switch {
	case failed != nil && failed.beh == fzFail:
		if err != error(fzErr{failed.id, eid}) {
			fz.t.Fatalf("TryEmit = %v, want the error of listener %d", err, failed.id)
		}
	case failed != nil:
		if !errors.As(err, &pe) || pe.Value != (fzPanicValue{failed.id, eid}) || pe.Key != failed.key {
			fz.t.Fatalf("TryEmit = %v, want the panic of listener %d", err, failed.id)
		}
	case cancelled:
		if !errors.Is(err, context.Canceled) {
			fz.t.Fatalf("TryEmit = %v, want context.Canceled", err)
		}
	case err != nil:
		fz.t.Fatalf("TryEmit = %v, want nil", err)
	}
}

type fzDelivery struct {
	eid       int
	mode      byte
	cancelled bool // a fzCancel listener ran in it
}

// checkDeliveries checks emissions whose listeners ran concurrently (an
// async Emit, or a burst of enqueued emissions), all with the same snapshot,
// and applies their effects: each listener is called at most once by each,
// and exactly once unless the emission's context was cancelled, a one-time
// listener was claimed by another, the breaker tripped, or a listener of the
// burst removed it.
func (fz *fzRun) checkDeliveries(snapshot []*fzListener, ds []fzDelivery, calls []fzCall, stats, metrics bool, breaker int) {
	byEID := map[int]*fzDelivery{}
	for i := range ds {
		byEID[ds[i].eid] = &ds[i]
	}
	type pair struct{ lid, eid int }
	count := map[pair]int{}
	total := map[int]int{}
	removed := map[string]bool{}
	for _, c := range calls {
		d := byEID[c.eid]
		l := fzFind(snapshot, c.lid)
		if d == nil || l == nil {
			fz.t.Fatalf("listener %d called by emission %d, which should not call it", c.lid, c.eid)
		}
		count[pair{c.lid, c.eid}]++
		total[c.lid]++
		if l.beh == fzCancel && d.mode == 1 {
			d.cancelled = true
		}
		if l.beh == fzRemoveKey {
			removed[l.target] = true
		}
	}
	for _, l := range snapshot {
		n := total[l.id]
		if (l.once && n > 1) || (l.disabled && n > 0) {
			fz.t.Fatalf("listener %d (once %v, disabled %v) called %d times", l.id, l.once, l.disabled, n)
		}
		tripped := l.beh.fails() && fzTrips(l.streak, n, breaker)
		for _, d := range ds {
			c := count[pair{l.id, d.eid}]
			switch {
			case c > 1:
				fz.t.Fatalf("emission %d called listener %d %d times", d.eid, l.id, c)
			case c == 1 && d.mode == 2:
				fz.t.Fatalf("emission %d with a cancelled context called listener %d", d.eid, l.id)
			case c == 0 && d.mode != 2 && !d.cancelled && !l.disabled && !(l.once && n == 1) && !tripped && !(l.key != "" && removed[l.key]):
				fz.t.Fatalf("emission %d lost listener %d (%d calls in %d emissions)", d.eid, l.id, n, len(ds))
			}
		}
	}
	for _, l := range snapshot {
		for range total[l.id] {
			fz.call(l, stats, metrics, breaker, false)
		}
	}
	for key := range removed {
		fz.removeKey(key)
	}
}

// enqueue enqueues a burst of arg%6+1 emissions (context modes from the next
// bytes), waits for each to be delivered or dropped, and checks them.
func (fz *fzRun) enqueue(arg byte) {
	k := int(arg%6) + 1
	snapshot := slices.Clone(fz.list)
	stats, metrics, breaker := fz.stats, fz.metrics, fz.breaker
	var ds []fzDelivery
	for i := range k {
		mode := fz.next() % 3
		fz.nextEID++
		eid := fz.nextEID
		ctx, cancel := fz.context(mode, eid)
		defer cancel()
		done := fz.col.expect(eid)
		err := fz.as.Enqueue(ctx, eid)
		mayBeFull := i >= fz.queue
		switch {
		case fz.closed:
			if !errors.Is(err, signals.ErrClosed) {
				fz.t.Fatalf("Enqueue after Close = %v", err)
			}
		case err == nil:
			ds = append(ds, fzDelivery{eid: eid, mode: mode})
			fz.wait(done, eid)
		case errors.Is(err, signals.ErrQueueFull) && fz.overflow == signals.OverflowDrop && mayBeFull:
			fz.dropped++
			fz.wait(done, eid) // the collector's Dropped
		case errors.Is(err, context.Canceled) && fz.overflow == signals.OverflowBlock && mayBeFull && mode == 2:
		default:
			fz.t.Fatalf("Enqueue %d of %d (%v, queue %d, ctx mode %d) = %v", i+1, k, fz.overflow, fz.queue, mode, err)
		}
	}
	if n := fz.active.Load(); n != 0 {
		fz.t.Fatalf("%d listener calls running after every delivery ended", n)
	}
	if stats {
		fz.emissions += int64(len(ds))
	}
	fz.checkDeliveries(snapshot, ds, fz.take(), stats, metrics, breaker)
}

// wait waits for the collector to report that emission eid was delivered or
// dropped. The bound is not a timing assertion: a delivery that does not come
// in a minute is lost.
func (fz *fzRun) wait(done <-chan struct{}, eid int) {
	select {
	case <-done:
	case <-time.After(time.Minute):
		fz.t.Fatalf("emission %d was neither delivered nor dropped", eid)
	}
}

// check compares the signal with the model.
func (fz *fzRun) check() {
	s := fz.s
	if got := s.Len(); got != len(fz.list) || s.IsEmpty() != (got == 0) {
		fz.t.Fatalf("Len = %d, IsEmpty = %v, want %d", got, s.IsEmpty(), len(fz.list))
	}
	keys := []string{}
	disabled := 0
	for _, l := range fz.list {
		if l.key != "" {
			keys = append(keys, l.key)
		}
		if l.disabled {
			disabled++
		}
	}
	if got := s.Keys(); !slices.Equal(got, keys) {
		fz.t.Fatalf("Keys = %q, want %q", got, keys)
	}
	for _, key := range append(fzKeys, "z") {
		l := fz.byKey(key)
		md := s.Metadata(key)
		if s.HasKey(key) != (l != nil) || (md != nil) != (l != nil) {
			fz.t.Fatalf("HasKey(%q) = %v, Metadata = %+v, want registered %v", key, s.HasKey(key), md, l != nil)
		}
		if l != nil && (md.IsOnce != l.once || md.IsErrorAware != l.errAware || md.ErrorCount != l.errors || md.CallCount != l.calls) {
			fz.t.Fatalf("Metadata(%q) = %+v, want once %v, error-aware %v, %d errors, %d calls", key, md, l.once, l.errAware, l.errors, l.calls)
		}
	}
	st := s.Stats()
	if st.Errors != fz.errs || st.Panics != fz.panics || st.Dropped != fz.dropped || st.Listeners != len(fz.list) ||
		st.DisabledListeners != disabled || st.StatsEnabled != fz.stats || st.Emissions != fz.emissions || st.ListenerCalls != fz.listenerCalls {
		fz.t.Fatalf("Stats = %+v, want %d errors, %d panics, %d dropped, %d listeners, %d disabled, stats %v, %d emissions, %d calls",
			st, fz.errs, fz.panics, fz.dropped, len(fz.list), disabled, fz.stats, fz.emissions, fz.listenerCalls)
	}
	if got := fz.handler.Load(); got != fz.handled {
		fz.t.Fatalf("error handler received %d failures, want %d", got, fz.handled)
	}
	if fz.col != nil {
		// A one-time listener claimed by one emission while a listener of
		// another removes it is reported as removed or as fired, depending
		// on which comes first: the two are compared together.
		got, want := fz.col.changeCounts(), fz.changes
		for _, c := range []*[signals.ChangeEnable + 1]int64{&got, &want} {
			c[signals.ChangeRemove] += c[signals.ChangeOnceFired]
			c[signals.ChangeOnceFired] = 0
		}
		if got != want {
			fz.t.Fatalf("collector ListenerChanged counts %v, want %v (by Change, from 1: add, remove+once_fired, reset, -, disable, enable)", got, want)
		}
	}
}

// fzTrips reports whether a listener whose run of failures goes from streak
// to streak+n is disabled by a breaker with the given threshold.
func fzTrips(streak, n, threshold int) bool {
	if threshold <= 0 || n <= 0 {
		return false
	}
	return streak+n >= threshold
}

func fzFind(ls []*fzListener, id int) *fzListener {
	for _, l := range ls {
		if l.id == id {
			return l
		}
	}
	return nil
}

// fzCollector reports the end of each delivery and each drop, by the
// emission id in the context, and counts listener changes.
type fzCollector struct {
	signals.NopCollector
	signals.NopObserver
	flags signals.Observe

	mu        sync.Mutex
	delivered map[int]chan struct{}
	changes   [signals.ChangeEnable + 1]int64
}

func (c *fzCollector) expect(eid int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	c.delivered[eid] = ch
	return ch
}

func (c *fzCollector) ended(ctx context.Context) {
	eid, _ := ctx.Value(fzIDKey{}).(int)
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch := c.delivered[eid]; ch != nil {
		close(ch)
		delete(c.delivered, eid)
	}
}

func (c *fzCollector) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	return ctx, c
}

func (c *fzCollector) Observe() signals.Observe { return c.flags }

func (c *fzCollector) EmitEnd(ctx context.Context, e signals.Emission, _ signals.EmitResult) {
	if e.Op == signals.OpDeliver {
		c.ended(ctx)
	}
}

func (c *fzCollector) Dropped(ctx context.Context, _ string, reason error) {
	if errors.Is(reason, signals.ErrQueueFull) {
		c.ended(ctx)
	}
}

func (c *fzCollector) ListenerChanged(_ signals.ListenerInfo, ch signals.Change) {
	c.mu.Lock()
	c.changes[ch]++
	c.mu.Unlock()
}

func (c *fzCollector) changeCounts() [signals.ChangeEnable + 1]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changes
}
