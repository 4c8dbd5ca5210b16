package suite

import (
	"fmt"
	"strings"
)

// md builds a Markdown document.
type md struct{ b strings.Builder }

// p writes a paragraph.
func (m *md) p(format string, args ...any) {
	fmt.Fprintf(&m.b, format, args...)
	m.b.WriteString("\n\n")
}

// h writes a heading of the given level.
func (m *md) h(level int, text string) {
	m.b.WriteString(strings.Repeat("#", level) + " " + text + "\n\n")
}

// code writes a fenced code block.
func (m *md) code(lang, text string) {
	m.b.WriteString("```" + lang + "\n" + strings.TrimRight(text, "\n") + "\n```\n\n")
}

// table writes a table; align holds one of 'l' or 'r' per column.
func (m *md) table(align string, header []string, rows [][]string) {
	m.b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			m.b.WriteString("---:|")
		} else {
			m.b.WriteString("---|")
		}
	}
	m.b.WriteString("\n")
	for _, r := range rows {
		cells := make([]string, len(header))
		for i := range cells {
			if i < len(r) {
				cells[i] = strings.ReplaceAll(r[i], "|", `\|`)
			}
		}
		m.b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	m.b.WriteString("\n")
}

// details writes a collapsed block.
func (m *md) details(summary, body string) {
	m.b.WriteString("<details><summary>" + summary + "</summary>\n\n" + body + "\n</details>\n\n")
}

func (m *md) String() string { return m.b.String() }
