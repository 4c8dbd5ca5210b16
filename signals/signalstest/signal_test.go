package signalstest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signalkit/sdk/signals"
	"github.com/signalkit/sdk/signals/signalstest"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// script runs the same operations on a signal and returns, in order, every
// result and every listener call it observed, so that a double and the
// signal it stands for can be compared.
func script(sig signals.Signal[int]) []string {
	var (
		mu  sync.Mutex
		log []string
	)
	add := func(format string, args ...any) {
		mu.Lock()
		log = append(log, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	listener := func(name string) signals.Listener[int] {
		return func(_ context.Context, v int) { add("%s(%d)", name, v) }
	}
	failing := func(name string) signals.SignalListenerErr[int] {
		return func(_ context.Context, v int) error { add("%s(%d)", name, v); return errors.New(name) }
	}
	ctx := context.Background()
	meta := func(key string) string {
		m := sig.Metadata(key)
		if m == nil {
			return "nil"
		}
		return fmt.Sprintf("key=%s once=%v errAware=%v errors=%d lastErr=%v", m.Key, m.IsOnce, m.IsErrorAware, m.ErrorCount, m.LastError)
	}

	add("empty=%v len=%d keys=%q", sig.IsEmpty(), sig.Len(), sig.Keys())
	add("AddListener=%d", sig.AddListener(listener("plain")))
	add("AddListener key=%d", sig.AddListener(listener("a"), "a"))
	add("AddListener dup=%d", sig.AddListener(listener("a2"), "a"))
	add("AddListener empty key=%d", sig.AddListener(listener("nokey"), ""))
	add("AddListenerWithErr=%d", sig.AddListenerWithErr(failing("err"), "err"))
	add("AddOnce=%d", sig.AddOnce(listener("once")))
	add("AddOnceWithKey=%d", sig.AddOnceWithKey(listener("oncek"), "oncek"))
	add("AddOnceWithKey dup=%d", sig.AddOnceWithKey(listener("oncek2"), "oncek"))
	add("AddOnceWithErr=%d", sig.AddOnceWithErr(failing("onceerr")))
	add("AddOnceWithErrAndKey=%d", sig.AddOnceWithErrAndKey(failing("onceerrk"), "onceerrk"))
	add("AddOnceWithErrAndKey dup=%d", sig.AddOnceWithErrAndKey(failing("onceerrk2"), "onceerrk"))
	add("empty=%v len=%d keys=%q hasA=%v hasZ=%v", sig.IsEmpty(), sig.Len(), sig.Keys(), sig.HasKey("a"), sig.HasKey("z"))
	add("meta a: %s", meta("a"))
	add("meta oncek: %s", meta("oncek"))
	add("meta z: %s", meta("z"))
	sig.Emit(ctx, 1)
	add("after emit: len=%d keys=%q", sig.Len(), sig.Keys())
	add("meta err: %s", meta("err"))
	add("RemoveListener a=%d", sig.RemoveListener("a"))
	add("RemoveListener z=%d", sig.RemoveListener("z"))
	//lint:ignore SA1012 a nil context is documented to work, and the double must pass it on
	sig.Emit(nil, 2)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	sig.Emit(cancelled, 3)
	sig.Reset()
	add("after Reset: empty=%v len=%d keys=%q", sig.IsEmpty(), sig.Len(), sig.Keys())
	sig.Emit(ctx, 4)
	return log
}

// TestSignalIsFaithful runs the same operations on doubles and on the
// signals they stand for: every result and every listener call is the same.
func TestSignalIsFaithful(t *testing.T) {
	sortCalls := func(log []string) []string { // async listeners run in any order
		out := slices.Clone(log)
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name   string
		double func() signals.Signal[int]
		real   func() signals.Signal[int]
		norm   func([]string) []string
	}{
		{
			name:   "NewSignal",
			double: func() signals.Signal[int] { return signalstest.NewSignal[int]() },
			real:   func() signals.Signal[int] { return signals.NewSync[int]() },
			norm:   slices.Clone[[]string],
		},
		{
			name:   "zero value",
			double: func() signals.Signal[int] { return new(signalstest.Signal[int]) },
			real:   func() signals.Signal[int] { return new(signals.SyncSignal[int]) },
			norm:   slices.Clone[[]string],
		},
		{
			name:   "Wrap(NewSync)",
			double: func() signals.Signal[int] { return signalstest.Wrap[int](signals.NewSync[int]()) },
			real:   func() signals.Signal[int] { return signals.NewSync[int]() },
			norm:   slices.Clone[[]string],
		},
		{
			name: "Wrap(New)",
			double: func() signals.Signal[int] {
				s := signals.New[int]()
				t.Cleanup(func() { s.Close() })
				return signalstest.Wrap[int](s)
			},
			real: func() signals.Signal[int] {
				s := signals.New[int]()
				t.Cleanup(func() { s.Close() })
				return s
			},
			norm: sortCalls,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			double, real := tt.double(), tt.real()
			got, want := tt.norm(script(double)), tt.norm(script(real))
			if !slices.Equal(got, want) {
				t.Errorf("the double and the signal differ:\ndouble: %q\nsignal: %q", got, want)
			}
			if n := double.(*signalstest.Signal[int]).EmitCount(); n != 4 {
				t.Errorf("EmitCount() = %d, want 4 (cancelled and nil contexts count)", n)
			}
		})
	}
}

func TestSignalRecordsBeforeDelivering(t *testing.T) {
	sig := signalstest.NewSignal[int]()
	var seen [][]int
	sig.AddListener(func(ctx context.Context, v int) {
		seen = append(seen, sig.Emissions())
		if v == 1 {
			sig.Emit(ctx, 2) // nested: recorded after 1, before 1's listeners end
		}
	})
	sig.Emit(context.Background(), 1)
	if got := sig.Emissions(); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("Emissions() = %v, want [1 2] (the order of the Emit calls)", got)
	}
	if len(seen) != 2 || !slices.Equal(seen[0], []int{1}) || !slices.Equal(seen[1], []int{1, 2}) {
		t.Errorf("listeners saw emissions %v, want [[1] [1 2]]", seen)
	}
}

