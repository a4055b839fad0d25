package pg

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
)

// BenchmarkPPOCartPole measures PPO's end-to-end training throughput on
// CartPole (acting, env steps, GAE and all updates) with the default
// hyperparameters — 2×64 MLPs, rollout 256, 10 epochs of minibatch 64 —
// with tanh (the default) and ReLU hidden layers. One op is a training run
// of 10,240 environment steps; see learntest.BenchCartPole for the
// metrics.
func BenchmarkPPOCartPole(b *testing.B) {
	for _, tc := range []struct {
		name  string
		hyper rlcore.Hyper
	}{
		{"tanh", nil},
		{"relu", rlcore.Hyper{"relu": 1}},
	} {
		b.Run(tc.name, func(b *testing.B) { learntest.BenchCartPole(b, PPO, tc.hyper, 10240) })
	}
}
