package test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/signalkit/sdk/otelsignals"
	"github.com/signalkit/sdk/sampling"
	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// classError is a listener error whose ErrorType method returns class,
// which need not be valid UTF-8.
type classError struct{ class, msg string }

func (e *classError) Error() string     { return e.msg }
func (e *classError) ErrorType() string { return e.class }

// TestInvalidUTF8ThroughPrometheus is the regression test of a signal name,
// an error.type and an attribute value that are not valid UTF-8: the
// Prometheus exporter refuses such a label value, and the registry then
// fails the whole scrape, the metrics of every other signal included. The
// instrumentation replaces the invalid bytes with U+FFFD.
func TestInvalidUTF8ThroughPrometheus(t *testing.T) {
	reg, mp := newPrometheus(t)

	good := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders.created"})
	badName := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders.\xffcreated", ErrorHandler: ignore})
	badAttr := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders.paid"})
	for _, tc := range []struct {
		sig  otelsignals.Signal
		opts []otelsignals.Option
	}{
		{good, nil},
		{badName, nil},
		{badAttr, []otelsignals.Option{otelsignals.WithAttributes(
			attribute.String("tenant", "acme\xfe"),
			attribute.StringSlice("regions", []string{"eu", "us\xc3"}))}},
	} {
		if err := otelsignals.Instrument(tc.sig, append(tc.opts, otelsignals.WithMeterProvider(mp))...); err != nil {
			t.Fatal(err)
		}
	}
	good.AddListener(func(context.Context, int) {})
	badName.AddListenerWithErr(func(context.Context, int) error {
		return &classError{class: "timeout\xff\xfe", msg: "upstream \xff timed out"}
	})
	badAttr.AddListener(func(context.Context, int) {})
	ctx := context.Background()
	good.Emit(ctx, 1)
	badName.Emit(ctx, 1)
	badAttr.Emit(ctx, 1)

	code, body := scrape(t, reg)
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d, want 200; body:\n%s", code, body)
	}
	if !utf8.ValidString(body) {
		t.Error("the exposition is not valid UTF-8")
	}
	for _, want := range []string{
		`signals_emissions_total{otel_scope_name="` + otelsignals.ScopeName,
		`signals_name="orders.created"`,
		`signals_name="orders.` + "\uFFFD" + `created"`,
		`error_type="timeout` + "\uFFFD" + `"`,
		`tenant="acme` + "\uFFFD" + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the exposition lacks %s", want)
		}
	}
}

// TestInvalidUTF8OnSpans checks that span names, attribute values, event
// attributes and status descriptions are valid UTF-8: OTLP encodes them as
// protobuf strings, which must be, or the whole export batch fails. Without
// listener spans, the failed call is an exception event on the emission span,
// whose exception.message is the error's message.
func TestInvalidUTF8OnSpans(t *testing.T) {
	for _, listenerSpans := range []bool{true, false} {
		t.Run(fmt.Sprintf("listener spans %t", listenerSpans), func(t *testing.T) {
			e := newEnv(t)
			sig := signals.NewSyncWithOptions[int](&signals.SignalOptions{Name: "orders.\xffcreated", ErrorHandler: ignore})
			err := otelsignals.Instrument(sig, e.Options(
				otelsignals.WithSampler(sampling.Always()),
				otelsignals.WithListenerSpans(listenerSpans),
				otelsignals.WithListenerKeyAttribute(true),
				otelsignals.WithAttributes(attribute.String("tenant", "acme\xfe")),
				otelsignals.WithSpanNameFormatter(func(op, signal string) string { return op + "\xff" + signal }),
			)...)
			if err != nil {
				t.Fatal(err)
			}
			sig.AddListenerWithErr(func(context.Context, int) error {
				return &classError{class: "timeout\xff", msg: "upstream \xff timed out"}
			}, "key\xfe")
			sig.AddListener(func(context.Context, int) { panic("ledger \xff broken") }, "ledger")
			sig.Emit(context.Background(), 1)
			spans := e.spans.Ended()
			if want := map[bool]int{true: 3, false: 1}[listenerSpans]; len(spans) != want {
				t.Fatalf("%d spans ended, want %d", len(spans), want)
			}
			events := 0
			for _, s := range spans {
				if !utf8.ValidString(s.Name()) {
					t.Errorf("span name %q is not valid UTF-8", s.Name())
				}
				if !utf8.ValidString(s.Status().Description) {
					t.Errorf("span %q: status description %q is not valid UTF-8", s.Name(), s.Status().Description)
				}
				for _, kv := range s.Attributes() {
					if !validValue(kv.Value) {
						t.Errorf("span %q: attribute %s=%q is not valid UTF-8", s.Name(), kv.Key, kv.Value.String())
					}
				}
				for _, ev := range s.Events() {
					events++
					for _, kv := range ev.Attributes {
						if !validValue(kv.Value) {
							t.Errorf("span %q, event %s: attribute %s=%q is not valid UTF-8", s.Name(), ev.Name, kv.Key, kv.Value.String())
						}
					}
				}
			}
			if want := map[bool]int{true: 1, false: 2}[listenerSpans]; events != want {
				t.Errorf("%d events, want %d (an exception per panic, and per failed call without listener spans)", events, want)
			}
			if !listenerSpans {
				return
			}
			var failed sdktrace.ReadOnlySpan
			for _, s := range e.byName(semconv.OperationProcess + "\uFFFD" + "orders.\uFFFDcreated") {
				if attrs(s)[semconv.ListenerKeyKey].AsString() == "key\uFFFD" {
					failed = s
				}
			}
			if failed == nil {
				t.Fatalf("no listener span with signals.listener.key \"key\uFFFD\" (ended: %q)", e.SpanNames())
			}
			if got := attrs(failed)[semconv.ErrorTypeKey].AsString(); got != "timeout\uFFFD" {
				t.Errorf("error.type = %q, want %q", got, "timeout\uFFFD")
			}
			if got := failed.Status().Description; got != "upstream \uFFFD timed out" {
				t.Errorf("status description = %q, want %q", got, "upstream \uFFFD timed out")
			}
		})
	}
}

// validValue reports whether the strings of v are valid UTF-8.
func validValue(v attribute.Value) bool {
	switch v.Type() {
	case attribute.STRING:
		return utf8.ValidString(v.AsString())
	case attribute.STRINGSLICE:
		for _, s := range v.AsStringSlice() {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}
