// Command release checks the repository's module versions, prints the tags a
// release pushes, and writes the released modules into a file-based module
// proxy. scripts/release.sh runs it; docs/releasing.md has the procedure.
//
// Usage:
//
//	release check       every requirement between modules agrees with versions.yaml
//	release tags        the tags a release of versions.yaml pushes, one a line
//	release proxy DIR   the released modules, at their versions, as a GOPROXY=file:// directory
//
// It finds the repository's root by looking for versions.yaml from the
// current directory upwards; -root names it instead.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/signalkit/sdk/internal/tools/release"
)

func main() {
	root := flag.String("root", "", "the repository's root (default: the nearest directory upwards with "+release.VersionsFile+")")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: release [-root DIR] check | tags | proxy DIR\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*root, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(root string, args []string) error {
	if len(args) == 0 {
		flag.Usage()
		return errors.New("no command")
	}
	if root == "" {
		var err error
		if root, err = findRoot(); err != nil {
			return err
		}
	}
	repo, err := release.Load(root)
	if err != nil {
		return err
	}
	switch cmd := args[0]; {
	case cmd == "check" && len(args) == 1:
		if err := repo.Check(); err != nil {
			return err
		}
		fmt.Printf("%d modules, %d released; every requirement between them agrees with %s\n",
			len(repo.Modules), len(repo.Released()), release.VersionsFile)
		return nil
	case cmd == "tags" && len(args) == 1:
		for _, t := range repo.Tags() {
			fmt.Println(t)
		}
		return nil
	case cmd == "proxy" && len(args) == 2:
		return repo.WriteProxy(args[1])
	default:
		flag.Usage()
		return fmt.Errorf("unknown command or arguments: %q", args)
	}
}

// findRoot returns the nearest directory, from the current one upwards,
// that holds versions.yaml.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, release.VersionsFile)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no %s in this directory or any above it", release.VersionsFile)
		}
		dir = parent
	}
}
