package otelsignals

import "testing"

func TestSetBudget(t *testing.T) {
	for in, want := range map[int]int64{0: DefaultDurationBudget, -1: 0, -100: 0, 1: 1, 250: 250} {
		var e effective
		e.setBudget(in)
		if e.budget != want {
			t.Errorf("setBudget(%d): budget %d, want %d", in, e.budget, want)
		}
	}
}
