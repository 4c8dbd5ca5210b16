package test

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// switchable wraps a SyncSignal and records the EnableCollector calls.
type switchable struct {
	*signals.SyncSignal[int]
	mu    sync.Mutex
	calls []bool
}

func (s *switchable) EnableCollector(on bool) {
	s.mu.Lock()
	s.calls = append(s.calls, on)
	s.mu.Unlock()
	s.SyncSignal.EnableCollector(on)
}

func (s *switchable) enableCalls() []bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bool(nil), s.calls...)
}

func TestSamplerSwitch(t *testing.T) {
	e := newEnv(t)
	s := new(otelsignals.Settings) // the zero Settings is ready
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "sw"})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
		t.Fatal(err)
	}
	emit := func(n int) {
		for range n {
			sig.Emit(context.Background(), 1)
		}
	}
	steps := []struct {
		sampler sampling.Sampler
		want    int // spans ended so far
	}{
		{sampling.Never(), 0},
		{sampling.Always(), 3},
		{sampling.Never(), 3},
		{sampling.Always(), 6},
	}
	for i, step := range steps {
		if err := s.SetSampler(step.sampler); err != nil {
			t.Fatal(err)
		}
		emit(3)
		if got := len(e.spans.Ended()); got != step.want {
			t.Errorf("step %d (%s): %d spans, want %d", i, step.sampler.Description(), got, step.want)
		}
	}
}

func TestMetricsSwitch(t *testing.T) {
	e := newEnv(t)
	s := new(otelsignals.Settings)
	sig := &switchable{SyncSignal: signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "m", ErrorHandler: ignore})}
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
		t.Fatal(err)
	}
	inst := sig.Collector()
	sig.AddListenerWithErr(func(_ context.Context, v int) error {
		if v == 1 {
			return &boomError{}
		}
		return nil
	})
	nk := nameKind("m", semconv.SignalKindSync)
	errKV := with(nk, semconv.ErrorType(&boomError{}))
	emit := func() { sig.Emit(context.Background(), 1) }
	check := func(step string, emissions, errs int64, observed bool) {
		t.Helper()
		got := e.Collect(t)
		n, ok := got.Sum(semconv.EmissionsName, nk...)
		if ok != observed || n != emissions {
			t.Errorf("%s: emissions = %d (reported: %v), want %d (reported: %v)", step, n, ok, emissions, observed)
		}
		if n, _ := got.Sum(semconv.ListenerErrorsName, errKV...); n != errs {
			t.Errorf("%s: errors = %d, want %d", step, n, errs)
		}
	}

	emit()
	check("on", 1, 1, true)
	s.SetMetricsEnabled(false)
	emit()
	emit()
	check("metrics off", 0, 1, false)
	if calls := sig.enableCalls(); len(calls) != 0 {
		t.Errorf("EnableCollector%v with tracing still on", calls)
	}

	s.SetTracingEnabled(false) // both off: the fast path
	if calls := sig.enableCalls(); !equal(calls, []bool{false}) {
		t.Errorf("EnableCollector calls = %v, want [false]", calls)
	}
	if sig.Collector() != inst {
		t.Error("Collector() is not the instrumentation while switched off")
	}
	if a := testing.AllocsPerRun(100, func() { sig.Emit(context.Background(), 0) }); a != 0 {
		t.Errorf("emission allocates %v times while switched off", a)
	}
	s.SetListenerSpans(true) // still both off: no call
	if calls := sig.enableCalls(); len(calls) != 1 {
		t.Errorf("EnableCollector calls = %v, want [false]", calls)
	}

	s.SetMetricsEnabled(true)
	if calls := sig.enableCalls(); !equal(calls, []bool{false, true}) {
		t.Errorf("EnableCollector calls = %v, want [false true]", calls)
	}
	emit()
	check("on again", 2, 2, true)
}

func TestTracingOff(t *testing.T) {
	e := newEnv(t)
	s := always(t, true)
	s.SetTracingEnabled(false)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "to"})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	if n := len(e.spans.Ended()); n != 0 {
		t.Errorf("%d spans with tracing off", n)
	}
	if n, _ := e.Collect(t).Sum(semconv.EmissionsName, nameKind("to", semconv.SignalKindSync)...); n != 1 {
		t.Errorf("emissions = %d, want 1", n)
	}
	s.SetTracingEnabled(true)
	sig.Emit(context.Background(), 1)
	if n := len(e.spans.Ended()); n != 1 {
		t.Errorf("%d spans with tracing on again, want 1", n)
	}
}

