package suite

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/signalkit/sdk/bench/internal/gobench"
)

// The benchmarks of signals (benchmark_test.go, reference_test.go) and of
// otelsignals, run as they are: their test binaries are built once and run
// several times with -test.count=1, one round after another, so that each
// round measures every implementation under the same conditions; ratios are
// taken within a round and the median over rounds is reported. benchstat,
// if installed, summarizes the same raw output.

type goTestPkg struct {
	Name      string // "signals", "otelsignals"
	Dir       string // where the test binary runs, relative to the repo
	Build     []string
	Bench     string // -test.bench pattern
	Rounds    gobench.Rounds
	Raw       string // file with every round's output
	Benchstat string // benchstat -col /impl output, or why there is none
}

type goTestResults struct {
	pkgs      []*goTestPkg
	rounds    int
	benchtime string
}

func (g *goTestResults) pkg(name string) *goTestPkg {
	if g == nil {
		return nil
	}
	for _, p := range g.pkgs {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// repoRoot returns cfg.Repo, or the nearest directory at or above the
// current one whose go.mod declares module github.com/signalkit/sdk.
func repoRoot(dir string) (string, error) {
	if dir != "" {
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(b))
			for sc.Scan() {
				if strings.TrimSpace(sc.Text()) == "module github.com/signalkit/sdk" {
					return d, nil
				}
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no repository root above %s (go.mod of github.com/signalkit/sdk); use -repo", wd)
		}
	}
}

func (s *Suite) runGoTest(ctx context.Context) error {
	root, err := repoRoot(s.cfg.Repo)
	if err != nil {
		return err
	}
	g := &goTestResults{rounds: s.sz.testRounds, benchtime: s.sz.benchtime}
	s.gotest = g
	g.pkgs = []*goTestPkg{
		{Name: "signals", Dir: "signals", Build: []string{"."}, Bench: "."},
		{Name: "otelsignals", Dir: "otelsignals/test", Build: []string{"./otelsignals/test"}, Bench: "^Benchmark(SyncEmit|SyncEmitParallel|SlowListener|AsyncEnqueue|Collector)$"},
	}
	for _, p := range g.pkgs {
		bin := filepath.Join(s.cfg.Work, p.Name+".test")
		buildDir := root
		if p.Name == "signals" {
			buildDir = filepath.Join(root, "signals") // a module of its own
		}
		s.logf("building %s test binary", p.Name)
		cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-c", "-o", bin}, p.Build...)...)
		cmd.Dir = buildDir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go test -c (%s): %w\n%s", p.Name, err, out)
		}
		p.Raw = filepath.Join(s.cfg.Work, "gotest-"+p.Name+".txt")
		if err := os.WriteFile(p.Raw, nil, 0o644); err != nil {
			return err
		}
	}
	for round := range g.rounds {
		for _, p := range g.pkgs {
			cmd := exec.CommandContext(ctx, filepath.Join(s.cfg.Work, p.Name+".test"),
				"-test.run=^$", "-test.bench="+p.Bench, "-test.benchtime="+g.benchtime, "-test.count=1", "-test.timeout=60m")
			cmd.Dir = filepath.Join(root, p.Dir)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				return fmt.Errorf("%s benchmarks, round %d: %w\n%s%s", p.Name, round+1, err, out, stderr.Bytes())
			}
			if err := p.Rounds.Add(bytes.NewReader(out)); err != nil {
				return err
			}
			f, err := os.OpenFile(p.Raw, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			_, werr := f.Write(out)
			if err := errors.Join(werr, f.Close()); err != nil {
				return err
			}
		}
		s.logf("go test round %d/%d done", round+1, g.rounds)
	}
	bs := findBenchstat()
	for _, p := range g.pkgs {
		if bs == "" {
			p.Benchstat = "benchstat not installed (go install golang.org/x/perf/cmd/benchstat@latest)"
			continue
		}
		out, err := exec.CommandContext(ctx, bs, "-col", "/impl", p.Raw).CombinedOutput()
		if err != nil {
			p.Benchstat = fmt.Sprintf("benchstat failed: %v\n%s", err, out)
			continue
		}
		p.Benchstat = string(out)
	}
	return nil
}

// findBenchstat returns the path of benchstat, from PATH or GOPATH/bin, or "".
func findBenchstat() string {
	if p, err := exec.LookPath("benchstat"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
		p := filepath.Join(dir, "bin", "benchstat")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
