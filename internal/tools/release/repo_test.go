package release

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const goodVersions = `module-sets:
  main:
    version: v0.2.0
    modules:
      - example.com/sdk
      - example.com/sdk/core
modules:
  example.com/sdk:
    version-refs:
      - version.go
excluded-modules:
  - example.com/sdk/examples
`

// fixture writes a repository of three modules: the core, the root that
// requires it, and examples that require both. files overrides or adds files.
func fixture(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	base := map[string]string{
		VersionsFile: goodVersions,
		"go.mod": "module example.com/sdk\n\ngo 1.24\n\nrequire example.com/sdk/core v0.2.0\n\n" +
			"replace example.com/sdk/core => ./core\n",
		"version.go":   "package sdk\n\nconst Version = \"0.2.0\"\n",
		"sdk.go":       "package sdk\n",
		"core/go.mod":  "module example.com/sdk/core\n\ngo 1.24\n",
		"core/core.go": "package core\n",
		"examples/go.mod": "module example.com/sdk/examples\n\ngo 1.24\n\n" +
			"require (\n\texample.com/sdk v0.2.0\n\texample.com/sdk/core v0.2.0\n)\n\n" +
			"replace (\n\texample.com/sdk => ../\n\texample.com/sdk/core => ../core\n)\n",
		"examples/main.go":           "package main\n\nfunc main() {}\n",
		"testdata/ignored/go.mod":    "module example.com/ignored\n",
		".hidden/go.mod":             "module example.com/hidden\n",
		"docs/guide.md":              "# guide\n",
		"internal/gen/generated.txt": "kept\n",
	}
	for name, content := range files {
		if content == "" {
			delete(base, name)
		} else {
			base[name] = content
		}
	}
	for name, content := range base {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestLoadAndCheck(t *testing.T) {
	r, err := Load(fixture(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(); err != nil {
		t.Fatalf("Check of a consistent repository: %v", err)
	}
	var dirs []string
	for _, m := range r.Modules {
		dirs = append(dirs, m.Dir)
	}
	if want := []string{".", "core", "examples"}; !slices.Equal(dirs, want) {
		t.Errorf("modules in %v, want %v (testdata and hidden directories skipped)", dirs, want)
	}
	if got, want := r.Tags(), []string{"v0.2.0", "core/v0.2.0"}; !slices.Equal(got, want) {
		t.Errorf("Tags() = %v, want %v", got, want)
	}
	if r.Module("example.com/sdk/examples").Released() {
		t.Error("an excluded module is reported released")
	}
}

func TestLoadRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"module in no set", map[string]string{"tools/go.mod": "module example.com/sdk/tools\n"},
			"tools/go.mod: module example.com/sdk/tools is in no module set"},
		{"listed twice", map[string]string{VersionsFile: goodVersions + "  - example.com/sdk/core\n"},
			"example.com/sdk/core is listed twice"},
		{"listed without go.mod", map[string]string{VersionsFile: goodVersions + "  - example.com/sdk/gone\n"},
			"example.com/sdk/gone (excluded-modules) has no go.mod"},
		{"v0.0.0", map[string]string{VersionsFile: strings.Replace(goodVersions, "v0.2.0", "v0.0.0", 1)},
			`module set main has version "v0.0.0"`},
		{"not semver", map[string]string{VersionsFile: strings.Replace(goodVersions, "v0.2.0", "0.2", 1)},
			`module set main has version "0.2"`},
		{"bad yaml", map[string]string{VersionsFile: "module-sets: [\n"}, VersionsFile},
		{"no versions file", map[string]string{VersionsFile: ""}, "no such file"},
		{"module declared twice", map[string]string{"copy/go.mod": "module example.com/sdk/core\n"},
			"module example.com/sdk/core is declared twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(fixture(t, tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCheckRejects(t *testing.T) {
	exampleMod := func(coreVersion, coreReplace string) string {
		return "module example.com/sdk/examples\n\ngo 1.24\n\n" +
			"require (\n\texample.com/sdk v0.2.0\n\texample.com/sdk/core " + coreVersion + "\n)\n\n" +
			"replace example.com/sdk => ../\n" + coreReplace
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"v0.0.0", map[string]string{"examples/go.mod": exampleMod("v0.0.0", "replace example.com/sdk/core => ../core\n")},
			"examples/go.mod: requirement example.com/sdk/core v0.0.0: versions.yaml says v0.2.0"},
		{"pseudo-version", map[string]string{"examples/go.mod": exampleMod("v0.0.0-00010101000000-000000000000", "replace example.com/sdk/core => ../core\n")},
			"requirement example.com/sdk/core v0.0.0-00010101000000-000000000000: versions.yaml says v0.2.0"},
		{"older release", map[string]string{"examples/go.mod": exampleMod("v0.1.0", "replace example.com/sdk/core => ../core\n")},
			"requirement example.com/sdk/core v0.1.0: versions.yaml says v0.2.0"},
		{"no replace", map[string]string{"examples/go.mod": exampleMod("v0.2.0", "")},
			"no replace directive to ../core"},
		{"replace elsewhere", map[string]string{"examples/go.mod": exampleMod("v0.2.0", "replace example.com/sdk/core => ../other\n")},
			"replaced by ../other, want ../core"},
		{"released requires excluded", map[string]string{"core/go.mod": "module example.com/sdk/core\n\ngo 1.24\n\n" +
			"require example.com/sdk/examples v0.2.0\n\nreplace example.com/sdk/examples => ../examples\n"},
			"example.com/sdk/core is released but requires example.com/sdk/examples, which is never released"},
		{"stale version ref", map[string]string{"version.go": "package sdk\n\nconst Version = \"0.1.0\"\n"},
			`version.go: does not say version "0.2.0" of example.com/sdk`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Load(fixture(t, tc.files))
			if err != nil {
				t.Fatal(err)
			}
			err = r.Check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestWriteProxy writes the fixture's released modules into a proxy and
// checks each zip with the go command's own rules: the module's files
// without its nested modules' or ignored ones, and what git would not track
// left out.
func TestWriteProxy(t *testing.T) {
	root := fixture(t, map[string]string{".gitignore": "bin/\n", "bin/tool": "binary\n"})
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "go.mod", "sdk.go", VersionsFile) // the rest stays untracked
	r, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	proxy := t.TempDir()
	if err := r.WriteProxy(proxy); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"example.com/sdk", []string{".gitignore", "docs/guide.md", "go.mod", "internal/gen/generated.txt", "sdk.go", "version.go", VersionsFile}},
		{"example.com/sdk/core", []string{"core.go", "go.mod"}},
	} {
		escaped, err := module.EscapePath(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		vdir := filepath.Join(proxy, escaped, "@v")
		zipFile := filepath.Join(vdir, "v0.2.0.zip")
		if _, err := modzip.CheckZip(module.Version{Path: tc.path, Version: "v0.2.0"}, zipFile); err != nil {
			t.Errorf("%s: the go command would reject the zip: %v", tc.path, err)
		}
		zr, err := zip.OpenReader(zipFile)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, strings.TrimPrefix(f.Name, tc.path+"@v0.2.0/"))
		}
		zr.Close()
		slices.Sort(names)
		if !slices.Equal(names, tc.want) {
			t.Errorf("%s zip holds %v, want %v", tc.path, names, tc.want)
		}
		for _, name := range []string{"list", "v0.2.0.info", "v0.2.0.mod"} {
			if _, err := os.Stat(filepath.Join(vdir, name)); err != nil {
				t.Errorf("%s: %v", tc.path, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(proxy, "example.com", "sdk", "examples")); !os.IsNotExist(err) {
		t.Errorf("the excluded module is in the proxy (stat: %v)", err)
	}
}
