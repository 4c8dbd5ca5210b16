package svgplot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestNiceStep(t *testing.T) {
	tests := []struct{ raw, want float64 }{
		{1, 1}, {1.1, 2}, {2, 2}, {2.1, 5}, {4.9, 5}, {5.1, 10},
		{0.013, 0.02}, {730, 1000}, {1.2e6, 2e6}, {0, 1}, {-3, 1}, {math.Inf(1), 1},
	}
	for _, tt := range tests {
		if got := NiceStep(tt.raw); math.Abs(got-tt.want) > 1e-12*tt.want {
			t.Errorf("NiceStep(%g) = %g, want %g", tt.raw, got, tt.want)
		}
	}
}

func TestLinearTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 10, []float64{0, 2, 4, 6, 8, 10}},
		{0, 9.5, []float64{0, 2, 4, 6, 8, 10}},
		{3, 47, []float64{0, 10, 20, 30, 40, 50}},
		{-1, 1, []float64{-1, -0.5, 0, 0.5, 1}},
		{0, 2.6e7, []float64{0, 5e6, 1e7, 1.5e7, 2e7, 2.5e7, 3e7}},
		{5, 5, []float64{5}},
	}
	for _, tt := range tests {
		var got []float64
		for _, tk := range LinearTicks(tt.lo, tt.hi, 6, nil) {
			got = append(got, tk.Value)
		}
		if !approxEqual(got, tt.want) {
			t.Errorf("LinearTicks(%g, %g) = %v, want %v", tt.lo, tt.hi, got, tt.want)
		}
	}
}

func TestLogTicks(t *testing.T) {
	tests := []struct {
		lo, hi     float64
		labels     []string
		minorCount int
	}{
		{1, 10000, []string{"1", "10", "100", "1k", "10k"}, 32},
		{1, 100, []string{"1", "2", "5", "10", "20", "50", "100"}, 12},
		{0.1, 10, []string{"0.1", "0.2", "0.5", "1", "2", "5", "10"}, 12},
	}
	for _, tt := range tests {
		ticks, minor := LogTicks(tt.lo, tt.hi, nil)
		var labels []string
		for _, tk := range ticks {
			labels = append(labels, tk.Label)
		}
		if !slices.Equal(labels, tt.labels) || len(minor) != tt.minorCount {
			t.Errorf("LogTicks(%g, %g) = %v and %d minor, want %v and %d", tt.lo, tt.hi, labels, len(minor), tt.labels, tt.minorCount)
		}
	}
}

