package pg

import (
	"context"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
)

// evaluate plays episodes greedy CartPole episodes with fresh seeds (none
// of them used in training) and returns the mean return.
func evaluate(t *testing.T, p rlcore.Policy, episodes int) float64 {
	t.Helper()
	mean, err := rlcore.Evaluate(context.Background(), func(ep int) rlcore.Env { return envs.NewCartPole(int64(1_000_000 + ep)) }, p, episodes)
	if err != nil {
		t.Fatal(err)
	}
	return mean
}

func trainCartPole(t *testing.T, alg *rlcore.Algorithm, seed int64, steps int, h rlcore.Hyper) *rlcore.Result {
	t.Helper()
	res, err := alg.Train(context.Background(), envs.NewCartPole(seed), rlcore.TrainConfig{
		Hyper: h, Budget: rlcore.Budget{Steps: steps}, Seed: seed,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
