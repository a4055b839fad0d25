package dqn

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
)

// TestLearnsCartPole trains DQN with its default hyperparameters on
// CartPole for 100,000 environment steps (plus the uncounted greedy
// checkpoint evaluations, see the package doc) and evaluates the returned
// policy greedily over 20 episodes whose seeds training never saw.
func TestLearnsCartPole(t *testing.T) {
	const seed, budget = 1, 100_000
	res := learntest.TrainCartPole(t, DQN, seed, budget, nil)
	if res.Status != rlcore.BudgetExhausted {
		t.Fatalf("status %v (err %v), want budget", res.Status, res.Err)
	}
	if res.Stats.Steps != budget {
		t.Errorf("used %d steps, want exactly the budget of %d", res.Stats.Steps, budget)
	}
	got := learntest.Evaluate(t, res.Policy, 20)
	t.Logf("mean greedy return %.1f over 20 episodes after %d steps (%d episodes, %v)",
		got, res.Stats.Steps, res.Stats.Episodes, res.Stats.Elapsed.Round(1e6))
	if got < 475 {
		t.Errorf("mean evaluation return %.1f, want ≥ 475", got)
	}
}
