package dqn

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
)

// BenchmarkDQNCartPole measures DQN's end-to-end training throughput on
// CartPole: one op is a training run of 10,000 environment steps (the
// first learning_starts of them without gradient steps). "default" uses
// the default hyperparameters, including the greedy checkpoint
// evaluations (whose steps are not counted); "no-eval" turns them off.
// Run it with GOMAXPROCS=1 for the one-core figure (steps/cpu-s).
func BenchmarkDQNCartPole(b *testing.B) {
	for _, bc := range []struct {
		name  string
		hyper rlcore.Hyper
	}{
		{"default", nil},
		{"no-eval", rlcore.Hyper{"eval_every": 0}},
	} {
		b.Run(bc.name, func(b *testing.B) { learntest.BenchCartPole(b, DQN, bc.hyper, 10_000) })
	}
}
