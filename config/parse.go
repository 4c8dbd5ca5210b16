package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxFileSize is the largest configuration file read, far above any real
// configuration.
const maxFileSize = 1 << 20

// ReadFile reads the configuration file at path and returns it layered over
// base, as [Parse] does. A file that cannot be read, is larger than 1 MiB,
// or is not a regular file (a named pipe, a device, a directory, which a
// read could wait on forever or never finish), returns an [*Error] naming
// it that wraps the error of the read, if any, and [ErrInvalid].
func ReadFile(path string, base Config) (Config, error) {
	data, err := readFile(path)
	if err != nil {
		return Config{}, err
	}
	return Parse(path, data, base)
}

// readFile reads at most maxFileSize bytes of path, a regular file. It
// opens path without waiting (openFlags), so that a named pipe with no
// writer does not block it, and refuses what it opened unless it is a
// regular file, before reading anything: a check before the open could be
// raced by a rename.
func readFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	if !info.Mode().IsRegular() {
		return nil, &Error{File: path, Err: fmt.Errorf("not a regular file: %s", fileKind(info.Mode()))}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: path, Err: fmt.Errorf("larger than %d bytes", maxFileSize)}
	}
	return data, nil
}

// fileKind names the kind of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
	switch t := m.Type(); {
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// Parse decodes the configuration document data and returns it layered over
// base: every key the document sets replaces base's value, and the others
// keep it. name is the document's file name: it is quoted in errors, and
// selects the format by its extension, JSON for ".json" and YAML otherwise.
// A document whose signals key is present replaces base's Signals as a
// whole. A traces.sampler (global or per signal) comes with the
// sampler_arg of the same document, or none.
//
// The document must be a mapping of the keys described in the package
// documentation. A null value is the same as a missing key. Parse returns
// the layered configuration if it is valid ([Config.Validate]), and
// otherwise an error wrapping [ErrInvalid] that joins an [*Error] per
// problem, with its line and column: a syntax error, text that is not
// UTF-8 (or, in YAML, holds a control character), an empty document, an
// unknown or repeated key, a value of the wrong type, or a value out of
// range. (Some YAML syntax errors have a line but no column, an unknown
// YAML anchor neither.) It lists the first 10 problems, and says if there
// are more.
//
// It never panics, whatever data holds, and its time and memory grow
// linearly with the size of data, however many problems or YAML aliases
// data holds.
func Parse(name string, data []byte, base Config) (Config, error) {
	root, err := decode(name, data)
	if err != nil {
		return Config{}, err
	}
	p := &parser{file: name, pos: make(map[string]*yaml.Node)}
	if r := resolve(root); isNull(r) {
		p.fail(r, "", "the document must be a mapping of keys to values, not null (write {} for the defaults)")
		return Config{}, joinErrors(p.errs)
	}
	cfg := p.document(root, base.Clone())
	if p.truncated {
		// The walk stopped early: cfg is incomplete, and would fail
		// validation for keys the walk did not reach.
		errs := append(p.errs, fmt.Errorf("%w: further problems not listed", ErrInvalid))
		return Config{}, errors.Join(errs...)
	}
	if _, err := cfg.otel(nil); err != nil {
		p.errs = append(p.errs, p.locate(err)...)
	}
	if len(p.errs) > 0 {
		return Config{}, joinErrors(p.errs)
	}
	return cfg, nil
}

// decode parses data as JSON or YAML, by the extension of name, into a
// node tree with positions, and returns its top-level node.
func decode(name string, data []byte) (root *yaml.Node, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: name, Err: errors.New("empty file (write {} for the defaults)")}
	}
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return decodeJSON(name, data)
	}
	defer func() {
		// The YAML decoder is third-party code: a panic on malformed input
		// becomes an error, and the running configuration stays in force.
		if r := recover(); r != nil {
			root, err = nil, &Error{File: name, Err: fmt.Errorf("YAML decoder failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, &Error{File: name, Err: errors.New("no YAML document (write {} for the defaults)")}
		}
		return nil, yamlError(name, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, yamlError(name, data, err)
		}
		return nil, &Error{File: name, Line: extra.Line, Column: extra.Column, Err: errors.New("more than one YAML document")}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &Error{File: name, Err: errors.New("no YAML document (write {} for the defaults)")}
	}
	return doc.Content[0], nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns an error of the YAML decoder reading data into an *Error
// with the line it names, or the one it leaves out.
//
// The decoder names no position for the errors of its reader, which checks
// the text's encoding: for those, the offending character is found here.
// Its scanner and parser count lines from 0 and leave out line 0, so that
// an error of theirs without a line, such as a nesting deeper than 10,000
// levels on one line, is on line 1. The errors of its composer, such as an
// unknown anchor, carry no position at all.
func yamlError(name string, data []byte, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Err: errors.New(m[2])}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	switch {
	case slices.Contains(yamlReaderErrors, msg):
		if !utf16(data) {
			return textError(name, data, true)
		}
		return &Error{File: name, Err: errors.New(msg)}
	case strings.HasPrefix(msg, "unknown anchor"), strings.HasPrefix(msg, "attempted to go past the end"):
		return &Error{File: name, Err: errors.New(msg)}
	}
	return &Error{File: name, Line: 1, Err: errors.New(msg)}
}

// yamlReaderErrors are the messages of the YAML decoder's reader
// (go.yaml.in/yaml/v3, readerc.go).
var yamlReaderErrors = []string{
	"invalid leading UTF-8 octet",
	"incomplete UTF-8 octet sequence",
	"invalid trailing UTF-8 octet",
	"invalid length of a UTF-8 sequence",
	"invalid Unicode character",
	"control characters are not allowed",
	"incomplete UTF-16 character",
	"unexpected low surrogate area",
	"incomplete UTF-16 surrogate pair",
	"expected low surrogate area",
}

// utf16 reports whether data starts with the byte order mark of UTF-16,
// in which a YAML file may be written.
func utf16(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe})
}

