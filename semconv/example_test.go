package semconv_test

import (
	"errors"
	"fmt"
	"io/fs"

	"go.opentelemetry.io/otel/attribute"

	"github.com/signalkit/sdk/semconv"
)

// The attributes of an emission span, as an instrumentation builds them.
func Example() {
	name := semconv.SpanName(semconv.OperationEmit, "orders.created")
	attrs := []attribute.KeyValue{
		semconv.MessagingSystemSignalkit,
		semconv.MessagingDestinationName("orders.created"),
		semconv.MessagingOperationTypeSend,
		semconv.MessagingOperationName(semconv.OperationEmit),
		semconv.SignalKindSync,
		semconv.ListenerCount(2),
	}
	fmt.Println(name, semconv.EmissionSpanKind)
	for _, kv := range attrs {
		fmt.Printf("%s=%s\n", kv.Key, kv.Value.String())
	}
	// Output:
	// emit orders.created producer
	// messaging.system=signalkit
	// messaging.destination.name=orders.created
	// messaging.operation.type=send
	// messaging.operation.name=emit
	// signals.kind=sync
	// signals.listener.count=2
}

func ExampleSignalName() {
	for _, name := range []string{"orders.created", ""} {
		kv := semconv.SignalName(name)
		fmt.Printf("%s=%s\n", kv.Key, kv.Value.AsString())
	}
	// Output:
	// signals.name=orders.created
	// signals.name=unnamed
}

func ExampleListenerKey() {
	kv := semconv.ListenerKey("audit")
	fmt.Printf("%s=%s\n", kv.Key, kv.Value.AsString())
	// Output: signals.listener.key=audit
}

func ExampleListenerCount() {
	kv := semconv.ListenerCount(3)
	fmt.Printf("%s=%d\n", kv.Key, kv.Value.AsInt64())
	// Output: signals.listener.count=3
}

func ExampleErrorType() {
	err := fmt.Errorf("load config: %w", &fs.PathError{Op: "open", Path: "app.yaml", Err: fs.ErrNotExist})
	kv := semconv.ErrorType(err)
	fmt.Printf("%s=%s\n", kv.Key, kv.Value.AsString())

	// A listener that panicked: record the panic value instead.
	kv = semconv.ErrorTypeKey.String(semconv.ErrorTypePanic)
	fmt.Printf("%s=%s\n", kv.Key, kv.Value.AsString())

	// No error, no attribute.
	fmt.Println(semconv.ErrorType(nil).Valid())
	// Output:
	// error.type=*fs.PathError
	// error.type=panic
	// false
}

// An error's class, for error.type: its own name for it (ErrorType
// method), its Go type, or "_OTHER" when the type is one of the standard
// library's generic ones.
func ExampleErrorTypeOf() {
	fmt.Println(semconv.ErrorTypeOf(&fs.PathError{Op: "open", Path: "/etc/app.yaml", Err: fs.ErrNotExist}))
	fmt.Println(semconv.ErrorTypeOf(fmt.Errorf("loading config: %w", &fs.PathError{Op: "open", Err: fs.ErrNotExist})))
	fmt.Println(semconv.ErrorTypeOf(errors.New("boom")))
	fmt.Println(semconv.ErrorTypeOf(fmt.Errorf("wrapped: %w", fs.ErrNotExist)))
	fmt.Printf("%q\n", semconv.ErrorTypeOf(nil))
	// Output:
	// *fs.PathError
	// *fs.PathError
	// _OTHER
	// _OTHER
	// ""
}

func ExampleMessagingDestinationName() {
	kv := semconv.MessagingDestinationName("orders.created")
	fmt.Printf("%s=%s\n", kv.Key, kv.Value.AsString())
	// Output: messaging.destination.name=orders.created
}

func ExampleMessagingOperationName() {
	kv := semconv.MessagingOperationName(semconv.OperationEnqueue)
	fmt.Printf("%s=%s\n", kv.Key, kv.Value.AsString())
	// Output: messaging.operation.name=enqueue
}

func ExampleSpanName() {
	fmt.Println(semconv.SpanName(semconv.OperationTryEmit, "orders.created"))
	fmt.Println(semconv.SpanName(semconv.OperationProcess, ""))
	// Output:
	// try_emit orders.created
	// process unnamed
}

func ExampleMetrics() {
	for _, m := range semconv.Metrics()[:3] {
		fmt.Printf("%s %s %s %v\n", m.Name, m.Instrument, m.Unit, m.Attributes)
	}
	// Output:
	// signals.emissions Int64ObservableCounter {emission} [signals.name signals.kind]
	// signals.emission.duration Float64Histogram s [signals.name signals.kind]
	// signals.listener.invocations Int64ObservableCounter {invocation} [signals.name signals.kind]
}

func ExampleDurationBuckets() {
	b := semconv.DurationBuckets()
	fmt.Println(len(b), b[0], b[len(b)-1])
	// Output: 22 1e-06 10
}
