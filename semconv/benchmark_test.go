package semconv_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/signalkit/sdk/semconv"
)

var (
	sinkString string
	sinkBool   bool
)

func BenchmarkSpanName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkString = semconv.SpanName(semconv.OperationEmit, "orders.created")
	}
}

func BenchmarkSignalName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = semconv.SignalName("orders.created").Valid()
	}
}

func BenchmarkErrorType(b *testing.B) {
	benchmarks := []struct {
		name string
		err  error
	}{
		{"errorString", errors.New("boom")},
		{"fmt wrapped", fmt.Errorf("load: %w", &fs.PathError{Op: "open", Err: fs.ErrNotExist})},
		{"ErrorType method", &panicError{value: 1}},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = semconv.ErrorType(bm.err).Value.AsString()
			}
		})
	}
}
