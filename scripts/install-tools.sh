#!/usr/bin/env bash
# Installs the tools the deploy checks, the end-to-end test and the browser
# test need besides Go, from Debian/Ubuntu packages, and prints their versions:
#
#   prometheus      /usr/bin/prometheus and /usr/bin/promtool
#   docker-compose  1.x (Python), enough for "docker-compose config -q"; no
#                   Docker engine is installed (--no-install-recommends)
#   chromium        /usr/bin/chromium, which the introspection page's browser
#                   test (examples/demo) drives headless through chromedp
#   gcc, libc6-dev  only if the C compiler that cgo uses (`go env CC`) is
#                   missing: the race detector (`go test -race`, the README's
#                   test command) needs cgo, and without a C compiler go test
#                   fails with "-race requires cgo". libc6-dev holds the C
#                   library's headers, which gcc only recommends.
#
# Idempotent: packages whose commands are present are skipped. Runs as root,
# or through sudo otherwise. The packaged Prometheus service is neither started
# nor left enabled: tests start their own Prometheus on 127.0.0.1.
set -euo pipefail

log() { printf 'install-tools: %s\n' "$*"; }

packages=()
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
	packages+=(prometheus)
fi
if ! command -v docker-compose >/dev/null 2>&1; then
	packages+=(docker-compose)
fi
if ! command -v chromium >/dev/null 2>&1; then
	packages+=(chromium)
fi
# The compiler cgo runs: `go env CC` (gcc unless CC says otherwise), its first
# word, since CC may carry flags.
cc=$(go env CC 2>/dev/null || true)
cc=${cc%% *}
cc=${cc:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
	log "no C compiler: '$cc' (go env CC) is not on the PATH, and go test -race needs cgo, which needs one; installing gcc"
	packages+=(gcc libc6-dev)
fi

if ((${#packages[@]} > 0)); then
	if [[ $(id -u) -eq 0 ]]; then
		as_root=()
	elif command -v sudo >/dev/null 2>&1; then
		as_root=(sudo)
	else
		log "need root or sudo to install: ${packages[*]}" >&2
		exit 1
	fi

	# Keep maintainer scripts from starting services (a Prometheus on :9090)
	# while the packages install, unless the system already has a policy.
	policy=/usr/sbin/policy-rc.d
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
		"${as_root[@]}" chmod 755 "$policy"
		trap '"${as_root[@]}" rm -f "$policy"' EXIT
	fi

	log "installing ${packages[*]}"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"

	# On a host running systemd, make sure the packaged service stays off.
	if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
		"${as_root[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
	fi
else
	log "prometheus, promtool, docker-compose, chromium and a C compiler ($cc) already installed"
fi

log "versions:"
prometheus --version 2>&1 | head -n 1
promtool --version 2>&1 | head -n 1
docker-compose version --short 2>/dev/null || docker-compose --version
chromium --version 2>/dev/null | head -n 1
"$cc" --version 2>/dev/null | head -n 1
