package sampling

// Thinner is a [Sampler] that samples no more than a known share of the
// emissions it is asked about, whatever they are, so that its caller can
// leave most of them out without asking: it draws each emission with
// probability Share, independently of the others, and asks Thinned about the
// emissions it drew only. That decides the same as asking the Thinner about
// every emission, except where a method's documentation says otherwise, for
// a fraction of the cost where the share is small: drawing a random number
// instead of calling the sampler. package otelsignals thins this way when
// only tracing needs the emissions (see signals.Share).
//
// [Ratio], [Never] and [RateLimited] are Thinners. [ParentBased] is not (it
// must see every emission's parent span), nor is [Dynamic] (its sampler may
// change between two draws).
type Thinner interface {
	Sampler

	// Share returns the probability with which the caller draws each
	// emission, in [0, 1]. It may change after each decision of Thinned,
	// as [RateLimited]'s does: the caller reads it again after each
	// emission it passed to Thinned.
	Share() float64

	// Thinned returns the Sampler that decides the emissions drawn. It
	// returns the same Sampler every time.
	Thinned() Sampler
}

var (
	_ Thinner = (*ratio)(nil)
	_ Thinner = (*fixed)(nil)
	_ Thinner = alwaysOff{}
	_ Thinner = (*rateLimited)(nil)
)
