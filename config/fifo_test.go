//go:build unix

package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signalkit/sdk/config"
)

// mkfifo makes a named pipe at path. Opening a named pipe for reading
// waits for a writer, and reading it waits for data: a configuration read
// that opened one would block.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
}

// unblock opens the named pipe at path for writing, and closes it, every
// millisecond until the test ends, so that a reader blocked on it returns
// and a test of code that blocks fails instead of hanging. The opening
// does not wait: with no reader it fails, and it is tried again.
func unblock(t *testing.T, path string) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		}
	})
	t.Cleanup(func() { close(stop); wg.Wait() })
}

// TestReadFileFIFO is the regression test of a named pipe at the
// configuration's path, which blocked ReadFile, and so Watch and a Watcher's
// Close, forever. It is refused without being opened for a read that could
// wait.
func TestReadFileFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals.yaml")
	mkfifo(t, path)
	unblock(t, path)

	_, err := config.ReadFile(path, config.Default())
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), path+": not a regular file") {
		t.Errorf("ReadFile = %v, want ErrInvalid and not a regular file", err)
	}
	logger, _ := newLogger()
	w, err := config.Watch(path, nil, config.WithLogger(logger))
	if err == nil {
		w.Close()
	}
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Watch = %v, want ErrInvalid and not a regular file", err)
	}
}

// TestWatcherFileBecomesFIFO replaces a watched file with a named pipe:
// the Watcher must reject it, keep its configuration, and close.
func TestWatcherFileBecomesFIFO(t *testing.T) {
	clearEnv(t)
	w, path, logs := watch(t, "metrics: {enabled: false}\n")
	fifo := filepath.Join(filepath.Dir(path), "fifo")
	mkfifo(t, fifo)
	unblock(t, path) // cleaned up before the Watcher is closed
	if err := os.Rename(fifo, path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rejection", func() bool { return len(logs.lines("level=ERROR")) > 0 })
	if got := logs.lines("level=ERROR", "not a regular file"); len(got) != 1 {
		t.Errorf("log:\n%s\nwant one rejection of a file that is not a regular file", logs)
	}
	if w.Config().MetricsEnabled {
		t.Error("the configuration in force changed")
	}
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Reload = %v", err)
	}
	done := make(chan struct{})
	go func() { w.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute): // a liveness bound, not a speed one
		t.Fatal("Close did not return")
	}
}

// TestReadFileNotRegular checks that ReadFile names what it refused.
func TestReadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	for path, want := range map[string]string{
		dir:         "a directory",
		os.DevNull:  "a device",
		"/dev/zero": "a device", // would be read up to the size limit
	} {
		_, err := config.ReadFile(path, config.Default())
		if !errors.Is(err, config.ErrInvalid) || !strings.HasSuffix(err.Error(), path+": not a regular file: "+want) {
			t.Errorf("ReadFile(%s) = %v, want not a regular file: %s", path, err, want)
		}
	}
}
