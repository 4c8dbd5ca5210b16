package peers

import (
	"context"
	"time"

	"github.com/kelindar/event"
)

// intEvent is the payload for kelindar/event, whose events name their type.
type intEvent int

func (intEvent) Type() uint32 { return 1 }

// Kelindar is github.com/kelindar/event: a dispatcher with a queue and a
// goroutine per subscriber, which a ticker wakes to deliver in batches.
func Kelindar() *Impl {
	return &Impl{
		Name:   "kelindar",
		Module: "github.com/kelindar/event",
		API: map[Op]string{
			FireForget: "`event.Publish` on a `Dispatcher`; drained by polling the listeners' counters every 20 µs (it offers no way to wait)",
		},
		Note:       "publishing appends to every subscriber's queue under one lock; each subscriber's goroutine delivers its queue when a 500 µs ticker (or a full queue) wakes it, so deliveries come in batches. It has no synchronous emission and no way to wait for delivery",
		MemoryNote: "a goroutine (its stack) and a queue of 64 events per subscriber",
		build: map[Op]func(int, []Counter) Bus{
			FireForget: func(n int, cs []Counter) Bus {
				d, cancel := kelindarDispatcher(n, cs)
				return Bus{
					Emitter: func() func() { return func() { event.Publish(d, intEvent(1)) } },
					Drain:   pollDrain(cs),
					Close:   cancel,
				}
			},
		},
		register: func(n int) func() {
			_, cancel := kelindarDispatcher(n, nil)
			return cancel
		},
	}
}

// kelindarDispatcher returns a dispatcher with n subscribers and a function
// that unsubscribes them and closes the dispatcher. Each subscriber's
// goroutine ends at the next broadcast after its unsubscription, which the
// dispatcher's ticker (500 µs) sends; closing the dispatcher stops the
// ticker, so cancel waits for a few ticks first.
func kelindarDispatcher(n int, cs []Counter) (*event.Dispatcher, func()) {
	d := event.NewDispatcher()
	cancels := make([]context.CancelFunc, n)
	for i := range n {
		if cs == nil {
			cancels[i] = event.Subscribe(d, func(intEvent) {})
			continue
		}
		c := &cs[i]
		cancels[i] = event.Subscribe(d, func(intEvent) { c.Add() })
	}
	return d, func() {
		for _, c := range cancels {
			c()
		}
		time.Sleep(5 * time.Millisecond)
		_ = d.Close()
	}
}
