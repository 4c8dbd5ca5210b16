package peers

import (
	"context"
	"sync"

	v13 "github.com/maniartech/signals"
)

// Maniartech is github.com/maniartech/signals, the v1.3 release that package
// signals is source-compatible with.
func Maniartech() *Impl {
	return &Impl{
		Name:   "maniartech",
		Module: "github.com/maniartech/signals",
		API: map[Op]string{
			SyncEmit:   "`SyncSignal.Emit`",
			EmitWait:   "`AsyncSignal.Emit` (a goroutine per listener up to 16 listeners, a pool it never stops beyond)",
			FireForget: "`go SyncSignal.Emit(...)`, a goroutine per emission, as its documentation advises for not waiting; drained with a `sync.WaitGroup`",
		},
		Note: "the v1.3 API that package signals keeps",
		build: map[Op]func(int, []Counter) Bus{
			SyncEmit: func(n int, cs []Counter) Bus {
				sig := v13.NewSync[int]()
				addV13Listeners(sig.AddListener, n, cs)
				return emitBus(func() { sig.Emit(context.Background(), 1) }, nop)
			},
			EmitWait: func(n int, cs []Counter) Bus {
				sig := v13.New[int]()
				addV13Listeners(sig.AddListener, n, cs)
				return emitBus(func() { sig.Emit(context.Background(), 1) }, nop)
			},
			FireForget: func(n int, cs []Counter) Bus {
				sig := v13.NewSync[int]()
				addV13Listeners(sig.AddListener, n, cs)
				ctx := context.Background()
				var wg sync.WaitGroup
				return Bus{
					Emitter: func() func() {
						return func() {
							wg.Add(1)
							go func() {
								defer wg.Done()
								sig.Emit(ctx, 1)
							}()
						}
					},
					Drain: func(int64) { wg.Wait() },
					Close: nop,
				}
			},
		},
		register: func(n int) func() {
			sig := v13.NewSync[int]()
			for range n {
				sig.AddListener(func(context.Context, int) {})
			}
			return keep(sig)
		},
	}
}

// ManiartechKeyed is github.com/maniartech/signals with keyed listeners
// (5-byte keys, whose own bytes count), for memory measurements.
func ManiartechKeyed() *Impl {
	return &Impl{
		Name:       "maniartech, keyed",
		Module:     "github.com/maniartech/signals",
		Note:       "`AddListener(fn, key)` with a 5-byte key",
		MemoryNote: "with a 5-byte key (its own 8 bytes included)",
		register: func(n int) func() {
			sig := v13.NewSync[int]()
			for i := range n {
				sig.AddListener(func(context.Context, int) {}, key(i))
			}
			return keep(sig)
		},
	}
}

func addV13Listeners(add func(v13.SignalListener[int], ...string) int, n int, cs []Counter) {
	for i := range n {
		if cs == nil {
			add(func(context.Context, int) {})
			continue
		}
		c := &cs[i]
		add(func(context.Context, int) { c.Add() })
	}
}
