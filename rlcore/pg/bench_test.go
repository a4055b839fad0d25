package pg

import (
	"context"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
)

// BenchmarkPPOCartPole measures PPO's end-to-end training throughput on
// CartPole with the default hyperparameters (2×64 tanh MLPs, rollout 256,
// 10 epochs of minibatch 64): one op is a training run of 10,240
// environment steps. Run it with GOMAXPROCS=1 for the one-core figure.
func BenchmarkPPOCartPole(b *testing.B) {
	const steps = 10240
	total := 0
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		res, err := PPO.Train(context.Background(), envs.NewCartPole(1), rlcore.TrainConfig{
			Budget: rlcore.Budget{Steps: steps}, Seed: 1,
		})
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		total += res.Stats.Steps
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "steps/s")
}