func TestSignalEmissionsIsACopy(t *testing.T) {
	sig := signalstest.NewSignal[int]()
	sig.Emit(context.Background(), 1)
	sig.Emissions()[0] = 9
	if got := sig.Emissions(); !slices.Equal(got, []int{1}) {
		t.Errorf("Emissions() = %v after changing a returned slice, want [1]", got)
	}
}

func TestWrapNilPanics(t *testing.T) {
	wantPanic(t, "Wrap of a nil signal", func() { signalstest.Wrap[int](nil) })
	wantPanic(t, "Wrap of a nil *signals.SyncSignal[int]", func() {
		signalstest.Wrap[int]((*signals.SyncSignal[int])(nil))
	})
}

func TestSignalConcurrentEmit(t *testing.T) {
	const goroutines, each = 8, 200
	async := signals.New[int]()
	defer async.Close()
	sig := signalstest.Wrap[int](async)
	rec := signalstest.NewRecorder[int]()
	spy := signalstest.NewSpy[int]()
	sig.AddListener(rec.Record)
	sig.AddListener(spy.Listener())
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				sig.Emit(context.Background(), g*each+i)
				_ = sig.EmitCount()
			}
		}()
	}
	wg.Wait()
	if !sig.AssertEmitted(t, goroutines*each) {
		return
	}
	got := sig.Emissions()
	slices.Sort(got)
	for i, v := range got {
		if v != i {
			t.Fatalf("sorted Emissions()[%d] = %d: an emission was lost or duplicated", i, v)
		}
	}
	if rec.Len() != goroutines*each || spy.CallCount() != goroutines*each {
		t.Errorf("listeners got %d and %d calls, want %d each", rec.Len(), spy.CallCount(), goroutines*each)
	}
}

