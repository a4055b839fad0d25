package baselines

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
)

// smallGrid has a shortest path of 6 moves around two walls.
var smallGrid = []string{
	"S...",
	"..#.",
	".#..",
	"...G",
}

func train(t *testing.T, algo *rlcore.Algorithm, env rlcore.Env, hyper rlcore.Hyper, cfg rlcore.TrainConfig) *rlcore.Result {
	t.Helper()
	h, err := algo.Resolve(hyper)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hyper = h
	res, err := algo.Train(context.Background(), env, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustTree(t *testing.T, dense bool, depth, branching int, seed int64) *envs.Tree {
	t.Helper()
	newTree := envs.NewTree
	if dense {
		newTree = envs.NewDenseTree
	}
	tree, err := newTree(depth, branching, seed)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func mustGrid(t *testing.T, layout []string, opts envs.GridOptions) *envs.Gridworld {
	t.Helper()
	g, err := envs.NewGridworld(layout, opts)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// greedyTreeValue walks a dense tree by the best immediate reward.
func greedyTreeValue(t *testing.T, tree *envs.Tree, branching int) float64 {
	var path []int
	for range tree.Depth() {
		best, bestR := 0, math.Inf(-1)
		for a := range branching {
			before, _ := tree.Value(path)
			after, _ := tree.Value(append(slices.Clone(path), a))
			if r := after - before; r > bestR {
				best, bestR = a, r
			}
		}
		path = append(path, best)
	}
	v, _ := tree.Value(path)
	return v
}

// noFork hides the Fork method of an env, so that greedy must replay.
type noFork struct{ rlcore.Env }

// TestBaselinesFindOptimum runs every searcher on seeded trees and
// gridworlds (five seeds each) and requires the optimum, or for greedy
// its known value (the path of best immediate rewards, which on a shaped
// gridworld is a shortest path).
func TestBaselinesFindOptimum(t *testing.T) {
	shaped := envs.GridOptions{Shaping: 2, MaxSteps: 60}
	sparseTree := func(t *testing.T, seed int64) (rlcore.Env, float64) {
		tree := mustTree(t, false, 3, 4, seed)
		_, v := tree.Optimum()
		return tree, v
	}
	denseTree := func(t *testing.T, seed int64) (rlcore.Env, float64) {
		tree := mustTree(t, true, 4, 3, seed)
		_, v := tree.Optimum()
		return tree, v
	}
	denseTreeGreedy := func(t *testing.T, seed int64) (rlcore.Env, float64) {
		tree := mustTree(t, true, 4, 3, seed)
		return tree, greedyTreeValue(t, tree, 3)
	}
	grid := func(t *testing.T, _ int64) (rlcore.Env, float64) {
		g := mustGrid(t, smallGrid, shaped)
		return g, g.OptimalReturn()
	}
	cliff := func(t *testing.T, _ int64) (rlcore.Env, float64) {
		g := mustGrid(t, envs.CliffWalking, shaped)
		return g, g.OptimalReturn()
	}
	hidden := func(f func(*testing.T, int64) (rlcore.Env, float64)) func(*testing.T, int64) (rlcore.Env, float64) {
		return func(t *testing.T, seed int64) (rlcore.Env, float64) {
			env, v := f(t, seed)
			return noFork{env}, v
		}
	}
	tests := []struct {
		name  string
		algo  *rlcore.Algorithm
		env   func(*testing.T, int64) (rlcore.Env, float64) // env and the return to reach
		hyper rlcore.Hyper
		eps   int // episode budget; 0 for greedy, which finishes by itself
	}{
		{"random sparse tree", Random, sparseTree, rlcore.Hyper{"horizon": 3}, 800},
		{"anneal sparse tree", Anneal, sparseTree, rlcore.Hyper{"length": 3, "temperature": 0.5, "cooling": 0.997}, 800},
		{"genetic sparse tree", Genetic, sparseTree, rlcore.Hyper{"length": 3, "population": 16, "mutation": 0.3}, 800},
		{"random dense tree", Random, denseTree, rlcore.Hyper{"horizon": 4}, 1500},
		{"anneal dense tree", Anneal, denseTree, rlcore.Hyper{"length": 4, "temperature": 0.5, "cooling": 0.997}, 1500},
		{"genetic dense tree", Genetic, denseTree, rlcore.Hyper{"length": 4, "population": 16, "mutation": 0.25}, 1500},
		{"greedy dense tree", Greedy, denseTreeGreedy, nil, 0},
		{"greedy dense tree by replay", Greedy, hidden(denseTreeGreedy), nil, 0},
		{"random grid", Random, grid, rlcore.Hyper{"horizon": 12}, 3000},
		{"anneal grid", Anneal, grid, rlcore.Hyper{"length": 10}, 2000},
		{"genetic grid", Genetic, grid, rlcore.Hyper{"length": 10}, 2000},
		{"greedy grid", Greedy, grid, nil, 0},
		{"greedy grid by replay", Greedy, hidden(grid), nil, 0},
		{"greedy cliff walking", Greedy, cliff, nil, 0},
		{"greedy cliff walking by replay", Greedy, hidden(cliff), nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range int64(5) {
				env, want := tt.env(t, seed)
				res := train(t, tt.algo, env, tt.hyper, rlcore.TrainConfig{Seed: seed, Budget: rlcore.Budget{Episodes: tt.eps}})
				wantStatus := rlcore.BudgetExhausted
				if tt.eps == 0 {
					wantStatus = rlcore.Finished
				}
				if res.Status != wantStatus {
					t.Fatalf("seed %d: status %v (%v), want %v", seed, res.Status, res.Err, wantStatus)
				}
				if math.Abs(res.Best.Return-want) > 1e-9 {
					t.Fatalf("seed %d: best return %g with %v after %d episodes; want %g", seed, res.Best.Return, res.Best.Actions, res.Stats.Episodes, want)
				}
				// The best episode replays to its return.
				if got, _ := replay(t, env, res.Best.Actions); math.Abs(got-want) > 1e-9 {
					t.Fatalf("seed %d: replaying the best actions %v returns %g, want %g", seed, res.Best.Actions, got, want)
				}
			}
		})
	}
}

// TestSequenceSearchesWalkTheCliff: with one-position moves the 13-move
// optimum of shaped cliff walking is hard to reach exactly (a detour
// above the cliff is a local optimum); annealing and the genetic
// algorithm must at least reach the goal within three extra moves.
func TestSequenceSearchesWalkTheCliff(t *testing.T) {
	tests := []searcherCase{
		{Anneal, rlcore.Hyper{"length": 16, "temperature": 5, "cooling": 0.999}},
		{Genetic, rlcore.Hyper{"length": 16, "population": 30, "mutation": 0.1}},
	}
	for _, tt := range tests {
		t.Run(tt.algo.Name, func(t *testing.T) {
			for seed := range int64(5) {
				g := mustGrid(t, envs.CliffWalking, envs.GridOptions{Shaping: 2, MaxSteps: 60})
				res := train(t, tt.algo, g, tt.hyper, rlcore.TrainConfig{Seed: seed, Budget: rlcore.Budget{Episodes: 4000}})
				ret, reached := replay(t, g, res.Best.Actions)
				if !reached || ret < g.OptimalReturn()-3 {
					t.Fatalf("seed %d: best %v returns %g (goal reached: %v); want the goal within 3 extra moves (return ≥ %g)",
						seed, res.Best.Actions, ret, reached, g.OptimalReturn()-3)
				}
				t.Logf("seed %d: return %g (optimum %g)", seed, ret, g.OptimalReturn())
			}
		})
	}
}

// replay plays actions from a reset and returns the return and whether
// the env terminated the episode.
func replay(t *testing.T, env rlcore.Env, actions []int) (float64, bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := env.Reset(ctx, ""); err != nil {
		t.Fatal(err)
	}
	ret, terminated := 0.0, false
	for _, a := range actions {
		sr, err := env.Step(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		ret += sr.Reward
		terminated = sr.Terminated
	}
	return ret, terminated
}

// searcherCase is a baseline and the hyperparameters a test runs it with.
type searcherCase struct {
	algo  *rlcore.Algorithm
	hyper rlcore.Hyper
}

// everySearcher is every baseline, playing episodes (or sequences) of
// length actions, the genetic algorithm with population sequences.
func everySearcher(length, population float64) []searcherCase {
	return []searcherCase{
		{Random, rlcore.Hyper{"horizon": length}},
		{Anneal, rlcore.Hyper{"length": length}},
		{Genetic, rlcore.Hyper{"length": length, "population": population}},
		{Greedy, nil},
	}
}

func TestBaselinesRespectBudgetAndCancel(t *testing.T) {
	for _, a := range everySearcher(20, 4) {
		t.Run(a.algo.Name+" steps", func(t *testing.T) {
			env := mustGrid(t, envs.CliffWalking, envs.GridOptions{Shaping: 2})
			res := train(t, a.algo, env, a.hyper, rlcore.TrainConfig{Seed: 2, Budget: rlcore.Budget{Steps: 7}})
			if res.Status != rlcore.BudgetExhausted || res.Stats.Steps != 7 {
				t.Fatalf("status %v after %d steps, want budget after 7", res.Status, res.Stats.Steps)
			}
			if len(res.Best.Actions) == 0 {
				t.Fatal("no best episode kept")
			}
		})
		if a.algo == Greedy {
			continue // greedy plays one episode per benchmark and finishes
		}
		t.Run(a.algo.Name+" episodes", func(t *testing.T) {
			env := mustGrid(t, envs.CliffWalking, envs.GridOptions{})
			res := train(t, a.algo, env, a.hyper, rlcore.TrainConfig{Seed: 2, Budget: rlcore.Budget{Episodes: 9}})
			if res.Status != rlcore.BudgetExhausted || res.Stats.Episodes != 9 || len(res.Curve) != 9 {
				t.Fatalf("status %v after %d episodes (%d curve points), want budget after 9", res.Status, res.Stats.Episodes, len(res.Curve))
			}
		})
		t.Run(a.algo.Name+" cancel", func(t *testing.T) {
			env := mustGrid(t, envs.CliffWalking, envs.GridOptions{})
			res := learntest.TrainCancelled(t, a.algo, env, a.hyper, 3, 5)
			if res.Status != rlcore.Interrupted || res.Stats.Episodes != 5 || len(res.Best.Actions) == 0 {
				t.Fatalf("status %v after %d episodes, best %v: want interrupted after 5 with a best", res.Status, res.Stats.Episodes, res.Best.Actions)
			}
			if got, _ := replay(t, env, res.Best.Actions); got != res.Best.Return {
				t.Fatalf("best actions replay to %g, the result says %g", got, res.Best.Return)
			}
		})
	}
}

// maskedGrid forbids moving left, to check that searchers obey masks.
type maskedGrid struct{ *envs.Gridworld }

func (m maskedGrid) ActionMask(dst []bool) []bool {
	dst = append(dst[:0], true, true, true, false)
	return dst
}

func (m maskedGrid) Fork(ctx context.Context) (rlcore.Env, error) {
	f, err := m.Gridworld.Fork(ctx)
	if err != nil {
		return nil, err
	}
	return maskedGrid{f.(*envs.Gridworld)}, nil
}

func TestBaselinesObeyMasks(t *testing.T) {
	for _, a := range everySearcher(12, 6) {
		t.Run(a.algo.Name, func(t *testing.T) {
			var lefts int
			env := maskedGrid{mustGrid(t, smallGrid, envs.GridOptions{Shaping: 2})}
			res := train(t, a.algo, env, a.hyper, rlcore.TrainConfig{
				Seed: 4, Budget: rlcore.Budget{Episodes: 200},
			})
			for _, act := range res.Best.Actions {
				if act == envs.Left {
					lefts++
				}
			}
			if lefts > 0 || len(res.Best.Actions) == 0 {
				t.Fatalf("best actions %v: %d masked moves", res.Best.Actions, lefts)
			}
		})
	}
}

// scoredTree is a Tree that reports the return so far as its quality, so
// that the Recorder and the searchers rank by Quality.
type scoredTree struct {
	*envs.Tree
	quality *float64
}

func (s scoredTree) Reset(ctx context.Context, b string) ([]float64, error) {
	*s.quality = 0
	return s.Tree.Reset(ctx, b)
}

func (s scoredTree) Step(ctx context.Context, a int) (rlcore.StepResult, error) {
	sr, err := s.Tree.Step(ctx, a)
	*s.quality += sr.Reward
	return sr, err
}

func (s scoredTree) Quality() float64 { return *s.quality }

func TestAnnealRanksByQualityOnScorers(t *testing.T) {
	tree := mustTree(t, true, 4, 3, 5)
	env := scoredTree{Tree: tree, quality: new(float64)}
	res := train(t, Anneal, env, rlcore.Hyper{"length": 4, "temperature": 0.5, "cooling": 0.997}, rlcore.TrainConfig{Seed: 5, Budget: rlcore.Budget{Episodes: 1500}})
	path, v := tree.Optimum()
	if !slices.Equal(res.Best.Actions, path) || math.Abs(res.Best.Quality-v) > 1e-9 {
		t.Fatalf("best %v with quality %g; want %v with %g", res.Best.Actions, res.Best.Quality, path, v)
	}
}

func TestBaselinesAreRegistered(t *testing.T) {
	for _, name := range []string{"random", "greedy", "anneal", "genetic"} {
		a, err := rlcore.LookupAlgorithm(name)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != rlcore.Searcher || a.NeedsFork {
			t.Errorf("%s: kind %v, NeedsFork %v; want a searcher that needs no fork", name, a.Kind, a.NeedsFork)
		}
		for _, p := range a.Params {
			if p.Default < p.Min || p.Default > p.Max {
				t.Errorf("%s: %s default %g outside [%g, %g]", name, p.Name, p.Default, p.Min, p.Max)
			}
		}
	}
}

// flakyEnv fails every n-th step (n = 1: every step).
type flakyEnv struct {
	rlcore.Env
	n, steps int
}

func (f *flakyEnv) Step(ctx context.Context, a int) (rlcore.StepResult, error) {
	f.steps++
	if f.steps%f.n == 0 {
		return rlcore.StepResult{}, errors.New("flaky step")
	}
	return f.Env.Step(ctx, a)
}

func TestBaselinesTolerateFailingEpisodes(t *testing.T) {
	for _, algo := range []*rlcore.Algorithm{Random, Anneal, Genetic} {
		t.Run(algo.Name, func(t *testing.T) {
			tree := mustTree(t, true, 3, 3, 8)
			_, want := tree.Optimum()
			hyper := rlcore.Hyper{"length": 3, "temperature": 0.5, "cooling": 0.997}
			switch algo {
			case Random:
				hyper = rlcore.Hyper{"horizon": 3}
			case Genetic:
				hyper = rlcore.Hyper{"length": 3, "mutation": 0.3}
			}
			res := train(t, algo, &flakyEnv{Env: tree, n: 7}, hyper, rlcore.TrainConfig{Seed: 1, Budget: rlcore.Budget{Episodes: 600}})
			if res.Status != rlcore.BudgetExhausted || res.Stats.FailedEpisodes == 0 || res.Best.Return != want {
				t.Fatalf("status %v, %d failed episodes, best %g: want the budget spent, some failures and the optimum %g",
					res.Status, res.Stats.FailedEpisodes, res.Best.Return, want)
			}
			res = train(t, algo, &flakyEnv{Env: tree, n: 1}, hyper, rlcore.TrainConfig{Seed: 1, Budget: rlcore.Budget{Episodes: 600}})
			if res.Status != rlcore.Failed || res.Err == nil || !strings.Contains(res.Err.Error(), "flaky step") {
				t.Fatalf("always failing env: status %v, err %v; want failed naming the error", res.Status, res.Err)
			}
		})
	}
}
