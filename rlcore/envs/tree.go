package envs

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// TreeMargin is how far the optimum of a Tree lies above every other
// path's return, so that the optimum is unique and recognisable.
const TreeMargin = 0.1

// Tree is a deterministic decision tree for testing planners and search
// baselines. An episode starts at the root and descends Depth levels; each
// action picks one of Branching children, and the episode ends at a leaf.
// Entering a node pays that node's reward, so the return of an episode is
// the sum of the rewards along its path.
//
// NewTree puts rewards on the leaves only (a sparse, needle-like problem
// for MCTS); NewDenseTree puts a reward on every node (a problem on which
// one-step look-ahead is informative). Rewards are drawn uniformly from
// [0, 1) by a seeded generator; then the best path's leaf reward is raised
// by TreeMargin, so the optimum is unique by that margin.
//
// The observation is the current node's index (Discrete), nodes numbered
// breadth first from the root 0. Tree implements rlcore.Forker with a copy
// of two integers.
type Tree struct {
	depth, branching int
	reward           []float64 // per node; shared, read only, by forks
	optimum          []int
	optValue         float64

	node  int
	level int
}

// NewTree makes a tree with rewards on its leaves only.
func NewTree(depth, branching int, seed int64) (*Tree, error) {
	return newTree(depth, branching, seed, false)
}

// NewDenseTree makes a tree with a reward on every node.
func NewDenseTree(depth, branching int, seed int64) (*Tree, error) {
	return newTree(depth, branching, seed, true)
}

func newTree(depth, branching int, seed int64, dense bool) (*Tree, error) {
	if depth < 1 || branching < 2 {
		return nil, fmt.Errorf("tree: depth %d, branching %d: want depth ≥ 1 and branching ≥ 2", depth, branching)
	}
	nodes := 1
	for range depth {
		nodes = nodes*branching + 1
		if nodes > 1<<22 {
			return nil, fmt.Errorf("tree: depth %d with branching %d has over %d nodes: too many for a test tree", depth, branching, 1<<22)
		}
	}
	t := &Tree{depth: depth, branching: branching, reward: make([]float64, nodes)}
	firstLeaf := t.firstOfLevel(depth)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x74726565))
	for i := 1; i < nodes; i++ {
		if dense || i >= firstLeaf {
			t.reward[i] = rng.Float64()
		}
	}
	// Best path by dynamic programming from the leaves up.
	best := make([]float64, nodes)
	choice := make([]int, nodes)
	for i := nodes - 1; i >= 0; i-- {
		best[i] = t.reward[i]
		if i >= firstLeaf {
			continue
		}
		bc := math.Inf(-1)
		for c := range branching {
			if v := best[t.child(i, c)]; v > bc {
				bc, choice[i] = v, c
			}
		}
		best[i] += bc
	}
	node := 0
	for range depth {
		t.optimum = append(t.optimum, choice[node])
		node = t.child(node, choice[node])
	}
	t.reward[node] += TreeMargin
	// Sum forward, in the order an episode accumulates its return.
	t.optValue, _ = t.Value(t.optimum)
	return t, nil
}

func (t *Tree) child(node, c int) int { return node*t.branching + 1 + c }

// firstOfLevel is the index of the first node of a level (root = level 0).
func (t *Tree) firstOfLevel(level int) int {
	first, width := 0, 1
	for range level {
		first += width
		width *= t.branching
	}
	return first
}

// ObservationSpace is Discrete(number of nodes).
func (t *Tree) ObservationSpace() rlcore.Space { return rlcore.Discrete{N: len(t.reward)} }

// ActionSpace is Discrete(Branching).
func (t *Tree) ActionSpace() rlcore.Discrete { return rlcore.Discrete{N: t.branching} }

// Reset goes back to the root; the benchmark name is ignored.
func (t *Tree) Reset(ctx context.Context, _ string) ([]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.node, t.level = 0, 0
	return []float64{0}, nil
}

// Step descends to child action.
func (t *Tree) Step(ctx context.Context, action int) (rlcore.StepResult, error) {
	if err := ctx.Err(); err != nil {
		return rlcore.StepResult{}, err
	}
	if action < 0 || action >= t.branching {
		return rlcore.StepResult{}, fmt.Errorf("tree: action %d: want a child in [0, %d)", action, t.branching)
	}
	if t.level >= t.depth {
		return rlcore.StepResult{}, fmt.Errorf("tree: step below a leaf: call Reset first")
	}
	t.node = t.child(t.node, action)
	t.level++
	return rlcore.StepResult{
		Obs:        []float64{float64(t.node)},
		Reward:     t.reward[t.node],
		Terminated: t.level == t.depth,
	}, nil
}

// Fork copies the current position; the rewards are shared (read only).
func (t *Tree) Fork(context.Context) (rlcore.Env, error) {
	c := *t
	return &c, nil
}

// Depth is the number of actions of every episode.
func (t *Tree) Depth() int { return t.depth }

// Optimum returns the unique best action sequence and its return.
func (t *Tree) Optimum() ([]int, float64) { return append([]int(nil), t.optimum...), t.optValue }

// Value is the return of the action sequence path (a prefix of an episode
// from the root). Actions outside [0, Branching) and actions below a leaf
// are errors.
func (t *Tree) Value(path []int) (float64, error) {
	if len(path) > t.depth {
		return 0, fmt.Errorf("tree: path of %d actions is longer than the depth %d", len(path), t.depth)
	}
	node, sum := 0, 0.0
	for i, a := range path {
		if a < 0 || a >= t.branching {
			return 0, fmt.Errorf("tree: action %d at position %d: want a child in [0, %d)", a, i, t.branching)
		}
		node = t.child(node, a)
		sum += t.reward[node]
	}
	return sum, nil
}

var _ rlcore.Forker = (*Tree)(nil)
