package peers

// Channel is the plainest hand-off, as a reference for fire-and-forget: a
// buffered channel of 1,024 emissions drained by one goroutine that calls
// the listeners.
func Channel() *Impl {
	return &Impl{
		Name: "channel",
		API: map[Op]string{
			FireForget: "`ch <- v` into a `chan int` of 1,024; one goroutine ranges over it and calls the listeners in order; drained by closing the channel and waiting for that goroutine",
		},
		Note: "a reference design, not a library: no panic isolation, no removal, one goroutine for all listeners",
		build: map[Op]func(int, []Counter) Bus{
			FireForget: func(n int, cs []Counter) Bus {
				listeners := make([]func(int), n)
				for i := range listeners {
					if cs == nil {
						listeners[i] = func(int) {}
						continue
					}
					c := &cs[i]
					listeners[i] = func(int) { c.Add() }
				}
				ch := make(chan int, 1024)
				done := make(chan struct{})
				go func() {
					defer close(done)
					for v := range ch {
						for _, l := range listeners {
							l(v)
						}
					}
				}()
				closed := false
				closeWait := func() {
					if !closed {
						closed = true
						close(ch)
						<-done
					}
				}
				return Bus{
					Emitter: func() func() { return func() { ch <- 1 } },
					Drain:   func(int64) { closeWait() },
					Close:   closeWait,
				}
			},
		},
	}
}

// Slice is a plain []func(int) as the floor of memory per listener.
func Slice() *Impl {
	return &Impl{
		Name:       "[]func slice",
		Note:       "a reference: the closures' own bytes and a slice slot, nothing else",
		MemoryNote: "the floor: a closure and a slice slot",
		register: func(n int) func() {
			var ls []func(int)
			for range n {
				ls = append(ls, func(int) {})
			}
			return keep(ls)
		},
	}
}
