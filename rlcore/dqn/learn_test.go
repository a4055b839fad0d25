package dqn

import (
	"context"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
)

// evaluate plays episodes greedy CartPole episodes with fresh seeds (none
// of them used in training) and returns the mean return.
func evaluate(t testing.TB, p rlcore.Policy, episodes int) float64 {
	t.Helper()
	ctx := context.Background()
	total := 0.0
	for ep := range episodes {
		env := envs.NewCartPole(int64(1_000_000 + ep))
		obs, err := env.Reset(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		for {
			sr, err := env.Step(ctx, p.Act(obs, nil))
			if err != nil {
				t.Fatal(err)
			}
			total += sr.Reward
			if sr.Done() {
				break
			}
			obs = sr.Obs
		}
	}
	return total / float64(episodes)
}

func trainCartPole(t testing.TB, seed int64, steps int, h rlcore.Hyper) *rlcore.Result {
	t.Helper()
	res, err := DQN.Train(context.Background(), envs.NewCartPole(seed), rlcore.TrainConfig{
		Hyper: h, Budget: rlcore.Budget{Steps: steps}, Seed: seed,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
