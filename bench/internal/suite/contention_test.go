package suite

import (
	"slices"
	"testing"
)

func TestClassify(t *testing.T) {
	const emit = "github.com/signalkit/sdk/signals.(*SyncSignal[go.shape.int]).Emit"
	tests := []struct {
		name               string
		funcs              []string
		blocker, inSignals string
		alloc              bool
	}{
		{"lock in signals", []string{"sync.(*Mutex).Lock", emit, "main.main"}, "sync.(*Mutex).Lock", emit, false},
		{"allocator under signals", []string{"runtime.unlock", "runtime.mallocgc", emit}, "runtime.unlock", emit, true},
		{"allocator above signals does not count", []string{"sync.(*Mutex).Lock", emit, "runtime.mallocgc"}, "sync.(*Mutex).Lock", emit, false},
		{"innermost signals frame", []string{"runtime.selectgo", "github.com/signalkit/sdk/signals.(*WorkerPool).pop", emit}, "runtime.selectgo", "github.com/signalkit/sdk/signals.(*WorkerPool).pop", false},
		{"other packages only", []string{"sync.(*Mutex).Lock", "github.com/signalkit/sdk/otelsignals.(*collector).EmitStart", "github.com/signalkit/sdk/signals_test.f"}, "sync.(*Mutex).Lock", "", false},
		{"empty", nil, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocker, inSignals, alloc := classify(tt.funcs)
			if blocker != tt.blocker || inSignals != tt.inSignals || alloc != tt.alloc {
				t.Fatalf("classify = %q, %q, %v; want %q, %q, %v", blocker, inSignals, alloc, tt.blocker, tt.inSignals, tt.alloc)
			}
		})
	}
}

func TestSummarizeAndLockWaits(t *testing.T) {
	const (
		pop  = "github.com/signalkit/sdk/signals.(*WorkerPool).pop"
		emit = "github.com/signalkit/sdk/signals.(*AsyncSignal[go.shape.int]).Emit"
	)
	rec := func(count, cycles int64, funcs ...string) profileRecord {
		return profileRecord{count: count, cycles: cycles, funcs: funcs}
	}
	before := map[string]profileRecord{
		"a": rec(5, 500, "sync.(*Mutex).Lock", pop),
		"b": rec(7, 700, "runtime.selectgo", emit), // no new events: left out
	}
	after := map[string]profileRecord{
		"a": rec(8, 900, "sync.(*Mutex).Lock", pop),                 // 3 new events, 400 cycles
		"b": rec(7, 700, "runtime.selectgo", emit),                  // unchanged
		"c": rec(2, 50, "runtime.unlock", "runtime.mallocgc", emit), // in the allocator
		"d": rec(4, 40, "sync.(*RWMutex).RLock", "main.f"),          // outside signals
		"e": rec(1, 10000, "runtime.chanrecv1", emit),               // a wait, not a lock
	}
	s := summarize(before, after)
	if s.Events != 10 || s.Cycles != 10490 || s.InSignalsEvents != 6 {
		t.Fatalf("events %d, cycles %d, in signals %d; want 10, 10490, 6", s.Events, s.Cycles, s.InSignalsEvents)
	}
	if len(s.Sites) != 3 || s.Sites[0].Blocker != "runtime.chanrecv1" || s.Sites[1].Func != "signals.(*WorkerPool).pop" || s.Sites[1].Events != 3 {
		t.Fatalf("sites %+v: want 3, most cycles first, named without the module path", s.Sites)
	}
	events, funcs := s.lockWaits()
	if events != 3 || !slices.Equal(funcs, []string{"signals.(*WorkerPool).pop"}) {
		t.Fatalf("lockWaits = %d, %v; want 3 in pop (not the allocator's lock, not the channel)", events, funcs)
	}
}

func TestWaitKind(t *testing.T) {
	const sig = "signals.(*WorkerPool)."
	tests := []struct {
		w    waitSite
		want string
	}{
		{waitSite{Func: "signals.(*AsyncSignal[...]).Enqueue", Blocker: "runtime.unlock", Alloc: true}, "alloc"},
		{waitSite{Func: sig + "pop", Blocker: "sync.(*Mutex).Lock"}, "pop"},
		{waitSite{Func: sig + "worker", Blocker: "runtime.selectgo"}, "idle-worker"},
		{waitSite{Func: sig + "waitForSpace", Blocker: "runtime.selectgo"}, "backpressure"},
		{waitSite{Func: sig + "Shutdown", Blocker: "runtime.selectgo"}, "close"},
		{waitSite{Func: "signals.(*AsyncSignal[...]).Emit", Blocker: "sync.(*WaitGroup).Wait"}, "emit-wait"},
		{waitSite{Func: "signals.f", Blocker: "sync.(*Mutex).Lock"}, "mutex"},
		{waitSite{Func: "signals.f", Blocker: "runtime.chanrecv1"}, "runtime"},
		{waitSite{Func: "signals.f", Blocker: "x.y"}, "other"},
	}
	for _, tt := range tests {
		if got := waitKind(tt.w); got != tt.want {
			t.Errorf("waitKind(%+v) = %q, want %q", tt.w, got, tt.want)
		}
	}
}
