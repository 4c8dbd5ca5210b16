package work

import (
	"testing"
	"time"
)

func TestSpin(t *testing.T) {
	tests := []struct {
		a, b  int
		equal bool
	}{
		{0, 0, true},
		{1000, 1000, true},
		{1000, 1001, false},
		{0, 1, false},
	}
	for _, tt := range tests {
		if got := Spin(tt.a) == Spin(tt.b); got != tt.equal {
			t.Errorf("Spin(%d) == Spin(%d) is %v, want %v", tt.a, tt.b, got, tt.equal)
		}
	}
}

func TestStepsFor(t *testing.T) {
	tests := []struct {
		d, best time.Duration
		want    int
	}{
		{time.Millisecond, time.Millisecond, calibrationSteps},
		{10 * time.Microsecond, time.Millisecond, calibrationSteps / 100},
		{time.Microsecond, 2 * time.Millisecond, calibrationSteps / 2000},
		{0, time.Millisecond, 1},
		{time.Microsecond, 0, 1000 * calibrationSteps}, // a zero time counts as 1 ns
	}
	for _, tt := range tests {
		if got := stepsFor(tt.d, tt.best); got != tt.want {
			t.Errorf("stepsFor(%v, %v) = %d, want %d", tt.d, tt.best, got, tt.want)
		}
	}
}

func TestCalibrate(t *testing.T) {
	for _, d := range []time.Duration{0, time.Nanosecond, time.Microsecond, 100 * time.Microsecond} {
		if n := Calibrate(d); n < 1 {
			t.Errorf("Calibrate(%v) = %d, want at least 1", d, n)
		}
	}
}
