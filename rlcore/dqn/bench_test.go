package dqn

import (
	"context"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
)

// BenchmarkDQNCartPole measures DQN's end-to-end training throughput on
// CartPole: one op is a training run of 10,000 environment steps (the
// first learning_starts of them without gradient steps). "default" uses
// the default hyperparameters, including the greedy checkpoint
// evaluations (whose steps are not counted); "no-eval" turns them off.
// Run it with GOMAXPROCS=1 for the one-core figure.
func BenchmarkDQNCartPole(b *testing.B) {
	for _, bc := range []struct {
		name  string
		hyper rlcore.Hyper
	}{
		{"default", nil},
		{"no-eval", rlcore.Hyper{"eval_every": 0}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const steps = 10_000
			total := 0
			var elapsed time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := DQN.Train(context.Background(), envs.NewCartPole(1), rlcore.TrainConfig{
					Hyper: bc.hyper, Budget: rlcore.Budget{Steps: steps}, Seed: 1,
				})
				elapsed += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				total += res.Stats.Steps
			}
			b.ReportMetric(float64(total)/elapsed.Seconds(), "steps/s")
		})
	}
}
