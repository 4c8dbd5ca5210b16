package suite

import (
	"sync"
	"sync/atomic"
	"time"
)

// runTogether starts n goroutines, releases them all at once, lets them run
// for d, then tells them to stop and waits until every one has returned.
// body(id, stop) is goroutine id's work: it runs until stop reports true and
// returns what it counted. runTogether returns the sum of the counts and the
// time the goroutines were released, from which callers measure elapsed
// time up to whatever end they choose.
func runTogether(n int, d time.Duration, body func(id int, stop *atomic.Bool) int64) (total int64, released time.Time) {
	var (
		stop  atomic.Bool
		sum   atomic.Int64
		wg    sync.WaitGroup
		ready sync.WaitGroup
		start = make(chan struct{})
	)
	for id := range n {
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			<-start
			sum.Add(body(id, &stop))
		}()
	}
	ready.Wait()
	released = time.Now()
	close(start)
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	return sum.Load(), released
}
