package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signalkit/sdk/config"
	"github.com/signalkit/sdk/otelsignals"
)

// watch starts a Watcher on a file holding data in a new directory, polling
// every millisecond, and closes it at the end of the test.
func watch(t *testing.T, data string, opts ...config.Option) (*config.Watcher, string, *logBuffer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "signals.yaml")
	writeFile(t, path, data)
	logger, logs := newLogger()
	w, err := config.Watch(path, nil, append([]config.Option{config.WithLogger(logger), config.WithInterval(time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, path, logs
}

func TestWatchStartup(t *testing.T) {
	clearEnv(t)
	t.Setenv(config.EnvCardinalityLimit, "42")
	t.Setenv(config.EnvTracesEnabled, "false")
	w, path, logs := watch(t, "traces: {enabled: true}\n")
	got := w.Config()
	if !got.TracesEnabled || got.CardinalityLimit != 42 {
		t.Errorf("Config() = %+v; want the file over the environment", got)
	}
	if w.Path() != path || w.Settings() == nil || !w.Settings().Config().Tracing {
		t.Error("the Watcher does not hold the file's configuration")
	}
	want := `level=INFO msg="signalkit config applied" source=startup file=` + path +
		` env="SIGNALKIT_TRACES_ENABLED=false SIGNALKIT_CARDINALITY_LIMIT=42"` +
		` changes.cardinality_limit.old=100 changes.cardinality_limit.new=42`
	if got := strings.TrimSpace(logs.String()); got != want {
		t.Errorf("log:\n%s\nwant\n%s", got, want)
	}
}

func TestWatchReloads(t *testing.T) {
	clearEnv(t)
	w, path, logs := watch(t, "metrics: {enabled: true}\ntraces: {sampler: always_on}\n")
	settings := w.Settings()

	// A change applies without restarting anything.
	writeFile(t, path, "metrics: {enabled: false}\ntraces: {sampler: always_on}\n")
	waitFor(t, "metrics off", func() bool { return !w.Config().MetricsEnabled })
	if settings.Config().Metrics {
		t.Error("the Settings still has metrics on")
	}
	applied := `level=INFO msg="signalkit config applied" source=file file=` + path +
		` changes.metrics.enabled.old=true changes.metrics.enabled.new=false`
	if got := logs.lines("source=file"); len(got) != 1 || got[0] != applied {
		t.Errorf("log:\n%q\nwant\n%q", got, applied)
	}

	// An invalid file is rejected, logged once, and the running
	// configuration stays.
	writeFile(t, path, "metrics: {enabled: false}\ntraces:\n  sampler: sometimes\n")
	waitFor(t, "the rejection", func() bool { return len(logs.lines("level=ERROR")) > 0 })
	rejected := `level=ERROR msg="signalkit config rejected; the running configuration stays in force" source=file file=` + path +
		` error="` + path + `:3:12: traces.sampler: sampling: invalid sampler: unknown sampler name \"sometimes\"`
	time.Sleep(50 * time.Millisecond) // about 50 more polls of the unchanged file
	if got := logs.lines("level=ERROR"); len(got) != 1 || !strings.HasPrefix(got[0], rejected) {
		t.Errorf("log:\n%q\nwant one line starting with\n%q", got, rejected)
	}
	if c := w.Config(); c.MetricsEnabled || c.Sampler != "always_on" {
		t.Errorf("after an invalid file: Config() = %+v", c)
	}

	// Removing a key returns it to its default.
	writeFile(t, path, "traces: {sampler: always_on}\n")
	waitFor(t, "metrics on", func() bool { return w.Config().MetricsEnabled })

	// The same settings in another file: unchanged.
	writeFile(t, path, "# same\ntraces: {sampler: always_on}\n")
	waitFor(t, "unchanged", func() bool { return len(logs.lines(`msg="signalkit config unchanged" source=file`)) == 1 })

	// A file that disappears is an error, logged once; its return applies.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the read error", func() bool { return len(logs.lines("level=ERROR", "no such file")) == 1 })
	writeFile(t, path, "traces: {sampler: always_off}\n")
	waitFor(t, "always_off", func() bool { return w.Config().Sampler == "always_off" })
	if got := logs.lines("level=ERROR", "no such file"); len(got) != 1 {
		t.Errorf("the read error was logged %d times", len(got))
	}

	// The cardinality limit stays, with a warning; the rest applies.
	writeFile(t, path, "cardinality_limit: 7\ntraces: {sampler: always_on}\n")
	waitFor(t, "always_on", func() bool { return w.Config().Sampler == "always_on" })
	if got := w.Config().CardinalityLimit; got != config.DefaultCardinalityLimit {
		t.Errorf("CardinalityLimit = %d", got)
	}
	if got := logs.lines("level=WARN", "running=100 requested=7"); len(got) != 1 {
		t.Errorf("no warning about the cardinality limit:\n%s", logs)
	}
}

func TestWatcherReload(t *testing.T) {
	clearEnv(t)
	path := filepath.Join(t.TempDir(), "signals.json")
	writeFile(t, path, `{"metrics": {"enabled": false}}`)
	logger, logs := newLogger()
	// An interval long enough that only Reload reads the file.
	w, err := config.Watch(path, nil, config.WithLogger(logger), config.WithInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := logs.lines(`msg="signalkit config unchanged" source=file`); len(got) != 1 {
		t.Errorf("Reload of an unchanged file:\n%s", logs)
	}

	writeFile(t, path, `{"metrics": {"enabled": true, "oops": 1}}`)
	err = w.Reload()
	var ce *config.Error
	if !errors.As(err, &ce) || ce.File != path || ce.Line != 1 || ce.Column != 31 || ce.Key != "metrics.oops" {
		t.Fatalf("Reload = %v (%+v)", err, ce)
	}
	if w.Config().MetricsEnabled {
		t.Error("an invalid file was applied")
	}

	// A programmatic change stays until the file changes.
	c := w.Config()
	c.ListenerSpans = true
	if err := w.Apply(c); err != nil {
		t.Fatal(err)
	}
	if !w.Settings().Config().ListenerSpans {
		t.Error("Apply did not apply")
	}
	writeFile(t, path, `{"metrics": {"enabled": true}}`)
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if c := w.Config(); !c.MetricsEnabled || c.ListenerSpans {
		t.Errorf("after Reload: %+v", c)
	}

	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := w.Reload(); !errors.Is(err, config.ErrClosed) {
		t.Errorf("Reload after Close = %v, want ErrClosed", err)
	}
	// The Manager keeps working after Close.
	c = w.Config()
	c.MetricsEnabled = false
	if err := w.Apply(c); err != nil || w.Settings().Config().Metrics {
		t.Errorf("Apply after Close = %v", err)
	}
}

func TestWatchErrors(t *testing.T) {
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.yaml")
	writeFile(t, valid, "{}")
	invalid := filepath.Join(dir, "invalid.yaml")
	writeFile(t, invalid, "metrics:\n  enabled: maybe\n")

	tests := []struct {
		name string
		path string
		env  map[string]string
		opts []config.Option
		want string
	}{
		{"missing file", filepath.Join(dir, "missing.yaml"), nil, nil, "missing.yaml: open"},
		{"invalid file", invalid, nil, nil, invalid + `:2:12: metrics.enabled: must be true or false, not the string "maybe"`},
		{"invalid environment", valid, map[string]string{config.EnvDurationSampleRate: "5"}, nil, "SIGNALKIT_DURATION_SAMPLE_RATE"},
		{"invalid base", valid, nil, []config.Option{config.WithBase(config.Config{})}, "traces.sampler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			logger, logs := newLogger()
			s := new(otelsignals.Settings)
			w, err := config.Watch(tt.path, s, append(tt.opts, config.WithLogger(logger))...)
			if err == nil {
				w.Close()
				t.Fatal("Watch succeeded")
			}
			if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Watch = %v, want ErrInvalid and %q", err, tt.want)
			}
			if logs.String() != "" {
				t.Errorf("Watch logged:\n%s", logs)
			}
			if !s.Config().Metrics || s.Config().Sampler == nil {
				t.Error("Watch changed the Settings")
			}
		})
	}
}

func TestWatchWithBase(t *testing.T) {
	clearEnv(t)
	t.Setenv(config.EnvMetricsEnabled, "false") // ignored: the base replaces the environment
	base := config.Default()
	base.Sampler = "always_on"
	w, path, _ := watch(t, "metrics: {duration_sample_rate: 1}", config.WithBase(base))
	if c := w.Config(); c.Sampler != "always_on" || !c.MetricsEnabled || c.DurationSampleRate != 1 {
		t.Errorf("Config() = %+v", c)
	}
	writeFile(t, path, "{}")
	waitFor(t, "the base's rate", func() bool { return w.Config().DurationSampleRate == base.DurationSampleRate })
	if c := w.Config(); c.Sampler != "always_on" {
		t.Errorf("after reload: %+v", c)
	}
}

func TestWatcherManager(t *testing.T) {
	clearEnv(t)
	w, _, _ := watch(t, "{}")
	m := w.Manager()
	c := m.Config()
	c.ListenerSpans = true
	if err := m.Apply(c); err != nil {
		t.Fatal(err)
	}
	if !w.Config().ListenerSpans || w.Settings() != m.Settings() {
		t.Error("the Watcher and its Manager disagree")
	}
}
