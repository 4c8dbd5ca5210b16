// Package soak holds the stress, soak and chaos tests of package signals:
// many goroutines emitting, enqueueing, adding and removing listeners at once
// on synchronous and asynchronous signals, with failures, panics, cancelled
// contexts, listeners that block past their deadlines and listeners that call
// back into their signal, checked at the end by exact per-emission accounting,
// memory and goroutine counts.
//
// By default each test runs for a few seconds. The -soak.duration flag sets
// how long the package runs in total, split between TestSoak and TestChaos:
//
//	go test ./verify/soak -run 'TestSoak|TestChaos' -soak.duration 1h -timeout 0
//
// scripts/soak.sh in the repository does this; docs/testing.md describes what
// the tests prove.
package soak
