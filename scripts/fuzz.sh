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

failed=()
for t in "${targets[@]}"; do
	read -r mod pkg name <<<"$t"
	printf '\n=== %s %s (%ds)\n' "$pkg" "$name" "$per"
	start=$SECONDS
	if (cd "$mod" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "${per}s" "$pkg"); then
		printf '=== ok %s (%ds)\n' "$name" $((SECONDS - start))
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
