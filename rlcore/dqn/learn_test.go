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
	mean, err := rlcore.Evaluate(context.Background(), func(ep int) rlcore.Env { return envs.NewCartPole(int64(1_000_000 + ep)) }, p, episodes)
	if err != nil {
		t.Fatal(err)
	}
	return mean
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

// TestLearnsCartPole trains DQN with its default hyperparameters on
// CartPole for 100,000 environment steps (plus the uncounted greedy
// checkpoint evaluations, see the package doc) and evaluates the returned
// policy greedily over 20 episodes whose seeds training never saw.
func TestLearnsCartPole(t *testing.T) {
	const seed, budget = 1, 100_000
	res := trainCartPole(t, seed, budget, nil)
	if res.Status != rlcore.BudgetExhausted {
		t.Fatalf("status %v (err %v), want budget", res.Status, res.Err)
	}
	if res.Stats.Steps != budget {
		t.Errorf("used %d steps, want exactly the budget of %d", res.Stats.Steps, budget)
	}
	got := evaluate(t, res.Policy, 20)
	t.Logf("mean greedy return %.1f over 20 episodes after %d steps (%d episodes, %v)",
		got, res.Stats.Steps, res.Stats.Episodes, res.Stats.Elapsed.Round(1e6))
	if got < 475 {
		t.Errorf("mean evaluation return %.1f, want ≥ 475", got)
	}
}
