package all

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
)

// A learner started from stored weights starts where they left off: a run
// too short to update (fewer steps than a PPO rollout, before DQN's
// learning starts) returns exactly the weights it was given, and a run on
// another env shape, or an algorithm without weights, says why it cannot.
func TestWarmStart(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		alg   string
		hyper rlcore.Hyper
	}{
		{"ppo", rlcore.Hyper{"rollout": 64}},
		{"a2c", rlcore.Hyper{"n_steps": 64}},
		{"reinforce", nil},
		{"dqn", rlcore.Hyper{"learning_starts": 1000, "dueling": 0}},
		{"dqn", rlcore.Hyper{"learning_starts": 1000, "dueling": 1}},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			alg, err := rlcore.LookupAlgorithm(tc.alg)
			if err != nil {
				t.Fatal(err)
			}
			h, err := alg.Resolve(tc.hyper)
			if err != nil {
				t.Fatal(err)
			}
			first, err := alg.Train(ctx, envs.NewCartPole(1), rlcore.TrainConfig{Hyper: h, Budget: rlcore.Budget{Steps: 600}, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			w, err := first.Policy.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			again, err := alg.Train(ctx, envs.NewCartPole(2), rlcore.TrainConfig{Hyper: h, Budget: rlcore.Budget{Steps: 3}, Seed: 2, Init: w})
			if err != nil {
				t.Fatal(err)
			}
			w2, _ := again.Policy.MarshalBinary()
			if tc.alg != "dqn" || tc.hyper["dueling"] == 0 {
				if !bytes.Equal(w, w2) {
					t.Fatal("a run that made no update returned other weights than it started from")
				}
			} else if len(w) != len(w2) {
				t.Fatal("a dueling warm start changed the network's shape")
			}
			obs := []float64{0.01, -0.02, 0.03, 0.1}
			if a, b := first.Policy.Act(obs, nil), again.Policy.Act(obs, nil); a != b {
				t.Fatalf("greedy action %d after the warm start, %d before", b, a)
			}
			tree, err := envs.NewTree(3, 2, 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := alg.Train(ctx, tree, rlcore.TrainConfig{Hyper: h, Budget: rlcore.Budget{Steps: 3}, Init: w}); err == nil || !strings.Contains(err.Error(), "warm start") {
				t.Fatalf("weights of another env shape: err = %v, want a warm-start error", err)
			}
		})
	}
	random, _ := rlcore.LookupAlgorithm("random")
	if err := random.CheckInit(rlcore.TrainConfig{Init: []byte{1}}); err == nil || !strings.Contains(err.Error(), "keeps no weights") || !strings.Contains(err.Error(), "ppo") {
		t.Fatalf("random with weights: %v", err)
	}
}
