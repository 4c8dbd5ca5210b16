package main

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"first order of the day: A-1",
		"rejected: order A-2: invalid quantity",
		`listener "tracking" failed: signals: listener "tracking" panicked: tracking service down`,
		"emails sent: 3, sms sent: 3",
		"order.placed: 3 emissions, 6 listener calls, 1 errors, 0 panics",
		"order.shipped: 3 emissions, 9 listener calls, 0 errors, 1 panics",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
