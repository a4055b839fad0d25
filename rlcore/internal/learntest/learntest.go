// Package learntest holds what the tests and benchmarks of the algorithms
// (dqn, pg, tabular, mcts, bandit, baselines) share: training with
// hyperparameters resolved the way the search resolves them, a run
// cancelled after a number of episodes, greedy evaluation on unseen
// CartPole seeds, and the training-throughput benchmark.
package learntest

import (
	"context"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
	"github.com/supersonic-rl/supersonic/rlcore/internal/proc"
)

// Train resolves cfg.Hyper for alg (as the search does, once, before a
// run) and trains alg on env; a resolution or start-up error fails t.
func Train(t testing.TB, ctx context.Context, alg *rlcore.Algorithm, env rlcore.Env, cfg rlcore.TrainConfig) *rlcore.Result {
	t.Helper()
	h, err := alg.Resolve(cfg.Hyper)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hyper = h
	res, err := alg.Train(ctx, env, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TrainCartPole trains alg on CartPole for steps environment steps, the
// env and the run seeded by seed, with the overrides h.
func TrainCartPole(t testing.TB, alg *rlcore.Algorithm, seed int64, steps int, h rlcore.Hyper) *rlcore.Result {
	t.Helper()
	return Train(t, context.Background(), alg, envs.NewCartPole(seed), rlcore.TrainConfig{
		Hyper: h, Budget: rlcore.Budget{Steps: steps}, Seed: seed,
	})
}

// Evaluate plays episodes greedy CartPole episodes with fresh seeds (none
// of them used in training) and returns the mean return.
func Evaluate(t testing.TB, p rlcore.Policy, episodes int) float64 {
	t.Helper()
	mean, err := rlcore.Evaluate(context.Background(), func(ep int) rlcore.Env { return envs.NewCartPole(int64(1_000_000 + ep)) }, p, episodes)
	if err != nil {
		t.Fatal(err)
	}
	return mean
}

// TrainCancelled trains alg on env with the overrides h and seed, and
// cancels the run when its episodes-th episode ends.
func TrainCancelled(t testing.TB, alg *rlcore.Algorithm, env rlcore.Env, h rlcore.Hyper, seed int64, episodes int) *rlcore.Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	return Train(t, ctx, alg, env, rlcore.TrainConfig{
		Seed: seed, Hyper: h,
		Observer: func(e rlcore.Event) {
			if e.Kind == rlcore.EpisodeEnd && e.Episode == episodes {
				cancel()
			}
		},
	})
}

// CheckCancelReturnsBest cancels a CartPole run of alg after 30 episodes
// and checks that it reports the interruption with its best episode so
// far and a policy.
func CheckCancelReturnsBest(t *testing.T, alg *rlcore.Algorithm, h rlcore.Hyper) {
	t.Helper()
	res := TrainCancelled(t, alg, envs.NewCartPole(2), h, 2, 30)
	if res.Status != rlcore.Interrupted {
		t.Fatalf("status %v, want interrupted", res.Status)
	}
	if res.Stats.Episodes < 30 || res.Best.Return <= 0 || len(res.Best.Actions) != int(res.Best.Return) {
		t.Fatalf("after %d episodes the best episode is %+v", res.Stats.Episodes, res.Best)
	}
	if res.Policy == nil {
		t.Fatal("no policy returned")
	}
}

// BenchCartPole measures alg's end-to-end training throughput on
// CartPole with the overrides h: one op is a training run of steps
// environment steps. steps/s is wall-clock throughput; steps/cpu-s
// divides by the CPU time the process used, which is the one-core figure
// on a shared machine when run with GOMAXPROCS=1.
func BenchCartPole(b *testing.B, alg *rlcore.Algorithm, h rlcore.Hyper, steps int) {
	total := 0
	var elapsed time.Duration
	cpu0 := proc.CPUTime()
	for b.Loop() {
		start := time.Now()
		res := TrainCartPole(b, alg, 1, steps, h)
		elapsed += time.Since(start)
		total += res.Stats.Steps
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "steps/s")
	if cpu := proc.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(total)/cpu.Seconds(), "steps/cpu-s")
	}
}
