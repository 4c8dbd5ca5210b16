package signals_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

type ctxKey struct{}

// recordingCollector records every call as a line of text, and asks EmitStart
// for what its observe field says.
type recordingCollector struct {
	mu      sync.Mutex
	lines   []string
	observe signals.Observe
	waits   []time.Duration
	durs    int // listener calls reported with a non-zero duration
}

func (c *recordingCollector) log(format string, args ...any) {
	c.mu.Lock()
	c.lines = append(c.lines, fmt.Sprintf(format, args...))
	c.mu.Unlock()
}

func (c *recordingCollector) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

func (c *recordingCollector) EmitStart(ctx context.Context, e signals.Emission) (context.Context, signals.EmitObserver) {
	c.log("start %s %s %d", e.Signal, e.Op, e.Listeners)
	return context.WithValue(ctx, ctxKey{}, e.Op.String()), c
}

func (c *recordingCollector) Observe() signals.Observe { return c.observe }

func (c *recordingCollector) EmitEnd(ctx context.Context, e signals.Emission, r signals.EmitResult) {
	if e.Op == signals.OpDeliver {
		c.mu.Lock()
		c.waits = append(c.waits, r.QueueWait)
		c.mu.Unlock()
	}
	c.log("end %s %s calls=%d err=%v ctx=%v timed=%v", e.Signal, e.Op, r.Calls, r.Err, ctx.Value(ctxKey{}), r.Duration > 0)
}

func (c *recordingCollector) ListenerStart(ctx context.Context, l signals.ListenerInfo) context.Context {
	c.log("lstart %s", l.Key)
	return context.WithValue(ctx, ctxKey{}, "listener "+l.Key)
}

func (c *recordingCollector) ListenerEnd(ctx context.Context, l signals.ListenerInfo, d time.Duration, err error) {
	var pe *signals.PanicError
	kind := "ok"
	switch {
	case errors.As(err, &pe):
		kind = "panic"
	case err != nil:
		kind = "error"
	}
	if d > 0 {
		c.mu.Lock()
		c.durs++
		c.mu.Unlock()
	}
	c.log("lend %s %s ctx=%v", l.Key, kind, ctx.Value(ctxKey{}))
}

func (c *recordingCollector) ListenerChanged(l signals.ListenerInfo, ch signals.Change) {
	c.log("change %s %s once=%v err=%v", l.Key, ch, l.Once, l.ErrorAware)
}

func (c *recordingCollector) Dropped(_ context.Context, signal string, reason error) {
	c.log("dropped %s %v", signal, reason)
}

func TestCollectorSync(t *testing.T) {
	c := &recordingCollector{observe: signals.ObserveEnd | signals.ObserveListeners | signals.ObserveListenerStart | signals.ObserveDurations}
	s := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders", ErrorHandler: func(context.Context, string, error) {}})
	if prev := s.SetCollector(c); prev != nil {
		t.Fatal("a collector was attached already")
	}
	if s.Collector() != c {
		t.Fatal("Collector")
	}
	var seen []any
	s.AddListener(func(ctx context.Context, _ int) { seen = append(seen, ctx.Value(ctxKey{})) }, "a")
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("e") }, "b")
	s.AddListener(func(context.Context, int) { panic("p") }, "c")
	s.AddOnceWithKey(func(context.Context, int) {}, "d")
	s.Emit(context.Background(), 1)
	s.TryEmit(context.Background(), 1)
	s.RemoveListener("a")
	s.Reset()
	want := []string{
		"change a add once=false err=false",
		"change b add once=false err=true",
		"change c add once=false err=false",
		"change d add once=true err=false",
		"start orders emit 4",
		"lstart a", "lend a ok ctx=listener a",
		"lstart b", "lend b error ctx=listener b",
		"lstart c", "lend c panic ctx=listener c",
		"change d once_fired once=true err=false",
		"lstart d", "lend d ok ctx=listener d",
		"end orders emit calls=4 err=<nil> ctx=emit timed=true",
		"start orders try_emit 3",
		"lstart a", "lend a ok ctx=listener a",
		"lstart b", "lend b error ctx=listener b",
		"end orders try_emit calls=2 err=e ctx=try_emit timed=true",
		"change a remove once=false err=false",
		"change b reset once=false err=true",
		"change c reset once=false err=false",
	}
	if got := c.get(); !equal(got, want) {
		t.Errorf("collector saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !equal(seen, []any{"listener a", "listener a"}) {
		t.Errorf("listener contexts = %v", seen)
	}
	if c.durs != 6 { // four calls by Emit, two by TryEmit
		t.Errorf("%d listener calls had a duration, want 6", c.durs)
	}
}

