package pg

import (
	"context"
	"fmt"

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
	Params: withNetParams(
		rlcore.Param{Name: "lr", Doc: "Adam learning rate", Default: 2e-3, Min: 1e-5, Max: 1e-2, Log: true},
		rlcore.Param{Name: "anneal_lr", Doc: "1 to anneal the learning rate linearly to 0 over the budget", Default: 1, Min: 0, Max: 1, Int: true},
		rlcore.Param{Name: "gamma", Doc: "discount factor", Default: 0.99, Min: 0.8, Max: 1},
		rlcore.Param{Name: "episodes", Doc: "complete episodes per update", Default: 2, Min: 1, Max: 64, Log: true, Int: true},
		rlcore.Param{Name: "ent_coef", Doc: "entropy bonus coefficient", Default: 0, Min: 0, Max: 0.1},
		rlcore.Param{Name: "vf_coef", Doc: "value loss coefficient", Default: 0.5, Min: 0.01, Max: 2, Log: true},
		rlcore.Param{Name: "normalize_adv", Doc: "1 to normalise advantages per update", Default: 1, Min: 0, Max: 1, Int: true},
		rlcore.Param{Name: "max_grad_norm", Doc: "global gradient-norm clipping threshold", Default: 0.5, Min: 0.05, Max: 10, Log: true},
	),
}

func init() {
	REINFORCE.Train = trainREINFORCE // set here: trainREINFORCE refers to REINFORCE
	rlcore.RegisterAlgorithm(REINFORCE)
}

func trainREINFORCE(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	h, err := REINFORCE.Resolve(cfg.Hyper)
	if err != nil {
		return nil, err
	}
	ac, err := newActorCritic(env, h, cfg.Seed, h["lr"], h["max_grad_norm"], cfg.Init)
	if err != nil {
		return nil, fmt.Errorf("reinforce: %w", err)
	}
	rec := rlcore.NewRecorder(ctx, env, cfg)
	col := &collector{rec: rec, ac: ac, gamma: h["gamma"]}
	up := &vanillaUpdater{ac: ac, entCoef: h["ent_coef"], vfCoef: h["vf_coef"], normalize: h["normalize_adv"] == 1}
	r := &rollout{obsDim: ac.obsDim, nAct: ac.nAct}
	episodes := int(h["episodes"])
	for !rec.Stopped() {
		r.reset()
		col.collect(r, 0, episodes)
		if r.ended < episodes {
			break // the run stopped mid-batch: no complete returns to learn from
		}
		r.computeGAE(h["gamma"], 1) // λ = 1: return minus baseline
		ac.opt.LR = lrSchedule(h["lr"], h["anneal_lr"] == 1, cfg.Budget.Progress(rec.Stats()))
		rec.ReportLoss(up.update(r, col.rowMasks(r)))
	}
	return rec.Finish(ac.greedyPolicy()), nil
}
