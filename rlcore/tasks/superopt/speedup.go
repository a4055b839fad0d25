package superopt

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/hd"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/stoke"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/timing"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// Speedup is the measured outcome of superoptimizing one benchmark.
type Speedup struct {
	Benchmark string
	// Rewrite is the z3-proved result (the target when nothing better was
	// proved).
	Rewrite x86.Program
	// Latencies under the cost model.
	TargetLatency, RewriteLatency, O3Latency int
	// Measured median nanoseconds per call (chained calls, see timing).
	NsTarget, NsRewrite, NsO3 float64
	// OverO3 is the speedup over gcc -O3: the median over the timed runs of
	// (gcc -O3's time / the rewrite's time) within the same run (runs are
	// interleaved, so each ratio compares measurements taken a fraction of
	// a millisecond apart and slow changes of the machine's load cancel).
	// Above 1 the rewrite beats gcc -O3.
	OverO3 float64
	// OverO3Min is the ratio of the fastest runs.
	OverO3Min float64
	// OverO0 is the speedup over the naive target, computed like OverO3.
	OverO0 float64
	Search *stoke.Result
}

// SpeedupConfig configures MeasureSpeedups.
type SpeedupConfig struct {
	Search stoke.Config // per benchmark (Move, budget, restarts, seed)
	Timing timing.Config
	// Observer receives an EpisodeEnd event per benchmark (Quality =
	// measured speedup over -O3).
	Observer rlcore.Observer
}

// MeasureSpeedups superoptimizes each benchmark with the STOKE search,
// keeps the proved rewrite, and times it beside the naive target and gcc
// -O3's compilation of the C specification on this machine. Cancelling
// ctx returns the benchmarks finished so far.
func MeasureSpeedups(ctx context.Context, benchmarks []string, cfg SpeedupConfig) ([]Speedup, error) {
	var out []Speedup
	for _, name := range benchmarks {
		if ctx.Err() != nil {
			return out, nil
		}
		t, err := hd.Lookup(name)
		if err != nil {
			return out, err
		}
		spec := stoke.Spec{LiveIn: t.LiveIn, LiveOut: t.LiveOut, OutWidth: t.OutWidth}
		sc := cfg.Search
		sc.Run = name
		res, err := stoke.Search(ctx, spec, t.Code, sc)
		if err != nil {
			return out, fmt.Errorf("%s: %w", name, err)
		}
		o3, _, err := timing.CompileO3(ctx, t.C, t.Name)
		o3Lat := 0
		if err != nil {
			slog.Warn("superopt: gcc -O3 code outside the subset; its model latency is unknown", "benchmark", name, "err", err)
		} else {
			o3Lat = o3.Latency()
		}
		fns := []timing.Function{{Name: name + "_target", Code: t.Code}, {Name: name + "_rewrite", Code: res.Rewrite}}
		ts, err := timing.Measure(ctx, len(t.Params), fns, t.C, []string{t.Name}, []string{"-O3"}, cfg.Timing)
		if err != nil {
			return out, fmt.Errorf("%s: timing: %w", name, err)
		}
		if ts[1].Checksum != ts[0].Checksum || ts[2].Checksum != ts[0].Checksum {
			return out, fmt.Errorf("%s: the emitted functions disagree (checksums target %d, rewrite %d, gcc -O3 %d)", name, ts[0].Checksum, ts[1].Checksum, ts[2].Checksum)
		}
		s := Speedup{Benchmark: name, Rewrite: res.Rewrite, TargetLatency: t.Code.Latency(), RewriteLatency: res.Latency, O3Latency: o3Lat,
			NsTarget: ts[0].NsPerOp, NsRewrite: ts[1].NsPerOp, NsO3: ts[2].NsPerOp, Search: res}
		s.OverO3 = pairedRatio(ts[2].Runs, ts[1].Runs)
		s.OverO3Min = ts[2].MinNsPerOp / ts[1].MinNsPerOp
		s.OverO0 = pairedRatio(ts[0].Runs, ts[1].Runs)
		out = append(out, s)
		slog.Info("superopt: measured", "benchmark", name, "latency", fmt.Sprintf("%d→%d (O3 %d)", s.TargetLatency, s.RewriteLatency, o3Lat),
			"speedup-over-o3(median,min)", fmt.Sprintf("%.2f,%.2f", s.OverO3, s.OverO3Min), "proposals", res.Proposals, "verifications", res.Verifications, "z3-unknown", res.Unknown, "search", res.Elapsed.Round(1e6))
		if cfg.Observer != nil {
			cfg.Observer(rlcore.Event{Kind: rlcore.EpisodeEnd, Run: name, Benchmark: name, Elapsed: res.Elapsed, Step: res.Proposals,
				Quality: s.OverO3, Best: s.OverO3, Return: s.OverO0})
		}
	}
	return out, nil
}

// pairedRatio is the median over runs r of num[r]/den[r].
func pairedRatio(num, den []float64) float64 {
	r := make([]float64, 0, len(num))
	for i := range min(len(num), len(den)) {
		if den[i] > 0 {
			r = append(r, num[i]/den[i])
		}
	}
	if len(r) == 0 {
		return math.NaN()
	}
	sort.Float64s(r)
	return r[len(r)/2]
}

// fmtRow renders s as one line of a speedup table.
func fmtRow(s Speedup) string {
	rw := strings.ReplaceAll(strings.TrimSpace(s.Rewrite.String()), "\n", "; ")
	return fmt.Sprintf("%s  %3d %3d %3d   %6.3f %6.3f %6.3f   %5.2f %5.2f  %5.2f  %s",
		s.Benchmark, s.TargetLatency, s.RewriteLatency, s.O3Latency, s.NsTarget, s.NsRewrite, s.NsO3, s.OverO3, s.OverO3Min, s.OverO0, rw)
}

// Table renders speedups as a text table.
func Table(ss []Speedup) string {
	var b strings.Builder
	b.WriteString("prog  lat O0  rw  O3   ns  O0     rw     O3   xO3 xO3min    xO0  rewrite\n")
	for _, s := range ss {
		b.WriteString(fmtRow(s) + "\n")
	}
	return b.String()
}
