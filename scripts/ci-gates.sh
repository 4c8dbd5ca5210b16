#!/usr/bin/env bash
# Quality gates: statement coverage, staticcheck, gosec, and the dependency
# rules of the modules. Runs every gate, prints what failed, and exits non-zero
# if any did.
#
#   scripts/ci-gates.sh
#
# The tools run with `go run pkg@version`: pinned, fetched through the Go
# module proxy with their own go.mod and go.sum, and required by none of our
# modules (the core module keeps no requirements at all).
#
# Environment: COVERAGE_MIN (default 95) is the minimum statement coverage of
# each covered package.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOSEC=github.com/securego/gosec/v2/cmd/gosec@v2.30.0
COVERAGE_MIN=${COVERAGE_MIN:-95}
# Packages whose statement coverage is gated, as directories of the repository.
COVERED=(signals signals/signalstest otelsignals otelsignals/otelsignalstest sampling semconv config natssignals signalz)
# Test packages in other modules that cover a gated package, by its directory:
# otelsignals' tests that need the OpenTelemetry SDK live in the module
# otelsignals/test, since the instrumentation's module requires only the API;
# natssignals' tests that need a nats-server, the SDK or goleak live in the
# module natssignals/test, since the bridge's module requires only the API and
# the NATS client.
declare -A COVERED_FROM=([otelsignals]=./otelsignals/test [natssignals]=./natssignals/test)
# The modules that the packages of the instrumentation's module (the root:
# otelsignals, semconv, sampling) and their tests may import: this repository's
# core and root, and the OpenTelemetry API with what it imports itself.
API_ONLY_MODULES=(
	github.com/signalkit/sdk
	github.com/signalkit/sdk/signals
	go.opentelemetry.io/otel
	go.opentelemetry.io/otel/metric
	go.opentelemetry.io/otel/trace
	go.opentelemetry.io/otel/log
	go.opentelemetry.io/auto/sdk
	github.com/go-logr/logr
	github.com/go-logr/stdr
	github.com/cespare/xxhash/v2
)
# The modules that the bridge's module (natssignals) and its own tests may
# import: those of the instrumentation, the module itself, and the NATS client
# with what it imports itself. The server, the SDK and goleak belong to
# natssignals/test.
NATS_MODULES=(
	"${API_ONLY_MODULES[@]}"
	github.com/signalkit/sdk/natssignals
	github.com/nats-io/nats.go
	github.com/nats-io/nkeys
	github.com/nats-io/nuid
	github.com/klauspost/compress
	golang.org/x/crypto
	golang.org/x/sys
)
CORE=github.com/signalkit/sdk/signals

# gosec exclusions by path, for findings that are a design decision for the
# whole file or directory rather than a defect. Each entry is "path regex:rules".
# Anything narrower belongs next to the code, as `#nosec G123 -- reason`
# (justification and rule ID are required, see the flags below).
GOSEC_EXCLUDE=(
	# G304 (file path from a variable): reading the file its caller names is
	# what a config loader and the query-check tool are for.
	'config/.*:G304'
	'deploy/internal/querycheck/.*:G304'
	# The benchmark harness: G204 (subprocess with variable arguments), because
	# running `go test -c` binaries and benchstat is its job; G304 (file path
	# from a variable), because it reads and writes the paths it is given;
	# G301/G306 (permissions of created directories and files), because its
	# reports are artifacts meant to be read by anyone, like go test's output.
	'bench/.*:G204,G301,G304,G306'
	# G404 (weak random numbers): a sampler needs a fast, uniform decision, not
	# an unpredictable one; math/rand/v2 is the right generator.
	'sampling/.*:G404'
)

failures=()
fail() {
	failures+=("$1")
	printf 'FAIL: %s\n' "$1" >&2
}
section() {
	printf '\n--- %s\n' "$1"
	section_start=$SECONDS
}
took() { printf '    (%ds)\n' $((SECONDS - section_start)); }

