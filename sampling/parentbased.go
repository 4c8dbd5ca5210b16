package sampling

import "go.opentelemetry.io/otel/trace"

// parentBased follows the parent span's sampling decision.
type parentBased struct {
	root Sampler
}

var _ Sampler = (*parentBased)(nil)

// ShouldSample follows a valid parent span context, or asks root.
func (s *parentBased) ShouldSample(p Parameters) bool {
	if sc := trace.SpanContextFromContext(p.Ctx); sc.IsValid() {
		return sc.IsSampled()
	}
	return s.root.ShouldSample(p)
}

// Description returns "ParentBased{root:...}" with root's current
// description.
func (s *parentBased) Description() string {
	return "ParentBased{root:" + s.root.Description() + "}"
}

// ParentBased returns a Sampler that follows the emission's parent span:
// if p.Ctx carries a valid span context (local or remote, see
// [trace.SpanContextFromContext]), the emission is sampled exactly when that
// span context has the sampled flag; otherwise root decides. Its description
// is "ParentBased{root:...}" with root's description, like
// "ParentBased{root:Ratio{0.01}}".
//
// This keeps traces whole: an emission made while handling a traced request
// is traced, one made in an untraced request is not, and root governs
// emissions outside any trace.
//
// A nil root is [Never]: ParentBased(nil) traces emissions only inside
// sampled traces.
func ParentBased(root Sampler) Sampler {
	if root == nil {
		root = Never()
	}
	return &parentBased{root: root}
}