// TestTracingOnlyFailures checks that with metrics off, a failed listener
// of an untraced emission records nothing and breaks nothing.
func TestTracingOnly(t *testing.T) {
	e := newEnv(t)
	c := otelsignals.DefaultConfig()
	c.Metrics = false
	s, err := otelsignals.NewSettings(c)
	if err != nil {
		t.Fatal(err)
	}
	sig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "tr", ErrorHandler: ignore})
	defer sig.Close()
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListenerWithErr(func(context.Context, int) error { return &boomError{} })
	sig.AddListener(func(context.Context, int) {}, "k")
	sig.RemoveListener("k")
	sig.Emit(context.Background(), 1)
	if err := sig.Enqueue(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if err := sig.Close(); err != nil {
		t.Fatal(err)
	}
	got := e.Collect(t)
	for _, name := range []string{semconv.EmissionsName, semconv.ListenerErrorsName, semconv.ListenerChangesName} {
		if p := got.Points(name); p != 0 {
			t.Errorf("%s has %d data points with metrics off", name, p)
		}
	}
}

func TestOverrides(t *testing.T) {
	e := newEnv(t)
	s := always(t, true)
	mk := func(name string, opts ...otelsignals.Option) *signals.SyncSignal[int] {
		sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: name})
		if err := otelsignals.Instrument(sig, e.Options(append(opts, otelsignals.WithSettings(s))...)...); err != nil {
			t.Fatal(err)
		}
		return sig
	}
	a := mk("a")
	b := mk("b", otelsignals.WithSampler(sampling.Never())) // pinned
	spans := func() map[string]int {
		n := map[string]int{}
		for _, s := range e.spans.Ended() {
			n[s.Name()]++
		}
		return n
	}
	emitBoth := func() {
		a.Emit(context.Background(), 1)
		b.Emit(context.Background(), 1)
	}
	emitBoth()
	if n := spans(); n["emit a"] != 1 || n["emit b"] != 0 {
		t.Errorf("global Always, b pinned to Never: spans %v", n)
	}
	// An override beats the option, and the global settings.
	if err := s.SetOverride("b", otelsignals.Override{Sampler: sampling.Always(), ListenerSpans: new(true)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOverride("a", otelsignals.Override{Tracing: new(false), Metrics: new(false)}); err != nil {
		t.Fatal(err)
	}
	b.AddListener(func(context.Context, int) {})
	emitBoth()
	if n := spans(); n["emit a"] != 1 || n["emit b"] != 1 || n["process b"] != 1 {
		t.Errorf("overrides: spans %v", n)
	}
	got := e.Collect(t)
	if _, ok := got.Sum(semconv.EmissionsName, nameKind("a", semconv.SignalKindSync)...); ok {
		t.Error("a reports emissions with metrics overridden off")
	}
	if n, _ := got.Sum(semconv.EmissionsName, nameKind("b", semconv.SignalKindSync)...); n != 2 {
		t.Errorf("b emissions = %d, want 2", n)
	}
	// Global changes do not reach a pinned or overridden setting.
	if err := s.SetSampler(sampling.Never()); err != nil {
		t.Fatal(err)
	}
	s.SetTracingEnabled(true)
	emitBoth()
	if n := spans(); n["emit a"] != 1 || n["emit b"] != 2 {
		t.Errorf("global Never: spans %v", n)
	}
	s.ClearOverride("b")
	s.ClearOverride("a")
	s.ClearOverride("nothing")
	if err := s.SetSampler(sampling.Always()); err != nil {
		t.Fatal(err)
	}
	emitBoth()
	if n := spans(); n["emit a"] != 2 || n["emit b"] != 2 {
		t.Errorf("overrides cleared: spans %v", n)
	}
}

func TestOverrideRate(t *testing.T) {
	e := newEnv(t)
	s := new(otelsignals.Settings)
	sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "r"})
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s), otelsignals.WithDurationSampleRate(0), otelsignals.WithDurationBudget(-1))...); err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	if err := s.SetOverride("r", otelsignals.Override{DurationSampleRate: new(1.0)}); err != nil {
		t.Fatal(err)
	}
	sig.Emit(context.Background(), 1)
	if c, _ := e.Collect(t).HistogramCount(semconv.EmissionDurationName, nameKind("r", semconv.SignalKindSync)...); c != 1 {
		t.Errorf("timed emissions = %d, want 1", c)
	}
}

