#!/usr/bin/env bash
# Runs the whole test suite of the core module and the root module under the
# race detector N times, each run in fresh test processes (so the goroutine
# leak checks of every TestMain run every time), and stops at the first
# failure.
#
#   scripts/race-repeat.sh 20
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-10}
if [[ ! $n =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: scripts/race-repeat.sh N" >&2
	exit 2
fi
for i in $(seq 1 "$n"); do
	start=$SECONDS
	printf '=== run %d of %d\n' "$i" "$n"
	if ! go test -race -count=1 github.com/signalkit/sdk/...; then
		printf '=== run %d of %d FAILED\n' "$i" "$n" >&2
		exit 1
	fi
	printf '=== run %d of %d ok (%ds)\n' "$i" "$n" $((SECONDS - start))
done
echo "the suite passed $n times under -race (${SECONDS}s)"
