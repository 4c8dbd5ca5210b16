package signals_test

import (
	"context"
	"fmt"
	"time"

	"github.com/signalkit/sdk/signals"
)

// The methods of NopCollector do nothing; a collector embeds it and overrides
// the ones it needs. These examples show what each returns.

func ExampleNopCollector_EmitStart() {
	ctx, observe := signals.NopCollector{}.EmitStart(context.Background(), signals.Emission{Signal: "s"})
	fmt.Println(ctx == context.Background(), observe == 0)
	// Output:
	// true true
}

func ExampleNopCollector_EmitEnd() {
	signals.NopCollector{}.EmitEnd(context.Background(), signals.Emission{}, signals.EmitResult{Calls: 1})
	fmt.Println("done")
	// Output:
	// done
}

func ExampleNopCollector_ListenerStart() {
	ctx := signals.NopCollector{}.ListenerStart(context.Background(), signals.ListenerInfo{Key: "k"})
	fmt.Println(ctx == context.Background())
	// Output:
	// true
}

func ExampleNopCollector_ListenerEnd() {
	signals.NopCollector{}.ListenerEnd(context.Background(), signals.ListenerInfo{Key: "k"}, time.Millisecond, nil)
	fmt.Println("done")
	// Output:
	// done
}

func ExampleNopCollector_ListenerChanged() {
	signals.NopCollector{}.ListenerChanged(signals.ListenerInfo{Key: "k"}, signals.ChangeAdd)
	fmt.Println("done")
	// Output:
	// done
}

func ExampleNopCollector_Dropped() {
	signals.NopCollector{}.Dropped(context.Background(), "s", signals.ErrQueueFull)
	fmt.Println("done")
	// Output:
	// done
}
