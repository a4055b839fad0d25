package mcts

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
)

// TestMCTSFindsTreeOptimum plans one episode on each of several seeded
// trees of every shape and requires the unique optimum every time.
func TestMCTSFindsTreeOptimum(t *testing.T) {
	tests := []struct {
		name             string
		depth, branching int
		dense            bool
	}{
		{"sparse 4x4 (256 leaves)", 4, 4, false},
		{"sparse 6x2 (64 leaves)", 6, 2, false},
		{"sparse 3x6 (216 leaves)", 3, 6, false},
		{"dense 5x3 (243 leaves)", 5, 3, true},
	}
	const trees = 10
	hyper, err := MCTS.Resolve(rlcore.Hyper{"simulations": 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newTree := envs.NewTree
			if tt.dense {
				newTree = envs.NewDenseTree
			}
			for seed := range int64(trees) {
				tree, err := newTree(tt.depth, tt.branching, seed)
				if err != nil {
					t.Fatal(err)
				}
				res, err := MCTS.Train(context.Background(), tree, rlcore.TrainConfig{
					Hyper: hyper, Seed: seed, Budget: rlcore.Budget{Episodes: 1},
				})
				if err != nil {
					t.Fatal(err)
				}
				path, value := tree.Optimum()
				if res.Status != rlcore.BudgetExhausted || res.Stats.Steps != tt.depth {
					t.Fatalf("tree %d: status %v after %d real steps; want budget after %d", seed, res.Status, res.Stats.Steps, tt.depth)
				}
				if !slices.Equal(res.Best.Actions, path) || res.Best.Return != value {
					t.Errorf("tree %d: MCTS played %v (return %g); the optimum is %v (return %g)", seed, res.Best.Actions, res.Best.Return, path, value)
				}
			}
		})
	}
}

// closingTree is a Tree whose forks count how often they are closed.
type closingTree struct {
	*envs.Tree
	forks, closes *int
}

func (c closingTree) Fork(ctx context.Context) (rlcore.Env, error) {
	f, err := c.Tree.Fork(ctx)
	if err != nil {
		return nil, err
	}
	*c.forks++
	return closingTree{Tree: f.(*envs.Tree), forks: c.forks, closes: c.closes}, nil
}

func (c closingTree) Close() error { *c.closes++; return nil }

func TestMCTSClosesForks(t *testing.T) {
	tree, _ := envs.NewTree(3, 3, 1)
	var forks, closes int
	env := closingTree{Tree: tree, forks: &forks, closes: &closes}
	hyper, _ := MCTS.Resolve(rlcore.Hyper{"simulations": 20})
	if _, err := MCTS.Train(context.Background(), env, rlcore.TrainConfig{Hyper: hyper, Budget: rlcore.Budget{Episodes: 2}}); err != nil {
		t.Fatal(err)
	}
	if forks != 2*3*20 || closes != forks {
		t.Fatalf("%d forks, %d closed; want %d, all closed", forks, closes, 2*3*20)
	}
}

func TestMCTSNeedsAForker(t *testing.T) {
	bandit, _ := envs.NewTestbed(3, 1)
	hyper, _ := MCTS.Resolve(nil)
	_, err := MCTS.Train(context.Background(), bandit, rlcore.TrainConfig{Hyper: hyper})
	if err == nil || !strings.Contains(err.Error(), "Forker") {
		t.Fatalf("error = %v, want one saying the env cannot fork", err)
	}
	if !MCTS.NeedsFork || MCTS.Kind != rlcore.Searcher {
		t.Fatal("MCTS must declare NeedsFork and Kind Searcher")
	}
}

func TestMCTSCancelKeepsBest(t *testing.T) {
	tree, _ := envs.NewTree(4, 3, 9)
	res := learntest.TrainCancelled(t, MCTS, tree, rlcore.Hyper{"simulations": 10}, 3, 3)
	v, _ := tree.Value(res.Best.Actions)
	if res.Status != rlcore.Interrupted || res.Stats.Episodes != 3 || len(res.Best.Actions) != 4 || v != res.Best.Return {
		t.Fatalf("status %v, %d episodes, best %+v: want interrupted after 3 episodes with a replayable best", res.Status, res.Stats.Episodes, res.Best)
	}
}
