package sampling_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/sampling"
)

func TestParentBased(t *testing.T) {
	// A span context with a trace ID but no span ID is not valid: root
	// decides, even though the flags say sampled.
	invalid := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, TraceFlags: trace.FlagsSampled}))
	tests := []struct {
		name      string
		ctx       context.Context
		rootSays  bool
		want      bool
		wantCalls int64 // root decisions
	}{
		{"no parent, root samples", context.Background(), true, true, 1},
		{"no parent, root drops", context.Background(), false, false, 1},
		{"nil ctx, root samples", nil, true, true, 1},
		{"invalid parent, root samples", invalid, true, true, 1},
		{"invalid parent, root drops", invalid, false, false, 1},
		{"sampled remote parent, root drops", parentCtx(true, true), false, true, 0},
		{"sampled local parent, root drops", parentCtx(true, false), false, true, 0},
		{"unsampled remote parent, root samples", parentCtx(false, true), true, false, 0},
		{"unsampled local parent, root samples", parentCtx(false, false), true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := &countingSampler{sample: tt.rootSays}
			s := sampling.ParentBased(root)
			if got := s.ShouldSample(params(tt.ctx)); got != tt.want {
				t.Errorf("ShouldSample() = %t, want %t", got, tt.want)
			}
			if got := root.calls.Load(); got != tt.wantCalls {
				t.Errorf("root asked %d times, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestParentBasedNilRoot(t *testing.T) {
	s := sampling.ParentBased(nil)
	tests := []struct {
		name string
		ctx  context.Context
		want bool
	}{
		{"no parent: Never", context.Background(), false},
		{"sampled parent", parentCtx(true, true), true},
		{"unsampled parent", parentCtx(false, true), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.ShouldSample(params(tt.ctx)); got != tt.want {
				t.Errorf("ShouldSample() = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestParentBasedDescription(t *testing.T) {
	dyn := sampling.NewDynamic(sampling.Always())
	pb := sampling.ParentBased(dyn)
	tests := []struct {
		name string
		s    sampling.Sampler
		set  sampling.Sampler // applied to dyn first, if not nil
		want string
	}{
		{"always", sampling.ParentBased(sampling.Always()), nil, "ParentBased{root:AlwaysOn}"},
		{"nil root", sampling.ParentBased(nil), nil, "ParentBased{root:AlwaysOff}"},
		{"ratio", sampling.ParentBased(sampling.Ratio(0.01)), nil, "ParentBased{root:Ratio{0.01}}"},
		{"dynamic root, before Set", pb, nil, "ParentBased{root:Dynamic{AlwaysOn}}"},
		{"dynamic root, after Set", pb, sampling.RateLimited(5), "ParentBased{root:Dynamic{RateLimited{5}}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.set != nil {
				dyn.Set(tt.set)
			}
			if got := tt.s.Description(); got != tt.want {
				t.Errorf("Description() = %q, want %q", got, tt.want)
			}
		})
	}
}
