package machine

import (
	"strings"
	"testing"
)

func TestParseCPUInfo(t *testing.T) {
	tests := []struct {
		name, in, model, mhz string
	}{
		{"x86", "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2445.406\n\nprocessor\t: 1\nmodel name\t: other\n", "AMD EPYC", "2445.406"},
		{"arm", "processor : 0\nBogoMIPS : 50\nModel : Raspberry Pi 4\n", "Raspberry Pi 4", ""},
		{"nothing", "flags : fpu\n", "unknown", ""},
		{"empty model", "model name :\nmodel name : B\n", "B", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model, mhz := parseCPUInfo(strings.NewReader(tt.in))
			if model != tt.model || mhz != tt.mhz {
				t.Fatalf("got %q, %q; want %q, %q", model, mhz, tt.model, tt.mhz)
			}
		})
	}
}

func TestParseLoad(t *testing.T) {
	tests := []struct {
		in   string
		want Load
		str  string
	}{
		{"0.12 0.50 1.00 1/93 17918\n", Load{0.12, 0.5, 1}, "0.12 0.50 1.00"},
		{"garbage", Load{-1, -1, -1}, "unknown"},
		{"1 x 3", Load{-1, -1, -1}, "unknown"},
	}
	for _, tt := range tests {
		got := parseLoad(tt.in)
		if got != tt.want || got.String() != tt.str {
			t.Errorf("parseLoad(%q) = %v (%s), want %v (%s)", tt.in, got, got, tt.want, tt.str)
		}
	}
}

func TestRead(t *testing.T) {
	i := Read()
	if i.Cores < 1 || i.GOMAXPROCS < 1 || !strings.HasPrefix(i.GoVersion, "go") || i.CPU == "" {
		t.Fatalf("implausible machine: %+v", i)
	}
	if s := i.String(); !strings.Contains(s, i.GoVersion) || !strings.Contains(s, "GOMAXPROCS") {
		t.Fatalf("String() = %q", s)
	}
}

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		in   string
		want CPUTimes
	}{
		{"cpu  100 20 30 400 50 6 4 10 0 0\ncpu0 1 2 3\n", CPUTimes{Busy: 1.7, Idle: 4.5, Steal: 0.1, OK: true}},
		{"cpu0 1 2 3 4 5 6 7 8\n", CPUTimes{}},
		{"cpu 1 2 x 4 5 6 7 8\n", CPUTimes{}},
		{"", CPUTimes{}},
	}
	for _, tt := range tests {
		got := parseProcStat(tt.in)
		if got.OK != tt.want.OK || !near(got.Busy, tt.want.Busy) || !near(got.Idle, tt.want.Idle) || !near(got.Steal, tt.want.Steal) {
			t.Errorf("parseProcStat(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
