package superopt

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/hd"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/stoke"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/timing"
)

// BenchmarkSpeedupO3 superoptimizes all 25 programs (STOKE's weighted
// move, 1M proposals each with a restart every 100k, seed 1, z3 limited
// to 5 s per query), then times
// the proved rewrite, the naive target and gcc -O3 side by side. Run with
// -benchtime 1x; it reports the speedup over -O3 per program (median of
// the per-run ratios over 151 interleaved runs, see Speedup.OverO3) and
// their geometric mean, and logs the table.
func BenchmarkSpeedupO3(b *testing.B) {
	if testing.Short() {
		b.Skip("long")
	}
	var names []string
	for _, t := range hd.All() {
		names = append(names, t.Name)
	}
	cfg := SpeedupConfig{
		Search: stoke.Config{Move: stoke.MoveWeighted, Proposals: 1_000_000, Restart: 100_000, Seed: 1, VerifyTimeout: 5 * time.Second},
		Timing: timing.Config{Iterations: 100_000, Runs: 151},
	}
	for range b.N {
		res, err := MeasureSpeedups(context.Background(), names, cfg)
		if err != nil {
			b.Fatal(err)
		}
		logSum := 0.0
		for _, s := range res {
			b.ReportMetric(s.OverO3, s.Benchmark+"-x-o3")
			logSum += math.Log(s.OverO3)
		}
		b.ReportMetric(math.Exp(logSum/float64(len(res))), "geomean-x-o3")
		b.Log("\n" + Table(res))
	}
}
