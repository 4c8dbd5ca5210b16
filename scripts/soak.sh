#!/usr/bin/env bash
# Runs the soak and chaos tests (package verify/soak) for a total duration,
# half each, under the race detector.
#
#   scripts/soak.sh 2m      CI
#   scripts/soak.sh 1h      on demand: an hour of sustained load
#
# SOAK_RACE=0 runs without the race detector, for the most load per second.
# The default `go test ./...` runs the same tests for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

# seconds converts a Go-style duration of hours, minutes and seconds (90s, 2m,
# 4h, 1h30m) to whole seconds.
seconds() {
	local d=$1 total=0 n unit
	if [[ ! $d =~ ^([0-9]+[hms])+$ ]]; then
		echo "not a duration: $d (use forms like 90s, 2m, 4h, 1h30m)" >&2
		return 1
	fi
	while [[ $d =~ ^([0-9]+)([hms])(.*)$ ]]; do
		n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]} d=${BASH_REMATCH[3]}
		case $unit in
		h) total=$((total + 10#$n * 3600)) ;;
		m) total=$((total + 10#$n * 60)) ;;
		s) total=$((total + 10#$n)) ;;
		esac
	done
	echo "$total"
}

d=${1:-2m}
secs=$(seconds "$d")
race=(-race)
[[ ${SOAK_RACE:-1} == 0 ]] && race=()
# The tests stop by themselves after the duration; the timeout only catches a
# deadlock, and then prints every goroutine's stack.
go test "${race[@]}" -count=1 -v -run '^(TestSoak|TestChaos)$' -timeout "$((secs + 600))s" \
	./verify/soak -soak.duration "${secs}s"
