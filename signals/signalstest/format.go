package signalstest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds of the payloads listed in a failure message.
const (
	// maxListed is the number of payloads a failure message lists in full;
	// of a longer list it shows the first and the last maxListed/2.
	maxListed = 10

	// maxPayloadBytes is the length at which a payload's text is cut.
	maxPayloadBytes = 200
)

// plural returns "1 emission" or "n emissions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// listPayloads returns the end of a failure message that lists payloads: ""
// for none, otherwise a colon and the payloads a line each, numbered from 1
// in arrival order: all of them up to maxListed, otherwise the first and the
// last maxListed/2 around a line that says how many are left out.
func listPayloads[T any](payloads []T) string {
	if len(payloads) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(":")
	line := func(i int) {
		fmt.Fprintf(&b, "\n\t#%d: %s", i+1, formatPayload(payloads[i]))
	}
	if len(payloads) <= maxListed {
		for i := range payloads {
			line(i)
		}
		return b.String()
	}
	half := maxListed / 2
	for i := range half {
		line(i)
	}
	fmt.Fprintf(&b, "\n\t... %d more ...", len(payloads)-2*half)
	for i := len(payloads) - half; i < len(payloads); i++ {
		line(i)
	}
	return b.String()
}

// formatPayload returns p as %+v formats it, cut to maxPayloadBytes (on a
// character boundary) with the full length noted.
func formatPayload(p any) string {
	s := fmt.Sprintf("%+v", p)
	if len(s) <= maxPayloadBytes {
		return s
	}
	cut := maxPayloadBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:cut], len(s))
}
