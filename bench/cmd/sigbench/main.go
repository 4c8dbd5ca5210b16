// Command sigbench is signalkit's performance suite: it measures packages
// signals and otelsignals on this machine and writes docs/performance.md and
// the SVG plots in docs/perf. Run it through scripts/perf.sh:
//
//	scripts/perf.sh          # the full run, into docs/
//	scripts/perf.sh -short   # every measurement at tiny sizes, into a temporary directory (CI)
//
// or directly, from the repository root:
//
//	go run ./bench/cmd/sigbench [-short] [-out dir] [-work dir] [-only sections]
//
// Sections: gotest, peers, latency, throughput, scaling, resources,
// contention, overhead (comma-separated for -only).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/signalkit/sdk/bench/internal/suite"
)

func main() {
	var cfg suite.Config
	only := ""
	flag.BoolVar(&cfg.Short, "short", false, "run every measurement at tiny sizes (for CI); the numbers are not worth reading")
	flag.StringVar(&cfg.Out, "out", "docs", "directory to write performance.md and perf/*.svg into")
	flag.StringVar(&cfg.Work, "work", "", "scratch directory for test binaries, raw go test output and profiles (default: a new temporary directory)")
	flag.StringVar(&cfg.Repo, "repo", "", "root of the signalkit repository (default: found above the current directory)")
	flag.StringVar(&only, "only", "", "comma-separated sections to run: "+strings.Join(suite.Sections, ","))
	flag.StringVar(&cfg.Command, "command", "", "how the run was started, for the report (default: this command line)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "sigbench: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if only != "" {
		cfg.Only = strings.Split(only, ",")
	}
	if cfg.Command == "" {
		cfg.Command = "go run ./bench/cmd/sigbench " + strings.Join(os.Args[1:], " ")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := suite.Run(ctx, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "sigbench: %v\n", err)
		os.Exit(1)
	}
}
