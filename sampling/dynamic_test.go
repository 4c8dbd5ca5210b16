package sampling_test

import (
	"context"
	"sync"
	"testing"

	"github.com/signalkit/sdk/sampling"
)

func TestDynamic(t *testing.T) {
	tests := []struct {
		name     string
		d        func() *sampling.Dynamic
		want     bool
		wantDesc string
	}{
		{"zero value", func() *sampling.Dynamic { return new(sampling.Dynamic) }, false, "Dynamic{AlwaysOff}"},
		{"nil initial", func() *sampling.Dynamic { return sampling.NewDynamic(nil) }, false, "Dynamic{AlwaysOff}"},
		{"initial Always", func() *sampling.Dynamic { return sampling.NewDynamic(sampling.Always()) }, true, "Dynamic{AlwaysOn}"},
		{"Set Always", func() *sampling.Dynamic {
			d := sampling.NewDynamic(nil)
			d.Set(sampling.Always())
			return d
		}, true, "Dynamic{AlwaysOn}"},
		{"Set nil", func() *sampling.Dynamic {
			d := sampling.NewDynamic(sampling.Always())
			d.Set(nil)
			return d
		}, false, "Dynamic{AlwaysOff}"},
		{"Set on zero value", func() *sampling.Dynamic {
			var d sampling.Dynamic
			d.Set(sampling.ParentBased(sampling.Always()))
			return &d
		}, true, "Dynamic{ParentBased{root:AlwaysOn}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d()
			if got := d.ShouldSample(params(context.Background())); got != tt.want {
				t.Errorf("ShouldSample() = %t, want %t", got, tt.want)
			}
			if got := d.Description(); got != tt.wantDesc {
				t.Errorf("Description() = %q, want %q", got, tt.wantDesc)
			}
			if d.Sampler() == nil {
				t.Error("Sampler() = nil, want a Sampler")
			}
		})
	}
}

func TestDynamicSampler(t *testing.T) {
	a, b := &countingSampler{sample: true}, &countingSampler{sample: false}
	d := sampling.NewDynamic(a)
	tests := []struct {
		name string
		set  sampling.Sampler
		want sampling.Sampler
	}{
		{"initial", nil, a},
		{"after Set", b, b},
		{"after Set back", a, a},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.set != nil {
				d.Set(tt.set)
			}
			if got := d.Sampler(); got != tt.want {
				t.Errorf("Sampler() = %p, want %p", got, tt.want)
			}
		})
	}
}

// TestDynamicConcurrent switches the sampler while other goroutines decide.
// Every decision must be made by exactly one of the two samplers and return
// that sampler's answer; run with -race.
func TestDynamicConcurrent(t *testing.T) {
	tests := []struct {
		name    string
		readers int
		perRead int
		sets    int
	}{
		{"few readers", 2, 20_000, 2_000},
		{"many readers", 8, 5_000, 2_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yes, no := &countingSampler{sample: true}, &countingSampler{sample: false}
			d := sampling.NewDynamic(yes)
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				sampled int64
			)
			for range tt.readers {
				wg.Go(func() {
					p := params(context.Background())
					var n int64
					for range tt.perRead {
						if d.ShouldSample(p) {
							n++
						}
					}
					mu.Lock()
					sampled += n
					mu.Unlock()
				})
			}
			wg.Go(func() {
				for i := range tt.sets {
					if i%2 == 0 {
						d.Set(no)
					} else {
						d.Set(yes)
					}
				}
			})
			wg.Wait()
			total := int64(tt.readers * tt.perRead)
			if got := yes.calls.Load() + no.calls.Load(); got != total {
				t.Errorf("samplers made %d decisions, want %d", got, total)
			}
			if got := yes.calls.Load(); sampled != got {
				t.Errorf("%d emissions sampled, but the sampling sampler decided %d", sampled, got)
			}
		})
	}
}
