package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// prometheus evaluates instant queries on a Prometheus server through its
// HTTP API (GET /api/v1/query).
type prometheus struct {
	base   string // e.g. http://127.0.0.1:9090
	client *http.Client
}

// apiResponse is the part of a /api/v1/query response the check reads.
type apiResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// query returns the result of expr now: a vector's series, or a scalar as
// one series without labels.
func (p *prometheus) query(ctx context.Context, expr string) ([]sample, error) {
	u := strings.TrimSuffix(p.base, "/") + "/api/v1/query?" + url.Values{"query": {expr}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", resp.Status, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s: %s", resp.Status, r.ErrorType, r.Error)
	}
	switch r.Data.ResultType {
	case "vector":
		var series []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(r.Data.Result, &series); err != nil {
			return nil, err
		}
		out := make([]sample, 0, len(series))
		for _, s := range series {
			v, err := parseValue(s.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, sample{labels: s.Metric, value: v})
		}
		return out, nil
	case "scalar":
		var value [2]any
		if err := json.Unmarshal(r.Data.Result, &value); err != nil {
			return nil, err
		}
		v, err := parseValue(value)
		if err != nil {
			return nil, err
		}
		return []sample{{labels: map[string]string{}, value: v}}, nil
	}
	return nil, fmt.Errorf("result type %q: want vector or scalar", r.Data.ResultType)
}

// parseValue parses a [timestamp, "value"] pair.
func parseValue(pair [2]any) (float64, error) {
	s, ok := pair[1].(string)
	if !ok {
		return 0, fmt.Errorf("value %v is not a string", pair[1])
	}
	return strconv.ParseFloat(s, 64)
}

// outcome is what the last evaluation of a query gave.
type outcome struct {
	q      listedQuery
	result []sample
	err    error // nil if every expectation holds
}

// evaluate runs q and checks its expectations.
func (p *prometheus) evaluate(ctx context.Context, q listedQuery) outcome {
	rs, err := p.query(ctx, q.expr)
	if err != nil {
		return outcome{q: q, err: err}
	}
	for _, e := range q.expects {
		if err := e.check(rs); err != nil {
			return outcome{q: q, result: rs, err: fmt.Errorf("expect: %s: %w", e.text, err)}
		}
	}
	return outcome{q: q, result: rs}
}

// checkLive evaluates every query on p until all meet their expectations,
// retrying those that do not every interval until wait has passed, and
// reports the outcome of each to w. It returns an error if any query still
// fails at the end.
func checkLive(ctx context.Context, p *prometheus, qs []listedQuery, wait, interval time.Duration, verbose bool, w io.Writer) error {
	deadline := time.Now().Add(wait)
	outcomes := make([]outcome, len(qs))
	pending := make([]int, len(qs))
	for i := range qs {
		pending[i] = i
	}
	rounds := 0
	for {
		rounds++
		var still []int
		for _, i := range pending {
			outcomes[i] = p.evaluate(ctx, qs[i])
			if outcomes[i].err != nil {
				still = append(still, i)
			}
		}
		pending = still
		if len(pending) == 0 || !time.Now().Add(interval).Before(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
	for _, o := range outcomes {
		status := "ok  "
		if o.err != nil {
			status = "FAIL"
		}
		fmt.Fprintf(w, "%s %s:%d: %s\n", status, queriesFile, o.q.line, o.q.expr)
		if o.err != nil {
			fmt.Fprintf(w, "       %v\n", o.err)
		}
		if o.err != nil || verbose {
			for _, s := range o.result {
				fmt.Fprintf(w, "       %s %v\n", formatLabels(s.labels), s.value)
			}
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("%d of %d queries do not return their expected values (after %d rounds)", len(pending), len(qs), rounds)
	}
	fmt.Fprintf(w, "querycheck: %d queries return their expected values (%d rounds)\n", len(qs), rounds)
	return nil
}

// errNoExpectations is returned for a query without an expectation.
var errNoExpectations = errors.New(`no "# expect:" line before it`)
