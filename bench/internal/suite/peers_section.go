package suite

import (
	"context"
	"strings"

	"github.com/signalkit/sdk/bench/internal/peers"
)

// Peers: package signals beside other Go event libraries and reference
// designs (bench/internal/peers), in the paired rounds of their go test
// benchmarks, and their memory per listener measured in process.

type peersResults struct {
	gotest *goTestResults // the rounds of bench/internal/peers
	memory []peerMemory
}

type peerMemory struct {
	Impl  *peers.Impl
	N     int
	Bytes float64 // per listener: live heap and goroutine stacks
}

func (s *Suite) runPeers(ctx context.Context) error {
	g, err := s.goTestRounds(ctx, []*goTestPkg{
		{Name: "peers", Module: "bench", Pkg: "./internal/peers", Dir: "bench/internal/peers", Bench: "."},
	})
	if err != nil {
		return err
	}
	r := &peersResults{gotest: g}
	s.peers = r
	return s.peerMemory(ctx, r)
}

// peerMemory measures the bytes per listener of every implementation of
// peers.Memory: memN listeners, or memKeyedN keyed ones (adding a keyed
// listener to package signals copies its key index).
func (s *Suite) peerMemory(ctx context.Context, r *peersResults) error {
	for _, im := range peers.Memory() {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := s.sz.memN
		if strings.HasSuffix(im.Name, "keyed") {
			n = s.sz.memKeyedN
		}
		m := peerMemory{Impl: im, N: n, Bytes: im.BytesPerListener(n)}
		r.memory = append(r.memory, m)
		s.logf("peers memory %-20s %.1f B/listener (n=%d)", im.Name, m.Bytes, n)
	}
	return nil
}
