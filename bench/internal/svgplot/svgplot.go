// Package svgplot draws line charts as standalone SVG files: axes with ticks
// and grid lines, linear or logarithmic scales, axis labels, a title and a
// legend. It is small on purpose: enough for the performance report, which
// must render on a GitHub page (an opaque background, so that dark mode does
// not hide the text, and no scripts or external fonts).
package svgplot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Point is one data point.
type Point struct{ X, Y float64 }

// Series is one line of a chart.
type Series struct {
	Name   string
	Points []Point // drawn in the order given
	Dashed bool
	// Color is an SVG colour such as "#0072B2"; empty means the next of
	// the built-in palette.
	Color string
}

// Tick is a labelled position on an axis.
type Tick struct {
	Value float64
	Label string
}

// Axis describes one axis.
type Axis struct {
	Label string
	// Log makes the scale logarithmic (base 10); every value must then be
	// positive.
	Log bool
	// Zero extends a linear axis to include 0.
	Zero bool
	// Min and Max fix the range; when both are zero it is computed from the
	// data (and widened to whole ticks, or whole decades on a log scale).
	Min, Max float64
	// Ticks replaces the computed ticks when not empty.
	Ticks []Tick
	// Format formats the computed ticks; nil means FormatSI.
	Format func(float64) string
}

// Chart is a line chart.
type Chart struct {
	Title    string
	Subtitle string // a smaller line under the title, e.g. the machine
	X, Y     Axis
	Series   []Series
	// Width and Height are the size in pixels; zero means 760 by 440.
	Width, Height int
}

// Colors (Okabe–Ito, distinguishable with the common colour-vision
// deficiencies) and marker shapes cycle over the series.
var colors = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"}

const markerShapes = 4

// Errors SVG returns.
var (
	ErrNoData   = errors.New("svgplot: no data point")
	ErrBadValue = errors.New("svgplot: value not finite, or not positive on a log axis")
)

// scale maps data values of one axis to pixels.
type scale struct {
	log        bool
	lo, hi     float64 // data range (log10 of it on a log axis)
	p0, p1     float64 // pixel range
	ticks      []Tick
	minorTicks []float64
}

func (s *scale) pos(v float64) float64 {
	if s.log {
		v = math.Log10(v)
	}
	if s.hi == s.lo {
		return (s.p0 + s.p1) / 2
	}
	return s.p0 + (v-s.lo)/(s.hi-s.lo)*(s.p1-s.p0)
}

