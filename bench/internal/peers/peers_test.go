package peers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/signalkit/sdk/bench/internal/peers"
)

// TestDelivers checks every implementation and operation it offers: each
// emission reaches each listener once, from several goroutines for
// SyncEmit (as BenchmarkParallelEmit uses it) and from one for the others.
func TestDelivers(t *testing.T) {
	const listeners, emissions = 3, 50
	for _, im := range peers.All() {
		for _, op := range peers.Ops {
			if !im.Has(op) {
				continue
			}
			goroutines := 1
			if op == peers.SyncEmit {
				goroutines = 4
			}
			t.Run(im.Name+"/"+string(op), func(t *testing.T) {
				cs := make([]peers.Counter, listeners)
				bus := im.Build(op, listeners, cs)
				done := make(chan struct{})
				for range goroutines {
					go func() {
						defer func() { done <- struct{}{} }()
						emit := bus.Emitter()
						for range emissions {
							emit()
						}
					}()
				}
				for range goroutines {
					<-done
				}
				want := int64(listeners * emissions * goroutines)
				bus.Drain(want)
				bus.Close()
				if got := peers.Sum(cs); got != want {
					t.Fatalf("%d listener calls, want %d", got, want)
				}
				for i := range cs {
					if got := peers.Sum(cs[i : i+1]); got != int64(emissions*goroutines) {
						t.Fatalf("listener %d called %d times, want %d", i, got, emissions*goroutines)
					}
				}
			})
		}
	}
}

func TestEveryImplMeasuresSomething(t *testing.T) {
	for _, im := range peers.All() {
		has := slices.ContainsFunc(peers.Ops, im.Has)
		if !has {
			t.Errorf("%s offers none of the operations", im.Name)
		}
		for _, op := range peers.Ops {
			if im.Has(op) != (im.API[op] != "") {
				t.Errorf("%s, %s: has a builder %v, says what it calls %q", im.Name, op, im.Has(op), im.API[op])
			}
		}
		// Test binaries carry no module versions in their build info, so
		// Title falls back to the path here; sigbench shows the versions.
		if im.Module != "" && !strings.HasPrefix(im.Title(), im.Module) {
			t.Errorf("%s: Title() = %q, want it to start with %s", im.Name, im.Title(), im.Module)
		}
	}
}

func TestBuildWithoutAPIPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "no API for sync") {
			t.Fatalf("recovered %v, want a panic naming the missing API", r)
		}
	}()
	peers.Kelindar().Build(peers.SyncEmit, 1, nil)
}

// TestBytesPerListener checks that a registration is measured while it is
// alive: a listener of any library takes more than nothing, and a slice of
// closures takes less than package signals' listener entries.
func TestBytesPerListener(t *testing.T) {
	const n = 2000
	for _, im := range peers.Memory() {
		t.Run(im.Name, func(t *testing.T) {
			if got := im.BytesPerListener(n); got <= 0 {
				t.Fatalf("%.1f bytes per listener, want more than 0", got)
			}
		})
	}
}
