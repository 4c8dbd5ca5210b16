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

# shellcheck source=scripts/lib/duration.sh
source scripts/lib/duration.sh

d=${1:-2m}
secs=$(seconds "$d")
race=(-race)
[[ ${SOAK_RACE:-1} == 0 ]] && race=()
# The tests stop by themselves after the duration; the timeout only catches a
# deadlock, and then prints every goroutine's stack.
go test "${race[@]}" -count=1 -v -run '^(TestSoak|TestChaos)$' -timeout "$((secs + 600))s" \
	./verify/soak -soak.duration "${secs}s"
