package pg

import (
	"context"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// REINFORCE is Williams's (1992) Monte-Carlo policy gradient with a
// learned state-value baseline (Sutton & Barto, 2nd ed., Section 13.4):
// after every `episodes` complete episodes, one Adam step on the policy
// gradient weighted by the discounted return minus the critic's value
// (normalised over the batch by default), and on the critic's squared
// error against the returns, with the learning rate annealed linearly to
// zero over the budget by default. Episodes cut by a time limit are
// completed with the critic's value of their last observation.
var REINFORCE = &rlcore.Algorithm{
	Name:      "reinforce",
	Doc:       "Monte-Carlo policy gradient (REINFORCE) with a learned value baseline",
	Kind:      rlcore.Learner,
	WarmStart: true,
	Params:    reinforceParams,
	Train:     trainREINFORCE,
}

var reinforceParams = withNetParams(
	lrParam(2e-3),
	annealLRParam,
	gammaParam(0.99),
	rlcore.Param{Name: "episodes", Doc: "complete episodes per update", Default: 2, Min: 1, Max: 64, Log: true, Int: true},
	entCoefParam,
	vfCoefParam,
	normalizeAdvParam(1),
	maxGradNormParam,
)

func init() { rlcore.RegisterAlgorithm(REINFORCE) }

func trainREINFORCE(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	ru, err := startRun(ctx, env, cfg, "reinforce", reinforceParams)
	if err != nil {
		return nil, err
	}
	h := cfg.Hyper
	up := newVanillaUpdater(ru.ac, h)
	episodes := int(h["episodes"])
	for !ru.rec.Stopped() {
		ru.r.reset()
		ru.col.collect(ru.r, 0, episodes)
		if ru.r.ended < episodes {
			break // the run stopped mid-batch: no complete returns to learn from
		}
		ru.learn(1, up.update) // λ = 1: return minus baseline
	}
	return ru.finish(), nil
}