func TestSignalWaitForEmissions(t *testing.T) {
	sig := signalstest.NewSignal[string]()
	done := make(chan struct{})
	go func() { // the code under test emits from a goroutine of its own
		defer close(done)
		for _, id := range []string{"A-1", "A-2"} {
			time.Sleep(time.Millisecond)
			sig.Emit(context.Background(), id)
		}
	}()
	ok := report(t, func(tb testing.TB) {
		if got := sig.WaitForEmissions(tb, 2, 10*time.Second); !slices.Equal(got, []string{"A-1", "A-2"}) {
			tb.Errorf("WaitForEmissions returned %q", got)
		}
	})
	<-done
	if !ok.returned || len(ok.errors)+len(ok.fatals) != 0 {
		t.Errorf("WaitForEmissions: %+v", ok)
	}

	failed := report(t, func(tb testing.TB) { sig.WaitForEmissions(tb, 3, 10*time.Millisecond) })
	if failed.returned {
		t.Error("WaitForEmissions returned after failing; it must end the test with Fatalf")
	}
	wantMessage(t, "Fatalf", failed.fatals,
		"signalstest: got 2 emissions after waiting 10ms, want at least 3:\n\t#1: A-1\n\t#2: A-2")
	wantPanic(t, "negative count", func() { sig.WaitForEmissions(t, -1, 0) })
}

type order struct {
	ID    string
	Total int
}

func TestSignalAssertions(t *testing.T) {
	isA2 := func(o order) bool { return o.ID == "A-2" }
	isB := func(o order) bool { return strings.HasPrefix(o.ID, "B") }
	tests := []struct {
		name    string
		emitted []order
		assert  func(*signalstest.Signal[order], testing.TB) bool
		message []string // nil: the assertion holds
	}{
		{
			name:    "AssertEmitted holds",
			emitted: []order{{"A-1", 10}, {"A-2", 20}},
			assert:  func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertEmitted(tb, 2) },
		},
		{
			name:   "AssertEmitted 0 holds",
			assert: func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertEmitted(tb, 0) },
		},
		{
			name:    "AssertEmitted too many",
			emitted: []order{{"A-1", 10}, {"A-2", 20}},
			assert:  func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertEmitted(tb, 1) },
			message: []string{"signalstest: got 2 emissions, want 1:\n\t#1: {ID:A-1 Total:10}\n\t#2: {ID:A-2 Total:20}"},
		},
		{
			name:    "AssertEmitted too few",
			emitted: []order{{"A-1", 10}},
			assert:  func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertEmitted(tb, 3) },
			message: []string{"signalstest: got 1 emission, want 3:\n\t#1: {ID:A-1 Total:10}"},
		},
		{
			name:    "AssertEmitted none",
			assert:  func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertEmitted(tb, 1) },
			message: []string{"signalstest: got 0 emissions, want 1"},
		},
		{
			name:    "AssertEmittedWith holds",
			emitted: []order{{"A-1", 10}, {"A-2", 20}},
			assert:  func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertEmittedWith(tb, isA2) },
		},
		{
			name:    "AssertEmittedWith no match",
			emitted: []order{{"A-1", 10}, {"A-2", 20}},
			assert:  func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertEmittedWith(tb, isB) },
			message: []string{"signalstest: got 2 emissions, none of which matches:\n\t#1: {ID:A-1 Total:10}\n\t#2: {ID:A-2 Total:20}"},
		},
		{
			name:    "AssertEmittedWith nothing emitted",
			assert:  func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertEmittedWith(tb, isA2) },
			message: []string{"signalstest: got no emission, want one that matches"},
		},
		{
			name:   "AssertNotEmitted holds",
			assert: func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertNotEmitted(tb) },
		},
		{
			name:    "AssertNotEmitted fails",
			emitted: []order{{"A-1", 10}},
			assert:  func(s *signalstest.Signal[order], tb testing.TB) bool { return s.AssertNotEmitted(tb) },
			message: []string{"signalstest: got 1 emission, want none:\n\t#1: {ID:A-1 Total:10}"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := signalstest.NewSignal[order]()
			for _, o := range tt.emitted {
				sig.Emit(context.Background(), o)
			}
			var held bool
			got := report(t, func(tb testing.TB) { held = tt.assert(sig, tb) })
			if !got.returned || len(got.fatals) != 0 {
				t.Fatalf("the assertion ended the test; assertions report with Errorf: %+v", got)
			}
			if held != (tt.message == nil) {
				t.Errorf("the assertion returned %v, want %v", held, tt.message == nil)
			}
			if tt.message == nil {
				if len(got.errors) != 0 {
					t.Errorf("the assertion holds but reported %q", got.errors)
				}
				return
			}
			wantMessage(t, "Errorf", got.errors, tt.message...)
			if got.errors[0] != tt.message[0] {
				t.Errorf("message:\n%s\nwant:\n%s", got.errors[0], tt.message[0])
			}
		})
	}
}

