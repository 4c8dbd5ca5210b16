package otelsetup_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/signalkit/sdk/otelsetup"
)

// captureStdout points file descriptor 1 at a pipe until the returned
// function is called, which restores it and returns what was written.
// (The stdout span exporter holds the os.Stdout of its package's
// initialization, so swapping the variable would not do.)
func captureStdout(t *testing.T) func() string {
	t.Helper()
	saved, err := syscall.Dup(1)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup3(int(w.Fd()), 1, 0); err != nil {
		t.Fatal(err)
	}
	w.Close() // descriptor 1 keeps the pipe open
	read := make(chan string, 1)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, r)
		r.Close()
		read <- b.String()
	}()
	done := false
	restore := func() string {
		if done {
			return ""
		}
		done = true
		_ = syscall.Dup3(saved, 1, 0) // closes the pipe's last writer: EOF
		_ = syscall.Close(saved)
		return <-read
	}
	t.Cleanup(func() { restore() })
	return restore
}

// TestEnvConsole: OTEL_TRACES_EXPORTER=console and
// OTEL_METRICS_EXPORTER=console write to standard output.
func TestEnvConsole(t *testing.T) {
	clearEnv(t)
	t.Setenv("OTEL_TRACES_EXPORTER", "console")
	t.Setenv("OTEL_METRICS_EXPORTER", "console")
	stdout := captureStdout(t)
	p, err := otelsetup.Setup(context.Background(), otelsetup.WithPrometheus(false))
	if err != nil {
		t.Fatal(err)
	}
	emit(t, p, "orders", 1)
	shutdown(t, p)
	out := stdout()
	for _, want := range []string{`"Name":"emit orders"`, `"Name":"signals.emissions"`} {
		if !strings.Contains(out, want) {
			t.Errorf("standard output lacks %s:\n%.1000s", want, out)
		}
	}
}
