package peers

import (
	"context"
	"runtime"

	"github.com/signalkit/sdk/signals"
)

// Signals is this repository's package signals with default options.
func Signals() *Impl {
	return &Impl{
		Name:   "signals",
		Module: "github.com/signalkit/sdk/signals",
		API: map[Op]string{
			SyncEmit:   "`SyncSignal.Emit`",
			EmitWait:   "`AsyncSignal.Emit` (the default pool helps the emitter; returns when every listener has)",
			FireForget: "`AsyncSignal.Enqueue` (default pool, queue of 1,024, OverflowBlock); drained by `Close`, which delivers what is queued",
		},
		Note: "the library this suite is about",
		build: map[Op]func(int, []Counter) Bus{
			SyncEmit: func(n int, cs []Counter) Bus {
				sig := signals.NewSync[int]()
				addSignalsListeners(sig.AddListener, n, cs)
				return emitBus(func() { sig.Emit(context.Background(), 1) }, nop)
			},
			EmitWait: func(n int, cs []Counter) Bus {
				sig := signals.New[int]()
				addSignalsListeners(sig.AddListener, n, cs)
				return emitBus(func() { sig.Emit(context.Background(), 1) }, func() { _ = sig.Close() })
			},
			FireForget: func(n int, cs []Counter) Bus {
				sig := signals.New[int]()
				addSignalsListeners(sig.AddListener, n, cs)
				ctx := context.Background()
				return Bus{
					Emitter: func() func() {
						return func() {
							if err := sig.Enqueue(ctx, 1); err != nil {
								panic(err)
							}
						}
					},
					Drain: func(int64) { _ = sig.Close() },
					Close: func() { _ = sig.Close() }, // a second Close is harmless
				}
			},
		},
		register: func(n int) func() {
			sig := signals.NewSync[int]()
			for range n {
				sig.AddListener(func(context.Context, int) {})
			}
			return keep(sig)
		},
	}
}

// SignalsKeyed is package signals with keyed listeners (5-byte keys, whose
// own bytes count), for memory measurements.
func SignalsKeyed() *Impl {
	return &Impl{
		Name:       "signals, keyed",
		Module:     "github.com/signalkit/sdk/signals",
		Note:       "`AddListener(fn, key)` with a 5-byte key",
		MemoryNote: "with a 5-byte key (its own 8 bytes included) and its entry in the key index",
		register: func(n int) func() {
			sig := signals.NewSync[int]()
			for i := range n {
				sig.AddListener(func(context.Context, int) {}, key(i))
			}
			return keep(sig)
		},
	}
}

func addSignalsListeners(add func(signals.SignalListener[int], ...string) int, n int, cs []Counter) {
	for i := range n {
		if cs == nil {
			add(func(context.Context, int) {})
			continue
		}
		c := &cs[i]
		add(func(context.Context, int) { c.Add() })
	}
}

// emitBus is a Bus whose emit function may be shared by goroutines.
func emitBus(emit func(), closeFn func()) Bus {
	return Bus{Emitter: func() func() { return emit }, Drain: func(int64) {}, Close: closeFn}
}

// keep returns a release function that keeps x reachable for as long as the
// function itself is.
func keep(x any) func() {
	return func() { runtime.KeepAlive(x) }
}