func TestCollectorObservesOnlyWhatItAsks(t *testing.T) {
	c := &recordingCollector{} // asks for nothing: only EmitStart and failures
	s := signals.NewSync[int]()
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.SetCollector(c)
	s.AddListener(func(context.Context, int) {}, "ok")
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("e") }, "bad")
	s.Emit(context.Background(), 1)
	want := []string{"change ok add once=false err=false", "change bad add once=false err=true", "start unnamed emit 2", "lend bad error ctx=emit"}
	if got := c.get(); !equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	s.EnableCollector(false)
	s.Emit(context.Background(), 1)
	if s.Collector() != c || len(c.get()) != len(want) {
		t.Errorf("a switched-off collector was called: %q", c.get())
	}
	s.EnableCollector(true)
	s.Emit(context.Background(), 1)
	if len(c.get()) != len(want)+2 {
		t.Errorf("a switched-on collector was not called: %q", c.get())
	}
	if prev := s.SetCollector(nil); prev != c {
		t.Error("SetCollector(nil) did not return the previous collector")
	}
	s.Emit(context.Background(), 1)
	if len(c.get()) != len(want)+2 {
		t.Errorf("a detached collector was called: %q", c.get())
	}
}

func TestCollectorAsync(t *testing.T) {
	c := &recordingCollector{observe: signals.ObserveEnd | signals.ObserveDurations}
	s := signals.NewWithOptions[int](&signals.SignalOptions{Name: "jobs", WorkerPoolSize: 2})
	s.SetCollector(c)
	var ctxs sync.Map
	for _, k := range []string{"a", "b", "c"} {
		s.AddListener(func(ctx context.Context, _ int) { ctxs.Store(k, ctx.Value(ctxKey{})) }, k)
	}
	s.Emit(context.Background(), 1)
	for _, k := range []string{"a", "b", "c"} {
		if v, _ := ctxs.Load(k); v != "emit" {
			t.Errorf("listener %s got ctx value %v, want the one EmitStart returned", k, v)
		}
	}
	s.Enqueue(context.Background(), 2)
	s.Close()
	got := c.get()[3:] // after the three adds
	sort.Strings(got)
	want := []string{
		"end jobs deliver calls=3 err=<nil> ctx=deliver timed=true",
		"end jobs emit calls=3 err=<nil> ctx=emit timed=true",
		"end jobs enqueue calls=0 err=<nil> ctx=enqueue timed=true",
		"start jobs deliver 3",
		"start jobs emit 3",
		"start jobs enqueue 3",
	}
	if !equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(c.waits) != 1 || c.waits[0] <= 0 {
		t.Errorf("queue waits = %v, want one measured wait", c.waits)
	}
}