func TestSettingsValidation(t *testing.T) {
	s := new(otelsignals.Settings)
	before := s.Config()
	bad := []struct {
		name string
		call func() error
	}{
		{"nil sampler", func() error { return s.SetSampler(nil) }},
		{"rate -1", func() error { return s.SetDurationSampleRate(-1) }},
		{"rate 2", func() error { return s.SetDurationSampleRate(2) }},
		{"rate NaN", func() error { return s.SetDurationSampleRate(math.NaN()) }},
		{"override rate", func() error {
			return s.SetOverride("x", otelsignals.Override{DurationSampleRate: new(1.5)})
		}},
		{"Apply nil sampler", func() error {
			c := otelsignals.DefaultConfig()
			c.Sampler = nil
			c.Metrics = false
			return s.Apply(c)
		}},
		{"Apply bad override", func() error {
			c := otelsignals.DefaultConfig()
			c.Tracing = false
			c.Overrides = map[string]otelsignals.Override{"ok": {}, "bad": {DurationSampleRate: new(-0.5)}}
			return s.Apply(c)
		}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, otelsignals.ErrInvalidConfig) {
				t.Errorf("error = %v, want ErrInvalidConfig", err)
			}
			after := s.Config()
			if after.Metrics != before.Metrics || after.Tracing != before.Tracing ||
				after.DurationSampleRate != before.DurationSampleRate || len(after.Overrides) != 0 ||
				after.Sampler.Description() != before.Sampler.Description() {
				t.Errorf("an invalid call changed the settings: %+v", after)
			}
		})
	}
	c := otelsignals.DefaultConfig()
	c.Sampler, c.DurationSampleRate = nil, 3
	err := c.Validate()
	if !errors.Is(err, otelsignals.ErrInvalidConfig) {
		t.Fatalf("Validate = %v", err)
	}
	t.Logf("joined error: %v", err)
	if _, err := otelsignals.NewSettings(c); !errors.Is(err, otelsignals.ErrInvalidConfig) {
		t.Errorf("NewSettings = %v, want ErrInvalidConfig", err)
	}
}

func TestSettingsConfig(t *testing.T) {
	s := new(otelsignals.Settings)
	def := otelsignals.DefaultConfig()
	got := s.Config()
	if !got.Metrics || !got.Tracing || got.ListenerSpans || got.DurationSampleRate != otelsignals.DefaultDurationSampleRate ||
		got.Sampler.Description() != "ParentBased{root:AlwaysOn}" && got.Sampler.Description() != def.Sampler.Description() {
		t.Errorf("zero Settings config = %+v", got)
	}
	c := otelsignals.DefaultConfig()
	c.Overrides = map[string]otelsignals.Override{"a": {Tracing: new(false)}}
	c.DurationSampleRate = 0.5
	if err := s.Apply(c); err != nil {
		t.Fatal(err)
	}
	c.Overrides["b"] = otelsignals.Override{} // the caller's map is not the Settings'
	got = s.Config()
	if len(got.Overrides) != 1 || got.DurationSampleRate != 0.5 {
		t.Errorf("Config = %+v", got)
	}
	got.Overrides["c"] = otelsignals.Override{} // nor is the returned one
	if len(s.Config().Overrides) != 1 {
		t.Error("modifying Config()'s overrides changed the Settings")
	}
	if err := s.SetDurationSampleRate(0.25); err != nil || s.Config().DurationSampleRate != 0.25 {
		t.Errorf("SetDurationSampleRate: %v, %v", err, s.Config().DurationSampleRate)
	}
}

