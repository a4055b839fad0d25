// Package tabular holds tabular reinforcement learning: Watkins's
// Q-learning (the "qlearning" algorithm) with a Q-table keyed by the exact
// observation vector, for environments whose observations take few
// distinct values (gridworlds, trees, action histories of short
// episodes).
package tabular

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// QLearning is Watkins's Q-learning (Watkins & Dayan 1992; Sutton & Barto,
// 2nd ed., Section 6.5) with ε-greedy exploration decaying linearly from
// epsilon_start to epsilon_end over epsilon_decay steps. Its policy is the
// greedy policy of the learned table.
var QLearning = &rlcore.Algorithm{
	Name:      "qlearning",
	Doc:       "tabular Q-learning with ε-greedy exploration, one table row per distinct observation",
	Kind:      rlcore.Learner,
	WarmStart: true,
	Params: []rlcore.Param{
		{Name: "alpha", Doc: "learning rate", Default: 0.5, Min: 0.001, Max: 1, Log: true},
		{Name: "gamma", Doc: "discount factor", Default: 0.99, Min: 0.5, Max: 1},
		{Name: "epsilon_start", Doc: "exploration rate at the first step", Default: 1, Min: 0, Max: 1},
		{Name: "epsilon_end", Doc: "exploration rate after the decay", Default: 0.05, Min: 0, Max: 1},
		{Name: "epsilon_decay", Doc: "steps over which the exploration rate decays linearly", Default: 5000, Min: 1, Max: 1e7, Log: true, Int: true},
		{Name: "q_init", Doc: "initial value of unseen state-action pairs (optimism explores)", Default: 0, Min: -1000, Max: 1000},
	},
	Train: trainQ,
}

func init() { rlcore.RegisterAlgorithm(QLearning) }

func trainQ(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	h := cfg.Hyper
	alpha, gamma, qInit := h["alpha"], h["gamma"], h["q_init"]
	epsStart, epsEnd, decay := h["epsilon_start"], h["epsilon_end"], h["epsilon_decay"]
	if alpha <= 0 || alpha > 1 || gamma < 0 || gamma > 1 || decay < 1 {
		return nil, fmt.Errorf("qlearning: alpha = %g, gamma = %g, epsilon_decay = %g: want alpha in (0, 1], gamma in [0, 1], epsilon_decay ≥ 1 (resolve the hyperparameters with QLearning.Resolve)", alpha, gamma, decay)
	}
	nActions := env.ActionSpace().N
	if nActions < 1 {
		return nil, fmt.Errorf("qlearning: the action space %v is empty", env.ActionSpace())
	}
	table := NewTable(env.ObservationSpace().Dim(), nActions, qInit)
	if cfg.Init != nil {
		if err := table.UnmarshalBinary(cfg.Init); err != nil {
			return nil, fmt.Errorf("qlearning: warm start: %w", err)
		}
		if table.obsDim != env.ObservationSpace().Dim() || table.nActions != nActions {
			return nil, fmt.Errorf("qlearning: warm start: the stored table has %d observation values and %d actions, this env %d and %d (the table belongs to another arm)",
				table.obsDim, table.nActions, env.ObservationSpace().Dim(), nActions)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x71))
	rec := rlcore.NewRecorder(ctx, env, cfg)
	var mask []bool
	steps := 0
	for !rec.Stopped() {
		obs, err := rec.Reset()
		if err != nil {
			continue
		}
		mask = rec.Mask(mask)
		for !rec.Stopped() {
			eps := epsEnd
			if float64(steps) < decay {
				eps = epsStart + (epsEnd-epsStart)*float64(steps)/decay
			}
			q := table.row(obs)
			var a int
			if rng.Float64() < eps {
				a = rlcore.RandomAllowed(rng, mask, nActions)
			} else {
				a = greedy(q, mask, rng)
			}
			if a < 0 {
				rec.StopFinished() // no allowed action: nothing can be learned
				break
			}
			sr, err := rec.Step(a)
			if err != nil {
				break
			}
			steps++
			target := sr.Reward
			mask = rec.Mask(mask)
			if !sr.Terminated {
				next := table.row(sr.Obs)
				if best := greedy(next, mask, nil); best >= 0 {
					target += gamma * next[best]
				}
			}
			q[a] += alpha * (target - q[a])
			if sr.Done() {
				break
			}
			obs = sr.Obs
		}
	}
	return rec.Finish(table), nil
}

// greedy returns the allowed action with the highest value; ties are
// broken at random when rng is not nil, towards the lowest index
// otherwise. It returns -1 when no action is allowed.
func greedy(q []float64, mask []bool, rng *rand.Rand) int {
	m := rlcore.NewArgmax(rng)
	for a, v := range q {
		if mask != nil && (a >= len(mask) || !mask[a]) {
			continue
		}
		m.Offer(a, v)
	}
	return m.Best
}
