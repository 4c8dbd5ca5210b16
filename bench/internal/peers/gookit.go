package peers

import (
	"github.com/gookit/event"
)

const gookitEvent = "bench"

// Gookit is github.com/gookit/event: a Manager of named events with
// listeners by priority.
func Gookit() *Impl {
	return &Impl{
		Name:   "gookit",
		Module: "github.com/gookit/event",
		API: map[Op]string{
			SyncEmit:   "`Manager.FireEvent` with an event made once per emitting goroutine (`Fire(name, params)` would allocate one per call)",
			EmitWait:   "`Manager.AwaitFire`: one goroutine runs the listeners, the caller waits for it",
			FireForget: "`Manager.Async` (a new event per call, 3 consumer goroutines behind a channel of 100: the defaults); drained by `CloseWait`",
		},
		Note: "listeners take an `event.Event` (a name and a map of data) and return an error",
		build: map[Op]func(int, []Counter) Bus{
			SyncEmit: func(n int, cs []Counter) Bus {
				em := gookitManager(n, cs)
				return Bus{
					Emitter: func() func() {
						e := event.NewBasic(gookitEvent, nil)
						return func() {
							if err := em.FireEvent(e); err != nil {
								panic(err)
							}
						}
					},
					Drain: func(int64) {},
					Close: nop,
				}
			},
			EmitWait: func(n int, cs []Counter) Bus {
				em := gookitManager(n, cs)
				return Bus{
					Emitter: func() func() {
						e := event.NewBasic(gookitEvent, nil)
						return func() {
							if err := em.AwaitFire(e); err != nil {
								panic(err)
							}
						}
					},
					Drain: func(int64) {},
					Close: nop,
				}
			},
			FireForget: func(n int, cs []Counter) Bus {
				em := gookitManager(n, cs)
				closed := false
				closeWait := func() {
					if !closed {
						closed = true
						_ = em.CloseWait()
					}
				}
				return Bus{
					Emitter: func() func() { return func() { em.Async(gookitEvent, nil) } },
					Drain:   func(int64) { closeWait() },
					Close:   closeWait,
				}
			},
		},
		register: func(n int) func() { return keep(gookitManager(n, nil)) },
	}
}

func gookitManager(n int, cs []Counter) *event.Manager {
	em := event.NewManager("bench")
	for i := range n {
		if cs == nil {
			em.On(gookitEvent, event.ListenerFunc(func(event.Event) error { return nil }))
			continue
		}
		c := &cs[i]
		em.On(gookitEvent, event.ListenerFunc(func(event.Event) error { c.Add(); return nil }))
	}
	return em
}
