package consumer

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/signalkit/sdk/internal/tools/release"
)

// otelhttpVersion is the release of otelhttp that goes with the
// OpenTelemetry API the instrumentation requires (v1.47.0). A module that
// imports only otelhttp is the yardstick for the size of a build list.
const otelhttpVersion = "v0.72.0"

// forbidden are modules that must not reach a module importing only the
// instrumentation: the SDK, exporters, the Prometheus client, grpc and the
// test libraries of this repository's other modules. (YAML and testify do
// reach it, as they reach every user of the OpenTelemetry API: its go.mod
// requires them for its own tests.)
var forbidden = []string{
	"google.golang.org/grpc",
	"github.com/prometheus/client_golang",
	"go.opentelemetry.io/otel/exporters/",
	"go.opentelemetry.io/otel/sdk",
	"pgregory.net/rapid",
	"go.uber.org/goleak",
}

// TestCoreConsumer gets the core module as a user does, from a module proxy
// that serves it at its release version, and checks that nothing else comes
// with it.
func TestCoreConsumer(t *testing.T) {
	e := newEnv(t)
	signalsVersion := e.version(t, "github.com/signalkit/sdk/signals")
	dir := e.module(t, "example.com/core")
	e.goCmd(t, dir, "get", "github.com/signalkit/sdk/signals@"+signalsVersion)
	writeFile(t, dir, "main.go", `package main

import (
	"context"
	"fmt"

	"github.com/signalkit/sdk/signals"
)

func main() {
	sig := signals.NewSync[string]()
	sig.AddListener(func(_ context.Context, s string) { fmt.Println("got", s) })
	sig.Emit(context.Background(), "order-1")
}
`)
	e.goCmd(t, dir, "mod", "tidy")
	if got := e.goCmd(t, dir, "run", "."); got != "got order-1\n" {
		t.Errorf("the program printed %q, want %q", got, "got order-1\n")
	}
	mods := e.buildList(t, dir)
	want := []string{"example.com/core", "github.com/signalkit/sdk/signals " + signalsVersion}
	if !slices.Equal(mods, want) {
		t.Errorf("go list -m all of a module importing only signals:\n%s\nwant only:\n%s",
			strings.Join(mods, "\n"), strings.Join(want, "\n"))
	}
}

// TestInstrumentationConsumer gets the instrumentation as a user does, runs
// a program that instruments a signal, and checks the size and contents of
// the build list against a module that imports only otelhttp. Then it adds
// the SDK, as the process that sets up telemetry does, and checks one metric.
func TestInstrumentationConsumer(t *testing.T) {
	e := newEnv(t)
	version := e.version(t, "github.com/signalkit/sdk")
	dir := e.module(t, "example.com/service")
	e.goCmd(t, dir, "get", "github.com/signalkit/sdk/otelsignals@"+version)
	writeFile(t, dir, "main.go", `package main

import (
	"context"
	"fmt"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

func main() {
	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders"})
	if err := otelsignals.Instrument(orders); err != nil { // the global providers
		panic(err)
	}
	orders.AddListener(func(_ context.Context, id string) { fmt.Println("reserved", id) })
	orders.Emit(context.Background(), "A-1")
}
`)
	e.goCmd(t, dir, "mod", "tidy")
	if got := e.goCmd(t, dir, "run", "."); got != "reserved A-1\n" {
		t.Errorf("the program printed %q, want %q", got, "reserved A-1\n")
	}
	mods := e.buildList(t, dir)
	for _, m := range mods {
		for _, f := range forbidden {
			if strings.HasPrefix(m, f) {
				t.Errorf("the build list of a module importing only otelsignals holds %s", m)
			}
		}
	}

	httpDir := e.module(t, "example.com/httpservice")
	e.goCmd(t, httpDir, "get", "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp@"+otelhttpVersion)
	writeFile(t, httpDir, "main.go", `package main

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

func main() { _ = otelhttp.NewHandler(http.NotFoundHandler(), "root") }
`)
	e.goCmd(t, httpDir, "mod", "tidy")
	httpMods := e.buildList(t, httpDir)
	t.Logf("build list of a module importing only otelsignals: %d modules; only otelhttp %s: %d\n%s",
		len(mods), otelhttpVersion, len(httpMods), strings.Join(mods, "\n"))
	if len(mods) > len(httpMods) {
		t.Errorf("a module importing only otelsignals has %d modules in its build list, more than the %d of one importing only otelhttp:\n%s",
			len(mods), len(httpMods), strings.Join(mods, "\n"))
	}

	// The process that sets up telemetry adds the SDK; the instrumentation
	// records into it.
	e.goCmd(t, dir, "get", "go.opentelemetry.io/otel/sdk/metric@"+e.requiredVersion(t, dir, "go.opentelemetry.io/otel"))
	writeFile(t, filepath.Join(dir, "cmd", "metric"), "main.go", `package main

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/signals"
)

func main() {
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)

	orders := signals.NewSyncWithOptions[string](&signals.SignalOptions{Name: "orders"})
	if err := otelsignals.Instrument(orders, otelsignals.WithMeterProvider(mp)); err != nil {
		panic(err)
	}
	orders.AddListener(func(context.Context, string) {})
	for range 3 {
		orders.Emit(ctx, "A-1")
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		panic(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == "signals.emissions" {
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					fmt.Println(sm.Scope.Name, sm.Scope.Version, m.Name, dp.Value)
				}
			}
		}
	}
}
`)
	e.goCmd(t, dir, "mod", "tidy")
	want := fmt.Sprintf("github.com/signalkit/sdk/otelsignals %s signals.emissions 3\n", strings.TrimPrefix(version, "v"))
	if got := e.goCmd(t, dir, "run", "./cmd/metric"); got != want {
		t.Errorf("the metric program printed %q, want %q", got, want)
	}
}

