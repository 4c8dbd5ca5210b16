module github.com/signalkit/sdk

go 1.26.0

require github.com/signalkit/sdk/signals v0.0.0

replace github.com/signalkit/sdk/signals => ./signals
