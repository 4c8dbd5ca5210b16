package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestJSONPositionsLinear checks that finding the positions of a JSON
// document's tokens looks at each byte of it once: every token's position
// used to be found by scanning from the start, so a 1 MiB single-line
// document took 99 s. The work is counted, not timed.
func TestJSONPositionsLinear(t *testing.T) {
	for _, layout := range []string{"line", "indent"} {
		t.Run(layout, func(t *testing.T) {
			var b strings.Builder
			sep := ""
			if layout == "indent" {
				sep = "\n  "
			}
			b.WriteString(`{"signals": {`)
			for i := range 5000 {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `%s"s%d": {"metrics": true, "sampler": "traceidratio", "sampler_arg": 0.5}`, sep, i)
			}
			b.WriteString("}}")
			data := []byte(b.String())
			d := newJSONDecoder("c.json", data)
			if _, err := d.decode(); err != nil {
				t.Fatal(err)
			}
			if d.pos.scanned > len(data) {
				t.Errorf("positions looked at %d bytes of a %d-byte document: more than once each", d.pos.scanned, len(data))
			}
			if d.pos.scanned < len(data)/2 {
				t.Errorf("positions looked at %d bytes of a %d-byte document: the test measures nothing", d.pos.scanned, len(data))
			}
		})
	}
}

// TestPositionsAt checks lines and columns, in characters, for offsets
// asked in increasing order and then again from the start.
func TestPositionsAt(t *testing.T) {
	data := []byte("ab\nçd\n\nxyz")
	p := newPositions(data)
	for _, tt := range []struct{ off, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {5, 2, 2}, {7, 3, 1}, {8, 4, 1}, {100, 4, 4}, {2, 1, 3}, {-1, 1, 1},
	} {
		if line, col := p.at(tt.off); line != tt.line || col != tt.col {
			t.Errorf("at(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
		}
	}
}