// TestNATSConsumer gets the NATS bridge as a user does and builds a program
// that publishes a signal's emissions, then checks that the build list
// holds the NATS client and nothing that only the bridge's tests need: no
// nats-server, no SDK, no exporter, no grpc, no test library.
func TestNATSConsumer(t *testing.T) {
	e := newEnv(t)
	version := e.version(t, "github.com/signalkit/sdk/natssignals")
	dir := e.module(t, "example.com/orders")
	e.goCmd(t, dir, "get", "github.com/signalkit/sdk/natssignals@"+version)
	writeFile(t, dir, "main.go", `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/nats-io/nats.go"

	"github.com/signalkit/sdk/natssignals"
	"github.com/signalkit/sdk/signals"
)

type Order struct {
	ID string `+"`json:\"id\"`"+`
}

func main() {
	nc, err := nats.Connect(os.Getenv("NATS_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer nc.Close()
	ctx := context.Background()
	placed := signals.NewSyncWithOptions[Order](&signals.SignalOptions{Name: "order.placed"})
	pub, err := natssignals.Publish(ctx, nc, "orders.placed", placed,
		natssignals.WithMessageID(func(o Order) string { return "order-" + o.ID }))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer pub.Close()
	placed.Emit(ctx, Order{ID: "A-1"})
}
`)
	e.goCmd(t, dir, "mod", "tidy")
	e.goCmd(t, dir, "build", "-o", filepath.Join(t.TempDir(), "orders"), ".")
	mods := e.buildList(t, dir)
	t.Logf("build list of a module importing natssignals: %d modules\n%s", len(mods), strings.Join(mods, "\n"))
	has := func(prefix string) bool {
		return slices.ContainsFunc(mods, func(m string) bool { return strings.HasPrefix(m, prefix) })
	}
	for _, f := range append([]string{"github.com/nats-io/nats-server"}, forbidden...) {
		if has(f) {
			t.Errorf("the build list of a module importing natssignals holds %s", f)
		}
	}
	for _, want := range []string{"github.com/nats-io/nats.go ", "github.com/signalkit/sdk/natssignals " + version} {
		if !has(want) {
			t.Errorf("the build list of a module importing natssignals has no %s", want)
		}
	}
}

// env runs the go command as a user's machine would: no workspace, no
// replace directive, the repository's modules served at their release
// versions from a file-based proxy, and an empty module cache.
type env struct {
	repo  *release.Repo
	proxy string
	vars  []string
}

var (
	proxyOnce sync.Once
	proxyRepo *release.Repo
	proxyDir  string
	proxyErr  error
)

// writeProxy writes the released modules into a directory shared by the
// tests of this package, once.
func writeProxy() (*release.Repo, string, error) {
	proxyOnce.Do(func() {
		root, err := filepath.Abs(filepath.Join("..", "..", ".."))
		if err != nil {
			proxyErr = err
			return
		}
		if proxyRepo, proxyErr = release.Load(root); proxyErr != nil {
			return
		}
		if proxyDir, proxyErr = os.MkdirTemp("", "signalkit-proxy-"); proxyErr != nil {
			return
		}
		proxyErr = proxyRepo.WriteProxy(proxyDir)
	})
	return proxyRepo, proxyDir, proxyErr
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the consumer test downloads modules and builds programs")
	}
	repo, proxy, err := writeProxy()
	if err != nil {
		t.Fatal(err)
	}
	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	// The machine's module cache doubles as a proxy for what it already
	// holds, so that the test needs the network only for what it lacks.
	cacheProxy := filepath.Join(goEnv("GOMODCACHE"), "cache", "download")
	upstream := goEnv("GOPROXY")
	home := t.TempDir()
	e := &env{repo: repo, proxy: proxy}
	e.vars = append(os.Environ(),
		"GOWORK=off",
		"GOFLAGS=-modcacherw",
		"GOTOOLCHAIN=local",
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(cacheProxy)+","+upstream,
		"GONOSUMDB=github.com/signalkit/sdk",
		"GOMODCACHE="+filepath.Join(home, "modcache"),
		"GOPATH="+filepath.Join(home, "gopath"),
	)
	return e
}

// version returns the release version of one of the repository's modules.
func (e *env) version(t *testing.T, path string) string {
	t.Helper()
	m := e.repo.Module(path)
	if m == nil || !m.Released() {
		t.Fatalf("%s is not a released module of the repository", path)
	}
	return m.Version
}

// module makes a new module in a temporary directory.
func (e *env) module(t *testing.T, path string) string {
	t.Helper()
	dir := t.TempDir()
	e.goCmd(t, dir, "mod", "init", path)
	return dir
}

// goCmd runs the go command in dir and returns its standard output.
func (e *env) goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = e.vars
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s (in %s): %v\n%s%s", strings.Join(args, " "), dir, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// buildList returns `go list -m all` of the module in dir, a line a module.
func (e *env) buildList(t *testing.T, dir string) []string {
	t.Helper()
	return strings.Split(strings.TrimSpace(e.goCmd(t, dir, "list", "-m", "all")), "\n")
}

// requiredVersion returns the version of path in the build list of dir.
func (e *env) requiredVersion(t *testing.T, dir, path string) string {
	t.Helper()
	return strings.TrimSpace(e.goCmd(t, dir, "list", "-m", "-f", "{{.Version}}", path))
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
