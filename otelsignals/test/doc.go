// Package test holds the tests of package otelsignals that need the
// OpenTelemetry SDK: in-memory metric readers and span recorders.
//
// It is a module of its own, as in the OpenTelemetry Go contrib repository
// (instrumentation/net/http/otelhttp/test): the module of otelsignals requires
// only the OpenTelemetry API, so that its users' builds never see the SDK or a
// test library through it. The tests use otelsignals from outside, through its
// exported API; `scripts/ci-gates.sh` measures the coverage they give it with
// -coverpkg.
package test
