package config_test

import (
	"fmt"
	"runtime/metrics"
	"time"
)

// cost is what one call cost: heap bytes and objects allocated, and CPU
// time.
type cost struct {
	bytes, objects uint64
	cpu            time.Duration // 0 where processCPU cannot measure it
}

func (c cost) String() string {
	return fmt.Sprintf("%.1f KiB in %d objects, %v CPU", float64(c.bytes)/1024, c.objects, c.cpu)
}

// allocSamples are the runtime's cumulative allocation counters.
var allocSamples = []metrics.Sample{
	{Name: "/gc/heap/allocs:bytes"},
	{Name: "/gc/heap/allocs:objects"},
}

// measure returns the cost of f. The allocation counters count every
// goroutine of the process, and are exact to a few kilobytes (the runtime
// counts small objects a span at a time): the tests of this package do not
// run in parallel, so what they count while f runs is f's. The CPU time is
// the process's (processCPU): it includes the garbage collector's work, and
// not the time the process waited for a processor, so that a busy machine
// does not inflate it.
func measure(f func()) cost {
	metrics.Read(allocSamples)
	bytes, objects := allocSamples[0].Value.Uint64(), allocSamples[1].Value.Uint64()
	cpu0, _ := processCPU()
	f()
	cpu1, ok := processCPU()
	metrics.Read(allocSamples)
	c := cost{
		bytes:   allocSamples[0].Value.Uint64() - bytes,
		objects: allocSamples[1].Value.Uint64() - objects,
	}
	if ok {
		c.cpu = cpu1 - cpu0
	}
	return c
}

// Budgets of one Parse of a document of n bytes, whatever it holds. They
// are linear in n, and generous: the YAML decoder's node tree alone takes
// about 300 bytes and 2 objects per byte of the densest documents (nested
// flow lists, a flow mapping of null values), and a document of a million
// aliases or problems must cost no more than that.
func allocBudget(n int) uint64  { return 1<<20 + 1024*uint64(n) }
func objectBudget(n int) uint64 { return 10_000 + 8*uint64(n) }

// overBudget returns a description of how c exceeds the budgets of a
// document of n bytes, or "" if it does not.
func overBudget(c cost, n int) string {
	switch {
	case c.bytes > allocBudget(n):
		return fmt.Sprintf("allocated %d bytes for %d bytes of input, budget %d", c.bytes, n, allocBudget(n))
	case c.objects > objectBudget(n):
		return fmt.Sprintf("allocated %d objects for %d bytes of input, budget %d", c.objects, n, objectBudget(n))
	}
	return ""
}
