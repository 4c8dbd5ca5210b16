package signals_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/signalkit/sdk/signals"
)

func ExampleBaseSignal_SetErrorHandler() {
	s := signals.NewSync[int]()
	s.SetErrorHandler(func(_ context.Context, key string, err error) {
		var pe *signals.PanicError
		if errors.As(err, &pe) {
			fmt.Printf("%s panicked: %v\n", key, pe.Value)
			return
		}
		fmt.Printf("%s failed: %v\n", key, err)
	})
	s.AddListener(func(context.Context, int) { panic("bad state") }, "cache")
	s.AddListenerWithErr(func(context.Context, int) error { return errors.New("timeout") }, "db")
	s.AddListener(func(context.Context, int) { fmt.Println("the others still run") })
	s.Emit(context.Background(), 1)
	// Output:
	// cache panicked: bad state
	// db failed: timeout
	// the others still run
}

func ExamplePanicError() {
	s := signals.NewSync[int]()
	s.AddListener(func(context.Context, int) { panic(fs.ErrNotExist) }, "loader")
	err := s.TryEmit(context.Background(), 1)
	var pe *signals.PanicError
	fmt.Println(errors.As(err, &pe), pe.Key, len(pe.Stack) > 0)
	fmt.Println(errors.Is(err, fs.ErrNotExist)) // the panic value was an error
	// Output:
	// true loader true
	// true
}

func ExamplePanicError_Error() {
	fmt.Println(&signals.PanicError{Key: "cache", Value: "bad state"})
	fmt.Println(&signals.PanicError{Value: 42})
	// Output:
	// signals: listener "cache" panicked: bad state
	// signals: listener panicked: 42
}

func ExamplePanicError_Unwrap() {
	pe := &signals.PanicError{Value: fs.ErrPermission}
	fmt.Println(pe.Unwrap() == fs.ErrPermission, (&signals.PanicError{Value: "text"}).Unwrap())
	// Output:
	// true <nil>
}

func ExamplePanicError_ErrorType() {
	fmt.Println((&signals.PanicError{Value: "x"}).ErrorType())
	// Output:
	// panic
}
