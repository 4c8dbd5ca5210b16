package sampling_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/signalkit/sdk/sampling"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, arg string
		wantDesc  string
	}{
		{"always_on", "", "AlwaysOn"},
		{"always_on", "0.5", "AlwaysOn"}, // argument ignored, as by the SDK
		{"always_off", "", "AlwaysOff"},
		{"traceidratio", "", "Ratio{1}"},
		{"traceidratio", "0.25", "Ratio{0.25}"},
		{"traceidratio", "0", "Ratio{0}"},
		{"traceidratio", "1", "Ratio{1}"},
		{"traceidratio", " 1e-3 ", "Ratio{0.001}"},
		{"parentbased_always_on", "", "ParentBased{root:AlwaysOn}"},
		{"parentbased_always_off", "", "ParentBased{root:AlwaysOff}"},
		{"parentbased_traceidratio", "", "ParentBased{root:Ratio{1}}"},
		{"parentbased_traceidratio", "0.1", "ParentBased{root:Ratio{0.1}}"},
		{"ratelimited", "100", "RateLimited{100}"},
		{"ratelimited", "0.5", "RateLimited{0.5}"},
		{"ratelimited", "0", "RateLimited{0}"},
		{"ratelimited", "+Inf", "RateLimited{+Inf}"},
		{"parentbased_ratelimited", "10", "ParentBased{root:RateLimited{10}}"},
		{" ParentBased_TraceIDRatio ", "0.5", "ParentBased{root:Ratio{0.5}}"},
		{"ALWAYS_ON", "", "AlwaysOn"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.arg, func(t *testing.T) {
			s, err := sampling.Parse(tt.name, tt.arg)
			if err != nil {
				t.Fatalf("Parse(%q, %q) error: %v", tt.name, tt.arg, err)
			}
			if got := s.Description(); got != tt.wantDesc {
				t.Errorf("Description() = %q, want %q", got, tt.wantDesc)
			}
		})
	}
}

func TestParseDecisions(t *testing.T) {
	tests := []struct {
		name, arg                          string
		ctxSampled, ctxUnsampled, noParent bool
	}{
		{"always_on", "", true, true, true},
		{"always_off", "", false, false, false},
		{"parentbased_always_on", "", true, false, true},
		{"parentbased_always_off", "", true, false, false},
		{"traceidratio", "1", true, true, true},
		{"parentbased_traceidratio", "0", true, false, false},
		{"parentbased_ratelimited", "0", true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.arg, func(t *testing.T) {
			s, err := sampling.Parse(tt.name, tt.arg)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				ctx  context.Context
				want bool
			}{
				{parentCtx(true, true), tt.ctxSampled},
				{parentCtx(false, true), tt.ctxUnsampled},
				{context.Background(), tt.noParent},
			} {
				if got := s.ShouldSample(params(c.ctx)); got != c.want {
					t.Errorf("ShouldSample(%v) = %t, want %t", c.ctx, got, c.want)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, arg string
		wantMsg   []string // substrings of the message
	}{
		{"", "", []string{"empty sampler name", "always_on"}},
		{"  ", "", []string{"empty sampler name"}},
		{"probabilistic", "0.1", []string{`unknown sampler name "probabilistic"`, "parentbased_ratelimited"}},
		{"jaeger_remote", "", []string{`"jaeger_remote"`}},
		{"traceidratio", "abc", []string{`traceidratio argument "abc" is not a valid number`}},
		{"traceidratio", "1.5", []string{`traceidratio argument "1.5" is not a probability in [0, 1]`}},
		{"traceidratio", "-0.1", []string{`"-0.1" is not a probability`}},
		{"traceidratio", "NaN", []string{`"NaN" is not a probability`}},
		{"parentbased_traceidratio", "2", []string{`parentbased_traceidratio argument "2"`}},
		{"ratelimited", "", []string{"ratelimited needs an argument"}},
		{"ratelimited", "fast", []string{`ratelimited argument "fast" is not a valid number`}},
		{"ratelimited", "-1", []string{`ratelimited argument "-1" is not a rate >= 0`}},
		{"ratelimited", "nan", []string{`"nan" is not a rate`}},
		{"parentbased_ratelimited", "", []string{"parentbased_ratelimited needs an argument"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.arg, func(t *testing.T) {
			s, err := sampling.Parse(tt.name, tt.arg)
			if err == nil {
				t.Fatalf("Parse(%q, %q) = %s, want an error", tt.name, tt.arg, s.Description())
			}
			if s != nil {
				t.Errorf("Parse returned a non-nil Sampler with an error: %s", s.Description())
			}
			if !errors.Is(err, sampling.ErrInvalidSampler) {
				t.Errorf("error %v does not wrap ErrInvalidSampler", err)
			}
			for _, want := range tt.wantMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}
