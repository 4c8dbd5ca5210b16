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

// The benchmarks of signals (benchmark_test.go, reference_test.go), of
// otelsignals, of natssignals and of the peers (bench/internal/peers), run as they are: their
// test binaries are built once and run several times with -test.count=1,
// one round after another, so that each round measures every
// implementation under the same conditions; ratios are taken within a round
// and the median over rounds is reported. benchstat (the bench module's
// pinned tool) summarizes the same raw output.

type goTestPkg struct {
	Name      string // "signals", "otelsignals", "natssignals", "peers"
	Module    string // directory of the module that builds it, relative to the repo
	Pkg       string // package to build, relative to Module
	Dir       string // where the test binary runs, relative to the repo
	Bench     string // -test.bench pattern
	Rounds    gobench.Rounds
	Raw       string // file with every round's output
	Benchstat string // benchstat -col /impl output, or why there is none
}

// Command returns the go test command that one round of p runs.
func (p *goTestPkg) Command(benchtime string) string {
	bench := p.Bench
	if bench != "." {
		bench = "'" + bench + "'"
	}
	cmd := fmt.Sprintf("go test -run '^$' -bench %s -benchtime %s -count 1 %s", bench, benchtime, p.Pkg)
	if p.Module == "." {
		return cmd
	}
	return fmt.Sprintf("(cd %s && %s)", p.Module, cmd)
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
	g, err := s.goTestRounds(ctx, []*goTestPkg{
		{Name: "signals", Module: "signals", Pkg: ".", Dir: "signals", Bench: "."},
		{Name: "otelsignals", Module: ".", Pkg: "./otelsignals/test", Dir: "otelsignals/test", Bench: "^Benchmark(SyncEmit|SyncEmitParallel|SlowListener|AsyncEnqueue|Collector)$"},
		// The NATS bridge beside raw nats.go JetStream, on an embedded
		// nats-server on 127.0.0.1 that the benchmarks start themselves
		// (module natssignals/test, which may require the server).
		{Name: "natssignals", Module: ".", Pkg: "./natssignals/test", Dir: "natssignals/test", Bench: "^Benchmark(Throughput|Latency)$"},
	})
	s.gotest = g
	return err
}

// goTestRounds builds the test binaries of pkgs, runs them in rounds and
// summarizes each with benchstat.
func (s *Suite) goTestRounds(ctx context.Context, pkgs []*goTestPkg) (*goTestResults, error) {
	root, err := repoRoot(s.cfg.Repo)
	if err != nil {
		return nil, err
	}
	g := &goTestResults{pkgs: pkgs, rounds: s.sz.testRounds, benchtime: s.sz.benchtime}
	for _, p := range g.pkgs {
		bin := filepath.Join(s.cfg.Work, p.Name+".test")
		s.logf("building %s test binary", p.Name)
		cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, p.Pkg)
		cmd.Dir = filepath.Join(root, p.Module)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go test -c (%s): %w\n%s", p.Name, err, out)
		}
		p.Raw = filepath.Join(s.cfg.Work, "gotest-"+p.Name+".txt")
		if err := os.WriteFile(p.Raw, nil, 0o644); err != nil {
			return nil, err
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
				return nil, fmt.Errorf("%s benchmarks, round %d: %w\n%s%s", p.Name, round+1, err, out, stderr.Bytes())
			}
			if err := p.Rounds.Add(bytes.NewReader(out)); err != nil {
				return nil, err
			}
			f, err := os.OpenFile(p.Raw, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return nil, err
			}
			_, werr := f.Write(out)
			if err := errors.Join(werr, f.Close()); err != nil {
				return nil, err
			}
		}
		s.logf("go test round %d/%d done", round+1, g.rounds)
	}
	for _, p := range g.pkgs {
		// The bench module pins benchstat (a tool directive in its go.mod).
		cmd := exec.CommandContext(ctx, "go", "tool", "benchstat", "-col", "/impl", p.Raw)
		cmd.Dir = filepath.Join(root, "bench")
		out, err := cmd.CombinedOutput()
		if err != nil {
			p.Benchstat = fmt.Sprintf("benchstat failed: %v\n%s", err, out)
			continue
		}
		p.Benchstat = string(out)
	}
	return g, nil
}
