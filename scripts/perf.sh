#!/usr/bin/env bash
# The performance suite (bench/cmd/sigbench), in one command.
#
#   scripts/perf.sh                 the full suite: measures on this machine and writes
#                                   docs/performance.md and docs/perf/*.svg
#   scripts/perf.sh -short          every measurement at tiny sizes, into a temporary
#                                   directory (what CI runs: the suite must not rot)
#   scripts/perf.sh -only latency   some sections (comma-separated: gotest, peers, latency,
#                                   throughput, scaling, resources, contention, overhead),
#                                   into a temporary directory unless -out is given
#
# Other flags go to sigbench (-out DIR, -work DIR; see go run ./bench/cmd/sigbench -h).
# The numbers are only worth comparing on a quiet machine: the script warns when the
# 1-minute load average is above 0.3. benchstat is the bench module's pinned tool
# (go tool benchstat, from bench/go.mod): nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

short=false
has_out=false
has_only=false
for arg in "$@"; do
	case $arg in
	-short | --short) short=true ;;
	-out | --out | -out=* | --out=*) has_out=true ;;
	-only | --only | -only=* | --only=*) has_only=true ;;
	esac
done

log() { printf 'perf.sh: %s\n' "$*" >&2; }

extra=()
if ! $has_out; then
	if $short || $has_only; then
		out=$(mktemp -d "${TMPDIR:-/tmp}/signalkit-perf.XXXXXX")
		extra+=(-out "$out")
		log "writing the report into $out (not docs/: a short or partial run)"
	else
		extra+=(-out docs)
	fi
fi

if [[ -r /proc/loadavg ]]; then
	load=$(cut -d' ' -f1 /proc/loadavg)
	if awk -v l="$load" 'BEGIN { exit !(l >= 0.3) }'; then
		log "WARNING: 1-minute load average is $load (>= 0.3): other work shares the CPU, and the report will be marked PRELIMINARY"
	fi
fi

bin=$(mktemp -d "${TMPDIR:-/tmp}/sigbench-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/sigbench" ./bench/cmd/sigbench

start=$SECONDS
# ${extra[@]+...}: an empty array is "unbound" under set -u before bash 4.4.
"$bin/sigbench" -command "scripts/perf.sh $*" ${extra[@]+"${extra[@]}"} "$@"
log "done in $((SECONDS - start))s"
