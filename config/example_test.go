package config_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/signalkit/sdk/config"
	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

// exampleLogger logs text lines to standard output, without the time and
// with file names instead of paths in dir, so that the examples' output is
// stable.
func exampleLogger(dir string) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			switch {
			case len(groups) == 0 && a.Key == slog.TimeKey:
				return slog.Attr{}
			case a.Key == "file":
				return slog.String("file", filepath.Base(a.Value.String()))
			case a.Key == "error":
				return slog.String("error", strings.ReplaceAll(a.Value.String(), dir+string(filepath.Separator), ""))
			}
			return a
		},
	}))
}

func ExampleParse() {
	doc := `
metrics:
  duration_sample_rate: 0.1
traces:
  sampler: parentbased_ratelimited
  sampler_arg: 5
signals:
  payment.requested:
    traces: {listener_spans: true}
`
	cfg, err := config.Parse("signals.yaml", []byte(doc), config.Default())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("metrics:", cfg.MetricsEnabled, "rate:", cfg.DurationSampleRate)
	fmt.Println("sampler:", cfg.Sampler, cfg.SamplerArg)
	fmt.Println("payment.requested listener spans:", *cfg.Signals["payment.requested"].ListenerSpans)
	// Output:
	// metrics: true rate: 0.1
	// sampler: parentbased_ratelimited 5
	// payment.requested listener spans: true
}

func ExampleParse_errors() {
	doc := `
metrics:
  enabled: "no"
traces:
  sampler: traceidratio
  sampler_arg: 3
  samplr: always_on
`
	_, err := config.Parse("signals.yaml", []byte(doc), config.Default())
	fmt.Println(err)
	// Output:
	// signals.yaml:3:12: metrics.enabled: must be true or false, not the string "no"
	// signals.yaml:7:3: traces.samplr: unknown key (want one of enabled, sampler, sampler_arg, listener_spans)
	// signals.yaml:6:16: traces.sampler_arg: sampling: invalid sampler: traceidratio argument "3" is not a probability in [0, 1]
}

func ExampleFromEnv() {
	os.Setenv(config.EnvSampler, "traceidratio")
	os.Setenv(config.EnvSamplerArg, "0.25")
	defer os.Unsetenv(config.EnvSampler)
	defer os.Unsetenv(config.EnvSamplerArg)

	cfg, err := config.FromEnv(config.Default())
	fmt.Println(cfg.Sampler, cfg.SamplerArg, err)
	// Output: traceidratio 0.25 <nil>
}

func ExampleManager_Apply() {
	m, err := config.NewManager(nil, config.Default(), config.WithLogger(exampleLogger("")))
	if err != nil {
		fmt.Println(err)
		return
	}
	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders"})
	if err := otelsignals.Instrument(orders, m.InstrumentOptions()...); err != nil {
		fmt.Println(err)
		return
	}

	c := m.Config()
	c.MetricsEnabled = false
	if err := m.Apply(c); err != nil {
		fmt.Println(err)
	}
	c.DurationSampleRate = 2
	if err := m.Apply(c); err != nil {
		fmt.Println("rejected:", err)
	}
	fmt.Println("metrics:", m.Settings().Config().Metrics)
	// Output:
	// level=INFO msg="signalkit config applied" source=startup
	// level=INFO msg="signalkit config applied" source=programmatic changes.metrics.enabled.old=true changes.metrics.enabled.new=false
	// level=ERROR msg="signalkit config rejected; the running configuration stays in force" source=programmatic error="metrics.duration_sample_rate: 2 is not a fraction in [0, 1]"
	// rejected: metrics.duration_sample_rate: 2 is not a fraction in [0, 1]
	// metrics: false
}

func ExampleWatch() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "signals.yaml")
	write := func(data string) { // atomically: a temporary file renamed over the old one
		_ = os.WriteFile(path+".tmp", []byte(data), 0o600)
		_ = os.Rename(path+".tmp", path)
	}
	write("traces: {sampler: always_on}\n")

	w, err := config.Watch(path, nil, config.WithLogger(exampleLogger(dir)), config.WithBase(config.Default()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders"})
	if err := otelsignals.Instrument(orders, w.InstrumentOptions()...); err != nil {
		fmt.Println(err)
		return
	}
	orders.Emit(context.Background(), "A-1")

	// The Watcher applies a change within a second; Reload applies it now.
	write("metrics: {enabled: false}\ntraces: {sampler: always_on}\n")
	_ = w.Reload()
	write("metrics: {enabled: off}\n")
	_ = w.Reload()
	fmt.Println("metrics:", w.Config().MetricsEnabled, "sampler:", w.Config().Sampler)
	// Output:
	// level=INFO msg="signalkit config applied" source=startup file=signals.yaml changes.traces.sampler.old=parentbased_always_off changes.traces.sampler.new=always_on
	// level=INFO msg="signalkit config applied" source=file file=signals.yaml changes.metrics.enabled.old=true changes.metrics.enabled.new=false
	// level=ERROR msg="signalkit config rejected; the running configuration stays in force" source=file file=signals.yaml error="signals.yaml:1:20: metrics.enabled: must be true or false, not the string \"off\""
	// metrics: false sampler: always_on
}
