package signals_test

import (
	"context"
	"fmt"
	"time"

	"github.com/signalkit/sdk/signals"
)

// The methods of NopCollector and NopObserver do nothing; a collector or an
// observer embeds them and overrides the ones it needs. These examples show
// what each returns.

func ExampleNopCollector_EmitStart() {
	ctx, observer := signals.NopCollector{}.EmitStart(context.Background(), signals.Emission{Signal: "s"})
	fmt.Println(ctx == context.Background(), observer == nil)
	// Output:
	// true true
}

func ExampleNopObserver_EmitEnd() {
	signals.NopObserver{}.EmitEnd(context.Background(), signals.Emission{}, signals.EmitResult{Calls: 1})
	fmt.Println("done")
	// Output:
	// done
}

func ExampleNopObserver_ListenerStart() {
	ctx := signals.NopObserver{}.ListenerStart(context.Background(), signals.ListenerInfo{Key: "k"})
	fmt.Println(ctx == context.Background())
	// Output:
	// true
}

func ExampleNopObserver_ListenerEnd() {
	signals.NopObserver{}.ListenerEnd(context.Background(), signals.ListenerInfo{Key: "k"}, time.Millisecond, nil)
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

func ExampleNopObserver_Observe() {
	fmt.Println(signals.NopObserver{}.Observe() == 0)
	// Output:
	// true
}
