package semconv_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/messagingconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalkit/sdk/semconv"
)

func TestNATSAttributes(t *testing.T) {
	tests := []struct {
		name string
		got  attribute.KeyValue
		want attribute.KeyValue
	}{
		{"system", semconv.MessagingSystemNATS, attribute.String("messaging.system", "nats")},
		{"message id", semconv.MessagingMessageID("abc.1"), attribute.String("messaging.message.id", "abc.1")},
		{"body size", semconv.MessagingMessageBodySize(1024), attribute.Int("messaging.message.body.size", 1024)},
		{"consumer group", semconv.MessagingConsumerGroupName("worker"), attribute.String("messaging.consumer.group.name", "worker")},
		{"operation publish", semconv.MessagingOperationName(semconv.OperationPublish), attribute.String("messaging.operation.name", "publish")},
		{"delivery count", semconv.NATSDeliveryCount(3), attribute.Int("signals.nats.delivery_count", 3)},
		{"attempts", semconv.NATSPublishAttempts(2), attribute.Int("signals.nats.publish.attempts", 2)},
		{"duplicate", semconv.NATSDuplicateKey.Bool(true), attribute.Bool("signals.nats.duplicate", true)},
		{"settlement ack", semconv.NATSSettlementAck, attribute.String("signals.nats.settlement", "ack")},
		{"settlement nak", semconv.NATSSettlementNak, attribute.String("signals.nats.settlement", "nak")},
		{"settlement dead letter", semconv.NATSSettlementDeadLetter, attribute.String("signals.nats.settlement", "dead_letter")},
		{"reason decode", semconv.NATSDeadLetterReasonDecode, attribute.String("signals.nats.dead_letter.reason", "decode")},
		{"reason max deliver", semconv.NATSDeadLetterReasonMaxDeliver, attribute.String("signals.nats.dead_letter.reason", "max_deliver")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s=%s, want %s=%s", tt.got.Key, tt.got.Value.String(), tt.want.Key, tt.want.Value.String())
			}
		})
	}
}

