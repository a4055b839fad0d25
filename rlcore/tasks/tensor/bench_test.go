package tensor

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/baselines"
	_ "github.com/supersonic-rl/supersonic/rlcore/pg"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
)

// BenchmarkGEMM512 reports, for GEMM 512³, the naive nest's and the
// hand-blocked reference's GFLOP/s, and the best schedule the costmodel
// tuner finds in TENSOR_BENCH_STEPS measurements (default 64): its speedup
// over the naive nest (target ≥ 20) and its fraction of the measured peak
// on all cores (tuned-fraction-of-peak, target ≥ 0.5; the reference's is
// beside it). Run with -benchtime 1x.
func BenchmarkGEMM512(b *testing.B) {
	ctx := context.Background()
	p := benchProblem(b)
	peak, err := p.Peak(ctx)
	if err != nil {
		b.Fatal(err)
	}
	steps := benchSteps(64)
	for range b.N {
		best, _ := runMethod(b, p, "costmodel", "gemm-512", steps)
		ref, _ := p.Reference("gemm-512", "reference")
		rr, err := p.Measure(ctx, ref)
		if err != nil {
			b.Fatal(err)
		}
		bestRes, err := p.Measure(ctx, best)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(peak.GFLOPS, "peak-GFLOP/s")
		b.ReportMetric(rr.GFLOPS()/rr.Speedup, "naive-GFLOP/s")
		b.ReportMetric(rr.GFLOPS(), "reference-GFLOP/s")
		b.ReportMetric(rr.Speedup, "reference-speedup")
		b.ReportMetric(bestRes.GFLOPS(), "tuned-GFLOP/s")
		b.ReportMetric(bestRes.Speedup, "tuned-speedup")
		b.ReportMetric(rr.GFLOPS()/peak.GFLOPS, "reference-fraction-of-peak")
		b.ReportMetric(bestRes.GFLOPS()/peak.GFLOPS, "tuned-fraction-of-peak")
		b.Logf("tuned schedule: %s", best)
	}
}

// BenchmarkMethods runs every method on every operator (or the
// comma-separated TENSOR_BENCH_OPS) with the same budget of
// TENSOR_BENCH_STEPS measurements (default 24) and reports each method's
// speedup over the default per operator, its ratio to the costmodel tuner,
// and the geomeans; "rl-vs-best-baseline" is the model-based client RL's
// (model-ppo) geomean over the best search baseline's, "ppo-vs-best-baseline"
// plain PPO's (a measurement per knob step). TENSOR_BENCH_SEED seeds every
// method (default 1). Run with -benchtime 1x.
func BenchmarkMethods(b *testing.B) {
	p := benchProblem(b)
	steps := benchSteps(24)
	ops := kernel.Names()
	if s := os.Getenv("TENSOR_BENCH_OPS"); s != "" {
		ops = strings.Split(s, ",")
	}
	methods := []string{"model-ppo", "ppo", "random", "anneal", "genetic", "grid", "costmodel"}
	for range b.N {
		logs := map[string]float64{}
		for _, op := range ops {
			q := map[string]float64{}
			for _, m := range methods {
				_, q[m] = runMethod(b, p, m, op, steps)
				logs[m] += math.Log(q[m]) / float64(len(ops))
			}
			for _, m := range methods {
				b.ReportMetric(q[m], op+"/"+m+"-speedup")
				b.ReportMetric(q[m]/q["costmodel"], op+"/"+m+"-vs-costmodel")
			}
		}
		bestBaseline := math.Inf(-1)
		for _, m := range methods {
			b.ReportMetric(math.Exp(logs[m]), "geomean/"+m+"-speedup")
			if m != "model-ppo" && m != "ppo" {
				bestBaseline = max(bestBaseline, logs[m])
			}
		}
		b.ReportMetric(math.Exp(logs["model-ppo"]-bestBaseline), "rl-vs-best-baseline")
		b.ReportMetric(math.Exp(logs["ppo"]-bestBaseline), "ppo-vs-best-baseline")
	}
}

func benchSteps(def int) int {
	if n, err := strconv.Atoi(os.Getenv("TENSOR_BENCH_STEPS")); err == nil && n > 0 {
		return n
	}
	return def
}

// benchSeed is TENSOR_BENCH_SEED (default 1), every method's seed.
func benchSeed() int64 {
	if n, err := strconv.ParseInt(os.Getenv("TENSOR_BENCH_SEED"), 10, 64); err == nil {
		return n
	}
	return 1
}

func benchProblem(b *testing.B) *Problem {
	b.Helper()
	p, err := NewProblem(context.Background(), DefaultOptions)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	return p
}

// runMethod trains algorithm m on one operator for steps measurements and
// returns the best schedule and its speedup.
func runMethod(b *testing.B, p *Problem, m, op string, steps int) (kernel.Schedule, float64) {
	b.Helper()
	ctx := context.Background()
	env, err := rlcore.NewTaskEnv(p, rlcore.TaskEnvConfig{Arm: rlcore.Arm{State: "tensor-features", Reward: "tensor-speedup-delta", Actions: "all", Transition: "apply", Algorithm: m}, Horizon: 12})
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	alg, err := rlcore.LookupAlgorithm(m)
	if err != nil {
		b.Fatal(err)
	}
	h, err := alg.Resolve(rlcore.Hyper{})
	if err != nil {
		b.Fatal(err)
	}
	res, err := alg.Train(ctx, env, rlcore.TrainConfig{Hyper: h, Budget: rlcore.Budget{Steps: steps}, Seed: benchSeed(), Benchmarks: []string{op}})
	if err != nil {
		b.Fatalf("%s on %s: %v", m, op, err)
	}
	s, err := ScheduleAfter(op, res.Best.Actions)
	if err != nil {
		b.Fatal(err)
	}
	if res.Best.Quality <= 0 {
		b.Fatalf("%s on %s found nothing: %v", m, op, res.Err)
	}
	b.Logf("%-9s %-22s speedup %7.2f  %s", m, op, res.Best.Quality, fmt.Sprint(s))
	return s, res.Best.Quality
}