// textError returns an *Error at the first character of data, UTF-8 text,
// that is not UTF-8 or, if yamlText is set, that YAML does not allow. If
// there is none, which the YAML decoder's reader and utf8.Valid deny, the
// error names no position.
func textError(name string, data []byte, yamlText bool) *Error {
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		var err error
		switch {
		case r == utf8.RuneError && size == 1:
			err = fmt.Errorf("invalid UTF-8 (byte %#x)", data[off])
		case yamlText && !yamlAllows(r):
			err = fmt.Errorf("character %U is not allowed in YAML", r)
		}
		if err != nil {
			line, col := newPositions(data).at(off)
			return &Error{File: name, Line: line, Column: col, Err: err}
		}
		off += size
	}
	return &Error{File: name, Err: errors.New("invalid text")}
}

// yamlAllows reports whether YAML text may hold r: the printable
// characters of YAML 1.2 (section 5.1), as the YAML decoder's reader
// checks them.
func yamlAllows(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r >= 0x20 && r <= 0x7e, r == 0x85:
		return true
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

// parser walks a document's node tree, collecting the configuration and
// its problems.
//
// Its work is linear in the size of the document, although a YAML alias
// makes the walk visit its anchored node once more, however large it is:
// a document of a few kilobytes can alias a mapping of a thousand keys a
// thousand times. The YAML decoder bounds such expansion only when it
// decodes into Go values, not into the node tree read here, so the walk
// bounds it itself. It follows only the keys of the configuration, which
// nest four deep, and reads each at most once per mapping; every other
// key is a problem, and the walk stops after the first maxErrors problems.
// A signal's settings, however often aliased, are therefore read in a
// bounded number of steps, and a document costs at most a constant per
// signal it names plus a constant per problem reported.
type parser struct {
	file      string
	errs      []error               // the first maxErrors problems
	truncated bool                  // a problem past the first maxErrors was found; the walk stops
	pos       map[string]*yaml.Node // node of each key set, for errors found later
}

// fail records a problem at n, or, past the first maxErrors, stops the
// walk.
func (p *parser) fail(n *yaml.Node, key, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		p.truncated = true
		return
	}
	e := &Error{File: p.file, Key: key, Err: fmt.Errorf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// locate returns the problems in err, each *Error with the file and the
// position of its key.
func (p *parser) locate(err error) []error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok && !isError(err) {
		errs = j.Unwrap()
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		if ce, ok := e.(*Error); ok {
			c := *ce
			c.File = p.file
			if n := p.pos[c.Key]; n != nil {
				c.Line, c.Column = n.Line, n.Column
			}
			e = &c
		}
		out = append(out, e)
	}
	return out
}

func isError(err error) bool {
	_, ok := err.(*Error)
	return ok
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is a null value: a missing key.
func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// fields calls set for every key of the mapping n (named key, with the
// known keys given), reporting unknown and repeated keys. Null values are
// skipped.
func (p *parser) fields(n *yaml.Node, key string, known []string, set func(k string, kn, v *yaml.Node)) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		what := "the document"
		if key != "" {
			what = key
		}
		p.fail(n, key, "%s must be a mapping of keys to values, not %s", what, describe(n))
		return
	}
	var seen uint64 // bit i: known[i] was read
	for i := 0; i+1 < len(n.Content) && !p.truncated; i += 2 {
		kn, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if kn.Kind != yaml.ScalarNode {
			p.fail(kn, key, "a key must be a string, not %s", describe(kn))
			continue
		}
		k := slices.Index(known, kn.Value)
		if k < 0 {
			p.fail(kn, join(key, kn.Value), "unknown key (want one of %s)", strings.Join(known, ", "))
			continue
		}
		if seen&(1<<k) != 0 {
			p.fail(kn, join(key, kn.Value), "repeated key")
			continue
		}
		seen |= 1 << k
		if isNull(v) {
			continue
		}
		set(kn.Value, kn, v)
	}
}

