package dqn

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
)

// evalMaxSteps caps one evaluation episode, for envs without a time limit.
const evalMaxSteps = 10_000

// checkpointer evaluates the greedy policy every so many training steps
// and keeps the weights of the best evaluation. Evaluation episodes run on
// forks of one snapshot of the training env (taken at the first
// evaluation), so every evaluation plays the same start states and the
// scores are comparable; they go around the Recorder and do not count as
// training steps.
type checkpointer struct {
	env        rlcore.Env // the training env, forked once
	benchmarks []string
	episodes   int
	every      int

	base      rlcore.Env // snapshot every evaluation forks
	off       bool       // the env cannot be forked: evaluation is off
	deadline  time.Time  // the run's wall budget ends; zero: no wall budget
	bestScore float64
	bestNet   *nn.MLP
	evals     int
	steps     int // evaluation steps played
	mask      []bool
}

func newCheckpointer(env rlcore.Env, benchmarks []string, episodes, every int) *checkpointer {
	return &checkpointer{env: env, benchmarks: benchmarks, episodes: episodes, every: every}
}

// evaluate plays the greedy policy of q and keeps its weights when it
// scores at least as well as the best so far (later weights win ties:
// they have learned from more data).
func (c *checkpointer) evaluate(ctx context.Context, q *qNet) {
	if c.off || ctx.Err() != nil {
		return
	}
	if c.base == nil {
		f, ok := c.env.(rlcore.Forker)
		if !ok {
			c.off = true
			slog.Info("dqn: the env cannot fork, so checkpoint evaluation is off and the final weights are returned")
			return
		}
		base, err := f.Fork(ctx)
		if err != nil {
			c.off = true
			slog.Warn("dqn: cannot fork the env for checkpoint evaluation; returning the final weights", "err", err)
			return
		}
		c.base = base
	}
	score, err := c.play(ctx, q)
	if err != nil {
		switch {
		case ctx.Err() != nil:
		case !c.deadline.IsZero() && time.Now().After(c.deadline):
			// The final weights' evaluation after the wall budget: the
			// task's calls may be refused by then, and nothing is wrong.
			slog.Debug("dqn: checkpoint evaluation after the wall budget failed; skipping it", "evaluation", c.evals+1, "err", err)
		default:
			slog.Warn("dqn: checkpoint evaluation failed; skipping it", "evaluation", c.evals+1, "err", err)
		}
		return
	}
	c.evals++
	slog.Debug("dqn: checkpoint evaluation", "evaluation", c.evals, "mean_return", score, "best", c.bestScore)
	if c.bestNet == nil || score >= c.bestScore {
		c.bestScore, c.bestNet = score, q.export()
	}
}

// play returns the mean return of c.episodes greedy episodes on a fresh
// fork of the snapshot.
func (c *checkpointer) play(ctx context.Context, q *qNet) (float64, error) {
	f, ok := c.base.(rlcore.Forker)
	if !ok {
		return 0, fmt.Errorf("the fork of the env (%T) cannot fork again", c.base)
	}
	env, err := f.Fork(ctx)
	if err != nil {
		return 0, fmt.Errorf("fork: %w", err)
	}
	if cl, ok := env.(io.Closer); ok {
		defer cl.Close()
	}
	masker, _ := env.(rlcore.Masker)
	total := 0.0
	for ep := range c.episodes {
		bench := ""
		if n := len(c.benchmarks); n > 0 {
			bench = c.benchmarks[ep%n]
		}
		obs, err := env.Reset(ctx, bench)
		if err != nil {
			return 0, fmt.Errorf("episode %d on benchmark %q: reset: %w", ep+1, bench, err)
		}
		for t := range evalMaxSteps {
			var mask []bool
			if masker != nil {
				c.mask = masker.ActionMask(c.mask)
				mask = usable(c.mask)
			}
			a := nn.Argmax(q.forward(obs, 1), mask)
			sr, err := env.Step(ctx, a)
			if err != nil {
				return 0, fmt.Errorf("episode %d on benchmark %q: step %d: %w", ep+1, bench, t, err)
			}
			if math.IsNaN(sr.Reward) || math.IsInf(sr.Reward, 0) {
				return 0, fmt.Errorf("episode %d on benchmark %q: step %d: reward is %v", ep+1, bench, t, sr.Reward)
			}
			c.steps++
			total += sr.Reward
			if sr.Done() {
				break
			}
			obs = sr.Obs
		}
	}
	return total / float64(c.episodes), nil
}

// best returns the weights of the best evaluation, nil if none ran.
func (c *checkpointer) best() *nn.MLP { return c.bestNet }

// close releases the snapshot.
func (c *checkpointer) close() {
	if cl, ok := c.base.(io.Closer); ok {
		cl.Close()
	}
}