func TestSignalAssertionsPanicOnMisuse(t *testing.T) {
	sig := signalstest.NewSignal[int]()
	wantPanic(t, "negative count", func() { sig.AssertEmitted(t, -1) })
	wantPanic(t, "nil predicate", func() { sig.AssertEmittedWith(t, nil) })
}

// TestFailureMessagesAreBounded emits 100,000 payloads: the message lists
// the first and last five, and says how many it leaves out.
func TestFailureMessagesAreBounded(t *testing.T) {
	const n = 100_000
	sig := signalstest.NewSignal[int]()
	for i := range n {
		sig.Emit(context.Background(), i)
	}
	got := report(t, func(tb testing.TB) { sig.AssertNotEmitted(tb) })
	want := "signalstest: got 100000 emissions, want none:" +
		"\n\t#1: 0\n\t#2: 1\n\t#3: 2\n\t#4: 3\n\t#5: 4" +
		"\n\t... 99990 more ..." +
		"\n\t#99996: 99995\n\t#99997: 99996\n\t#99998: 99997\n\t#99999: 99998\n\t#100000: 99999"
	wantMessage(t, "Errorf", got.errors, want)
	if got.errors[0] != want {
		t.Errorf("message:\n%s\nwant:\n%s", got.errors[0], want)
	}

	for _, k := range []int{10, 11} { // the longest list shown whole, and the shortest cut
		sig := signalstest.NewSignal[int]()
		for i := range k {
			sig.Emit(context.Background(), i)
		}
		got := report(t, func(tb testing.TB) { sig.AssertNotEmitted(tb) })
		msg := got.errors[0]
		if cut := contains(msg, "more ..."); cut != (k > 10) {
			t.Errorf("%d payloads: message cut is %v:\n%s", k, cut, msg)
		}
		if !contains(msg, fmt.Sprintf("\n\t#%d: %d", k, k-1)) {
			t.Errorf("%d payloads: message does not list the last one:\n%s", k, msg)
		}
	}
}

func TestLongPayloadsAreCut(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{name: "short", payload: "abc", want: "abc"},
		{name: "200 bytes", payload: strings.Repeat("x", 200), want: strings.Repeat("x", 200)},
		{name: "201 bytes", payload: strings.Repeat("x", 201), want: strings.Repeat("x", 200) + "... (201 bytes)"},
		{
			// é is two bytes: byte 200 is in the middle of one, so the
			// cut moves back to the character's start.
			name:    "multi-byte",
			payload: "a" + strings.Repeat("é", 150),
			want:    "a" + strings.Repeat("é", 99) + "... (301 bytes)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := signalstest.NewSignal[string]()
			sig.Emit(context.Background(), tt.payload)
			got := report(t, func(tb testing.TB) { sig.AssertNotEmitted(tb) })
			want := "signalstest: got 1 emission, want none:\n\t#1: " + tt.want
			wantMessage(t, "Errorf", got.errors)
			if got.errors[0] != want {
				t.Errorf("message:\n%s\nwant:\n%s", got.errors[0], want)
			}
		})
	}
}
