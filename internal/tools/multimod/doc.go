// Package multimod holds no code: its module pins the version of
// go.opentelemetry.io/build-tools/multimod, the release tool that
// scripts/release.sh runs with `go tool multimod` (see docs/releasing.md).
// It is a module of its own, outside go.work, so that the tool's
// dependencies stay out of every other module's go.sum. This file makes it a
// package, so that `go vet ./...` and the other per-module checks have
// something to look at instead of failing on an empty module.
package multimod
