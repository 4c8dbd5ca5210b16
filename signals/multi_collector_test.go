package signals_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
)

// tagCollector is a collector that is its own observer and logs every call
// with its tag, asks for what flags says (nil observer if none is set and
// nilObserver), adds its tag to the context's trail, and records which
// observer a delivery was given for its enqueue.
type tagCollector struct {
	tag         string
	flags       signals.Observe
	nilObserver bool

	recorder // the lines it logs

	mu       sync.Mutex
	enqueued []signals.EmitObserver // Emission.Enqueued of each delivery
	durs     int                    // non-zero durations received
}

type trailKey struct{}

func trail(ctx context.Context) string { s, _ := ctx.Value(trailKey{}).(string); return s }

func (c *tagCollector) EmitStart(ctx context.Context, e signals.Emission) (context.Context, signals.EmitObserver) {
	c.add("start " + e.Op.String() + " trail=" + trail(ctx))
	if e.Op == signals.OpDeliver {
		c.mu.Lock()
		c.enqueued = append(c.enqueued, e.Enqueued)
		c.mu.Unlock()
	}
	ctx = context.WithValue(ctx, trailKey{}, trail(ctx)+c.tag)
	if c.nilObserver {
		return ctx, nil
	}
	return ctx, c
}

func (c *tagCollector) Observe() signals.Observe { return c.flags }

func (c *tagCollector) ListenerStart(ctx context.Context, l signals.ListenerInfo) context.Context {
	c.add("lstart " + l.Key + " trail=" + trail(ctx))
	return context.WithValue(ctx, trailKey{}, trail(ctx)+strings.ToUpper(c.tag))
}

func (c *tagCollector) ListenerEnd(ctx context.Context, l signals.ListenerInfo, d time.Duration, err error) {
	if d > 0 {
		c.mu.Lock()
		c.durs++
		c.mu.Unlock()
	}
	c.add("lend " + l.Key + " err=" + strings.ReplaceAll(errString(err), " ", "_") + " trail=" + trail(ctx))
}

func (c *tagCollector) EmitEnd(ctx context.Context, e signals.Emission, r signals.EmitResult) {
	if r.Duration > 0 {
		c.mu.Lock()
		c.durs++
		c.mu.Unlock()
	}
	c.add("end " + e.Op.String() + " trail=" + trail(ctx))
}

func (c *tagCollector) ListenerChanged(l signals.ListenerInfo, ch signals.Change) {
	c.add("change " + l.Key + " " + ch.String())
}

