// Package release reads the repository's module versions (versions.yaml),
// checks that the go.mod files agree with them, lists the tags a release
// pushes, and writes the modules at their release versions into a file-based
// module proxy, as a user's go command would download them.
//
// versions.yaml has the format of OpenTelemetry's release tool, multimod
// (go.opentelemetry.io/build-tools/multimod), which bumps the versions and
// creates the tags (docs/releasing.md). multimod checks the file itself; what
// this package adds is what multimod does not do: check every requirement
// between the modules against the file without changing anything, print the
// tags without creating them, and build the proxy for the consumer test.
package release

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// VersionsFile is the name of the versions file at the repository's root.
const VersionsFile = "versions.yaml"

// Module is one go.mod of the repository.
type Module struct {
	Path    string        // module path, github.com/signalkit/sdk/signals
	Dir     string        // directory relative to the repository's root, "signals"; "." for the root
	Set     string        // module set it is released in, "" if excluded
	Version string        // the set's version, "" if excluded
	File    *modfile.File // the parsed go.mod
}

// Released reports whether the module is tagged and served to users.
func (m *Module) Released() bool { return m.Set != "" }

// Repo is the repository's modules and their versions.
type Repo struct {
	Root    string
	Modules []*Module // sorted by directory
	fsys    fs.FS     // the repository's files, rooted at Root
	byPath  map[string]*Module
	// versionRefs are the files, relative to the root, that must mention
	// a module's version (multimod's version-refs), by module path.
	versionRefs map[string][]string
}

// versionsConfig is versions.yaml, in multimod's format.
type versionsConfig struct {
	ModuleSets map[string]struct {
		Version string   `yaml:"version"`
		Modules []string `yaml:"modules"`
	} `yaml:"module-sets"`
	Modules map[string]struct {
		VersionRefs []string `yaml:"version-refs"`
	} `yaml:"modules"`
	ExcludedModules []string `yaml:"excluded-modules"`
}

// Load reads versions.yaml and every go.mod under root. It fails if a go.mod
// is neither in a module set nor excluded, if versions.yaml names a module
// with no go.mod, or names one twice.
func Load(root string) (*Repo, error) {
	fsys := os.DirFS(root)
	data, err := fs.ReadFile(fsys, VersionsFile)
	if err != nil {
		return nil, err
	}
	var cfg versionsConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", VersionsFile, err)
	}
	r := &Repo{Root: root, fsys: fsys, byPath: map[string]*Module{}, versionRefs: map[string][]string{}}
	if err := r.readGoMods(); err != nil {
		return nil, err
	}

	var errs []error
	listed := map[string]string{} // module path → where versions.yaml lists it
	list := func(path, where string) bool {
		if prev, ok := listed[path]; ok {
			errs = append(errs, fmt.Errorf("%s: %s is listed twice (%s and %s)", VersionsFile, path, prev, where))
			return false
		}
		listed[path] = where
		if r.byPath[path] == nil {
			errs = append(errs, fmt.Errorf("%s: %s (%s) has no go.mod in the repository", VersionsFile, path, where))
			return false
		}
		return true
	}
	for _, name := range sortedKeys(cfg.ModuleSets) {
		set := cfg.ModuleSets[name]
		if !isReleaseVersion(set.Version) {
			errs = append(errs, fmt.Errorf("%s: module set %s has version %q, not a release version such as v0.2.0", VersionsFile, name, set.Version))
		}
		for _, p := range set.Modules {
			if list(p, "module set "+name) {
				r.byPath[p].Set, r.byPath[p].Version = name, set.Version
			}
		}
	}
	for _, p := range cfg.ExcludedModules {
		list(p, "excluded-modules")
	}
	for _, m := range r.Modules {
		if _, ok := listed[m.Path]; !ok {
			errs = append(errs, fmt.Errorf("%s/go.mod: module %s is in no module set of %s and not in its excluded-modules", m.Dir, m.Path, VersionsFile))
		}
	}
	for p, def := range cfg.Modules {
		r.versionRefs[p] = def.VersionRefs
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// readGoMods parses every go.mod under the root, skipping testdata and
// hidden directories as the go command does.
func (r *Repo) readGoMods() error {
	err := fs.WalkDir(r.fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := d.Name()
		if d.IsDir() {
			if name != "." && (base == "testdata" || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")) {
				return fs.SkipDir
			}
			return nil
		}
		if base != "go.mod" {
			return nil
		}
		data, err := fs.ReadFile(r.fsys, name)
		if err != nil {
			return err
		}
		f, err := modfile.Parse(name, data, nil)
		if err != nil {
			return err
		}
		if f.Module == nil {
			return fmt.Errorf("%s: no module directive", name)
		}
		m := &Module{Path: f.Module.Mod.Path, Dir: path.Dir(name), File: f}
		if prev := r.byPath[m.Path]; prev != nil {
			return fmt.Errorf("module %s is declared twice: %s/go.mod and %s/go.mod", m.Path, prev.Dir, m.Dir)
		}
		r.byPath[m.Path] = m
		r.Modules = append(r.Modules, m)
		return nil
	})
	slices.SortFunc(r.Modules, func(a, b *Module) int { return strings.Compare(a.Dir, b.Dir) })
	return err
}

