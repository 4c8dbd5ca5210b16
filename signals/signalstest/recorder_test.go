package signalstest_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signals/signalstest"
)

func TestRecorderRecordsInArrivalOrder(t *testing.T) {
	for name, rec := range map[string]*signalstest.Recorder[int]{
		"NewRecorder": signalstest.NewRecorder[int](),
		"zero value":  new(signalstest.Recorder[int]),
	} {
		t.Run(name, func(t *testing.T) {
			if n, ev := rec.Len(), rec.Events(); n != 0 || len(ev) != 0 {
				t.Fatalf("new recorder: Len %d, Events %v", n, ev)
			}
			sig := signals.NewSync[int]()
			sig.AddListener(rec.Record)
			for i := range 3 {
				sig.Emit(context.Background(), i)
			}
			if got, want := rec.Events(), []int{0, 1, 2}; !slices.Equal(got, want) {
				t.Errorf("Events() = %v, want %v", got, want)
			}
			if n := rec.Len(); n != 3 {
				t.Errorf("Len() = %d, want 3", n)
			}
		})
	}
}

func TestRecorderEventsIsACopy(t *testing.T) {
	rec := signalstest.NewRecorder[string]()
	rec.Record(context.Background(), "a")
	ev := rec.Events()
	ev[0] = "changed"
	_ = append(ev, "appended")
	if got := rec.Events(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Events() after changing a returned slice = %q, want [a]", got)
	}
}

func TestRecorderConcurrentRecords(t *testing.T) {
	const goroutines, each = 8, 500
	rec := signalstest.NewRecorder[int]()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec.Record(context.Background(), g*each+i)
				_ = rec.Len()
			}
		}()
	}
	wg.Wait()
	got := rec.Events()
	slices.Sort(got)
	for i, v := range got {
		if v != i {
			t.Fatalf("sorted Events()[%d] = %d: a record was lost or duplicated", i, v)
		}
	}
	if len(got) != goroutines*each {
		t.Errorf("%d events, want %d", len(got), goroutines*each)
	}
}

func TestRecorderWaitForEnqueue(t *testing.T) {
	sig := signals.New[int]()
	defer sig.Close()
	rec := signalstest.NewRecorder[int]()
	sig.AddListener(rec.Record)
	for i := range 5 {
		if err := sig.Enqueue(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	got := report(t, func(tb testing.TB) {
		ev := rec.WaitFor(tb, 5, 10*time.Second)
		slices.Sort(ev)
		if !slices.Equal(ev, []int{0, 1, 2, 3, 4}) {
			tb.Errorf("WaitFor returned %v", ev)
		}
	})
	if !got.returned || len(got.errors)+len(got.fatals) != 0 {
		t.Errorf("WaitFor for enqueued emissions: %+v", got)
	}
}

// TestRecorderWaitForWakesPerArrival has WaitFor wait through several
// arrivals, each made after the previous one was seen.
func TestRecorderWaitForWakesPerArrival(t *testing.T) {
	rec := signalstest.NewRecorder[int]()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				rec.Record(context.Background(), i)
			}
		}
	}()
	got := report(t, func(tb testing.TB) {
		if ev := rec.WaitFor(tb, 20, 10*time.Second); len(ev) < 20 {
			tb.Errorf("WaitFor returned %d events, want at least 20", len(ev))
		}
	})
	close(stop)
	<-done
	if !got.returned || len(got.errors)+len(got.fatals) != 0 {
		t.Errorf("WaitFor: %+v", got)
	}
}

func TestRecorderWaitForTimeout(t *testing.T) {
	tests := []struct {
		name    string
		have    int
		want    int
		timeout time.Duration
		fails   bool
		message []string
	}{
		{name: "enough already", have: 2, want: 2, timeout: time.Millisecond},
		{name: "more than enough", have: 3, want: 1, timeout: time.Millisecond},
		{name: "zero", want: 0, timeout: time.Millisecond},
		{name: "no wait, enough", have: 1, want: 1, timeout: 0},
		{
			name: "no wait, too few", have: 1, want: 2, timeout: 0, fails: true,
			message: []string{"got 1 event after waiting 0s, want at least 2", "\n\t#1: 0"},
		},
		{
			name: "none arrive", want: 1, timeout: 20 * time.Millisecond, fails: true,
			message: []string{"signalstest: got 0 events after waiting 20ms, want at least 1"},
		},
		{
			name: "too few arrive", have: 2, want: 3, timeout: 20 * time.Millisecond, fails: true,
			message: []string{"got 2 events after waiting 20ms, want at least 3:", "\n\t#1: 0\n\t#2: 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := signalstest.NewRecorder[int]()
			for i := range tt.have {
				rec.Record(context.Background(), i)
			}
			var ev []int
			got := report(t, func(tb testing.TB) { ev = rec.WaitFor(tb, tt.want, tt.timeout) })
			if len(got.errors) != 0 {
				t.Errorf("WaitFor reported with Errorf: %q", got.errors)
			}
			if !tt.fails {
				if !got.returned || len(got.fatals) != 0 {
					t.Fatalf("WaitFor failed: %+v", got)
				}
				if len(ev) != tt.have {
					t.Errorf("WaitFor returned %v, want %d events", ev, tt.have)
				}
				return
			}
			if got.returned {
				t.Error("WaitFor returned after failing; it must end the test with Fatalf")
			}
			wantMessage(t, "Fatalf", got.fatals, tt.message...)
		})
	}
}

func TestRecorderWaitForNegativePanics(t *testing.T) {
	wantPanic(t, "negative count", func() {
		signalstest.NewRecorder[int]().WaitFor(t, -1, time.Second)
	})
}

// TestWaitForReturnsAfterFatalf covers a testing.TB whose Fatalf returns
// (some assertion libraries' fakes do): WaitFor then returns what arrived.
func TestWaitForReturnsAfterFatalf(t *testing.T) {
	tb := &returningTB{TB: t}
	rec := signalstest.NewRecorder[int]()
	rec.Record(context.Background(), 7)
	if ev := rec.WaitFor(tb, 2, 0); !slices.Equal(ev, []int{7}) {
		t.Errorf("WaitFor returned %v, want [7]", ev)
	}
	sig := signalstest.NewSignal[int]()
	sig.Emit(context.Background(), 8)
	if ev := sig.WaitForEmissions(tb, 2, 0); !slices.Equal(ev, []int{8}) {
		t.Errorf("WaitForEmissions returned %v, want [8]", ev)
	}
	if tb.fatals != 2 {
		t.Errorf("%d Fatalf calls, want 2", tb.fatals)
	}
}

// returningTB is a testing.TB whose Fatalf counts and returns.
type returningTB struct {
	testing.TB
	fatals int
}

func (r *returningTB) Helper()               {}
func (r *returningTB) Fatalf(string, ...any) { r.fatals++ }

// wantPanic fails t unless fn panics with a string containing want.
func wantPanic(t *testing.T, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		p := recover()
		if s, ok := p.(string); !ok || !contains(s, want) {
			t.Errorf("panic %v, want a message containing %q", p, want)
		}
	}()
	fn()
}
