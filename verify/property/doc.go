// Package property holds property-based tests of package signals: random
// sequences of operations, generated and shrunk by pgregory.net/rapid, run
// against SyncSignal and AsyncSignal through their public API and checked
// against a simple model after every operation, and random concurrent
// operations checked against the guarantees of the package documentation
// after every round.
//
// The package has no code besides its tests; docs/testing.md in the
// repository describes what they prove and how to run them for longer.
package property