// SVG renders the chart.
func (c *Chart) SVG() ([]byte, error) {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = 760
	}
	if h <= 0 {
		h = 440
	}
	var xs, ys []float64
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !finite(p.X) || !finite(p.Y) || (c.X.Log && p.X <= 0) || (c.Y.Log && p.Y <= 0) {
				return nil, fmt.Errorf("%w: series %q, point (%g, %g)", ErrBadValue, s.Name, p.X, p.Y)
			}
			xs = append(xs, p.X)
			ys = append(ys, p.Y)
		}
	}
	if len(xs) == 0 {
		return nil, ErrNoData
	}
	const left, top, bottom = 84, 62, 58
	right := 24
	legendW := 0
	if len(c.Series) > 1 || (len(c.Series) == 1 && c.Series[0].Name != "") {
		for _, s := range c.Series {
			legendW = max(legendW, 40+textWidth(s.Name, 12))
		}
		w = max(w, 3*legendW) // a long legend widens the chart rather than being cut
		right += legendW + 12
	}
	xsc, err := newScale(c.X, xs, float64(left), float64(w-right))
	if err != nil {
		return nil, err
	}
	ysc, err := newScale(c.Y, ys, float64(h-bottom), float64(top))
	if err != nil {
		return nil, err
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", w, h)
	if c.Title != "" {
		fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" font-weight="bold" fill="#000">%s</text>`+"\n", left, esc(c.Title))
	}
	if c.Subtitle != "" {
		fmt.Fprintf(&b, `<text x="%d" y="40" font-size="11" fill="#555">%s</text>`+"\n", left, esc(c.Subtitle))
	}
	px0, px1, py0, py1 := float64(left), float64(w-right), float64(h-bottom), float64(top)

	// Grid and ticks.
	b.WriteString(`<g stroke="#e6e6e6" stroke-width="1">` + "\n")
	for _, v := range xsc.minorTicks {
		x := xsc.pos(v)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#f3f3f3"/>`+"\n", f(x), f(py0), f(x), f(py1))
	}
	for _, v := range ysc.minorTicks {
		y := ysc.pos(v)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#f3f3f3"/>`+"\n", f(px0), f(y), f(px1), f(y))
	}
	for _, t := range xsc.ticks {
		x := xsc.pos(t.Value)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", f(x), f(py0), f(x), f(py1))
	}
	for _, t := range ysc.ticks {
		y := ysc.pos(t.Value)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", f(px0), f(y), f(px1), f(y))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#333"/>`+"\n", f(px0), f(py1), f(px1-px0), f(py0-py1))
	b.WriteString(`<g fill="#222">` + "\n")
	for _, t := range xsc.ticks {
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", f(xsc.pos(t.Value)), f(py0+17), esc(t.Label))
	}
	for _, t := range ysc.ticks {
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", f(px0-6), f(ysc.pos(t.Value)+4), esc(t.Label))
	}
	b.WriteString("</g>\n")
	if c.X.Label != "" {
		fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle" font-size="13" fill="#000">%s</text>`+"\n", f((px0+px1)/2), h-14, esc(c.X.Label))
	}
	if c.Y.Label != "" {
		cy := (py0 + py1) / 2
		fmt.Fprintf(&b, `<text x="18" y="%s" text-anchor="middle" font-size="13" fill="#000" transform="rotate(-90 18 %s)">%s</text>`+"\n", f(cy), f(cy), esc(c.Y.Label))
	}

	// Series.
	for i, s := range c.Series {
		color := seriesColor(s, i)
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		if len(s.Points) > 1 {
			var pts []string
			for _, p := range s.Points {
				pts = append(pts, f(xsc.pos(p.X))+","+f(ysc.pos(p.Y)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", color, dash, strings.Join(pts, " "))
		}
		for _, p := range s.Points {
			marker(&b, i, xsc.pos(p.X), ysc.pos(p.Y), color)
		}
	}

	// Legend.
	if legendW > 0 {
		lx := float64(w - right + 14)
		for i, s := range c.Series {
			y := float64(top) + 8 + float64(i)*20
			color := seriesColor(s, i)
			dash := ""
			if s.Dashed {
				dash = ` stroke-dasharray="6 4"`
			}
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`+"\n", f(lx), f(y), f(lx+26), f(y), color, dash)
			marker(&b, i, lx+13, y, color)
			fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#000">%s</text>`+"\n", f(lx+34), f(y+4), esc(s.Name))
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes(), nil
}

// WriteFile renders the chart into the file at path.
func (c *Chart) WriteFile(path string) error {
	data, err := c.SVG()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, data, 0o644)
}

func seriesColor(s Series, i int) string {
	if s.Color != "" {
		return esc(s.Color)
	}
	return colors[i%len(colors)]
}

func marker(b *bytes.Buffer, i int, x, y float64, color string) {
	switch i % markerShapes {
	case 0:
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`+"\n", f(x), f(y), color)
	case 1:
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="7" height="7" fill="%s"/>`+"\n", f(x-3.5), f(y-3.5), color)
	case 2:
		fmt.Fprintf(b, `<path d="M%s %sL%s %sL%s %sZ" fill="%s"/>`+"\n", f(x), f(y-4.5), f(x+4.5), f(y+3.5), f(x-4.5), f(y+3.5), color)
	default:
		fmt.Fprintf(b, `<path d="M%s %sL%s %sL%s %sL%s %sZ" fill="%s"/>`+"\n", f(x), f(y-5), f(x+5), f(y), f(x), f(y+5), f(x-5), f(y), color)
	}
}

// newScale computes the range and ticks of axis a for the data values vs,
// mapped to pixels p0..p1.
func newScale(a Axis, vs []float64, p0, p1 float64) (*scale, error) {
	lo, hi := vs[0], vs[0]
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	fixed := a.Min != 0 || a.Max != 0
	if fixed {
		lo, hi = a.Min, a.Max
		if a.Log && (lo <= 0 || hi <= 0) {
			return nil, fmt.Errorf("%w: log axis %q range [%g, %g]", ErrBadValue, a.Label, lo, hi)
		}
	}
	format := a.Format
	if format == nil {
		format = FormatSI
	}
	s := &scale{log: a.Log, p0: p0, p1: p1}
	if a.Log {
		ll, lh := math.Log10(lo), math.Log10(hi)
		if !fixed {
			ll, lh = math.Floor(ll), math.Ceil(lh)
			if lh == ll {
				lh++
			}
		}
		s.lo, s.hi = ll, lh
		s.ticks, s.minorTicks = LogTicks(math.Pow(10, ll), math.Pow(10, lh), format)
	} else {
		if a.Zero {
			lo, hi = math.Min(lo, 0), math.Max(hi, 0)
		}
		if hi == lo {
			d := math.Max(math.Abs(lo)*0.1, 1)
			lo, hi = lo-d, hi+d
		}
		ticks := LinearTicks(lo, hi, 6, format)
		if !fixed && len(ticks) > 1 {
			lo, hi = math.Min(lo, ticks[0].Value), math.Max(hi, ticks[len(ticks)-1].Value)
		}
		s.lo, s.hi, s.ticks = lo, hi, ticks
	}
	if len(a.Ticks) > 0 {
		s.ticks, s.minorTicks = nil, nil
		for _, t := range a.Ticks {
			if a.Log && t.Value <= 0 {
				continue
			}
			s.ticks = append(s.ticks, t)
		}
	}
	// Keep only ticks inside the range.
	in := s.ticks[:0:0]
	for _, t := range s.ticks {
		v := t.Value
		if a.Log {
			v = math.Log10(v)
		}
		if v >= s.lo-1e-9 && v <= s.hi+1e-9 {
			in = append(in, t)
		}
	}
	s.ticks = in
	return s, nil
}

// LinearTicks returns about n ticks at round values (1, 2 or 5 times a power
// of ten apart) covering [lo, hi].
func LinearTicks(lo, hi float64, n int, format func(float64) string) []Tick {
	if format == nil {
		format = FormatSI
	}
	if !(hi > lo) || n < 1 {
		return []Tick{{lo, format(lo)}}
	}
	step := NiceStep((hi - lo) / float64(n))
	first := math.Floor(lo/step+1e-9) * step
	var ticks []Tick
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, Tick{v, format(v)})
		if v >= hi-step*1e-9 || i > 100 {
			break
		}
	}
	return ticks
}

