// Package peers sets up package signals and other Go event libraries for
// side-by-side measurement: the same listeners, the same payload, each
// library through its idiomatic fastest API for the operation (see
// [Impl.API]). It is the bench module's alone, so that no library module
// requires a peer.
//
// The operations are those of [Op]. A library that has no API for an
// operation has no builder for it ([Impl.Has] reports false); the suite shows
// a dash there rather than an imitation.
package peers

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Op is an operation the peers are compared on.
type Op string

// The operations.
const (
	// SyncEmit calls every listener in the emitting goroutine and returns.
	SyncEmit Op = "sync"
	// EmitWait hands the listeners to other goroutines and returns when all
	// of them have returned.
	EmitWait Op = "wait"
	// FireForget queues the emission and returns; listeners run later, on
	// other goroutines.
	FireForget Op = "fire"
)

// Ops lists the operations in report order.
var Ops = []Op{SyncEmit, EmitWait, FireForget}

// Counter is one listener's call counter, on a cache line of its own, so
// that listeners that run on different goroutines never share one. A nil
// []Counter means listeners that do nothing.
type Counter struct {
	n atomic.Int64
	_ [56]byte
}

// Add counts one call.
func (c *Counter) Add() { c.n.Add(1) }

// Sum returns the calls counted by cs.
func Sum(cs []Counter) int64 {
	var n int64
	for i := range cs {
		n += cs[i].n.Load()
	}
	return n
}

// Bus is one library set up with its listeners for one operation.
type Bus struct {
	// Emitter returns an emit function for one goroutine. Goroutines that
	// emit at the same time each call Emitter once (some libraries need an
	// event value per goroutine). Only SyncEmit may be emitted on from
	// several goroutines at once: EventBus's WaitAsync, for one, cannot be
	// called concurrently.
	Emitter func() func()
	// Drain waits until want listener calls have been counted, through the
	// library's own way of waiting for queued work where it has one, and
	// otherwise by polling the counters. Only FireForget needs it; for the
	// other operations every call has returned when emit returns.
	Drain func(want int64)
	// Close releases what the library started (goroutines, queues). It may
	// follow Drain and must be called once.
	Close func()
}

// Impl is one library, or a reference design.
type Impl struct {
	// Name is the short name used in benchmark names (impl=Name) and tables.
	Name string
	// Module is the library's module path; "" for a reference design.
	Module string
	// API says, per operation, what the measurement calls.
	API map[Op]string
	// Note says what a reader should know to compare it fairly.
	Note string
	// MemoryNote says what its memory per listener includes, if anything
	// beyond the listener's own entry.
	MemoryNote string

	build map[Op]func(n int, cs []Counter) Bus
	// register adds n listeners that do nothing, for memory measurements,
	// and returns a function that releases them (stopping any goroutine
	// they started).
	register func(n int) (release func())
}

// Has reports whether the library has an API for op.
func (im *Impl) Has(op Op) bool { return im.build[op] != nil }

// Build sets up op with n listeners counting into cs (len(cs) == n), or
// doing nothing if cs is nil. It panics if the library has no API for op.
func (im *Impl) Build(op Op, n int, cs []Counter) Bus {
	b := im.build[op]
	if b == nil {
		panic("peers: " + im.Name + " has no API for " + string(op))
	}
	if cs != nil && len(cs) != n {
		panic("peers: len(cs) != n")
	}
	return b(n, cs)
}

// Register adds n listeners that do nothing and returns what keeps them
// alive (to be measured) and a function that releases them.
func (im *Impl) Register(n int) (release func()) { return im.register(n) }

// Version returns the version of the library's module linked into this
// binary, or "" for a reference design, for a module of this repository
// (replaced by a local directory, or a workspace module), or when the build
// info has none (test binaries carry none).
func (im *Impl) Version() string {
	if im.Module == "" {
		return ""
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range info.Deps {
		if d.Path == im.Module && d.Replace == nil && d.Version != "(devel)" {
			return d.Version
		}
	}
	return ""
}

// Title is the module path with its version, or the name of a reference.
func (im *Impl) Title() string {
	if im.Module == "" {
		return im.Name
	}
	if v := im.Version(); v != "" {
		return im.Module + " " + v
	}
	return im.Module
}

// All returns the implementations in report order: signals first, then the
// peers, then the reference designs.
func All() []*Impl {
	return []*Impl{Signals(), Maniartech(), Kelindar(), Gookit(), EventBus(), Channel()}
}

// Memory returns the implementations measured for memory per listener, in
// report order: those of All that register listeners, with keyed variants,
// and a plain slice of functions as the floor.
func Memory() []*Impl {
	return []*Impl{Signals(), SignalsKeyed(), Maniartech(), ManiartechKeyed(), Kelindar(), Gookit(), EventBus(), Slice()}
}

// ByName returns the implementation of All or Memory with the given name, or
// nil.
func ByName(name string) *Impl {
	for _, im := range append(All(), Memory()...) {
		if im.Name == name {
			return im
		}
	}
	return nil
}

// pollDrain waits until cs has counted want calls, checking every 20 µs: for
// libraries that offer no way to wait for queued work.
func pollDrain(cs []Counter) func(want int64) {
	return func(want int64) {
		for Sum(cs) < want {
			time.Sleep(20 * time.Microsecond)
		}
	}
}

func nop() {}

// key returns the 5-byte key of listener i of a keyed registration (unique
// up to 100,000 listeners).
func key(i int) string { return fmt.Sprintf("%05d", i%100_000) }