// join returns prefix.key, or key without a prefix.
func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// document reads the top-level mapping n over base.
func (p *parser) document(n *yaml.Node, base Config) Config {
	cfg := base
	samplerSet, argSet := false, false
	var arg string
	p.fields(n, "", []string{keyMetrics, keyTraces, keyCardinalityLimit, keySignals}, func(k string, _, v *yaml.Node) {
		switch k {
		case keyMetrics:
			p.fields(v, keyMetrics, []string{keyEnabled, keyDurationSampleRate}, func(k string, _, v *yaml.Node) {
				switch k {
				case keyEnabled:
					p.boolean(v, fieldMetricsEnabled, &cfg.MetricsEnabled)
				case keyDurationSampleRate:
					p.rate(v, fieldDurationSampleRate, &cfg.DurationSampleRate)
				}
			})
		case keyTraces:
			p.fields(v, keyTraces, []string{keyEnabled, keySampler, keySamplerArg, keyListenerSpans}, func(k string, _, v *yaml.Node) {
				switch k {
				case keyEnabled:
					p.boolean(v, fieldTracesEnabled, &cfg.TracesEnabled)
				case keySampler:
					samplerSet = p.sampler(v, fieldSampler, &cfg.Sampler)
				case keySamplerArg:
					argSet = p.argument(v, fieldSamplerArg, &arg)
				case keyListenerSpans:
					p.boolean(v, fieldListenerSpans, &cfg.ListenerSpans)
				}
			})
		case keyCardinalityLimit:
			p.integer(v, fieldCardinalityLimit, &cfg.CardinalityLimit)
		case keySignals:
			cfg.Signals = p.signals(v)
		}
	})
	// The argument belongs to the sampler of the same document; without a
	// sampler, it is the argument of base's sampler.
	if samplerSet || argSet {
		cfg.SamplerArg = arg
	}
	return cfg
}

// signals reads the signals mapping: overrides by signal name.
func (p *parser) signals(n *yaml.Node) map[string]SignalOverride {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		p.fail(n, keySignals, "must be a mapping of signal names to settings, not %s", describe(n))
		return nil
	}
	out := make(map[string]SignalOverride, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content) && !p.truncated; i += 2 {
		kn, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if kn.Kind != yaml.ScalarNode || kn.Value == "" {
			p.fail(kn, keySignals, "a signal name must be a non-empty string, not %s", describe(kn))
			continue
		}
		name := kn.Value
		if _, dup := out[name]; dup {
			p.fail(kn, signalKey(name, ""), "repeated signal name")
			continue
		}
		var o SignalOverride
		prefix := signalKey(name, "")
		p.fields(v, prefix, []string{keyMetrics, keyTraces}, func(k string, _, v *yaml.Node) {
			switch k {
			case keyMetrics:
				p.fields(v, prefix+"."+keyMetrics, []string{keyEnabled, keyDurationSampleRate}, func(k string, _, v *yaml.Node) {
					switch k {
					case keyEnabled:
						o.MetricsEnabled = new(false)
						p.boolean(v, signalKey(name, fieldMetricsEnabled), o.MetricsEnabled)
					case keyDurationSampleRate:
						o.DurationSampleRate = new(0.0)
						p.rate(v, signalKey(name, fieldDurationSampleRate), o.DurationSampleRate)
					}
				})
			case keyTraces:
				p.fields(v, prefix+"."+keyTraces, []string{keyEnabled, keySampler, keySamplerArg, keyListenerSpans}, func(k string, _, v *yaml.Node) {
					switch k {
					case keyEnabled:
						o.TracesEnabled = new(false)
						p.boolean(v, signalKey(name, fieldTracesEnabled), o.TracesEnabled)
					case keySampler:
						p.sampler(v, signalKey(name, fieldSampler), &o.Sampler)
					case keySamplerArg:
						p.argument(v, signalKey(name, fieldSamplerArg), &o.SamplerArg)
					case keyListenerSpans:
						o.ListenerSpans = new(false)
						p.boolean(v, signalKey(name, fieldListenerSpans), o.ListenerSpans)
					}
				})
			}
		})
		out[name] = o
	}
	return out
}

