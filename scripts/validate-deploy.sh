#!/usr/bin/env bash
# Validates what deploy/ and docker-compose.yaml hold, without a network and
# without binding any address:
#
#   - docker-compose.yaml parses (docker-compose config -q) and the files it
#     mounts exist;
#   - the YAML files of deploy/ and examples/otel-collector/ parse;
#   - promtool check config on both Prometheus configurations, check rules and
#     test rules (the unit tests of the alert and recording rules);
#   - the Grafana dashboards are valid JSON, and deploy/queries.txt lists
#     exactly their queries and those of the rules; alerts have severity,
#     summary, description and a runbook_url whose anchor exists in
#     docs/runbook.md (go run ./deploy/internal/querycheck);
#   - if bin/otelcol-signalkit has been built (examples/otel-collector), the
#     Collector configurations validate with it.
#
# Needs Go, promtool and docker-compose (scripts/install-tools.sh). Runs every
# check, prints what failed, and exits non-zero if anything did.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
check() {
	local name=$1
	shift
	printf '== %s\n' "$name"
	if "$@"; then
		printf '   ok\n'
	else
		printf '   FAILED: %s\n' "$name"
		failed+=("$name")
	fi
}

for tool in go promtool docker-compose; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		printf 'validate-deploy: %s not found; run scripts/install-tools.sh\n' "$tool" >&2
		failed+=("$tool missing")
	fi
done

mounts_exist() {
	local ok=0 path
	# Host paths of the bind mounts: "- ./path:/container/path[:ro]".
	while read -r path; do
		if [[ ! -e $path ]]; then
			printf '   %s is mounted by docker-compose.yaml but does not exist\n' "$path"
			ok=1
		fi
	done < <(sed -n 's/^[[:space:]]*-[[:space:]]*\(\.\/[^:]*\):.*/\1/p' docker-compose.yaml)
	return $ok
}

yaml_parses() {
	# PyYAML comes with Debian's docker-compose; jq cannot read YAML.
	local py=/usr/bin/python3
	[[ -x $py ]] || py=python3
	"$py" - "$@" <<'PY'
import sys, yaml
ok = True
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            yaml.safe_load(f)
    except Exception as e:
        print(f"   {path}: {e}")
        ok = False
sys.exit(0 if ok else 1)
PY
}

json_parses() {
	local ok=0 f
	for f in deploy/grafana/dashboards/*.json; do
		if command -v jq >/dev/null 2>&1; then
			jq empty "$f" || ok=1
		fi
	done
	return $ok # querycheck decodes them too, with encoding/json
}

collector_configs() {
	local bin=bin/otelcol-signalkit
	if [[ ! -x $bin ]]; then
		printf '   skipped: %s not built (cd examples/otel-collector && GOWORK=off go build -o ../../bin/otelcol-signalkit .)\n' "$bin"
		return 0
	fi
	"$bin" validate --config examples/otel-collector/config.yaml &&
		"$bin" validate --config examples/otel-collector/config.docker.yaml
}

check "docker-compose config" docker-compose -f docker-compose.yaml config -q
check "docker-compose mounts exist" mounts_exist
check "YAML parses" yaml_parses docker-compose.yaml deploy/prometheus/*.yml \
	deploy/grafana/provisioning/*/*.yml examples/otel-collector/*.yaml
check "promtool check config prometheus.yml" promtool check config deploy/prometheus/prometheus.yml
check "promtool check config prometheus.docker.yml" promtool check config deploy/prometheus/prometheus.docker.yml
check "promtool check rules" promtool check rules deploy/prometheus/recording.yml deploy/prometheus/alerts.yml
check "promtool test rules" promtool test rules deploy/prometheus/alerts_test.yml
check "dashboard JSON" json_parses
check "queries.txt, dashboards, rules and runbook agree" go run ./deploy/internal/querycheck
check "Collector configurations" collector_configs

if ((${#failed[@]} > 0)); then
	printf '\nvalidate-deploy: %d failed:\n' "${#failed[@]}"
	printf '  - %s\n' "${failed[@]}"
	exit 1
fi
printf '\nvalidate-deploy: all checks passed\n'
