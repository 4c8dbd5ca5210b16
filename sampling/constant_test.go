package sampling_test

import (
	"context"
	"testing"

	"github.com/signalkit/sdk/sampling"
)

func TestConstantSamplers(t *testing.T) {
	contexts := []struct {
		name string
		ctx  context.Context
	}{
		{"background", context.Background()},
		{"nil ctx", nil},
		{"sampled parent", parentCtx(true, true)},
		{"unsampled parent", parentCtx(false, false)},
	}
	tests := []struct {
		name     string
		sampler  sampling.Sampler
		want     bool
		wantDesc string
	}{
		{"Always", sampling.Always(), true, "AlwaysOn"},
		{"Never", sampling.Never(), false, "AlwaysOff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sampler.Description(); got != tt.wantDesc {
				t.Errorf("Description() = %q, want %q", got, tt.wantDesc)
			}
			for _, c := range contexts {
				if got := tt.sampler.ShouldSample(params(c.ctx)); got != tt.want {
					t.Errorf("%s: ShouldSample() = %t, want %t", c.name, got, tt.want)
				}
			}
		})
	}
}
