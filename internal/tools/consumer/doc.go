// Package consumer tests the repository's modules as a user meets them: in a
// fresh module of its own, with no workspace and no replace directive, getting
// them with `go get` at their release versions from a module proxy.
//
// The proxy is a directory written by package release from the working tree
// (GOPROXY=file://…, before the usual proxy): what the tags of versions.yaml
// would serve. The tests check that a program builds and runs against each
// module, that the core's users get nothing but the core, and that the
// instrumentation's users get no more modules than otelhttp's, and none of the
// SDK, the exporters, grpc, the Prometheus client or a test library, and that
// the NATS bridge's users get the NATS client and none of these, nor the NATS
// server its tests run.
package consumer
