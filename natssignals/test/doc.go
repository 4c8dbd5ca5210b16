// Package test holds the tests of package natssignals that need a NATS
// server, the OpenTelemetry SDK or goleak: they start an embedded
// nats-server (github.com/nats-io/nats-server/v2) with JetStream on
// 127.0.0.1 and a temporary directory, and stop it.
//
// It is a module of its own, as otelsignals/test is: the module of
// natssignals requires only this repository's modules, the OpenTelemetry
// API and the NATS client, so that its users' builds never see the server,
// the SDK or a test library through it. The tests use natssignals from
// outside, through its exported API (and the fault injection of
// natssignals/internal/testhook); scripts/ci-gates.sh measures the coverage
// they give it with -coverpkg. The benchmarks, beside raw nats.go, are here
// too.
package test
