#!/usr/bin/env bash
# Runs every fuzz target of the repository, one after another, for a total
# time split evenly between them (at least 5s each).
#
#   scripts/fuzz.sh 60s     CI: one minute in total
#   scripts/fuzz.sh 4h      on demand
#
# Targets are found, not listed: every FuzzXxx that `go test -list` reports in
# any package of any module (the core module and the root one, and any module
# added later). A failing input is written by go test to the package's
# testdata/fuzz/FuzzXxx directory, where it becomes a regression test of the
# ordinary `go test` run once committed.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/duration.sh
source scripts/lib/duration.sh

total=$(seconds "${1:-60s}")

# Collect "module-dir package target" triples. `go test -list` prints the
# matching names of a package and then its "ok" line.
targets=()
while read -r mod; do
	names=()
	while read -r line; do
		if [[ $line =~ ^Fuzz[A-Za-z0-9_]*$ ]]; then
			names+=("$line")
		elif [[ $line =~ ^ok[[:space:]]+([^[:space:]]+) ]]; then
			for name in "${names[@]}"; do
				targets+=("$mod ${BASH_REMATCH[1]} $name")
			done
			names=()
		fi
	done < <(cd "$mod" && go test -list '^Fuzz' ./... 2>&1)
done < <(find . -name go.mod -not -path '*/testdata/*' -not -path '*/.*/*' -not -path './examples/otel-collector/*' -not -path './internal/tools/multimod/*' -printf '%h\n' | sed 's|^\./||' | sort)

if ((${#targets[@]} == 0)); then
	echo "no fuzz targets found" >&2
	exit 1
fi
per=$((total / ${#targets[@]}))
((per < 5)) && per=5
echo "${#targets[@]} fuzz targets, ${per}s each:"
printf '  %s\n' "${targets[@]}"

# Go's fuzzing coordinator up to Go 1.26 can fail a run that found nothing: when
# the -fuzztime deadline expires while a worker is in the middle of an input,
# the deadline's error can escape the check that treats it as the normal end
# (golang/go#75804, fixed in Go 1.27). Such a run prints exactly "context
# deadline exceeded" as its failure and writes no failing input. A run that
# failed that way is reported, not counted; any other failure, and any failure
# that wrote an input, fails the script. A count budget (-fuzztime Nx) would
# avoid the race too, but the targets run from 400 to 20,000 inputs a second,
# so a count would not hold the time split this script promises.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# A target without a testdata directory yet has no inputs.
inputs() { if [[ -d $1 ]]; then find "$1" -type f | sort; fi; }

failed=()
for t in "${targets[@]}"; do
	read -r mod pkg name <<<"$t"
	printf '\n=== %s %s (%ds)\n' "$pkg" "$name" "$per"
	start=$SECONDS
	dir=$(cd "$mod" && go list -f '{{.Dir}}' "$pkg")/testdata/fuzz/$name
	before=$(inputs "$dir")
	if (cd "$mod" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "${per}s" "$pkg") 2>&1 | tee "$out"; then
		printf '=== ok %s (%ds)\n' "$name" $((SECONDS - start))
	elif [[ $(inputs "$dir") == "$before" ]] &&
		[[ $(grep -A1 -- "^--- FAIL: $name " "$out" | tail -n1) == $'    context deadline exceeded' ]] &&
		(($(grep -c -- '^--- FAIL' "$out") == 1)); then
		printf '=== ok %s (%ds): no failing input; the run ended on golang/go#75804, not on a finding\n' "$name" $((SECONDS - start))
	else
		failed+=("$pkg $name")
	fi
done
if ((${#failed[@]} > 0)); then
	echo
	echo "fuzz targets that failed:"
	printf '  - %s\n' "${failed[@]}"
	exit 1
fi
echo
echo "fuzzing passed (${SECONDS}s)"
