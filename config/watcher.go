package config

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/signalkit/sdk/otelsignals"
)

// Watcher is a [Manager] whose configuration comes from a file that it
// reads again every interval ([WithInterval]), applying the file whenever
// its content changes, without restarting or re-instrumenting anything.
// A file that cannot be read, or does not parse, or holds an invalid
// configuration, is rejected and logged with its error, and the
// configuration in force stays; the file is read again at the next
// interval, and applied once it is fixed.
//
// A Watcher polls rather than waiting for file system events: polling sees
// a file replaced by a rename (as editors and Kubernetes ConfigMap volumes
// replace files) or through a symbolic link as well as one written in
// place, on every file system, at the cost of reading a small file once per
// interval. It compares the content, not the modification time. Write the
// file atomically (a temporary file renamed over it), so that no read sees
// it half written.
//
// Its methods Config, Apply, Settings and InstrumentOptions are those of
// its [Manager]. A Watcher owns one goroutine, started by [Watch] and
// stopped by [Watcher.Close]. It is safe for concurrent use and must not be
// copied.
type Watcher struct {
	m *Manager

	path string
	base Config

	mu   sync.Mutex // serializes reads of the file
	seen string     // what the last read found: content hash or error; under mu

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// Watch reads the configuration file at path over a base configuration
// (default: the environment over the defaults, see [WithBase]), applies it
// to s as [NewManager] does (a nil s means a new Settings), and starts a
// goroutine that applies the file again whenever it changes, until
// [Watcher.Close]. If the environment or the file is not valid, Watch
// returns the error, naming the variable or the file, line and key, and
// starts nothing.
func Watch(path string, s *otelsignals.Settings, opts ...Option) (*Watcher, error) {
	o := newOptions(opts)
	attrs := []slog.Attr{slog.String("file", path)}
	var base Config
	if o.base != nil {
		base = *o.base
	} else {
		var err error
		if base, err = fromEnv(Default(), o.logger); err != nil {
			return nil, err
		}
		if env := setEnv(); len(env) > 0 {
			attrs = append(attrs, slog.String("env", strings.Join(env, " ")))
		}
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := Parse(path, data, base)
	if err != nil {
		return nil, err
	}
	m, err := newManager(s, cfg, o, attrs...)
	if err != nil {
		return nil, err
	}
	w := &Watcher{
		m:    m,
		path: path,
		base: base,
		seen: contentKey(data),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go w.run(o.interval)
	return w, nil
}

// Path returns the path of the file the Watcher watches.
func (w *Watcher) Path() string { return w.path }

// Manager returns the Manager that applies the Watcher's configurations.
func (w *Watcher) Manager() *Manager { return w.m }

// Config returns a copy of the configuration in force; see
// [Manager.Config].
func (w *Watcher) Config() Config { return w.m.Config() }

// Apply applies c as [Manager.Apply] does. The Watcher applies its file
// again when the file changes, replacing c.
func (w *Watcher) Apply(c Config) error { return w.m.Apply(c) }

// Settings returns the Settings the configurations are applied to; see
// [Manager.Settings].
func (w *Watcher) Settings() *otelsignals.Settings { return w.m.Settings() }

// InstrumentOptions returns the options that make an instrumentation
// follow the Watcher's configuration; see [Manager.InstrumentOptions].
func (w *Watcher) InstrumentOptions() []otelsignals.Option { return w.m.InstrumentOptions() }

// run reads the file every interval until Close.
func (w *Watcher) run(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			_ = w.check(false) // logged
		}
	}
}

// Reload reads the file now and applies it, even if it has not changed, as
// the Watcher does when the file changes; it returns the error that
// rejected it, if any (also logged), or [ErrClosed] after Close. Use it to
// reload on a signal such as SIGHUP.
func (w *Watcher) Reload() error {
	select {
	case <-w.stop:
		return ErrClosed
	default:
	}
	return w.check(true)
}

// check reads the file and, if its content differs from the last read or
// force is set, applies it. A problem is logged once, until the file
// changes.
func (w *Watcher) check(force bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	attrs := []slog.Attr{slog.String("source", sourceFile), slog.String("file", w.path)}
	data, err := readFile(w.path)
	key := "error:" + errString(err)
	if err == nil {
		key = contentKey(data)
	}
	if key == w.seen && !force {
		return err
	}
	w.seen = key
	if err == nil {
		var cfg Config
		if cfg, err = Parse(w.path, data, w.base); err == nil {
			return w.m.apply(cfg, attrs...)
		}
	}
	w.m.log(slog.LevelError, msgRejected, append(attrs, slog.String("error", err.Error()))...)
	return err
}

// Close stops the Watcher's goroutine and waits for it to return; the
// configuration in force stays, and the Manager's methods keep working.
// Close always returns nil; calling it again is harmless.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() { close(w.stop) })
	<-w.done
	return nil
}

// contentKey identifies the content of a file.
func contentKey(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