// TestNATSKeysMatchUpstream checks the re-exported keys are those of the
// semantic conventions version named by SchemaURL.
func TestNATSKeysMatchUpstream(t *testing.T) {
	for _, tt := range []struct{ got, want attribute.Key }{
		{semconv.MessagingMessageIDKey, otelsemconv.MessagingMessageIDKey},
		{semconv.MessagingMessageBodySizeKey, otelsemconv.MessagingMessageBodySizeKey},
		{semconv.MessagingConsumerGroupNameKey, otelsemconv.MessagingConsumerGroupNameKey},
		{semconv.ServerAddressKey, otelsemconv.ServerAddressKey},
		{semconv.ServerPortKey, otelsemconv.ServerPortKey},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if semconv.NATSPublishSpanKind != trace.SpanKindProducer || semconv.NATSProcessSpanKind != trace.SpanKindConsumer {
		t.Errorf("span kinds %v, %v", semconv.NATSPublishSpanKind, semconv.NATSProcessSpanKind)
	}
	if got := semconv.SpanName(semconv.OperationPublish, "orders.created"); got != "publish orders.created" {
		t.Errorf("span name %q", got)
	}
}

// TestNATSStandardMetrics checks the names, units and descriptions of the
// standard messaging metrics against the semantic conventions' typed
// instruments.
func TestNATSStandardMetrics(t *testing.T) {
	byName := make(map[string]semconv.MetricDef)
	for _, m := range semconv.NATSMetrics() {
		byName[m.Name] = m
	}
	for _, want := range []interface {
		Name() string
		Unit() string
		Description() string
	}{
		messagingconv.ClientSentMessages{}, messagingconv.ClientConsumedMessages{},
		messagingconv.ClientOperationDuration{}, messagingconv.ProcessDuration{},
	} {
		got, ok := byName[want.Name()]
		if !ok {
			t.Errorf("%s is not in NATSMetrics", want.Name())
			continue
		}
		if got.Unit != want.Unit() || got.Description != want.Description() {
			t.Errorf("%s: unit %q, description %q; want %q, %q", got.Name, got.Unit, got.Description, want.Unit(), want.Description())
		}
	}
}

func TestNATSMetricsDefinitions(t *testing.T) {
	defs := semconv.NATSMetrics()
	seen := make(map[string]bool)
	for _, m := range defs {
		if seen[m.Name] {
			t.Errorf("%s listed twice", m.Name)
		}
		seen[m.Name] = true
		if !strings.HasPrefix(m.Name, "messaging.") && !strings.HasPrefix(m.Name, "signals.nats.") {
			t.Errorf("%s: want a messaging.* or signals.nats.* name", m.Name)
		}
		if m.Unit == "" || m.Description == "" || len(m.Attributes) == 0 {
			t.Errorf("%s: incomplete %+v", m.Name, m)
		}
		if !slices.Contains(m.Attributes, semconv.MessagingSystemKey) {
			t.Errorf("%s: no messaging.system", m.Name)
		}
		if _, err := promName(m); err != nil {
			t.Error(err)
		}
	}
	defs[0].Attributes[0] = "changed"
	if semconv.NATSMetrics()[0].Attributes[0] == "changed" {
		t.Error("NATSMetrics shares its slices between calls")
	}
	for _, m := range semconv.Metrics() {
		if seen[m.Name] {
			t.Errorf("%s is in both Metrics and NATSMetrics", m.Name)
		}
	}
	b := semconv.MessagingDurationBuckets()
	if !slices.IsSorted(b) || b[0] != 0.005 || b[len(b)-1] != 10 {
		t.Errorf("buckets %v", b)
	}
	b[0] = 1
	if semconv.MessagingDurationBuckets()[0] != 0.005 {
		t.Error("MessagingDurationBuckets shares its slice")
	}
}

// natsAttrDocs documents the attributes of nats.go, for docs/semconv.md.
func natsAttrDocs() []attrDoc {
	return []attrDoc{
		{
			goName: "MessagingMessageIDKey", key: semconv.MessagingMessageIDKey, typ: "string",
			examples: []string{"hZ4aYyQ1oG5pWmDq0Ckf3B.42", "order-A-1"},
			where:    "NATS spans",
			desc:     "Standard messaging attribute: the message's `Nats-Msg-Id`, which JetStream deduplicates on.",
		},
		{
			goName: "MessagingMessageBodySizeKey", key: semconv.MessagingMessageBodySizeKey, typ: "int",
			examples: []string{"1024"},
			where:    "NATS spans",
			desc:     "Standard messaging attribute: the size of the encoded payload in bytes.",
		},
		{
			goName: "MessagingConsumerGroupNameKey", key: semconv.MessagingConsumerGroupNameKey, typ: "string",
			examples: []string{"worker", "billing"},
			where:    "NATS process spans and consumer metrics",
			desc:     "Standard messaging attribute: the durable JetStream consumer's name, shared by every subscriber bound to it.",
		},
		{
			goName: "ServerAddressKey", key: semconv.ServerAddressKey, typ: "string",
			examples: []string{"127.0.0.1", "nats.example.com"},
			where:    "NATS spans",
			desc:     "Standard attribute: the host of the NATS server the connection is connected to when the span starts.",
		},
		{
			goName: "ServerPortKey", key: semconv.ServerPortKey, typ: "int",
			examples: []string{"4222"},
			where:    "NATS spans",
			desc:     "Standard attribute: the port of that server.",
		},
		{
			goName: "NATSDeliveryCountKey", key: semconv.NATSDeliveryCountKey, typ: "int",
			examples: []string{"1", "3"},
			where:    "NATS process spans",
			desc:     "How many times JetStream has delivered the message, this delivery included.",
		},
		{
			goName: "NATSSettlementKey", key: semconv.NATSSettlementKey, typ: "enum",
			values: []attribute.KeyValue{semconv.NATSSettlementAck, semconv.NATSSettlementNak, semconv.NATSSettlementDeadLetter},
			where:  "NATS process spans",
			desc:   "How the message was settled: acknowledged, negatively acknowledged for a redelivery, or dead-lettered and terminated.",
		},
		{
			goName: "NATSDeadLetterReasonKey", key: semconv.NATSDeadLetterReasonKey, typ: "enum",
			values: []attribute.KeyValue{semconv.NATSDeadLetterReasonDecode, semconv.NATSDeadLetterReasonMaxDeliver},
			where:  "NATS metrics",
			desc:   "Why a message went to the dead-letter subject: it did not decode, or its listeners still failed on its last allowed delivery.",
		},
		{
			goName: "NATSPublishAttemptsKey", key: semconv.NATSPublishAttemptsKey, typ: "int",
			examples: []string{"2", "10"},
			where:    "NATS publish spans and their `retry` events",
			desc:     "How many times the message was published; on spans of messages that needed more than one attempt.",
		},
		{
			goName: "NATSDuplicateKey", key: semconv.NATSDuplicateKey, typ: "boolean",
			examples: []string{"false", "true"},
			where:    "NATS publish spans",
			desc:     "Whether JetStream acknowledged the message as a duplicate within its duplicate window, and did not store it again.",
		},
	}
}

// renderNATSDocs writes the NATS bridge's section of docs/semconv.md.
func renderNATSDocs(p func(format string, args ...any)) error {
	p("\n## NATS JetStream bridge (`natssignals`)\n\n")
	p("Module `github.com/signalkit/sdk/natssignals` forwards the emissions of a local signal to a NATS subject and emits the messages ")
	p("of a durable JetStream consumer into a local signal. A message crosses the network, so the bridge records the standard messaging ")
	p("metrics beside its own `signals.nats.*` ones, with `messaging.system` = `%s` ", semconv.MessagingSystemNATSValue)
	p("(the conventions register no value for NATS and allow a custom one) and the subject as `messaging.destination.name`. ")
	p("Names are in `semconv/nats.go`.\n\n")
	p("### Attributes\n\n")
	p("Beside `messaging.system`, `messaging.destination.name`, `messaging.operation.type`, `messaging.operation.name` and `error.type` above:\n\n")
	p("| Attribute | Type | Values | Recorded on | Description | Go |\n")
	p("|---|---|---|---|---|---|\n")
	for _, a := range natsAttrDocs() {
		values := "e.g. " + codes(a.examples)
		if a.values != nil {
			vs := make([]string, len(a.values))
			for i, kv := range a.values {
				if kv.Key != a.key {
					return fmt.Errorf("value %s listed under %s", kv.Key, a.key)
				}
				vs[i] = kv.Value.AsString()
			}
			values = codes(vs)
		}
		p("| `%s` | %s | %s | %s | %s | `%s` |\n", a.key, a.typ, values, a.where, a.desc, a.goName)
	}
	p("\n### Metrics\n\n")
	p("The first four are the standard messaging metrics, with the histogram boundaries the conventions recommend, in seconds: ")
	bs := make([]string, 0, len(semconv.MessagingDurationBuckets()))
	for _, f := range semconv.MessagingDurationBuckets() {
		bs = append(bs, fmt.Sprint(f))
	}
	p("%s. Durations are recorded for a sample of the messages (1 in 100 by default); the counters count every message.\n\n", strings.Join(bs, ", "))
	p("| Metric | Instrument | Unit | Description | Attributes | Prometheus |\n")
	p("|---|---|---|---|---|---|\n")
	for _, m := range semconv.NATSMetrics() {
		pm, err := promName(m)
		if err != nil {
			return err
		}
		attrs := codes(m.Attributes)
		labels := make([]string, 0, len(m.Attributes)+len(m.OptionalAttributes))
		if len(m.OptionalAttributes) > 0 {
			attrs += "; on failure: " + codes(m.OptionalAttributes)
		}
		for _, k := range slices.Concat(m.Attributes, m.OptionalAttributes) {
			labels = append(labels, promLabel(k))
		}
		p("| `%s` | %s | `%s` | %s | %s | %s %s; labels %s |\n",
			m.Name, m.Instrument, m.Unit, m.Description, attrs, pm.typ, codes(pm.series), codes(labels))
	}
	p("\n`messaging.client.sent.messages` counts a message when JetStream acknowledged it (`messaging.operation.name` `%s`), ", semconv.OperationPublish)
	p("or with `error.type` when the publisher gave up after its attempts. `messaging.client.consumed.messages` counts every delivery ")
	p("(`%s`), with `error.type` when it did not decode or its listeners failed.\n\n", semconv.OperationProcess)

	p("### Spans\n\n")
	p("**Publish span.** Name `%s`, kind %s. ", semconv.SpanName(semconv.OperationPublish, "{subject}"), strings.ToUpper(semconv.NATSPublishSpanKind.String()))
	p("Parent: the span of the emission's context (otelsignals' emission span, when the signal is instrumented). ")
	p("It starts when the emission hands the message over and ends when JetStream acknowledges it, retries included; ")
	p("its context is the message's creation context, injected into the headers by the propagator. ")
	p("Attributes: `messaging.system`, `messaging.destination.name`, `messaging.operation.type` `send`, `messaging.operation.name` `%s`, ", semconv.OperationPublish)
	p("`messaging.message.id`, `messaging.message.body.size`, `server.address`, `server.port`, `%s`; ", semconv.NATSDuplicateKey)
	p("`%s` and a `retry` event per retry when it took more than one attempt; `error.type` and status Error when it failed.\n\n", semconv.NATSPublishAttemptsKey)
	p("**Process span.** Name `%s`, kind %s. ", semconv.SpanName(semconv.OperationProcess, "{subject}"), strings.ToUpper(semconv.NATSProcessSpanKind.String()))
	p("Parent: the creation context extracted from the message; one link, to the same context. ")
	p("The [conventions](https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/#consumer-spans) ask a process span to link to the creation context of each message it accounts for; ")
	p("with one message per span, the bridge also makes it the child, so that the emitter's trace holds the remote listeners. ")
	p("It covers decoding, the local signal's emission (whose context its listeners receive) and the settlement. ")
	p("Attributes: `messaging.system`, `messaging.destination.name`, `messaging.operation.type` `process`, `messaging.operation.name` `%s`, ", semconv.OperationProcess)
	p("`messaging.consumer.group.name`, `messaging.message.id`, `messaging.message.body.size`, `server.address`, `server.port`, `%s`, `%s`; ", semconv.NATSDeliveryCountKey, semconv.NATSSettlementKey)
	p("`error.type` and status Error when it failed. There is no separate settle span: the settlement is an attribute of the process span.\n")
	return nil
}

func TestNATSDocsRender(t *testing.T) {
	var b strings.Builder
	if err := renderNATSDocs(func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"publish {subject}", "process {subject}", "messaging_client_sent_messages_total", "signals_nats_dead_letters_total"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the NATS section lacks %q", want)
		}
	}
}
