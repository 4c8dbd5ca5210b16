module github.com/signalkit/sdk/verify

go 1.26.0

replace github.com/signalkit/sdk/signals => ../signals

require (
	github.com/signalkit/sdk/signals v0.2.0
	go.uber.org/goleak v1.3.0
	pgregory.net/rapid v1.3.0
)
