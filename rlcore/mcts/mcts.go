// Package mcts is Monte Carlo tree search with the UCT selection rule
// (Kocsis & Szepesvári, 2006) as the "mcts" algorithm: a planner that
// decides each step of an episode by simulating from forks of the
// environment (rlcore.Forker).
package mcts

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// MCTS plans every action of an episode. For each decision it runs
// `simulations` simulations from forks of the current state: descend the
// search tree by UCT, expand one untried action, finish with a random
// rollout of at most `rollout_depth` steps, and back the return up the
// path. It then takes the most visited action in the real env (through the
// Recorder) and keeps that action's subtree for the next decision. Returns
// are undiscounted.
//
// The value UCT ranks a child by is (1−max_weight)·mean + max_weight·max
// of the returns simulated through it: max_weight = 0 is classic UCT,
// which converges to the best expected return; a positive weight (as in
// MaxUCT, Keller & Helmert 2013) steers the search towards the best single
// outcome, which is what a deterministic compiler task wants. Values are
// normalised to [0, 1] by the lowest and highest value in the tree, so c
// does not depend on the reward scale.
//
// Budget.Steps counts the steps of the real env only; the simulations on
// forks are not counted, so compare MCTS with other searchers under a
// Duration budget. Cancellation is checked between simulations. Forks that
// implement io.Closer are closed after each simulation.
var MCTS = &rlcore.Algorithm{
	Name:      "mcts",
	Doc:       "Monte Carlo tree search (UCT) with random rollouts over env forks",
	Kind:      rlcore.Searcher,
	NeedsFork: true,
	Params: []rlcore.Param{
		{Name: "simulations", Doc: "simulations per decision", Default: 100, Min: 1, Max: 100000, Log: true, Int: true},
		{Name: "c", Doc: "UCT exploration constant (on values normalised to [0, 1])", Default: math.Sqrt2, Min: 0.01, Max: 100, Log: true},
		{Name: "rollout_depth", Doc: "most random steps of a rollout after the expanded node", Default: 100, Min: 0, Max: 100000, Int: true},
		{Name: "max_weight", Doc: "weight of the best simulated return against the mean in UCT (0 = classic UCT)", Default: 0.5, Min: 0, Max: 1},
	},
	Train: train,
}

func init() { rlcore.RegisterAlgorithm(MCTS) }

// node is a state of the search tree, reached by the action that indexes
// it in its parent's children.
type node struct {
	children []*node
	allowed  []bool  // actions allowed here; nil means all
	reward   float64 // reward of the step into this node (last seen)
	terminal bool    // the step into this node ended the episode
	visits   int
	total    float64 // Σ returns from the step into this node onward
	best     float64 // the highest of those returns
}

func (n *node) mean() float64 { return n.total / float64(n.visits) }

// value blends the mean and the best return by the weight w of the best.
func (n *node) value(w float64) float64 { return (1-w)*n.mean() + w*n.best }

// search is the state of one run.
type search struct {
	ctx          context.Context
	rec          *rlcore.Recorder
	rng          *rand.Rand
	nActions     int
	c            float64
	maxWeight    float64
	rolloutDepth int
	lo, hi       float64 // range of backed-up values, for normalisation
	mask         []bool
}

func train(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	if _, ok := env.(rlcore.Forker); !ok {
		return nil, fmt.Errorf("mcts: the env %T cannot fork (it does not implement rlcore.Forker); MCTS simulates from forks of the current state", env)
	}
	h := cfg.Hyper
	sims := int(h["simulations"])
	if sims < 1 || !(h["c"] >= 0) || h["rollout_depth"] < 0 || !(h["max_weight"] >= 0 && h["max_weight"] <= 1) {
		return nil, fmt.Errorf("mcts: simulations = %g, c = %g, rollout_depth = %g, max_weight = %g: want simulations ≥ 1, c ≥ 0, rollout_depth ≥ 0, max_weight in [0, 1] (resolve the hyperparameters with MCTS.Resolve)",
			h["simulations"], h["c"], h["rollout_depth"], h["max_weight"])
	}
	s := &search{
		ctx:          ctx,
		rec:          rlcore.NewRecorder(ctx, env, cfg),
		rng:          rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6d637473)),
		nActions:     env.ActionSpace().N,
		c:            h["c"],
		maxWeight:    h["max_weight"],
		rolloutDepth: int(h["rollout_depth"]),
		lo:           math.Inf(1),
		hi:           math.Inf(-1),
	}
	forker := env.(rlcore.Forker)
	var failure error
episodes:
	for !s.rec.Stopped() {
		if _, err := s.rec.Reset(); err != nil {
			continue
		}
		root := s.newNode(nil)
		root.allowed = s.rootMask()
		for !s.rec.Stopped() {
			failed, lastErr := 0, error(nil)
			for i := 0; i < sims && !s.rec.Stopped(); i++ {
				if err := s.simulate(forker, root); err != nil {
					failed++
					lastErr = err
				}
			}
			if s.rec.Stopped() {
				break episodes
			}
			if failed == sims {
				failure = fmt.Errorf("mcts: all %d simulations of step %d failed; the last: %w", sims, s.rec.Stats().Steps, lastErr)
				s.rec.StopFinished()
				break episodes
			}
			if failed > 0 {
				slog.Warn("mcts: simulations failed", "run", cfg.Run, "failed", failed, "of", sims, "err", lastErr)
			}
			a := s.bestAction(root)
			if a < 0 {
				s.rec.EndEpisode() // no allowed action: the episode ends here
				break
			}
			sr, err := s.rec.Step(a)
			if err != nil || sr.Done() {
				break
			}
			root = root.children[a]
			root.allowed = s.rootMask()
		}
	}
	res := s.rec.Finish(nil)
	if failure != nil {
		res.Status, res.Err = rlcore.Failed, failure
	}
	return res, nil
}