// TestApplyAtomic checks that an emission never sees half of an Apply:
// metrics and tracing are switched together, and every span that starts
// has a counted emission.
func TestConcurrentToggle(t *testing.T) {
	e := newEnv(t)
	s := new(otelsignals.Settings)
	syncSig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "cs", ErrorHandler: ignore})
	asyncSig := signals.NewWithOptions[int](&signals.SignalOptions{Name: "ca", ErrorHandler: ignore, WorkerPoolSize: 2})
	defer asyncSig.Close()
	for _, sig := range []otelsignals.Signal{syncSig, asyncSig} {
		if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
			t.Fatal(err)
		}
	}
	var calls atomic.Int64
	for _, add := range []func(signals.SignalListenerErr[int]) int{
		func(l signals.SignalListenerErr[int]) int { return syncSig.AddListenerWithErr(l) },
		func(l signals.SignalListenerErr[int]) int { return asyncSig.AddListenerWithErr(l) },
	} {
		add(func(_ context.Context, v int) error {
			calls.Add(1)
			if v%7 == 0 {
				return &boomError{}
			}
			if v%11 == 0 {
				panic(v)
			}
			return nil
		})
		add(func(context.Context, int) error { return nil })
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			ctx := context.Background()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v := g*1_000_000 + i
				switch i % 4 {
				case 0:
					syncSig.Emit(ctx, v)
				case 1:
					_ = syncSig.TryEmit(ctx, v)
				case 2:
					asyncSig.Emit(ctx, v)
				case 3:
					_ = asyncSig.Enqueue(ctx, v)
				}
			}
		})
	}
	wg.Go(func() {
		samplers := []sampling.Sampler{sampling.Always(), sampling.Never(), sampling.Ratio(0.5)}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c := otelsignals.DefaultConfig()
			c.Metrics, c.Tracing = i%2 == 0, i%3 != 0
			c.Sampler = samplers[i%len(samplers)]
			c.ListenerSpans = i%5 == 0
			c.DurationSampleRate = float64(i%4) / 3
			if i%6 == 0 {
				c.Overrides = map[string]otelsignals.Override{"cs": {Metrics: new(true)}}
			}
			if err := s.Apply(c); err != nil {
				t.Error(err)
				return
			}
			e.Collect(t)
			time.Sleep(100 * time.Microsecond)
		}
	})
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err := asyncSig.Close(); err != nil {
		t.Fatal(err)
	}
	if started, ended := len(e.spans.Started()), len(e.spans.Ended()); started != ended {
		t.Errorf("%d spans started, %d ended", started, ended)
	}
	if calls.Load() == 0 {
		t.Fatal("no listener ran")
	}
	got := e.Collect(t)
	var counted int64
	for _, sk := range [][2]string{{"cs", "sync"}, {"ca", "async"}} {
		kind := semconv.SignalKindSync
		if sk[1] == "async" {
			kind = semconv.SignalKindAsync
		}
		if n, ok := got.Sum(semconv.ListenerInvocationsName, nameKind(sk[0], kind)...); ok {
			counted += n
		}
	}
	if counted > 2*calls.Load() {
		t.Errorf("counted %d listener calls, more than the %d made", counted, 2*calls.Load())
	}
}

// TestNeverSwitchesOff checks that tracing with sampling.Never() and metrics
// off switches the instrumentation off (emissions take the fast path), that
// a sampler that may sample switches it on again, and that a sampling.Dynamic,
// which can change without the Settings, keeps it on.
func TestNeverSwitchesOff(t *testing.T) {
	e := newEnv(t)
	cfg := otelsignals.DefaultConfig()
	cfg.Metrics, cfg.Sampler = false, sampling.Never()
	s, err := otelsignals.NewSettings(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sig := &switchable{SyncSignal: signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "never"})}
	if err := otelsignals.Instrument(sig, e.Options(otelsignals.WithSettings(s))...); err != nil {
		t.Fatal(err)
	}
	sig.AddListener(func(context.Context, int) {})
	emit := func() { sig.Emit(context.Background(), 1) }
	if calls := sig.enableCalls(); !equal(calls, []bool{false}) {
		t.Fatalf("EnableCollector calls = %v, want [false]", calls)
	}
	if a := testing.AllocsPerRun(100, emit); a != 0 {
		t.Errorf("emission allocates %v times while switched off", a)
	}
	dyn := sampling.NewDynamic(sampling.Never())
	steps := []struct {
		sampler sampling.Sampler
		enable  []bool // EnableCollector calls so far
		spans   int    // spans ended so far, after 3 emissions
	}{
		{sampling.Always(), []bool{false, true}, 3},
		{sampling.Never(), []bool{false, true, false}, 3},
		{dyn, []bool{false, true, false, true}, 3},
	}
	for i, step := range steps {
		if err := s.SetSampler(step.sampler); err != nil {
			t.Fatal(err)
		}
		if calls := sig.enableCalls(); !equal(calls, step.enable) {
			t.Errorf("step %d (%s): EnableCollector calls = %v, want %v", i, step.sampler.Description(), calls, step.enable)
		}
		for range 3 {
			emit()
		}
		if got := len(e.spans.Ended()); got != step.spans {
			t.Errorf("step %d (%s): %d spans, want %d", i, step.sampler.Description(), got, step.spans)
		}
	}
	dyn.Set(sampling.Always()) // not through the Settings: still followed
	emit()
	if got := len(e.spans.Ended()); got != 4 {
		t.Errorf("after Dynamic.Set(Always): %d spans, want 4", got)
	}
}
