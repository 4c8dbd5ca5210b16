package config_test

import (
	"fmt"
	"runtime"
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

// measure returns the cost of f. The allocation counts are the runtime's
// (runtime.ReadMemStats, as testing.AllocsPerRun reads them): exact, and
// counting every goroutine of the process; the tests of this package do not
// run in parallel, so what they count while f runs is f's. The CPU time is
// the process's (processCPU): it includes the garbage collector's work, and
// not the time the process waited for a processor, so that a busy machine
// does not inflate it.
func measure(f func()) cost {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0, _ := processCPU()
	f()
	cpu1, ok := processCPU()
	runtime.ReadMemStats(&after)
	c := cost{
		bytes:   after.TotalAlloc - before.TotalAlloc,
		objects: after.Mallocs - before.Mallocs,
	}
	if ok {
		c.cpu = cpu1 - cpu0
	}
	return c
}

// Budgets of one Parse of a document of n bytes, whatever it holds: linear
// in n, and generous. The YAML decoder's node tree and stacks take up to
// 700 bytes per byte of a deeply nested document of a few hundred bytes,
// 300 for one of 20 KB (its limit of 10,000 levels), and up to 230 bytes
// and 2 objects per byte of a flat one (a flow mapping of null values);
// encoding/json takes 3.5 objects per byte of a list of numbers. Before the
// parser bounded its work, a document of 19 KB that aliased a mapping of
// 1,000 unknown keys 1,000 times took 312 MiB in 6 million objects: 15 and
// 38 times these budgets.
func allocBudget(n int) uint64  { return 256<<10 + 1024*uint64(n) }
func objectBudget(n int) uint64 { return 2000 + 8*uint64(n) }

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
