package pg

import (
	"context"
	"math"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
)

// PPO is proximal policy optimization with the clipped surrogate objective
// (Schulman et al. 2017): rollouts of a fixed length, GAE(λ) advantages
// normalised per minibatch, several epochs of minibatch Adam updates of
// the surrogate with an entropy bonus and of the critic's squared error,
// and a learning rate optionally annealed linearly to zero over the budget.
var PPO = &rlcore.Algorithm{
	Name:      "ppo",
	Doc:       "proximal policy optimization: clipped surrogate, GAE(λ), minibatch epochs, separate actor and critic MLPs",
	Kind:      rlcore.Learner,
	WarmStart: true,
	Params:    ppoParams,
	Train:     trainPPO,
}

var ppoParams = withNetParams(
	lrParam(1e-3),
	annealLRParam,
	gammaParam(0.98),
	rlcore.Param{Name: "lambda", Doc: "GAE λ", Default: 0.8, Min: 0.5, Max: 1},
	rlcore.Param{Name: "clip", Doc: "surrogate clipping ε", Default: 0.2, Min: 0.05, Max: 0.5},
	rlcore.Param{Name: "rollout", Doc: "environment steps per update", Default: 256, Min: 16, Max: 8192, Log: true, Int: true},
	rlcore.Param{Name: "minibatch", Doc: "minibatch size", Default: 64, Min: 8, Max: 4096, Log: true, Int: true},
	rlcore.Param{Name: "epochs", Doc: "passes over each rollout", Default: 10, Min: 1, Max: 30, Int: true},
	entCoefParam,
	vfCoefParam,
	maxGradNormParam,
)

func init() { rlcore.RegisterAlgorithm(PPO) }

func trainPPO(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	ru, err := startRun(ctx, env, cfg, "ppo", ppoParams)
	if err != nil {
		return nil, err
	}
	h := cfg.Hyper
	up := newPPOUpdater(ru.ac, h)
	T := int(h["rollout"])
	for !ru.rec.Stopped() {
		ru.r.reset()
		ru.col.collect(ru.r, T, 0)
		if ru.r.len() < T {
			break // the run stopped mid-rollout
		}
		ru.learn(h["lambda"], up.update)
	}
	return ru.finish(), nil
}

// ppoUpdater runs PPO's minibatch epochs over a rollout.
type ppoUpdater struct {
	ac                         *actorCritic
	epochs, mb                 int
	clip, entCoef, vfCoef      float64
	perm                       []int
	obs, adv, oldLogp, ret, gz []float64
	gv                         []float64
	actions                    []int
	masks                      []bool
}

func newPPOUpdater(ac *actorCritic, h rlcore.Hyper) *ppoUpdater {
	return &ppoUpdater{
		ac: ac, epochs: int(h["epochs"]), mb: int(h["minibatch"]),
		clip: h["clip"], entCoef: h["ent_coef"], vfCoef: h["vf_coef"],
	}
}

// update trains on r and returns the mean loss of the last epoch.
func (u *ppoUpdater) update(r *rollout, masks []bool) float64 {
	ac := u.ac
	n, D, A := r.len(), ac.obsDim, ac.nAct
	mb := min(u.mb, n)
	if cap(u.perm) < n {
		u.perm = make([]int, n)
	}
	u.perm = u.perm[:n]
	for i := range u.perm {
		u.perm[i] = i
	}
	u.obs = growF(u.obs, mb*D)
	u.adv, u.oldLogp, u.ret = growF(u.adv, mb), growF(u.oldLogp, mb), growF(u.ret, mb)
	u.gz, u.gv = growF(u.gz, mb*A), growF(u.gv, mb)
	if cap(u.actions) < mb {
		u.actions = make([]int, mb)
	}
	if masks != nil && cap(u.masks) < mb*A {
		u.masks = make([]bool, mb*A)
	}
	var lossSum float64
	var batches int
	for range u.epochs {
		ac.rng.Shuffle(n, func(i, j int) { u.perm[i], u.perm[j] = u.perm[j], u.perm[i] })
		lossSum, batches = 0, 0
		for start := 0; start+mb <= n; start += mb {
			idx := u.perm[start : start+mb]
			for k, t := range idx {
				copy(u.obs[k*D:(k+1)*D], r.obs[t*D:(t+1)*D])
				u.adv[k], u.oldLogp[k], u.ret[k], u.actions[k] = r.adv[t], r.logp[t], r.ret[t], r.actions[t]
				if masks != nil {
					copy(u.masks[k*A:(k+1)*A], masks[t*A:(t+1)*A])
				}
			}
			normalize(u.adv[:mb])
			logits := ac.policy.Forward(u.obs, mb)
			if masks != nil {
				for k := range mb {
					if m := u.masks[k*A : (k+1)*A]; usableMask(m) {
						nn.MaskLogits(logits[k*A:(k+1)*A], m)
					}
				}
			}
			pl, _ := nn.ClippedSurrogateLoss(u.gz, logits, mb, A, u.actions[:mb], u.adv[:mb], u.oldLogp[:mb], u.clip, u.entCoef)
			ac.policy.Backward(u.gz)
			v := ac.value.Forward(u.obs, mb)
			vl := nn.MSE(u.gv, v, u.ret[:mb])
			for k := range u.gv {
				u.gv[k] *= u.vfCoef
			}
			ac.value.Backward(u.gv)
			ac.step()
			lossSum += pl + u.vfCoef*vl
			batches++
		}
	}
	return lossSum / float64(max(batches, 1))
}

// normalize shifts and scales x to mean 0 and standard deviation 1 (left
// centred only when the deviation is tiny).
func normalize(x []float64) {
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	varSum := 0.0
	for _, v := range x {
		varSum += (v - mean) * (v - mean)
	}
	std := math.Sqrt(varSum / float64(len(x)))
	scale := 1.0
	if std > 1e-8 {
		scale = 1 / std
	}
	for i, v := range x {
		x[i] = (v - mean) * scale
	}
}
