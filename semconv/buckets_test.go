package semconv_test

import (
	"slices"
	"testing"

	"github.com/signalkit/sdk/semconv"
)

func TestDurationBuckets(t *testing.T) {
	b := semconv.DurationBuckets()
	tests := []struct {
		name string
		ok   bool
	}{
		{"22 boundaries", len(b) == 22},
		{"starts at one microsecond", len(b) > 0 && b[0] == 1e-6},
		{"ends at ten seconds", len(b) > 0 && b[len(b)-1] == 10},
		{"strictly increasing", slices.IsSorted(b) && len(slices.Compact(slices.Clone(b))) == len(b)},
		{"has one millisecond", slices.Contains(b, 1e-3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("DurationBuckets() = %v", b)
			}
		})
	}
}

func TestDurationBucketsReturnsCopies(t *testing.T) {
	first := semconv.DurationBuckets()
	first[0] = 42
	if got := semconv.DurationBuckets()[0]; got != 1e-6 {
		t.Errorf("after modifying a result, DurationBuckets()[0] = %g, want 1e-06", got)
	}
}
