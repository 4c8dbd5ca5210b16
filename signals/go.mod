module github.com/signalkit/sdk/signals

go 1.24
