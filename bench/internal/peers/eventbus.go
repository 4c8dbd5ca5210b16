package peers

import (
	evbus "github.com/asaskevich/EventBus"
)

const eventBusTopic = "bench"

// EventBus is github.com/asaskevich/EventBus: topics of handlers of any
// signature, called through reflection.
func EventBus() *Impl {
	return &Impl{
		Name:   "eventbus",
		Module: "github.com/asaskevich/EventBus",
		API: map[Op]string{
			SyncEmit:   "`Bus.Publish` to handlers added with `Subscribe`",
			EmitWait:   "`Bus.Publish` then `Bus.WaitAsync`, handlers added with `SubscribeAsync(topic, fn, false)` (a goroutine per handler per publish)",
			FireForget: "`Bus.Publish` to handlers added with `SubscribeAsync(topic, fn, false)`; drained by `WaitAsync`",
		},
		Note: "handlers are called with `reflect.Value.Call`, and `Publish` holds the bus's mutex while it calls synchronous handlers",
		build: map[Op]func(int, []Counter) Bus{
			SyncEmit: func(n int, cs []Counter) Bus {
				bus := eventBus(n, cs, false)
				return emitBus(func() { bus.Publish(eventBusTopic, 1) }, nop)
			},
			EmitWait: func(n int, cs []Counter) Bus {
				bus := eventBus(n, cs, true)
				return emitBus(func() { bus.Publish(eventBusTopic, 1); bus.WaitAsync() }, nop)
			},
			FireForget: func(n int, cs []Counter) Bus {
				bus := eventBus(n, cs, true)
				return Bus{
					Emitter: func() func() { return func() { bus.Publish(eventBusTopic, 1) } },
					Drain:   func(int64) { bus.WaitAsync() },
					Close:   bus.WaitAsync,
				}
			},
		},
		register: func(n int) func() { return keep(eventBus(n, nil, false)) },
	}
}

func eventBus(n int, cs []Counter, async bool) evbus.Bus {
	bus := evbus.New()
	for i := range n {
		var fn func(int)
		if cs == nil {
			fn = func(int) {}
		} else {
			c := &cs[i]
			fn = func(int) { c.Add() }
		}
		var err error
		if async {
			err = bus.SubscribeAsync(eventBusTopic, fn, false)
		} else {
			err = bus.Subscribe(eventBusTopic, fn)
		}
		if err != nil {
			panic(err) // only for a handler that is not a function
		}
	}
	return bus
}