// scalar reports whether n is a scalar, and reports a problem if not.
func (p *parser) scalar(n *yaml.Node, key, want string) bool {
	if n.Kind != yaml.ScalarNode {
		p.fail(n, key, "must be %s, not %s", want, describe(n))
		return false
	}
	p.pos[key] = n
	return true
}

func (p *parser) boolean(n *yaml.Node, key string, dst *bool) {
	const want = "true or false"
	if !p.scalar(n, key, want) {
		return
	}
	if n.ShortTag() != "!!bool" {
		p.fail(n, key, "must be %s, not %s", want, describe(n))
		return
	}
	*dst = strings.EqualFold(n.Value, "true")
}

func (p *parser) rate(n *yaml.Node, key string, dst *float64) {
	const want = "a fraction in [0, 1]"
	if !p.scalar(n, key, want) {
		return
	}
	if t := n.ShortTag(); t != "!!float" && t != "!!int" {
		p.fail(n, key, "must be %s, not %s", want, describe(n))
		return
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || f < 0 || f > 1 {
		p.fail(n, key, "must be %s, not %s", want, n.Value)
		return
	}
	*dst = f
}

func (p *parser) integer(n *yaml.Node, key string, dst *int) {
	const want = "a whole number >= 1"
	if !p.scalar(n, key, want) {
		return
	}
	if n.ShortTag() != "!!int" {
		p.fail(n, key, "must be %s, not %s", want, describe(n))
		return
	}
	var i int
	if err := n.Decode(&i); err != nil || i < 1 {
		p.fail(n, key, "must be %s, not %s", want, n.Value)
		return
	}
	*dst = i
}

// sampler reads a sampler name; it reports whether it did. The name is
// checked with its argument, once both are read (Parse).
func (p *parser) sampler(n *yaml.Node, key string, dst *string) bool {
	const want = "a sampler name"
	if !p.scalar(n, key, want) {
		return false
	}
	if n.ShortTag() != "!!str" {
		p.fail(n, key, "must be %s, not %s", want, describe(n))
		return false
	}
	*dst = strings.ToLower(strings.TrimSpace(n.Value))
	return true
}

// argument reads a sampler argument, a number or a string; it reports
// whether it did. The sampler reads its argument with strconv.ParseFloat:
// a YAML number that strconv cannot read as written (.inf, -.Inf, .nan,
// 0x10, 0o17) is passed in the form strconv writes for its value (+Inf,
// -Inf, NaN, 16, 15). Other numbers are kept as written.
func (p *parser) argument(n *yaml.Node, key string, dst *string) bool {
	const want = "a number"
	if !p.scalar(n, key, want) {
		return false
	}
	switch n.ShortTag() {
	case "!!str":
		*dst = strings.TrimSpace(n.Value)
		return true
	case "!!int", "!!float":
		v := strings.TrimSpace(n.Value)
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			var f float64
			if err := n.Decode(&f); err == nil {
				v = strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		*dst = v
		return true
	}
	p.fail(n, key, "must be %s, not %s", want, describe(n))
	return false
}

// describe names what n is, for errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		switch n.ShortTag() {
		case "!!str":
			return "the string " + strconv.Quote(v)
		case "!!bool":
			return "the boolean " + v
		case "!!int", "!!float":
			return "the number " + v
		case "!!null":
			return "null"
		}
		return fmt.Sprintf("%q (%s)", v, n.ShortTag())
	}
	return "an unexpected value"
}
