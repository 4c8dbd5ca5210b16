#!/usr/bin/env bash
# End-to-end test of the demo, the deployment files and a real Prometheus and
# OpenTelemetry Collector, all on 127.0.0.1 (CI runs it; see .ci/run):
#
#   1. tools (scripts/install-tools.sh; curl and jq if missing), docker-compose config;
#   2. build the demo and the Collector (examples/otel-collector, its own module);
#   3. deploy checks: promtool check/test rules, queries.txt (scripts/validate-deploy.sh);
#   4. start the Collector; run the demo with a copy of its config file;
#      promtool check metrics on its /metrics;
#   5. start Prometheus (deploy/prometheus/prometheus.yml with these ports, recording
#      and alert rules) and check that every query of deploy/queries.txt returns the
#      values its "# expect:" lines give, which the demo's workload makes true
#      (go run ./deploy/internal/querycheck -prometheus);
#   6. run the demo again, sending OTLP to the Collector: its spans reach the debug
#      exporter, its metrics the Collector's Prometheus endpoint and Prometheus;
#   7. hot reload of the demo's config file: an invalid file is rejected and logged,
#      metrics and spans go on; metrics off, the series stop growing; sampler
#      always_off, no new spans; the original file, metrics back;
#   7b. trace continuity (check_trace_continuity): examples/httpservice, configured by
#      OTEL_EXPORTER_OTLP_ENDPOINT alone, gets requests with a sampled and a not-sampled
#      traceparent: the sampled one's request, emission, delivery and listener spans reach
#      the Collector in its trace, its listeners log that trace, the other yields no span;
#   7c. across services (check_nats_trace): nats-server built from its Go module, the order
#      and worker services of examples/nats; a sampled order's request, emission, publish,
#      remote process span and remote listener reach the Collector in one trace;
#   8. stop everything (also on failure: trap EXIT), the demo gracefully.
#
# Every step prints its duration; the script stops at the first failure with a
# message and the end of the logs. E2E_KEEP=1 keeps the temporary directory.
# Needs Go, and root or sudo for the packages install-tools.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/signalkit-e2e.XXXXXX")
pgids=()          # process groups started here
failing_logs=()   # logs to show on failure
start_all=$SECONDS

# --- helpers -------------------------------------------------------------

step() {
	printf '\n=== %s\n' "$*"
	step_start=$SECONDS
}
done_step() { printf '=== ok (%ds)\n' $((SECONDS - step_start)); }
info() { printf '    %s\n' "$*"; }
failure="a command failed (set -e)"
fail() {
	failure=$*
	printf '\nFAILED: %s\n' "$*" >&2
	exit 1
}