func TestCollectorDropped(t *testing.T) {
	c := &recordingCollector{}
	s, release := blockedSignal(t, signals.OverflowDrop, 1)
	s.SetCollector(c)
	s.Enqueue(context.Background(), 1)
	if err := s.Enqueue(context.Background(), 2); !errors.Is(err, signals.ErrQueueFull) {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	s.Shutdown(ctx)
	release()
	s.Close()
	n := 0
	for _, l := range c.get() {
		if strings.HasPrefix(l, "dropped") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("Dropped called %d times, want 2 (queue full, then shutdown): %q", n, c.get())
	}
}

func TestNopCollector(t *testing.T) {
	var c signals.NopCollector
	ctx := context.Background()
	if got, o := c.EmitStart(ctx, signals.Emission{}); got != ctx || o != nil {
		t.Error("EmitStart")
	}
	c.ListenerChanged(signals.ListenerInfo{}, signals.ChangeAdd)
	c.Dropped(ctx, "", nil)
}

func TestNopObserver(t *testing.T) {
	var o signals.NopObserver
	ctx := context.Background()
	if o.Observe() != 0 {
		t.Error("Observe")
	}
	if o.ListenerStart(ctx, signals.ListenerInfo{}) != ctx {
		t.Error("ListenerStart")
	}
	o.EmitEnd(ctx, signals.Emission{}, signals.EmitResult{})
	o.ListenerEnd(ctx, signals.ListenerInfo{}, 0, nil)
}

func TestStringers(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{signals.KindSync.String(), "sync"}, {signals.KindAsync.String(), "async"}, {signals.Kind(0).String(), "unknown"},
		{signals.OpEmit.String(), "emit"}, {signals.OpTryEmit.String(), "try_emit"}, {signals.OpEnqueue.String(), "enqueue"},
		{signals.OpDeliver.String(), "deliver"}, {signals.Operation(0).String(), "unknown"},
		{signals.ChangeAdd.String(), "add"}, {signals.ChangeRemove.String(), "remove"}, {signals.ChangeReset.String(), "reset"},
		{signals.ChangeOnceFired.String(), "once_fired"}, {signals.ChangeDisable.String(), "disable"},
		{signals.ChangeEnable.String(), "enable"}, {signals.Change(0).String(), "unknown"},
		{signals.OverflowBlock.String(), "block"}, {signals.OverflowDrop.String(), "drop"}, {signals.OverflowPolicy(9).String(), "unknown"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// sharedObserver is a collector whose one preallocated observer serves every
// emission.
type sharedObserver struct {
	signals.NopCollector
	signals.NopObserver
	flags signals.Observe
}

func (c *sharedObserver) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	return ctx, c
}

func (c *sharedObserver) Observe() signals.Observe { return c.flags }

// TestObservedEmissionAllocatesNothing: an emission whose collector returns
// no observer, or a shared one, allocates nothing, whatever it asks for.
func TestObservedEmissionAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		c    signals.MetricsCollector
	}{
		{"nil observer", signals.NopCollector{}},
		{"counted", &sharedObserver{flags: signals.ObserveEnd}},
		{"general", &sharedObserver{flags: signals.ObserveEnd | signals.ObserveListeners | signals.ObserveDurations | signals.ObserveListenerStart}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := signals.NewSync[int]()
			s.SetCollector(tt.c)
			s.AddListener(func(context.Context, int) {})
			s.AddListener(func(context.Context, int) {}, "k")
			if a := testing.AllocsPerRun(100, func() { s.Emit(ctx, 1) }); a != 0 {
				t.Errorf("Emit: %v allocations", a)
			}
			if a := testing.AllocsPerRun(100, func() { _ = s.TryEmit(ctx, 1) }); a != 0 {
				t.Errorf("TryEmit: %v allocations", a)
			}
		})
	}
}

// startsOnly is a collector that implements only EmitStart, embedding
// NopCollector for the rest, and whose observer implements only Observe,
// embedding NopObserver: it must keep working on every operation, as a
// collector written against an older version of the interfaces does.
type startsOnly struct {
	signals.NopCollector
	starts atomic.Int32
}

type endsAsked struct{ signals.NopObserver }

func (endsAsked) Observe() signals.Observe {
	return signals.ObserveEnd | signals.ObserveListeners | signals.ObserveDurations
}

func (c *startsOnly) EmitStart(ctx context.Context, _ signals.Emission) (context.Context, signals.EmitObserver) {
	c.starts.Add(1)
	return ctx, endsAsked{}
}

func TestCollectorEmbeddingNops(t *testing.T) {
	c := &startsOnly{}
	sig := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1, QueueSize: 1, Overflow: signals.OverflowDrop,
		ErrorHandler: func(context.Context, string, error) {}})
	defer sig.Close()
	sig.SetCollector(c)
	gate, entered := make(chan struct{}), make(chan struct{}, 1)
	sig.AddListener(func(_ context.Context, v int) { // ListenerChanged
		if v == 0 {
			entered <- struct{}{}
			<-gate
		}
	})
	sig.AddListenerWithErr(func(context.Context, int) error { return errors.New("fails") }) // ListenerEnd with an error
	if err := sig.Enqueue(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	<-entered
	_ = sig.Enqueue(context.Background(), 1)                                                // fills the queue
	if err := sig.Enqueue(context.Background(), 2); !errors.Is(err, signals.ErrQueueFull) { // Dropped
		t.Errorf("Enqueue into a full queue = %v, want ErrQueueFull", err)
	}
	close(gate)
	sig.Emit(context.Background(), 3) // EmitEnd
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	if n := c.starts.Load(); n < 4 {
		t.Errorf("EmitStart called %d times, want at least 4", n)
	}
}
