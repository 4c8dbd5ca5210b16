// Package machine describes the machine a measurement runs on: CPU model,
// cores, GOMAXPROCS, Go version, kernel and load, read from the runtime and
// from /proc where it exists.
package machine

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Info is a description of the machine.
type Info struct {
	CPU        string // model name from /proc/cpuinfo, or "unknown"
	MHz        string // clock from /proc/cpuinfo, if given
	Cores      int    // runtime.NumCPU
	GOMAXPROCS int
	GoVersion  string // runtime.Version
	OSArch     string // GOOS/GOARCH
	Kernel     string // /proc/sys/kernel/osrelease, or "unknown"
	Load       Load   // load averages when Read was called
	Time       time.Time
}

// Load holds the 1, 5 and 15 minute load averages; all -1 if unknown.
type Load struct{ One, Five, Fifteen float64 }

// String formats l as "0.12 0.50 1.00", or "unknown".
func (l Load) String() string {
	if l.One < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.2f %.2f %.2f", l.One, l.Five, l.Fifteen)
}

// Read describes the current machine.
func Read() Info {
	i := Info{
		CPU:        "unknown",
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion:  runtime.Version(),
		OSArch:     runtime.GOOS + "/" + runtime.GOARCH,
		Kernel:     "unknown",
		Load:       ReadLoad(),
		Time:       time.Now().UTC(),
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		i.CPU, i.MHz = parseCPUInfo(f)
		_ = f.Close() // opened read-only: nothing to lose
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		i.Kernel = strings.TrimSpace(string(b))
	}
	return i
}

// ReadLoad returns the load averages from /proc/loadavg.
func ReadLoad() Load {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return Load{-1, -1, -1}
	}
	return parseLoad(string(b))
}

func parseLoad(s string) Load {
	fields := strings.Fields(s)
	if len(fields) < 3 {
		return Load{-1, -1, -1}
	}
	var v [3]float64
	for k := range v {
		x, err := strconv.ParseFloat(fields[k], 64)
		if err != nil {
			return Load{-1, -1, -1}
		}
		v[k] = x
	}
	return Load{v[0], v[1], v[2]}
}

// CPUTimes are the machine's CPU times since boot, summed over all CPUs, in
// seconds, from the first line of /proc/stat.
type CPUTimes struct {
	Busy  float64 // user, nice, system, irq, softirq and steal
	Idle  float64 // idle and iowait
	Steal float64 // taken by the hypervisor for other guests (part of Busy)
	OK    bool    // false if /proc/stat could not be read
}

// ReadCPUTimes reads /proc/stat.
func ReadCPUTimes() CPUTimes {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUTimes{}
	}
	return parseProcStat(string(b))
}

// userHZ is the unit of /proc/stat, USER_HZ, which Linux fixes at 100 for
// user space.
const userHZ = 100

func parseProcStat(s string) CPUTimes {
	line, _, _ := strings.Cut(s, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return CPUTimes{}
	}
	var v [8]float64
	for i := range v {
		x, err := strconv.ParseFloat(f[i+1], 64)
		if err != nil {
			return CPUTimes{}
		}
		v[i] = x / userHZ
	}
	user, nice, system, idle, iowait, irq, softirq, steal := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	return CPUTimes{Busy: user + nice + system + irq + softirq + steal, Idle: idle + iowait, Steal: steal, OK: true}
}

// parseCPUInfo returns the first model name and clock of a /proc/cpuinfo.
func parseCPUInfo(r io.Reader) (model, mhz string) {
	model = "unknown"
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "model name", "Model", "cpu model":
			if model == "unknown" && val != "" {
				model = val
			}
		case "cpu MHz":
			if mhz == "" {
				mhz = val
			}
		}
	}
	return model, mhz
}

// String is the one-line description printed by the suite.
func (i Info) String() string {
	cpu := i.CPU
	if i.MHz != "" {
		if f, err := strconv.ParseFloat(i.MHz, 64); err == nil {
			cpu += fmt.Sprintf(" @ %.2f GHz", f/1000)
		}
	}
	return fmt.Sprintf("%s, %d cores, GOMAXPROCS %d, %s %s, Linux kernel %s",
		cpu, i.Cores, i.GOMAXPROCS, i.GoVersion, i.OSArch, i.Kernel)
}