cleanup() {
	local rc=$? pg
	for pg in "${pgids[@]}"; do
		kill -TERM -- "-$pg" 2>/dev/null || true
	done
	for pg in "${pgids[@]}"; do
		for _ in $(seq 50); do
			kill -0 -- "-$pg" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$pg" 2>/dev/null || true
	done
	if ((rc != 0)); then
		local f
		for f in "${failing_logs[@]}"; do
			[[ -s $f ]] || continue
			printf '\n--- last lines of %s\n' "$f" >&2
			tail -n 25 "$f" | cut -c1-400 >&2
		done
		printf '\ne2e: FAILED after %ds: %s\n' $((SECONDS - start_all)) "$failure" >&2
	fi
	if [[ ${E2E_KEEP:-} == 1 ]]; then
		printf 'e2e: kept %s\n' "$tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

# start NAME CMD... starts CMD in a process group of its own, with its
# standard output in $tmp/NAME.out and its standard error in $tmp/NAME.err,
# and sets last_pid to its process ID (and process group ID).
start() {
	local name=$1
	shift
	setsid "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
	local pid=$!
	pgids+=("$pid")
	failing_logs+=("$tmp/$name.err")
	last_pid=$pid
}

# stop PID stops the process group PID with SIGTERM and returns the exit
# status of its leader.
stop() {
	local pid=$1 rc=0
	kill -TERM -- "-$pid" 2>/dev/null || true
	wait "$pid" || rc=$?
	local i
	for i in "${!pgids[@]}"; do
		[[ ${pgids[$i]} == "$pid" ]] && unset 'pgids[i]'
	done
	pgids=("${pgids[@]}")
	return $rc
}

# wait_for SECONDS WHAT CMD... runs CMD every half second until it succeeds.
wait_for() {
	local limit=$1 what=$2 deadline=$((SECONDS + $1))
	shift 2
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || fail "$what: not within ${limit}s"
		sleep 0.5
	done
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# demo_addr NAME prints the address the demo NAME listens on, from its log.
demo_addr() {
	sed -n 's/.*msg="demo running" metrics=http:\/\/\([0-9.:]*\)\/metrics.*/\1/p' "$tmp/$1.err" | head -n 1
}
demo_listening() { [[ -n $(demo_addr "$1") ]]; }

# scrape URL SERIES prints the sum of the values of the lines of URL's
# metrics that start with SERIES.
scrape_sum() {
	curl -fsS --max-time 5 "$1" | awk -v s="$2" 'index($0, s) == 1 { sum += $NF; n++ } END { if (n) printf "%d\n", sum; else print "absent" }'
}

# span_lines counts the demo's spans in the Collector's debug output.
span_lines() {
	grep -cE '^(emit|try_emit|enqueue|process) [a-z.]+ [0-9a-f]{32} [0-9a-f]{16}' "$tmp/collector.out" || true
}
spans_above() { (($(span_lines) > $1)); }
# emissions_above URL N succeeds if the emissions on URL's metrics are more than N.
emissions_above() {
	local v
	v=$(scrape_sum "$1" 'signals_emissions_total{')
	[[ $v != absent ]] && ((v > $2))
}
emissions_present() { [[ $(scrape_sum "$1" 'signals_emissions_total{') != absent ]]; }

# write_config DEST SED_EXPR writes the demo's config file through sed into
# DEST atomically, as the config package recommends.
write_config() {
	sed "$2" examples/demo/config.yaml >"$1.tmp"
	mv "$1.tmp" "$1"
}

# --- 1. tools ------------------------------------------------------------

step "tools: prometheus, promtool, docker-compose, curl, jq"
scripts/install-tools.sh
missing=()
for tool in curl jq python3; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
	as_root=()
	[[ $(id -u) -eq 0 ]] || as_root=(sudo)
	info "installing ${missing[*]}"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		{ "${as_root[@]}" apt-get update -q && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
fi
done_step

step "docker-compose -f docker-compose.yaml config -q"
docker-compose -f docker-compose.yaml config -q || fail "docker-compose.yaml does not validate"
done_step

# --- 2. builds -----------------------------------------------------------

step "build the demo"
go build -o "$tmp/demo" ./examples/demo
done_step

step "build the Collector (examples/otel-collector; minutes when the build cache is cold)"
# GOWORK=off: the Collector is a module kept out of go.work.
(cd examples/otel-collector && GOWORK=off go build -o ../../bin/otelcol-signalkit .)
info "bin/otelcol-signalkit: $(($(stat -c %s bin/otelcol-signalkit) / 1000000)) MB"
done_step

# --- 3. deploy checks ----------------------------------------------------

step "deploy checks: promtool check config/rules, promtool test rules, queries.txt, Collector configs"
scripts/validate-deploy.sh >"$tmp/validate.out" 2>&1 || { cat "$tmp/validate.out"; fail "scripts/validate-deploy.sh"; }
grep -E '^(==|validate-deploy)' "$tmp/validate.out" | sed 's/^/    /'
done_step

# --- 4. Collector and demo -----------------------------------------------

step "start the Collector on 127.0.0.1"
otlp_grpc=$(free_port) otlp_http=$(free_port) collector_prom=$(free_port) collector_self=$(free_port)
start collector env OTLP_GRPC_ENDPOINT="127.0.0.1:$otlp_grpc" OTLP_HTTP_ENDPOINT="127.0.0.1:$otlp_http" \
	PROMETHEUS_EXPORTER_ENDPOINT="127.0.0.1:$collector_prom" COLLECTOR_TELEMETRY_PORT="$collector_self" \
	bin/otelcol-signalkit --config examples/otel-collector/config.yaml
collector_pid=$last_pid
wait_for 30 "the Collector's Prometheus endpoint" http_ok "http://127.0.0.1:$collector_prom/metrics"
wait_for 30 "the Collector's start" grep -q "Everything is ready" "$tmp/collector.err"
info "OTLP/gRPC 127.0.0.1:$otlp_grpc, Prometheus exporter 127.0.0.1:$collector_prom"
done_step

step "run the demo (Prometheus endpoint, spans on stdout) with a copy of its config"
cp examples/demo/config.yaml "$tmp/demo1.yaml"
start demo1 "$tmp/demo" -listen 127.0.0.1:0 -config "$tmp/demo1.yaml" -duration 0 -rate 50
demo1_pid=$last_pid
wait_for 30 "the demo's address in its log" demo_listening demo1
demo1=$(demo_addr demo1)
wait_for 30 "the demo's /readyz (200)" http_ok "http://$demo1/readyz"
info "demo on $demo1: /healthz $(curl -fsS "http://$demo1/healthz"), /readyz $(curl -fsS "http://$demo1/readyz")"
done_step

step "promtool check metrics on the demo's /metrics"
curl -fsS "http://$demo1/metrics" >"$tmp/demo1.metrics"
promtool check metrics <"$tmp/demo1.metrics" || fail "promtool check metrics"
info "$(grep -c '^signals_' "$tmp/demo1.metrics") signals_* samples, $(grep -c '^# HELP signals_' "$tmp/demo1.metrics") metrics, all with help text"
done_step

# --- 5. Prometheus -------------------------------------------------------

step "start Prometheus on 127.0.0.1 with the recording and alert rules"
prom=$(free_port)
mkdir -p "$tmp/prometheus" "$tmp/prometheus-data"
cp deploy/prometheus/recording.yml deploy/prometheus/alerts.yml "$tmp/prometheus/"
sed -e "s/127\.0\.0\.1:9464/$demo1/" -e "s/127\.0\.0\.1:8889/127.0.0.1:$collector_prom/" \
	deploy/prometheus/prometheus.yml >"$tmp/prometheus/prometheus.yml"
grep -q "$demo1" "$tmp/prometheus/prometheus.yml" || fail "the demo's target is not in the generated prometheus.yml"
promtool check config "$tmp/prometheus/prometheus.yml" >/dev/null || fail "promtool check config (generated)"
start prometheus prometheus --config.file="$tmp/prometheus/prometheus.yml" \
	--storage.tsdb.path="$tmp/prometheus-data" --web.listen-address="127.0.0.1:$prom"
prometheus_pid=$last_pid
wait_for 30 "Prometheus /-/ready" http_ok "http://127.0.0.1:$prom/-/ready"
info "Prometheus on 127.0.0.1:$prom, scraping $demo1 and 127.0.0.1:$collector_prom every 2s"
done_step

# query EXPR succeeds if EXPR returns at least one series.
query() {
	curl -fsS --max-time 5 -G "http://127.0.0.1:$prom/api/v1/query" --data-urlencode "query=$1" |
		jq -e '.status == "success" and (.data.result | length) > 0' >/dev/null
}

# --- 5b. deploy/queries.txt: every query against its expected values -------
# querycheck evaluates each query on this Prometheus until it meets the
# "# expect:" lines before it (values the demo's workload makes true: the
# signals and their kinds, error ratios, listeners by state, queue and pool
# sizes, which alerts fire), and prints the values of those that do not.
step "every query of deploy/queries.txt returns its expected values (querycheck -prometheus)"
go run ./deploy/internal/querycheck -prometheus "http://127.0.0.1:$prom" -wait 90s >"$tmp/querycheck.out" 2>&1 ||
	{ grep -v '^ok ' "$tmp/querycheck.out" | sed 's/^/    /' >&2; fail "deploy/queries.txt: queries without their expected values"; }
info "$(tail -n 1 "$tmp/querycheck.out")"
query 'up{job="signalkit-demo"} == 1' || fail "Prometheus does not scrape the demo"
query 'up{job="otel-collector"} == 1' || fail "Prometheus does not scrape the Collector"
wait_for 30 "the alert SignalsListenerPanics, pending or firing" query 'ALERTS{alertname="SignalsListenerPanics"}'
info "targets up: signalkit-demo, otel-collector; alert SignalsListenerPanics: $(curl -fsS -G "http://127.0.0.1:$prom/api/v1/query" --data-urlencode 'query=ALERTS{alertname="SignalsListenerPanics"}' | jq -r '.data.result[0].metric.alertstate')"
done_step
# --- end of 5b ----------------------------------------------------------------

step "stop the demo gracefully (SIGTERM)"
stop "$demo1_pid" || fail "the demo exited with status $?"
grep -q 'msg=summary' "$tmp/demo1.err" || fail "the demo did not print its summary"
info "$(grep -o 'msg=summary.*' "$tmp/demo1.err")"
info "$(grep -c '"Name":' "$tmp/demo1.out") spans printed on stdout"
done_step

# --- 6. OTLP to the Collector --------------------------------------------

step "run the demo with -otlp-endpoint: spans and metrics through the Collector"
cp examples/demo/config.yaml "$tmp/demo2.yaml"
start demo2 env OTEL_BSP_SCHEDULE_DELAY=500 "$tmp/demo" -listen 127.0.0.1:0 -config "$tmp/demo2.yaml" \
	-duration 0 -rate 50 -otlp-endpoint "127.0.0.1:$otlp_grpc" -export-interval 1s -reload-interval 500ms \
	-service-name signalkit-demo-otlp
demo2_pid=$last_pid
wait_for 30 "the demo's address in its log" demo_listening demo2
demo2=$(demo_addr demo2)
wait_for 30 "the demo's /readyz (200)" http_ok "http://$demo2/readyz"
wait_for 30 "the demo's spans in the Collector's debug output" grep -q '^try_emit order.placed ' "$tmp/collector.out"
info "spans received: $(span_lines), e.g. $(grep -m1 -oE '^try_emit order.placed [0-9a-f]{32} [0-9a-f]{16}' "$tmp/collector.out")"
has_collector_metrics() {
	curl -fsS "http://127.0.0.1:$collector_prom/metrics" >"$tmp/collector.metrics" &&
		grep -q '^signals_emissions_total{.*job="signalkit-demo-otlp".*signals_name="order.placed"' "$tmp/collector.metrics" &&
		grep -q '^signals_listener_duration_seconds_bucket{.*job="signalkit-demo-otlp"' "$tmp/collector.metrics"
}
wait_for 30 "signals_emissions_total on the Collector's Prometheus endpoint" has_collector_metrics
info "Collector /metrics: signals_* series for $(grep -oE '^signals_emissions_total\{.*signals_name="[^"]*"' "$tmp/collector.metrics" | grep -o 'signals_name="[^"]*"' | sort -u | tr '\n' ' ')"
wait_for 30 "the Collector's series in Prometheus" query 'signals_emissions_total{job="signalkit-demo-otlp"}'
info "Prometheus has signals_emissions_total{job=\"signalkit-demo-otlp\"} from the Collector"
done_step

# --- 7. hot reload -------------------------------------------------------

emissions_url="http://$demo2/metrics"
collector_url="http://127.0.0.1:$collector_prom/metrics"
placed='signals_emissions_total{'

step "hot reload: an invalid file is rejected and logged; metrics and spans go on"
write_config "$tmp/demo2.yaml" '/^metrics:$/,/^traces:$/ s/^  enabled: true$/  enabled: maybe/'
wait_for 15 "the rejection in the demo's log" grep -q 'msg="signalkit config rejected' "$tmp/demo2.err"
info "$(grep -m1 -o 'msg="signalkit config rejected.*' "$tmp/demo2.err" | sed "s|$tmp/||g")"
grep -q "error=\"$tmp/demo2.yaml:10:12: metrics.enabled: must be true or false" "$tmp/demo2.err" ||
	fail "the rejection does not name the file, line and key"
a=$(scrape_sum "$emissions_url" "$placed") s1=$(span_lines)
wait_for 15 "emissions growing after the invalid file" emissions_above "$emissions_url" "$a"
wait_for 15 "spans arriving after the invalid file" spans_above "$s1"
info "still on: emissions above $a, spans at the Collector above $s1 (now $(scrape_sum "$emissions_url" "$placed"), $(span_lines))"
done_step

step "hot reload: metrics off -> the series stop growing"
write_config "$tmp/demo2.yaml" '/^metrics:$/,/^traces:$/ s/^  enabled: true$/  enabled: false/'
wait_for 15 "metrics off in the demo's log" grep -q 'source=file .*changes.metrics.enabled.old=true changes.metrics.enabled.new=false' "$tmp/demo2.err"
sleep 3 # the OTLP export in flight (-export-interval 1s) and the Collector's batch (1s)
own=$(scrape_sum "$emissions_url" "$placed")
[[ $own == absent ]] || fail "the demo's /metrics still has signals_emissions_total with metrics off ($own)"
c1=$(scrape_sum "$collector_url" "$placed") e1=$(scrape_sum "$emissions_url" 'signals_listener_errors_total{')
sleep 3
c2=$(scrape_sum "$collector_url" "$placed") e2=$(scrape_sum "$emissions_url" 'signals_listener_errors_total{')
[[ $c1 == "$c2" ]] || fail "the Collector's signals_emissions_total still grows with metrics off: $c1 -> $c2"
[[ $e1 == "$e2" ]] || fail "signals_listener_errors_total still grows with metrics off: $e1 -> $e2"
info "demo /metrics: signals_emissions_total absent; listener errors $e1 -> $e2; Collector emissions $c1 -> $c2"
done_step

step "hot reload: sampler always_off -> no new spans"
write_config "$tmp/demo2.yaml" '/^metrics:$/,/^traces:$/ s/^  enabled: true$/  enabled: false/; s/^  sampler: parentbased_ratelimited$/  sampler: always_off/'
wait_for 15 "always_off in the demo's log" grep -q 'changes.traces.sampler.old=parentbased_ratelimited changes.traces.sampler.new=always_off' "$tmp/demo2.err"
sleep 3 # spans in the batch processor (OTEL_BSP_SCHEDULE_DELAY=500 ms) and the Collector's batch (1s)
s1=$(span_lines)
sleep 4
s2=$(span_lines)
((s1 == s2)) || fail "spans still arrive with sampler always_off: $s1 -> $s2"
info "spans at the Collector: $s1 -> $s2"
done_step

step "hot reload: the original file -> metrics and spans back"
cp examples/demo/config.yaml "$tmp/demo2.yaml.tmp" && mv "$tmp/demo2.yaml.tmp" "$tmp/demo2.yaml"
wait_for 15 "metrics on in the demo's log" grep -q 'changes.metrics.enabled.old=false changes.metrics.enabled.new=true' "$tmp/demo2.err"
wait_for 15 "signals_emissions_total back on the demo's /metrics" emissions_present "$emissions_url"
s1=$(span_lines)
wait_for 15 "new spans at the Collector" spans_above "$s1"
info "metrics and spans are back; the demo logged $(grep -c 'msg="signalkit config' "$tmp/demo2.err") configuration changes"
done_step

# --- 7b. trace continuity ------------------------------------------------

# trace_spans TRACE NAME counts the spans named NAME of trace TRACE in the
# Collector's debug output ("name trace-id span-id attributes").
trace_spans() {
	grep -cE "^$2 $1 [0-9a-f]{16}( |\$)" "$tmp/collector.out" || true
}

# check_trace_continuity runs examples/httpservice (otelhttp) with nothing but
# the OpenTelemetry environment pointing it at the Collector's OTLP/HTTP
# receiver, and checks that one trace runs from a request's traceparent through
# its signals: the request's span, the sync emission and its two listener
# calls, the enqueue, its delivery and two listener calls; that the listeners
# log in that trace, with a span that reached the Collector; that a request
# whose parent is not sampled yields no span; and that the metrics reach the
# Collector too.
check_trace_continuity() {
	step "trace continuity: examples/httpservice with OTEL_EXPORTER_OTLP_ENDPOINT, through the Collector"
	go build -o "$tmp/httpservice" ./examples/httpservice
	local port sampled=4bf92f3577b34da6a3ce929d0e0e4736 unsampled=0af7651916cd43dd8448eb211c80319c
	port=$(free_port)
	start httpservice env OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$otlp_http" OTEL_SERVICE_NAME=signalkit-httpservice \
		"$tmp/httpservice" -listen "127.0.0.1:$port"
	local pid=$last_pid
	wait_for 30 "the service's /healthz" http_ok "http://127.0.0.1:$port/healthz"
	local tp
	for tp in "00-$sampled-00f067aa0ba902b7-01" "00-$unsampled-b7ad6b7169203331-00"; do
		curl -fsS --max-time 5 -o /dev/null -X POST -H "traceparent: $tp" -d '{"id":"E2E-1","quantity":2}' \
			"http://127.0.0.1:$port/orders" || fail "POST /orders with traceparent $tp"
	done
	stop "$pid" || fail "the service exited with status $?" # flushes spans and metrics
	trace_complete() { (($(trace_spans $sampled 'process order\.shipped') == 3)); }
	wait_for 30 "the sampled trace's spans at the Collector" trace_complete
	local name want got
	while IFS=: read -r want name; do
		got=$(trace_spans "$sampled" "$name")
		((got == want)) || fail "trace $sampled has $got spans '$name' at the Collector, want $want"
	done <<-'EOF'
		1:POST /orders
		1:try_emit order\.placed
		2:process order\.placed
		1:enqueue order\.shipped
		3:process order\.shipped
	EOF
	info "trace $sampled: $(grep -cE " $sampled [0-9a-f]{16}" "$tmp/collector.out") spans: the request, try_emit + 2 listener calls, enqueue + delivery + 2 listener calls"
	got=$(grep -cE " $unsampled [0-9a-f]{16}" "$tmp/collector.out" || true)
	((got == 0)) || fail "the not-sampled trace $unsampled has $got spans at the Collector"
	local line span
	for name in "stock reserved" "confirmation sent" "invoice issued"; do
		line=$(grep -m1 "msg=\"$name\" .*trace_id=$sampled" "$tmp/httpservice.err") ||
			fail "the listener's log line \"$name\" is not in trace $sampled"
		span=$(sed -n 's/.* span_id=\([0-9a-f]*\) .*/\1/p' <<<"$line")
		grep -qE "^process order\.(placed|shipped) $sampled $span" "$tmp/collector.out" ||
			fail "the listener logged \"$name\" with span $span, which is not a listener span of the trace"
	done
	grep -q "trace_id=$unsampled span_id=[0-9a-f]* sampled=false" "$tmp/httpservice.err" ||
		fail "the listeners of the not-sampled request did not see its trace"
	info "listeners logged with their spans; trace $unsampled (not sampled): no span"
	has_service_metrics() {
		# Into a file first: grep -q stops reading at its match, and under
		# pipefail curl's failed write (broken pipe) would fail the check.
		curl -fsS "http://127.0.0.1:$collector_prom/metrics" >"$tmp/service.metrics" &&
			grep -q '^signals_emissions_total{.*job="signalkit-httpservice".*signals_name="order.placed"' "$tmp/service.metrics"
	}
	wait_for 30 "the service's metrics on the Collector's Prometheus endpoint" has_service_metrics
	info "metrics: signals_emissions_total{job=\"signalkit-httpservice\"} at the Collector"
	done_step
}
check_trace_continuity

# --- 7c. across services over NATS ----------------------------------------

# check_nats_trace builds nats-server from its Go module (the version that
# natssignals/test's go.mod requires, the one natssignals is tested against) and the two services of examples/nats, runs
# them on 127.0.0.1 with the OpenTelemetry environment pointing at the
# Collector, posts an order with a sampled traceparent, and checks that one
# trace at the Collector holds the HTTP request, the emission and its
# listener calls, the publish, the worker's process span, its emission and
# its listener, and that the worker's listener logged with its span.
check_nats_trace() {
	step "across services: examples/nats order and worker services through a real nats-server, one trace at the Collector"
	(cd natssignals/test && GOWORK=off go build -o ../../bin/nats-server github.com/nats-io/nats-server/v2)
	go build -o "$tmp/order" ./examples/nats/order
	go build -o "$tmp/worker" ./examples/nats/worker
	info "bin/nats-server $(bin/nats-server --version 2>&1 | head -n 1)"
	local nats_port nats_mon order_port worker_port trace=5bf92f3577b34da6a3ce929d0e0e4736
	nats_port=$(free_port) nats_mon=$(free_port) order_port=$(free_port) worker_port=$(free_port)
	start nats bin/nats-server -a 127.0.0.1 -p "$nats_port" -m "$nats_mon" -js -sd "$tmp/nats-store"
	local nats_pid=$last_pid
	wait_for 30 "nats-server's /healthz with JetStream" http_ok "http://127.0.0.1:$nats_mon/healthz?js-enabled-only=true"
	local otel=(env OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$otlp_http" OTEL_BSP_SCHEDULE_DELAY=500)
	start worker "${otel[@]}" OTEL_SERVICE_NAME=signalkit-nats-worker \
		"$tmp/worker" -nats "nats://127.0.0.1:$nats_port" -listen "127.0.0.1:$worker_port"
	local worker_pid=$last_pid
	wait_for 30 "the worker's /healthz" http_ok "http://127.0.0.1:$worker_port/healthz"
	start order "${otel[@]}" OTEL_SERVICE_NAME=signalkit-nats-order \
		"$tmp/order" -nats "nats://127.0.0.1:$nats_port" -listen "127.0.0.1:$order_port"
	local order_pid=$last_pid
	wait_for 30 "the order service's /healthz" http_ok "http://127.0.0.1:$order_port/healthz"
	curl -fsS --max-time 5 -o /dev/null -X POST -H "traceparent: 00-$trace-00f067aa0ba902b7-01" \
		-d '{"id":"NATS-1","quantity":3}' "http://127.0.0.1:$order_port/orders" || fail "POST /orders to the order service"
	wait_for 30 "the worker shipping the order" grep -q "msg=\"order shipped\" order=NATS-1 .*trace_id=$trace" "$tmp/worker.err"
	stop "$order_pid" || fail "the order service exited with status $?" # flushes its spans
	stop "$worker_pid" || fail "the worker exited with status $?"
	grep -q 'msg="publisher closed" published=1' "$tmp/order.err" || fail "the order service did not report 1 message published"
	nats_trace_complete() { (($(trace_spans $trace 'process order\.received') == 1)); }
	wait_for 30 "the worker's spans of trace $trace at the Collector" nats_trace_complete
	local name want got
	while IFS=: read -r want name; do
		got=$(trace_spans "$trace" "$name")
		((got == want)) || fail "trace $trace has $got spans '$name' at the Collector, want $want"
	done <<-'EOF'
		1:POST /orders
		1:try_emit order\.placed
		2:process order\.placed
		1:publish orders\.placed
		1:process orders\.placed
		1:try_emit order\.received
		1:process order\.received
	EOF
	local line span
	line=$(grep -m1 "msg=\"order shipped\" .*trace_id=$trace" "$tmp/worker.err")
	span=$(sed -n 's/.* span_id=\([0-9a-f]*\) .*/\1/p' <<<"$line")
	grep -qE "^process order\.received $trace $span" "$tmp/collector.out" ||
		fail "the worker's listener logged with span $span, which is not its listener span in trace $trace"
	info "trace $trace: $(grep -cE " $trace [0-9a-f]{16}" "$tmp/collector.out") spans: the request, try_emit + 2 listener calls (validate, publish), publish; process, try_emit, listener in the worker"
	info "$(grep -o 'msg="subscriber closed".*' "$tmp/worker.err")"
	stop "$nats_pid" || fail "nats-server exited with status $?"
	done_step
}
check_nats_trace

# --- 8. stop -------------------------------------------------------------

step "stop the demo, the Collector and Prometheus"
stop "$demo2_pid" || fail "the demo exited with status $?"
grep -q 'msg=summary' "$tmp/demo2.err" || fail "the demo did not print its summary"
stop "$collector_pid" || fail "the Collector exited with status $?"
stop "$prometheus_pid" || fail "Prometheus exited with status $?"
done_step

printf '\ne2e: all checks passed in %ds\n' $((SECONDS - start_all))
