#!/usr/bin/env bash
# The release procedure's checks (docs/releasing.md).
#
#   scripts/release.sh check    versions.yaml is valid (multimod verify), every
#                               requirement between the modules agrees with it, and
#                               the tags a release would push (what CI runs)
#   scripts/release.sh tags     only the tags, one a line
#
# multimod (go.opentelemetry.io/build-tools/multimod, OpenTelemetry's release
# tool) is a tool of the module internal/tools/multimod, kept out of go.work so
# that its dependencies never mix with the library's.
set -euo pipefail
cd "$(dirname "$0")/.."

release() { go run ./internal/tools/cmd/release "$@"; }

case ${1:-check} in
check)
	echo "+ multimod verify"
	(cd internal/tools/multimod && GOWORK=off go tool multimod verify --versioning-file ../../../versions.yaml)
	echo "+ release check"
	release check
	echo "+ release tags: a release of versions.yaml pushes"
	release tags | sed 's/^/    /'
	;;
tags)
	release tags
	;;
*)
	echo "usage: scripts/release.sh [check | tags]" >&2
	exit 2
	;;
esac
