package release

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// WriteProxy writes every released module at its release version into dir,
// laid out as a module proxy (the GOPROXY protocol over file://):
// <escaped module path>/@v/list, <version>.info, <version>.mod and
// <version>.zip. A go command with GOPROXY=file://<dir>,https://proxy.golang.org
// then downloads the modules as a user's would download the tagged release.
//
// The zips hold what a tag of the working tree would: the files git tracks or
// would track (untracked files that .gitignore does not exclude), without the
// directories of nested modules. The zip format and its rules (file names,
// sizes, nested modules) are golang.org/x/mod/zip's, the go command's own.
func (r *Repo) WriteProxy(dir string) error {
	for _, m := range r.Released() {
		if err := r.writeModule(dir, m); err != nil {
			return fmt.Errorf("%s@%s: %w", m.Path, m.Version, err)
		}
	}
	return nil
}

func (r *Repo) writeModule(dir string, m *Module) error {
	escaped, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	vdir := filepath.Join(dir, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(vdir, 0o750); err != nil {
		return err
	}
	files, err := r.moduleFiles(m)
	if err != nil {
		return err
	}
	var zip bytes.Buffer
	if err := modzip.Create(&zip, module.Version{Path: m.Path, Version: m.Version}, files); err != nil {
		return err
	}
	gomod, err := fs.ReadFile(r.fsys, path.Join(m.Dir, "go.mod"))
	if err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"list":              []byte(m.Version + "\n"),
		m.Version + ".info": info,
		m.Version + ".mod":  gomod,
		m.Version + ".zip":  zip.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// moduleFiles lists the files of m's directory that git tracks or would
// track, nested modules' files included: modzip.Create leaves those out
// itself, and needs their go.mod files to know where they are.
func (r *Repo) moduleFiles(m *Module) ([]modzip.File, error) {
	dir := filepath.Join(r.Root, filepath.FromSlash(m.Dir))
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", dir, err)
	}
	modFS, err := fs.Sub(r.fsys, m.Dir)
	if err != nil {
		return nil, err
	}
	var files []modzip.File
	for _, name := range strings.Split(string(out), "\x00") {
		if name == "" {
			continue
		}
		name = path.Clean(name)
		info, err := fs.Stat(modFS, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree, not yet in the index
		}
		if err != nil {
			return nil, err
		}
		files = append(files, fsFile{fsys: modFS, name: name, info: info})
	}
	return files, nil
}

// fsFile is a file of the working tree, as modzip.Create reads it.
type fsFile struct {
	fsys fs.FS
	name string
	info fs.FileInfo
}

func (f fsFile) Path() string                 { return f.name }
func (f fsFile) Lstat() (fs.FileInfo, error)  { return f.info, nil }
func (f fsFile) Open() (io.ReadCloser, error) { return f.fsys.Open(f.name) }