# cover writes the coverage profile of package directory $1 to $2: the
# statements of that package covered by its own tests and by the test packages
# of COVERED_FROM (go.work makes the modules one workspace).
cover() {
	local pkg
	pkg=$(go list "./$1")
	# shellcheck disable=SC2086 # COVERED_FROM holds a list of packages
	go test -count=1 -coverpkg="$pkg" -coverprofile="$2" "./$1" ${COVERED_FROM[$1]:-}
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The modules of the repository: every go.mod outside testdata and hidden
# directories, but the one that only pins the release tool.
mapfile -t modules < <(find . -name go.mod -not -path '*/testdata/*' -not -path '*/.*/*' -not -path './internal/tools/multimod/*' -printf '%h\n' | sed 's|^\./||' | sort)

section "statement coverage (minimum ${COVERAGE_MIN}% per package)"
for pkg in "${COVERED[@]}"; do
	# A listed package that is missing is a failure, not a skip: a package
	# moved or renamed must not leave the gate unnoticed.
	if [[ ! -d $pkg ]] || ! compgen -G "$pkg/*.go" >/dev/null; then
		fail "coverage: package $pkg, listed in COVERED, does not exist (moved or renamed? update COVERED in $0)"
		continue
	fi
	profile=$tmp/${pkg//\//_}.out
	if ! cover "$pkg" "$profile" >"$tmp/cover.log" 2>&1; then
		cat "$tmp/cover.log" >&2
		fail "coverage: the tests of $pkg failed"
		continue
	fi
	pct=$(go tool cover -func="$profile" | awk '$1 == "total:" { sub("%", "", $3); print $3 }')
	if awk -v p="$pct" -v m="$COVERAGE_MIN" 'BEGIN { exit !(p >= m) }'; then
		printf '%-12s %6s%%  ok\n' "$pkg" "$pct"
	else
		printf '%-12s %6s%%  below %s%%\n' "$pkg" "$pct" "$COVERAGE_MIN"
		go tool cover -func="$profile" | awk '$3 != "100.0%"' | sort -t$'\t' -k3 -n | head -15
		fail "coverage: $pkg has ${pct}% of statements covered, below ${COVERAGE_MIN}%"
	fi
done
took

section "staticcheck ($STATICCHECK) on every module"
for mod in "${modules[@]}"; do
	echo "+ staticcheck ($mod)"
	# GOWORK=off: each module as its users build it (and the Collector's
	# module is not in go.work).
	if ! (cd "$mod" && GOWORK=off go run "$STATICCHECK" ./...); then
		fail "staticcheck: findings in module $mod"
	fi
done
took

section "gosec ($GOSEC) on every module"
exclude_rules=$(IFS=';'; echo "${GOSEC_EXCLUDE[*]}")
for mod in "${modules[@]}"; do
	echo "+ gosec ($mod)"
	if ! (cd "$mod" && GOWORK=off go run "$GOSEC" -quiet -color=false -nosec-require-rules -nosec-require-justification \
		-exclude-rules="$exclude_rules" ./...); then
		fail "gosec: findings in module $mod"
	fi
done
took

section "the core module imports only the standard library"
# Every package outside the standard library must belong to the core module
# itself; -test: its tests, too, must need nothing else.
if ! deps=$(cd signals && go list -deps -test -f '{{if not .Standard}}{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}{{end}}' ./... 2>"$tmp/list.log"); then
	cat "$tmp/list.log" >&2
	fail "deps: go list failed in the core module"
else
	bad=$(awk -v core="$CORE" '$NF != core' <<<"$deps")
	if [[ -n $bad ]]; then
		printf '%s\n' "$bad" >&2
		fail "deps: the core module imports packages outside the standard library"
	else
		echo "ok: $(wc -l <<<"$deps") non-standard entries, all of them the core module's own packages and tests"
	fi
fi
if grep -qE '^[[:space:]]*require' signals/go.mod; then
	fail "deps: signals/go.mod has a require directive"
elif [[ $(cd signals && GOWORK=off go list -m all | wc -l) -ne 1 ]]; then
	fail "deps: the core module's build list is not the module alone: $(cd signals && GOWORK=off go list -m all | tr '\n' ' ')"
else
	echo "ok: signals/go.mod requires nothing"
fi

section "the instrumentation's module imports and requires only the OpenTelemetry API"
# Without the workspace, as a user's build sees the module; -test: its tests,
# too, must need nothing else (those that need the SDK live in otelsignals/test).
if ! deps=$(GOWORK=off go list -deps -test -f '{{if not .Standard}}{{with .Module}}{{.Path}}{{end}}{{end}}' ./... 2>"$tmp/list.log"); then
	cat "$tmp/list.log" >&2
	fail "deps: go list failed in the root module"
else
	bad=$(sort -u <<<"$deps" | grep -vxF -f <(printf '%s\n' "${API_ONLY_MODULES[@]}") || true)
	if [[ -n $bad ]]; then
		printf '%s\n' "$bad" >&2
		fail "deps: the root module (otelsignals, semconv, sampling) imports packages of modules beyond the OpenTelemetry API"
	else
		echo "ok: packages and tests import only $(sort -u <<<"$deps" | wc -l) modules, all of them allowed"
	fi
fi
direct=$(GOWORK=off go list -m -f '{{if not .Main}}{{if not .Indirect}}{{.Path}}{{end}}{{end}}' all)
bad=$(grep -vxF -f <(printf '%s\n' "${API_ONLY_MODULES[@]}") <<<"$direct" || true)
if [[ -n $bad ]]; then
	printf '%s\n' "$bad" >&2
	fail "deps: go.mod of the root module requires modules beyond the OpenTelemetry API"
else
	echo "ok: go.mod requires $(wc -l <<<"$direct") modules directly: $(tr '\n' ' ' <<<"$direct")"
fi

section "the bridge's module imports and requires only the OpenTelemetry API and the NATS client"
# As the root module's gate: without the workspace, its tests included.
if ! deps=$(cd natssignals && GOWORK=off go list -deps -test -f '{{if not .Standard}}{{with .Module}}{{.Path}}{{end}}{{end}}' ./... 2>"$tmp/list.log"); then
	cat "$tmp/list.log" >&2
	fail "deps: go list failed in the natssignals module"
else
	bad=$(sort -u <<<"$deps" | grep -vxF -f <(printf '%s\n' "${NATS_MODULES[@]}") || true)
	if [[ -n $bad ]]; then
		printf '%s\n' "$bad" >&2
		fail "deps: natssignals imports packages of modules beyond the OpenTelemetry API and the NATS client"
	else
		echo "ok: packages and tests import only $(sort -u <<<"$deps" | wc -l) modules, all of them allowed"
	fi
fi
direct=$(cd natssignals && GOWORK=off go list -m -f '{{if not .Main}}{{if not .Indirect}}{{.Path}}{{end}}{{end}}' all)
bad=$(grep -vxF -f <(printf '%s\n' "${NATS_MODULES[@]}") <<<"$direct" || true)
if [[ -n $bad ]]; then
	printf '%s\n' "$bad" >&2
	fail "deps: natssignals/go.mod requires modules beyond the OpenTelemetry API and the NATS client"
else
	echo "ok: go.mod requires $(wc -l <<<"$direct") modules directly: $(tr '\n' ' ' <<<"$direct")"
fi

echo
if ((${#failures[@]} > 0)); then
	echo "${#failures[@]} gate(s) failed:"
	printf '  - %s\n' "${failures[@]}"
	exit 1
fi
echo "all gates passed (${SECONDS}s)"
