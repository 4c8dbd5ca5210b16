package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxJSONDepth bounds the nesting of a JSON document; a configuration
// needs four levels.
const maxJSONDepth = 64

// decodeJSON parses data as one JSON value into a YAML node tree with the
// positions of its values, so that JSON and YAML files are read by the same
// code and their errors name the same lines and columns. JSON is read with
// encoding/json, not as YAML: its syntax errors name their position, and
// every valid JSON document is accepted (the YAML decoder refuses some, such
// as the escape "\/").
func decodeJSON(name string, data []byte) (*yaml.Node, error) {
	// encoding/json replaces invalid UTF-8 in strings with U+FFFD; a
	// configuration is text, in UTF-8 as JSON requires (RFC 8259), and a
	// signal name changed that way would name no signal.
	if !utf8.Valid(data) {
		return nil, textError(name, data, false)
	}
	return newJSONDecoder(name, data).decode()
}

func newJSONDecoder(name string, data []byte) *jsonDecoder {
	d := &jsonDecoder{dec: json.NewDecoder(bytes.NewReader(data)), data: data, name: name, pos: newPositions(data)}
	d.dec.UseNumber()
	return d
}

// decode reads the document: one JSON value and nothing after it.
func (d *jsonDecoder) decode() (*yaml.Node, error) {
	data := d.data
	root, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if off := d.next(); off < len(data) {
		return nil, d.errAt(off, errors.New("unexpected data after the JSON value"))
	}
	return root, nil
}

type jsonDecoder struct {
	dec  *json.Decoder
	data []byte
	name string
	pos  *positions
}

// next returns the offset of the next token: the decoder's offset past
// white space and the separators ':' and ','.
func (d *jsonDecoder) next() int {
	off := int(d.dec.InputOffset())
	for off < len(d.data) && strings.IndexByte(" \t\r\n:,", d.data[off]) >= 0 {
		off++
	}
	return off
}

func (d *jsonDecoder) errAt(off int, err error) error {
	line, col := d.pos.at(off)
	return &Error{File: d.name, Line: line, Column: col, Err: err}
}

// syntaxError turns an error of the JSON decoder into an *Error with its
// position.
func (d *jsonDecoder) syntaxError(err error, off int) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return d.errAt(int(se.Offset), errors.New(se.Error()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return d.errAt(len(d.data), errors.New("unexpected end of JSON input"))
	}
	return d.errAt(off, err)
}

// value reads one JSON value.
func (d *jsonDecoder) value(depth int) (*yaml.Node, error) {
	off := d.next()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntaxError(err, off)
	}
	line, col := d.pos.at(off)
	n := &yaml.Node{Kind: yaml.ScalarNode, Line: line, Column: col}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxJSONDepth {
			return nil, d.errAt(off, fmt.Errorf("nested more than %d levels deep", maxJSONDepth))
		}
		switch t {
		case '{':
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			for d.dec.More() {
				k, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, k, v)
			}
		case '[':
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for d.dec.More() {
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
		default:
			return nil, d.errAt(off, fmt.Errorf("unexpected %q", rune(t)))
		}
		end := d.next()
		if _, err := d.dec.Token(); err != nil { // the closing delimiter
			return nil, d.syntaxError(err, end)
		}
	case string:
		n.Tag, n.Value = "!!str", t
	case json.Number:
		n.Tag, n.Value = "!!int", t.String()
		if strings.ContainsAny(n.Value, ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Tag, n.Value = "!!bool", fmt.Sprint(t)
	case nil:
		n.Tag, n.Value = "!!null", "null"
	}
	return n, nil
}
