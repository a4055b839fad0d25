package baselines

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Greedy is CompilerGym's greedy search: at every step try each allowed
// action, take the one with the best immediate reward (ties broken at
// random), and end the episode when no action has a positive reward or
// after `horizon` actions. It plays one episode per benchmark and then
// finishes.
//
// On an env that implements rlcore.Forker the look-ahead steps forks of
// the current state (closed afterwards when they implement io.Closer);
// those steps are not counted by Budget.Steps. On any other env it replays
// the sequence so far plus the candidate action from Reset through the
// Recorder, which counts every replayed step, and with several benchmarks
// builds one sequence for all of them (candidates scored by the mean
// reward).
var Greedy = &rlcore.Algorithm{
	Name:   "greedy",
	Doc:    "greedy search: take the action with the best immediate reward until none is positive",
	Kind:   rlcore.Searcher,
	Params: []rlcore.Param{horizonParam},
	Train:  trainGreedy,
}

func trainGreedy(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	horizon, err := horizonOf("greedy", cfg)
	if err != nil {
		return nil, err
	}
	rec := rlcore.NewRecorder(ctx, env, cfg)
	p := newPlayer(rec, cfg, 0x677265656479)
	if f, ok := env.(rlcore.Forker); ok {
		greedyByForks(ctx, p, f, horizon, cfg.Run)
	} else {
		greedyByReplay(p, horizon)
	}
	if !rec.Stopped() {
		rec.StopFinished()
	}
	return rec.Finish(nil), nil
}

// greedyByForks plays one greedy episode per benchmark, looking ahead on
// forks.
func greedyByForks(ctx context.Context, p *player, f rlcore.Forker, horizon int, run string) {
	for range p.benches {
		if p.rec.Stopped() {
			return
		}
		if _, err := p.rec.Reset(); err != nil {
			continue
		}
		p.playEpisode(horizon, func() (int, bool) {
			a, gain, err := p.lookahead(ctx, f)
			if err != nil {
				slog.Warn("greedy: look-ahead failed", "run", run, "benchmark", p.rec.Benchmark(), "err", err)
			}
			if p.rec.Stopped() {
				return -1, false
			}
			if a < 0 || gain <= 0 {
				return -1, true // no improving action
			}
			return a, true
		})
	}
}

// lookahead steps every allowed action on a fork of the current state and
// returns the best action and its reward (-1 when no look-ahead
// succeeded), with the last look-ahead error.
func (p *player) lookahead(ctx context.Context, f rlcore.Forker) (best int, gain float64, lastErr error) {
	p.mask = p.rec.Mask(p.mask)
	m := rlcore.NewArgmax(p.rng)
	for a := range p.nActions {
		if p.mask != nil && !p.mask[a] {
			continue
		}
		if p.rec.Stopped() {
			return -1, m.Score, nil
		}
		r, err := stepFork(ctx, f, a)
		if err != nil {
			lastErr = fmt.Errorf("action %d: %w", a, err)
			continue
		}
		m.Offer(a, r)
	}
	return m.Best, m.Score, lastErr
}

// stepFork returns the reward of action a on a fork of f.
func stepFork(ctx context.Context, f rlcore.Forker, a int) (r float64, err error) {
	env, err := f.Fork(ctx)
	if err != nil {
		return 0, fmt.Errorf("fork: %w", err)
	}
	if c, ok := env.(io.Closer); ok {
		defer func() {
			if cerr := c.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("closing a fork: %w", cerr)
			}
		}()
	}
	sr, err := env.Step(ctx, a)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(sr.Reward) || math.IsInf(sr.Reward, 0) {
		return 0, fmt.Errorf("reward is %v", sr.Reward)
	}
	return sr.Reward, nil
}

// greedyByReplay builds one greedy sequence, scoring each candidate action
// by replaying the sequence so far plus the action from Reset.
func greedyByReplay(p *player, horizon int) {
	var prefix []int
	for len(prefix) < horizon {
		m, bestDone := rlcore.NewArgmax(p.rng), false
		for a := range p.nActions {
			seq := append(append(make([]int, 0, len(prefix)+1), prefix...), a)
			out, ok := p.play(seq)
			if !ok {
				return
			}
			// Skip a candidate that was never played (the episode ended
			// before it) or that the mask replaced by another action.
			if out.ended || out.played < len(seq) || seq[len(prefix)] != a || math.IsInf(out.score, -1) {
				if out.ended && out.played <= len(prefix) {
					return // the prefix already ends the episode
				}
				continue
			}
			if m.Offer(a, out.lastReward) {
				bestDone = out.done
			}
		}
		if m.Best < 0 || m.Score <= 0 {
			return
		}
		prefix = append(prefix, m.Best)
		if bestDone {
			return
		}
	}
}
