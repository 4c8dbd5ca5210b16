package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseExpectationErrors(t *testing.T) {
	for _, text := range []string{
		"",
		"series",
		"series x",
		"labels",
		"labels 1a=b",
		"> x",
		"=> 1",
		"{a=b} > 1",
		`{a="b"`,
		`{a="b"} 3`,
		"2..1",
		"1..x",
		"> NaN",
		"between 1 and 2",
	} {
		if e, err := parseExpectation(text); err == nil {
			t.Errorf("parseExpectation(%q) = %+v, want an error", text, e)
		}
	}
}

func TestExpectationCheck(t *testing.T) {
	rs := []sample{
		{labels: map[string]string{"signals_name": "a", "kind": "sync"}, value: 1},
		{labels: map[string]string{"signals_name": "b", "kind": "async"}, value: 0},
		{labels: map[string]string{"signals_name": "c", "kind": "async"}, value: 0.5},
	}
	nan := []sample{{labels: map[string]string{}, value: math.NaN()}}
	tests := []struct {
		text string
		rs   []sample
		fail string // "" if the check must pass; else a part of the error
	}{
		{"series 3", rs, ""},
		{"series 2", rs, "3 series, want 2"},
		{"series 0", nil, ""},
		{"labels signals_name=a|b|c", rs, ""},
		{"labels signals_name=c|b|a", rs, ""},
		{"labels signals_name=a|b", rs, `signals_name values ["a" "b" "c"]`},
		{"labels kind=async|sync", rs, ""},
		{"labels missing=", rs, ""},
		{"0..1", rs, ""},
		{">= 0", rs, ""},
		{"> 0", rs, `{kind="async", signals_name="b"} = 0`},
		{"< 1", rs, `signals_name="a"`},
		{"<= 1", rs, ""},
		{"!= 2", rs, ""},
		{`{signals_name="a"} == 1`, rs, ""},
		{`{signals_name="a"} == 2`, rs, "= 1"},
		{`{kind="async"} 0..0.5`, rs, ""},
		{`{kind="async", signals_name="c"} == 0.5`, rs, ""},
		{`{signals_name="z"} == 1`, rs, `no series with {signals_name="z"}`},
		{"== 0", nil, "no series"},
		{"0..1", nan, "NaN"},
		{"!= 0", nan, "NaN"},
		{"1e-3..2.5e-2", []sample{{labels: map[string]string{}, value: 0.01}}, ""},
	}
	for _, tt := range tests {
		e, err := parseExpectation(tt.text)
		if err != nil {
			t.Errorf("parseExpectation(%q): %v", tt.text, err)
			continue
		}
		err = e.check(tt.rs)
		switch {
		case tt.fail == "" && err != nil:
			t.Errorf("%q: %v, want no error", tt.text, err)
		case tt.fail != "" && (err == nil || !strings.Contains(err.Error(), tt.fail)):
			t.Errorf("%q: %v, want an error with %q", tt.text, err, tt.fail)
		}
	}
}

func TestReadQueries(t *testing.T) {
	const file = `# a comment
# expect: series 1
# expect: > 0
up

# expect: nonsense
# expect: == 1
x
y
# expect: series 2
`
	path := filepath.Join(t.TempDir(), "queries.txt")
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	qs, errs := readQueries(path)
	if len(qs) != 3 {
		t.Fatalf("%d queries, want 3", len(qs))
	}
	if qs[0].expr != "up" || qs[0].line != 4 || len(qs[0].expects) != 2 {
		t.Errorf("query 0 = %+v", qs[0])
	}
	if qs[1].expr != "x" || len(qs[1].expects) != 1 || len(qs[2].expects) != 0 {
		t.Errorf("queries 1, 2 = %+v, %+v", qs[1], qs[2])
	}
	joined := ""
	for _, err := range errs {
		joined += err.Error() + "\n"
	}
	for _, want := range []string{"queries.txt:6: expect: nonsense", "1 expect lines after the last query"} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors %q lack %q", joined, want)
		}
	}
}
