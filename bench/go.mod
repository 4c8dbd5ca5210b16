module github.com/signalkit/sdk/bench

go 1.26.0

replace github.com/signalkit/sdk => ..

replace github.com/signalkit/sdk/signals => ../signals

require (
	github.com/asaskevich/EventBus v0.0.0-20200907212545-49d423059eef
	github.com/gookit/event v1.1.2
	github.com/kelindar/event v1.5.2
	github.com/maniartech/signals v1.3.1
	github.com/signalkit/sdk v0.2.0
	github.com/signalkit/sdk/signals v0.2.0
	go.opentelemetry.io/otel/sdk v1.47.0
	go.opentelemetry.io/otel/sdk/metric v1.47.0
	go.uber.org/goleak v1.3.0
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da
)

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-logr/logr v1.4.4 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
	go.opentelemetry.io/otel/log v1.47.0 // indirect
	go.opentelemetry.io/otel/metric v1.47.0 // indirect
	go.opentelemetry.io/otel/trace v1.47.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

tool golang.org/x/perf/cmd/benchstat
