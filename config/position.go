package config

import (
	"bytes"
	"unicode/utf8"
)

// positions converts byte offsets in a document into 1-based lines and
// columns, counting columns in characters, as the YAML decoder does.
//
// A decoder asks for the positions of its tokens in increasing order, so
// each call scans only the bytes after the previous one: positioning every
// token of a document costs one pass over it, where searching from the
// start every time cost a pass per token (a JSON file of 1 MiB on one line
// took 99 s). An offset before the previous one, such as that of a syntax
// error, is found from the start. The zero positions is not ready for
// use: make it with newPositions.
type positions struct {
	data      []byte
	off       int // the previous offset
	line, col int // its position
	scanned   int // bytes looked at so far: the work done, which tests bound
}

func newPositions(data []byte) *positions {
	return &positions{data: data, line: 1, col: 1}
}

// at returns the position of the byte at off; an off past the end is the
// end of the document.
func (p *positions) at(off int) (line, col int) {
	off = max(0, min(off, len(p.data)))
	if off < p.off {
		p.off, p.line, p.col = 0, 1, 1
	}
	seg := p.data[p.off:off]
	p.scanned += len(seg)
	if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
		p.line += bytes.Count(seg[:i+1], []byte{'\n'})
		p.col = 1
		seg = seg[i+1:]
	}
	p.col += utf8.RuneCount(seg)
	p.off = off
	return p.line, p.col
}