// NiceStep returns the smallest of 1, 2, 5 times a power of ten that is at
// least raw (raw > 0).
func NiceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw*(1-1e-12) {
			return m * p
		}
	}
	return 10 * p
}

// LogTicks returns labelled ticks at the powers of ten in [lo, hi], and the
// multiples 2..9 of each as minor ticks; when the range spans two decades or
// less, 2× and 5× get labels too.
func LogTicks(lo, hi float64, format func(float64) string) (ticks []Tick, minor []float64) {
	if format == nil {
		format = FormatSI
	}
	e0, e1 := int(math.Floor(math.Log10(lo)+1e-9)), int(math.Ceil(math.Log10(hi)-1e-9))
	few := e1-e0 <= 2
	for e := e0; e <= e1; e++ {
		p := math.Pow(10, float64(e))
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			switch {
			case m == 1, few && (m == 2 || m == 5):
				ticks = append(ticks, Tick{v, format(v)})
			default:
				minor = append(minor, v)
			}
		}
	}
	return ticks, minor
}

// FormatSI formats v with at most three significant digits and an SI suffix
// for thousands and more (k, M, G) or a plain decimal below.
func FormatSI(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return trim(v/1e9) + "G"
	case a >= 1e6:
		return trim(v/1e6) + "M"
	case a >= 1e3:
		return trim(v/1e3) + "k"
	default:
		return trim(v)
	}
}

// trim formats v rounded to three significant digits, without an exponent.
func trim(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// f formats a pixel coordinate.
func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// textWidth estimates the width in pixels of s in a sans-serif font of size
// px.
func textWidth(s string, px int) int {
	return len([]rune(s)) * px * 6 / 10
}