func (s *search) newNode(allowed []bool) *node {
	return &node{children: make([]*node, s.nActions), allowed: allowed}
}

// rootMask is a copy of the real env's current action mask (nil if none).
func (s *search) rootMask() []bool {
	s.mask = s.rec.Mask(s.mask)
	if s.mask == nil {
		return nil
	}
	return append([]bool(nil), s.mask...)
}

func maskOf(env rlcore.Env) []bool {
	if m, ok := env.(rlcore.Masker); ok {
		return m.ActionMask(nil)
	}
	return nil
}

// simulate runs one simulation from a fork of the real env at root.
func (s *search) simulate(forker rlcore.Forker, root *node) (err error) {
	env, err := forker.Fork(s.ctx)
	if err != nil {
		return fmt.Errorf("fork: %w", err)
	}
	if c, ok := env.(io.Closer); ok {
		defer func() {
			if cerr := c.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("closing a fork: %w", cerr)
			}
		}()
	}
	path := []*node{root}
	n := root
	for !n.terminal {
		a, expand := s.selectAction(n)
		if a < 0 {
			break // nothing allowed: a dead end, worth what it has so far
		}
		sr, err := env.Step(s.ctx, a)
		if err != nil {
			return fmt.Errorf("simulated step %d (action %d): %w", len(path), a, err)
		}
		if math.IsNaN(sr.Reward) || math.IsInf(sr.Reward, 0) {
			return fmt.Errorf("simulated step %d (action %d): reward is %v", len(path), a, sr.Reward)
		}
		child := n.children[a]
		if child == nil {
			child = s.newNode(nil)
			n.children[a] = child
		}
		child.reward, child.terminal = sr.Reward, sr.Done()
		if !child.terminal && child.allowed == nil {
			child.allowed = maskOf(env)
		}
		path = append(path, child)
		n = child
		if expand {
			break
		}
	}
	g := 0.0
	if !n.terminal {
		if g, err = s.rollout(env); err != nil {
			return err
		}
	}
	root.visits++
	for i := len(path) - 1; i >= 1; i-- {
		g += path[i].reward
		p := path[i]
		if p.visits == 0 || g > p.best {
			p.best = g
		}
		p.visits++
		p.total += g
		v := p.value(s.maxWeight)
		s.lo, s.hi = math.Min(s.lo, v), math.Max(s.hi, v)
	}
	return nil
}

// selectAction returns a random untried allowed action (expand = true) if
// there is one, else the UCT choice; -1 when no action is allowed.
func (s *search) selectAction(n *node) (a int, expand bool) {
	untried, seen := -1, 0
	for i, c := range n.children {
		if c == nil && (n.allowed == nil || n.allowed[i]) {
			seen++
			if s.rng.IntN(seen) == 0 {
				untried = i
			}
		}
	}
	if untried >= 0 {
		return untried, true
	}
	best := rlcore.NewArgmax(s.rng)
	logN := math.Log(float64(max(n.visits, 1)))
	for i, c := range n.children {
		if c == nil || (n.allowed != nil && !n.allowed[i]) {
			continue
		}
		best.Offer(i, s.normalise(c.value(s.maxWeight))+s.c*math.Sqrt(logN/float64(c.visits)))
	}
	return best.Best, false
}

func (s *search) normalise(v float64) float64 {
	if s.hi <= s.lo {
		return 0.5
	}
	return (v - s.lo) / (s.hi - s.lo)
}

// rollout plays random allowed actions until the episode ends or
// rollout_depth steps, and returns the sum of their rewards.
func (s *search) rollout(env rlcore.Env) (float64, error) {
	g := 0.0
	for step := 0; step < s.rolloutDepth; step++ {
		mask := maskOf(env)
		a := rlcore.RandomAllowed(s.rng, mask, s.nActions)
		if a < 0 {
			break
		}
		sr, err := env.Step(s.ctx, a)
		if err != nil {
			return 0, fmt.Errorf("rollout step %d (action %d): %w", step, a, err)
		}
		if math.IsNaN(sr.Reward) || math.IsInf(sr.Reward, 0) {
			return 0, fmt.Errorf("rollout step %d (action %d): reward is %v", step, a, sr.Reward)
		}
		g += sr.Reward
		if sr.Done() {
			break
		}
	}
	return g, nil
}

// bestAction is the most visited allowed child of root (ties: the better
// mean); -1 when root has no visited child.
func (s *search) bestAction(root *node) int {
	best := -1
	for i, c := range root.children {
		if c == nil || c.visits == 0 || (root.allowed != nil && !root.allowed[i]) {
			continue
		}
		if b := root.children[max(best, 0)]; best < 0 || c.visits > b.visits || (c.visits == b.visits && c.mean() > b.mean()) {
			best = i
		}
	}
	return best
}
