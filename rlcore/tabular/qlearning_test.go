package tabular

import (
	"bytes"
	"context"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
)

// rollout follows policy greedily from a reset and returns the return,
// the number of steps and whether the episode terminated.
func rollout(t *testing.T, env rlcore.Env, policy rlcore.Policy, maxSteps int) (float64, int, bool) {
	t.Helper()
	ctx := context.Background()
	obs, err := env.Reset(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	ret := 0.0
	for step := 1; step <= maxSteps; step++ {
		sr, err := env.Step(ctx, policy.Act(obs, nil))
		if err != nil {
			t.Fatal(err)
		}
		ret += sr.Reward
		if sr.Done() {
			return ret, step, sr.Terminated
		}
		obs = sr.Obs
	}
	return ret, maxSteps, false
}

func TestQLearningSolvesCliffWalking(t *testing.T) {
	tests := []struct {
		name   string
		oneHot bool
		seed   int64
	}{
		{"cell index", false, 1},
		{"cell index, other seed", false, 2},
		{"one-hot", true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := envs.NewGridworld(envs.CliffWalking, envs.GridOptions{OneHot: tt.oneHot, MaxSteps: 200})
			if err != nil {
				t.Fatal(err)
			}
			hyper, err := QLearning.Resolve(rlcore.Hyper{"epsilon_decay": 10000})
			if err != nil {
				t.Fatal(err)
			}
			res, err := QLearning.Train(context.Background(), env, rlcore.TrainConfig{
				Hyper: hyper, Seed: tt.seed, Budget: rlcore.Budget{Episodes: 500},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != rlcore.BudgetExhausted || res.Stats.Episodes != 500 {
				t.Fatalf("status %v after %d episodes", res.Status, res.Stats.Episodes)
			}
			ret, steps, reached := rollout(t, env, res.Policy, 200)
			t.Logf("greedy policy: return %g in %d steps (table of %d cells, %d training steps)", ret, steps, res.Policy.(*Table).Len(), res.Stats.Steps)
			if !reached || steps != env.ShortestPath() || ret != env.OptimalReturn() {
				t.Fatalf("greedy policy: reached=%v in %d steps with return %g; want the goal in %d steps, return %g",
					reached, steps, ret, env.ShortestPath(), env.OptimalReturn())
			}
			if res.Best.Return != env.OptimalReturn() {
				t.Errorf("best training episode returned %g, want %g", res.Best.Return, env.OptimalReturn())
			}
		})
	}
}

func TestQLearningFindsTreeOptimum(t *testing.T) {
	tree, err := envs.NewTree(3, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	hyper, _ := QLearning.Resolve(rlcore.Hyper{"epsilon_decay": 1500, "gamma": 1})
	res, err := QLearning.Train(context.Background(), tree, rlcore.TrainConfig{Hyper: hyper, Seed: 1, Budget: rlcore.Budget{Episodes: 800}})
	if err != nil {
		t.Fatal(err)
	}
	_, want := tree.Optimum()
	if ret, _, _ := rollout(t, tree, res.Policy, tree.Depth()); ret != want {
		t.Fatalf("greedy policy returns %g, the optimum is %g", ret, want)
	}
}

func TestTableRoundTrip(t *testing.T) {
	env, _ := envs.NewGridworld(envs.CliffWalking, envs.GridOptions{})
	hyper, _ := QLearning.Resolve(nil)
	res, err := QLearning.Train(context.Background(), env, rlcore.TrainConfig{Hyper: hyper, Seed: 4, Budget: rlcore.Budget{Steps: 3000}})
	if err != nil {
		t.Fatal(err)
	}
	table := res.Policy.(*Table)
	data, err := table.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Table
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	again, _ := back.MarshalBinary()
	if !bytes.Equal(data, again) || back.Len() != table.Len() {
		t.Fatal("decode → encode changed the table")
	}
	for cell := range 48 {
		obs := []float64{float64(cell)}
		q1, seen1 := table.Q(obs)
		q2, seen2 := back.Q(obs)
		if seen1 != seen2 || table.Act(obs, nil) != back.Act(obs, nil) {
			t.Fatalf("cell %d: decoded table acts differently", cell)
		}
		for a := range q1 {
			if q1[a] != q2[a] {
				t.Fatalf("cell %d action %d: Q %g became %g", cell, a, q1[a], q2[a])
			}
		}
	}
	for _, bad := range [][]byte{nil, []byte("SSQTABLE"), data[:len(data)-3], append([]byte("XXQTABLE"), data[8:]...)} {
		if err := back.UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary accepted %d bad bytes", len(bad))
		}
	}
}

func TestQLearningStopsOnCancelAndKeepsBest(t *testing.T) {
	env, _ := envs.NewGridworld(envs.CliffWalking, envs.GridOptions{})
	res := learntest.TrainCancelled(t, QLearning, env, nil, 1, 20)
	if res.Status != rlcore.Interrupted || res.Stats.Episodes != 20 || len(res.Best.Actions) == 0 || res.Policy == nil {
		t.Fatalf("status %v, %d episodes, best %d actions, policy %v: want interrupted after 20 with a best episode and a policy",
			res.Status, res.Stats.Episodes, len(res.Best.Actions), res.Policy)
	}
}

func TestQLearningRejectsOutOfRangeHyper(t *testing.T) {
	if _, err := QLearning.Resolve(rlcore.Hyper{"alpha": 2}); err == nil {
		t.Fatal("alpha = 2 accepted")
	}
	if _, err := QLearning.Resolve(rlcore.Hyper{"lr": 0.1}); err == nil {
		t.Fatal("unknown hyperparameter accepted")
	}
}

func FuzzTableUnmarshal(f *testing.F) {
	tab := NewTable(2, 3, -1)
	copy(tab.row([]float64{1, 2}), []float64{0.5, -2, 3})
	good, _ := tab.MarshalBinary()
	f.Add(good)
	f.Add([]byte("SSQTABLE"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tb Table
		if err := tb.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := tb.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var tb2 Table
		if err := tb2.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded table does not decode: %v", err)
		}
		if tb2.Len() != tb.Len() {
			t.Fatalf("rows %d became %d", tb.Len(), tb2.Len())
		}
	})
}