// Module returns the module with the given path, or nil.
func (r *Repo) Module(path string) *Module { return r.byPath[path] }

// Released returns the modules that are tagged and served to users.
func (r *Repo) Released() []*Module {
	var out []*Module
	for _, m := range r.Modules {
		if m.Released() {
			out = append(out, m)
		}
	}
	return out
}

// Tags returns the tags a release of the current versions pushes: the
// module's directory and its version (signals/v0.2.0), or the version alone
// for the module at the root, as the go command expects of a repository
// with several modules.
func (r *Repo) Tags() []string {
	var tags []string
	for _, m := range r.Released() {
		if m.Dir == "." {
			tags = append(tags, m.Version)
		} else {
			tags = append(tags, m.Dir+"/"+m.Version)
		}
	}
	return tags
}

// Check returns every disagreement between the go.mod files and the versions:
//   - a requirement of one of the repository's modules that is not its
//     release version (v0.0.0 and pseudo-versions included);
//   - a released module that requires a module that is never released;
//   - a requirement with no replace directive to the module's directory,
//     which local development needs (consumers ignore replace directives);
//   - a version-refs file that does not mention its module's version.
func (r *Repo) Check() error {
	var errs []error
	for _, m := range r.Modules {
		replaced := map[string]string{}
		for _, rep := range m.File.Replace {
			replaced[rep.Old.Path] = rep.New.Path
		}
		for _, req := range m.File.Require {
			dep := r.byPath[req.Mod.Path]
			if dep == nil {
				continue // not one of ours
			}
			where := fmt.Sprintf("%s/go.mod: requirement %s %s", m.Dir, req.Mod.Path, req.Mod.Version)
			switch {
			case !dep.Released():
				if m.Released() {
					errs = append(errs, fmt.Errorf("%s: %s is released but requires %s, which is never released (excluded in %s)", where, m.Path, dep.Path, VersionsFile))
				}
			case req.Mod.Version != dep.Version:
				errs = append(errs, fmt.Errorf("%s: %s says %s (module set %s)", where, VersionsFile, dep.Version, dep.Set))
			}
			want, err := filepath.Rel(filepath.FromSlash(m.Dir), filepath.FromSlash(dep.Dir))
			if err != nil {
				return err
			}
			want = filepath.ToSlash(want)
			if !strings.HasPrefix(want, ".") {
				want = "./" + want
			}
			if got, ok := replaced[req.Mod.Path]; !ok {
				errs = append(errs, fmt.Errorf("%s: no replace directive to %s for local development", where, want))
			} else if filepath.Clean(got) != filepath.Clean(want) {
				errs = append(errs, fmt.Errorf("%s: replaced by %s, want %s", where, got, want))
			}
		}
	}
	for _, modPath := range sortedKeys(r.versionRefs) {
		m := r.byPath[modPath]
		if m == nil || !m.Released() {
			errs = append(errs, fmt.Errorf("%s: version-refs of %s, which is not a released module", VersionsFile, modPath))
			continue
		}
		for _, ref := range r.versionRefs[modPath] {
			data, err := fs.ReadFile(r.fsys, path.Join(m.Dir, ref))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if !bytes.Contains(data, []byte(`"`+strings.TrimPrefix(m.Version, "v")+`"`)) {
				errs = append(errs, fmt.Errorf("%s: does not say version %q of %s (%s)", ref, strings.TrimPrefix(m.Version, "v"), modPath, VersionsFile))
			}
		}
	}
	return errors.Join(errs...)
}

// isReleaseVersion reports whether v is a release version: a canonical
// semantic version (v0.2.0, v1.0.0-rc.1), not a pseudo-version, and not the
// v0.0.0 that no proxy serves.
func isReleaseVersion(v string) bool {
	return semver.IsValid(v) && semver.Canonical(v) == v && v != "v0.0.0" && !module.IsPseudoVersion(v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
