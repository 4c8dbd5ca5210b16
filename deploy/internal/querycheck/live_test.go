package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakePrometheus answers /api/v1/query from answers, by query; a query it
// does not know gets an API error. calls counts the requests.
func fakePrometheus(t *testing.T, answers func(query string, call int64) string) (*prometheus, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		n := calls.Add(1)
		body := answers(r.URL.Query().Get("query"), n)
		if body == "" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"parse error"}`)
			return
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return &prometheus{base: srv.URL, client: srv.Client()}, &calls
}

func vector(series ...string) string {
	return `{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(series, ",") + `]}}`
}

func TestQuery(t *testing.T) {
	p, _ := fakePrometheus(t, func(q string, _ int64) string {
		switch q {
		case "v":
			return vector(`{"metric":{"job":"a"},"value":[1700000000.5,"1.5"]}`, `{"metric":{"job":"b"},"value":[1700000000.5,"NaN"]}`)
		case "s":
			return `{"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"+Inf"]}}`
		case "m":
			return `{"status":"success","data":{"resultType":"matrix","result":[]}}`
		case "junk":
			return `not json`
		}
		return ""
	})
	ctx := context.Background()
	rs, err := p.query(ctx, "v")
	if err != nil || len(rs) != 2 || rs[0].labels["job"] != "a" || rs[0].value != 1.5 || rs[1].value == rs[1].value {
		t.Errorf("vector: %+v, %v", rs, err)
	}
	rs, err = p.query(ctx, "s")
	if err != nil || len(rs) != 1 || len(rs[0].labels) != 0 || rs[0].value <= 1e308 {
		t.Errorf("scalar: %+v, %v", rs, err)
	}
	for _, q := range []string{"m", "junk", "unknown"} {
		if rs, err := p.query(ctx, q); err == nil {
			t.Errorf("query %q: %+v, want an error", q, rs)
		}
	}
}

// TestCheckLive checks that a query is retried until it meets its
// expectations, and that one that never does fails the check with its
// values reported.
func TestCheckLive(t *testing.T) {
	expects := func(texts ...string) []expectation {
		var es []expectation
		for _, text := range texts {
			e, err := parseExpectation(text)
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, e)
		}
		return es
	}
	qs := []listedQuery{
		{line: 3, expr: "settles", expects: expects("series 1", "== 1")},
		{line: 6, expr: "fine", expects: expects("> 0")},
	}
	var settlesCalls atomic.Int64
	p, _ := fakePrometheus(t, func(q string, _ int64) string {
		switch q {
		case "settles": // 0 for the first two rounds, then 1
			if settlesCalls.Add(1) < 3 {
				return vector(`{"metric":{"x":"y"},"value":[1,"0"]}`)
			}
			return vector(`{"metric":{"x":"y"},"value":[1,"1"]}`)
		case "fine":
			return vector(`{"metric":{},"value":[1,"7"]}`)
		case "never":
			return vector(`{"metric":{"x":"z"},"value":[1,"5"]}`)
		}
		return ""
	})
	var out bytes.Buffer
	if err := checkLive(context.Background(), p, qs, 5*time.Second, 10*time.Millisecond, false, &out); err != nil {
		t.Fatalf("checkLive: %v\n%s", err, out.String())
	}
	if got := settlesCalls.Load(); got != 3 {
		t.Errorf("the settling query was evaluated %d times, want 3", got)
	}
	if !strings.Contains(out.String(), "2 queries return their expected values (3 rounds)") {
		t.Errorf("output:\n%s", out.String())
	}

	out.Reset()
	qs = append(qs, listedQuery{line: 9, expr: "never", expects: expects("< 1")}, listedQuery{line: 12, expr: "broken", expects: expects("> 0")})
	err := checkLive(context.Background(), p, qs, 50*time.Millisecond, 10*time.Millisecond, true, &out)
	if err == nil || !strings.Contains(err.Error(), "2 of 4 queries") {
		t.Errorf("checkLive: %v, want 2 of 4 queries failing", err)
	}
	for _, want := range []string{
		"FAIL deploy/queries.txt:9: never\n       expect: < 1: {x=\"z\"} = 5\n       {x=\"z\"} 5\n",
		"FAIL deploy/queries.txt:12: broken\n       400 Bad Request: bad_data: parse error",
		"ok   deploy/queries.txt:6: fine\n       {} 7\n", // -v prints the results of passing queries too
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
