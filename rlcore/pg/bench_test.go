package pg

import (
	"context"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
)

// BenchmarkPPOCartPole measures PPO's end-to-end training throughput on
// CartPole (acting, env steps, GAE and all updates) with the default
// hyperparameters — 2×64 MLPs, rollout 256, 10 epochs of minibatch 64 —
// with tanh (the default) and ReLU hidden layers. One op is a training run
// of 10,240 environment steps. steps/s is wall-clock throughput;
// steps/cpu-s divides by the CPU time the process used, which is the
// one-core figure on a shared machine when run with GOMAXPROCS=1.
func BenchmarkPPOCartPole(b *testing.B) {
	for _, tc := range []struct {
		name  string
		hyper rlcore.Hyper
	}{
		{"tanh", nil},
		{"relu", rlcore.Hyper{"relu": 1}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			const steps = 10240
			total := 0
			var elapsed time.Duration
			cpu0 := cpuTime()
			for b.Loop() {
				start := time.Now()
				res, err := PPO.Train(context.Background(), envs.NewCartPole(1), rlcore.TrainConfig{
					Hyper: tc.hyper, Budget: rlcore.Budget{Steps: steps}, Seed: 1,
				})
				elapsed += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				total += res.Stats.Steps
			}
			b.ReportMetric(float64(total)/elapsed.Seconds(), "steps/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(total)/cpu.Seconds(), "steps/cpu-s")
			}
		})
	}
}