func (c *tagCollector) Dropped(_ context.Context, _ string, reason error) {
	c.add("dropped " + reason.Error())
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestMultiCollectorSync(t *testing.T) {
	a := &tagCollector{tag: "a", flags: signals.ObserveEnd | signals.ObserveListenerStart | signals.ObserveListeners}
	b := &tagCollector{tag: "b", flags: signals.ObserveDurations} // failures and durations only
	s := signals.NewSync[int]()
	s.SetErrorHandler(func(context.Context, string, error) {})
	s.SetCollector(signals.NewMultiCollector(a, nil, b))
	var got []string
	s.AddListener(func(ctx context.Context, _ int) { got = append(got, trail(ctx)) }, "ok")
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("bad") }, "bad")
	s.Emit(context.Background(), 1)

	wantA := []string{
		"change ok add", "change bad add",
		"start emit trail=",
		"lstart ok trail=ab", "lend ok err=nil trail=abA",
		"lstart bad trail=ab", "lend bad err=bad trail=abA",
		"end emit trail=ab",
	}
	wantB := []string{
		"change ok add", "change bad add",
		"start emit trail=a",
		"lend bad err=bad trail=abA",
	}
	if g := a.get(); !equal(g, wantA) {
		t.Errorf("a saw\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(wantA, "\n"))
	}
	if g := b.get(); !equal(g, wantB) {
		t.Errorf("b saw\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(wantB, "\n"))
	}
	if !equal(got, []string{"abA"}) {
		t.Errorf("the listener's context trail = %q, want the chain of both collectors", got)
	}
	if a.durs != 0 {
		t.Errorf("a, which did not ask for durations, got %d", a.durs)
	}
	if b.durs != 1 { // the failed call's
		t.Errorf("b got %d durations, want 1", b.durs)
	}
}

func TestMultiCollectorOneObserver(t *testing.T) {
	a := &tagCollector{tag: "a", nilObserver: true}
	b := &tagCollector{tag: "b", flags: signals.ObserveEnd}
	m := signals.NewMultiCollector(a, b)
	ctx, o := m.EmitStart(context.Background(), signals.Emission{Op: signals.OpEmit})
	if o != signals.EmitObserver(b) {
		t.Errorf("observer = %v, want b's own: one observer is not wrapped", o)
	}
	if trail(ctx) != "ab" {
		t.Errorf("trail = %q, want ab", trail(ctx))
	}
	a.nilObserver, b.nilObserver = true, true
	if _, o := m.EmitStart(context.Background(), signals.Emission{Op: signals.OpEmit}); o != nil {
		t.Errorf("observer = %v, want nil when no collector observes", o)
	}
}

// TestMultiCollectorEnqueue checks that each collector's delivery is given the
// observer that collector returned for the enqueue, and that drops reach all.
func TestMultiCollectorEnqueue(t *testing.T) {
	a := &tagCollector{tag: "a", flags: signals.ObserveEnd | signals.ObserveDurations}
	b := &tagCollector{tag: "b", flags: signals.ObserveEnd}
	c := &tagCollector{tag: "c", nilObserver: true}
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 1})
	s.SetCollector(signals.NewMultiCollector(a, b, c))
	done := make(chan struct{})
	s.AddListener(func(context.Context, int) { close(done) })
	if err := s.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		c    *tagCollector
		want signals.EmitObserver
	}{{a, a}, {b, b}, {c, nil}} {
		if len(tt.c.enqueued) != 1 || tt.c.enqueued[0] != tt.want {
			t.Errorf("%s: delivery given %v for its enqueue, want %v", tt.c.tag, tt.c.enqueued, tt.want)
		}
	}
	if a.durs == 0 {
		t.Error("a asked for durations and got none")
	}
	if err := s.Enqueue(context.Background(), 2); !errors.Is(err, signals.ErrClosed) {
		t.Fatalf("Enqueue after Close = %v", err)
	}
}

func TestMultiCollectorDropped(t *testing.T) {
	a, b := &tagCollector{tag: "a"}, &tagCollector{tag: "b"}
	m := signals.NewMultiCollector(a, b)
	m.Dropped(context.Background(), "s", signals.ErrQueueFull)
	m.ListenerChanged(signals.ListenerInfo{Key: "k"}, signals.ChangeRemove)
	for _, c := range []*tagCollector{a, b} {
		if g := c.get(); !equal(g, []string{"dropped " + signals.ErrQueueFull.Error(), "change k remove"}) {
			t.Errorf("%s saw %q", c.tag, g)
		}
	}
}

// TestMultiCollectorAsyncRace emits concurrently to an AsyncSignal observed by
// two collectors, for the race detector.
func TestMultiCollectorAsyncRace(t *testing.T) {
	a := &tagCollector{tag: "a", flags: signals.ObserveEnd | signals.ObserveListeners | signals.ObserveDurations}
	b := &tagCollector{tag: "b", flags: signals.ObserveListenerStart}
	s := signals.NewWithOptions[int](&signals.SignalOptions{WorkerPoolSize: 2})
	defer s.Close()
	s.SetCollector(signals.NewMultiCollector(a, b))
	for range 3 {
		s.AddListener(func(context.Context, int) {})
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				s.Emit(context.Background(), g*100+i)
				_ = s.Enqueue(context.Background(), i)
			}
		}()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ends := 0
	for _, l := range a.get() {
		if strings.HasPrefix(l, "end ") {
			ends++
		}
	}
	if ends != 4*50*3 { // emit, enqueue and deliver
		t.Errorf("a saw %d ends, want %d", ends, 4*50*3)
	}
}
