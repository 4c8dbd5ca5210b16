package sampling

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrInvalidSampler is the error [Parse] wraps when the sampler name or
// argument is invalid; test for it with [errors.Is].
var ErrInvalidSampler = errors.New("sampling: invalid sampler")

// Names accepted by Parse.
const (
	nameAlwaysOn                = "always_on"
	nameAlwaysOff               = "always_off"
	nameTraceIDRatio            = "traceidratio"
	nameParentBasedAlwaysOn     = "parentbased_always_on"
	nameParentBasedAlwaysOff    = "parentbased_always_off"
	nameParentBasedTraceIDRatio = "parentbased_traceidratio"
	nameRateLimited             = "ratelimited"
	nameParentBasedRateLimited  = "parentbased_ratelimited"
)

var knownNames = strings.Join([]string{
	nameAlwaysOn, nameAlwaysOff, nameTraceIDRatio,
	nameParentBasedAlwaysOn, nameParentBasedAlwaysOff, nameParentBasedTraceIDRatio,
	nameRateLimited, nameParentBasedRateLimited,
}, ", ")

// Parse returns the Sampler named by name with argument arg, in the
// vocabulary of the OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG
// environment variables. Name and argument are trimmed of spaces, and the
// name is case-insensitive.
//
//	name                      sampler                          arg
//	always_on                 Always()                         ignored
//	always_off                Never()                          ignored
//	traceidratio              Ratio(arg)                       probability in [0, 1]; "" means 1
//	parentbased_always_on     ParentBased(Always())            ignored
//	parentbased_always_off    ParentBased(Never())             ignored
//	parentbased_traceidratio  ParentBased(Ratio(arg))          probability in [0, 1]; "" means 1
//	ratelimited               RateLimited(arg)                 emissions per second, >= 0 (may be +Inf); required
//	parentbased_ratelimited   ParentBased(RateLimited(arg))    emissions per second, >= 0 (may be +Inf); required
//
// As for the OpenTelemetry SDK, an argument is ignored where none is
// expected and a missing ratio means 1. Unlike the SDK's trace-ID ratio,
// traceidratio here draws a random number per emission: no trace ID exists
// when the decision is made (see [Ratio]).
//
// Parse does not read the environment: the OTEL_TRACES_SAMPLER variables
// configure the OpenTelemetry SDK's own sampler, which still applies to the
// spans of sampled emissions, so reusing them here would apply the same
// ratio twice.
//
// An unknown name, or an argument that is not a number or out of range,
// returns a nil Sampler and an error that wraps [ErrInvalidSampler] and
// quotes the offending value.
func Parse(name, arg string) (Sampler, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	arg = strings.TrimSpace(arg)
	switch n {
	case nameAlwaysOn:
		return Always(), nil
	case nameAlwaysOff:
		return Never(), nil
	case nameParentBasedAlwaysOn:
		return ParentBased(Always()), nil
	case nameParentBasedAlwaysOff:
		return ParentBased(Never()), nil
	case nameTraceIDRatio, nameParentBasedTraceIDRatio:
		p, err := parseRatio(n, arg)
		if err != nil {
			return nil, err
		}
		if n == nameParentBasedTraceIDRatio {
			return ParentBased(Ratio(p)), nil
		}
		return Ratio(p), nil
	case nameRateLimited, nameParentBasedRateLimited:
		r, err := parseRate(n, arg)
		if err != nil {
			return nil, err
		}
		if n == nameParentBasedRateLimited {
			return ParentBased(RateLimited(r)), nil
		}
		return RateLimited(r), nil
	case "":
		return nil, fmt.Errorf("%w: empty sampler name (want one of %s)", ErrInvalidSampler, knownNames)
	}
	return nil, fmt.Errorf("%w: unknown sampler name %q (want one of %s)", ErrInvalidSampler, name, knownNames)
}

// parseRatio parses the probability argument of the ratio samplers.
func parseRatio(name, arg string) (float64, error) {
	if arg == "" {
		return 1, nil
	}
	p, err := strconv.ParseFloat(arg, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s argument %q is not a valid number", ErrInvalidSampler, name, arg)
	}
	if math.IsNaN(p) || p < 0 || p > 1 {
		return 0, fmt.Errorf("%w: %s argument %q is not a probability in [0, 1]", ErrInvalidSampler, name, arg)
	}
	return p, nil
}

// parseRate parses the emissions-per-second argument of the rate-limited
// samplers.
func parseRate(name, arg string) (float64, error) {
	if arg == "" {
		return 0, fmt.Errorf("%w: %s needs an argument: sampled emissions per second", ErrInvalidSampler, name)
	}
	r, err := strconv.ParseFloat(arg, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s argument %q is not a valid number", ErrInvalidSampler, name, arg)
	}
	if math.IsNaN(r) || r < 0 {
		return 0, fmt.Errorf("%w: %s argument %q is not a rate >= 0 per second", ErrInvalidSampler, name, arg)
	}
	return r, nil
}