func TestFormatSI(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {12.345, "12.3"}, {999, "999"}, {999.9, "1000"}, {1500, "1.5k"},
		{2.5e6, "2.5M"}, {1.23456e7, "12.3M"}, {3e9, "3G"}, {-2000, "-2k"}, {0.05, "0.05"},
	}
	for _, tt := range tests {
		if got := FormatSI(tt.v); got != tt.want {
			t.Errorf("FormatSI(%g) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestScaleMapsRangeToPixels(t *testing.T) {
	tests := []struct {
		name   string
		axis   Axis
		data   []float64
		lo, hi float64 // the data values expected at the pixel ends
	}{
		{"linear widened to ticks", Axis{}, []float64{3, 47}, 0, 50},
		{"linear with zero", Axis{Zero: true}, []float64{20, 40}, 0, 40},
		{"log widened to decades", Axis{Log: true}, []float64{3, 470}, 1, 1000},
		{"fixed range", Axis{Min: 10, Max: 20}, []float64{12, 18}, 10, 20},
		{"fixed log range", Axis{Log: true, Min: 2, Max: 50}, []float64{3, 40}, 2, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := newScale(tt.axis, tt.data, 100, 500)
			if err != nil {
				t.Fatal(err)
			}
			if p := s.pos(tt.lo); math.Abs(p-100) > 1e-6 {
				t.Errorf("pos(%g) = %g, want 100", tt.lo, p)
			}
			if p := s.pos(tt.hi); math.Abs(p-500) > 1e-6 {
				t.Errorf("pos(%g) = %g, want 500", tt.hi, p)
			}
			for _, v := range tt.data {
				if p := s.pos(v); p < 100 || p > 500 {
					t.Errorf("data value %g maps outside the plot: %g", v, p)
				}
			}
			for _, tk := range s.ticks {
				if p := s.pos(tk.Value); p < 100-1e-6 || p > 500+1e-6 {
					t.Errorf("tick %q maps outside the plot: %g", tk.Label, p)
				}
			}
		})
	}
}

func TestSVG(t *testing.T) {
	good := []Series{
		{Name: "signals <lock-free>", Points: []Point{{1, 10}, {10, 20}, {100, 15}}},
		{Name: "v1.3 & RWMutex", Points: []Point{{1, 5}, {10, 3}, {100, 1}}, Dashed: true},
	}
	tests := []struct {
		name    string
		chart   Chart
		wantErr error
		want    []string // substrings of the output
	}{
		{
			name: "log-log with legend",
			chart: Chart{Title: "Throughput & latency", Subtitle: "2 cores", Series: good,
				X: Axis{Label: "emitters", Log: true}, Y: Axis{Label: "ns/op", Log: true}},
			want: []string{"Throughput &amp; latency", "signals &lt;lock-free&gt;", "v1.3 &amp; RWMutex",
				"stroke-dasharray", ">emitters<", ">ns/op<", "<polyline", "2 cores", `fill="#ffffff"`},
		},
		{
			name: "custom ticks",
			chart: Chart{Series: good[:1], X: Axis{Log: true, Ticks: []Tick{{1, "p0"}, {100, "p99"}}},
				Y: Axis{Zero: true}},
			want: []string{">p0<", ">p99<"},
		},
		{
			name:  "explicit colour",
			chart: Chart{Series: []Series{{Name: "x", Color: "#123456", Points: []Point{{1, 1}, {2, 2}}}}},
			want:  []string{`stroke="#123456"`, `fill="#123456"`},
		},
		{
			name:  "single point",
			chart: Chart{Series: []Series{{Points: []Point{{1, 1}}}}},
			want:  []string{"<circle"},
		},
		{name: "no data", chart: Chart{Series: []Series{{Name: "empty"}}}, wantErr: ErrNoData},
		{name: "no series", chart: Chart{}, wantErr: ErrNoData},
		{
			name:    "zero on a log axis",
			chart:   Chart{Series: []Series{{Points: []Point{{0, 1}}}}, X: Axis{Log: true}},
			wantErr: ErrBadValue,
		},
		{
			name:    "NaN",
			chart:   Chart{Series: []Series{{Points: []Point{{1, math.NaN()}}}}},
			wantErr: ErrBadValue,
		},
		{
			name:    "bad fixed log range",
			chart:   Chart{Series: []Series{{Points: []Point{{1, 1}}}}, Y: Axis{Log: true, Min: 0, Max: 10}},
			wantErr: ErrBadValue,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.chart.SVG()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wellFormed(t, out)
			for _, w := range tt.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("output lacks %q", w)
				}
			}
			again, _ := tt.chart.SVG()
			if !bytes.Equal(out, again) {
				t.Error("output is not deterministic")
			}
		})
	}
}

// TestPointsInsidePlot checks that every drawn coordinate lies on the canvas.
func TestPointsInsidePlot(t *testing.T) {
	c := Chart{Width: 600, Height: 300, Series: []Series{
		{Name: "a", Points: []Point{{1, 1e3}, {1e4, 3e7}}},
		{Name: "b", Points: []Point{{10, 5}, {1000, 2e5}}},
	}, X: Axis{Log: true}, Y: Axis{Log: true}}
	out, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range se.Attr {
			var limit float64
			switch a.Name.Local {
			case "x", "x1", "x2", "cx":
				limit = 600
			case "y", "y1", "y2", "cy":
				limit = 300
			default:
				continue
			}
			v, err := strconv.ParseFloat(a.Value, 64)
			if err != nil || v < 0 || v > limit {
				t.Errorf("<%s %s=%q> is off the %gpx canvas", se.Name.Local, a.Name.Local, a.Value, limit)
			}
		}
	}
}

func TestLongLegendWidens(t *testing.T) {
	name := strings.Repeat("a long series name ", 6)
	c := Chart{Series: []Series{{Name: name, Points: []Point{{1, 1}, {2, 2}}}}}
	out, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(`width="760"`)) {
		t.Fatal("a legend wider than a third of the chart did not widen it")
	}
	if !bytes.Contains(out, []byte(strings.TrimSpace(name))) {
		t.Fatal("legend text missing")
	}
}

func wellFormed(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" || !strings.Contains(string(data), `xmlns="http://www.w3.org/2000/svg"`) {
		t.Fatalf("root element %q, want svg with its namespace", root)
	}
}

func approxEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}
