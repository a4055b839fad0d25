package pg

import (
	"context"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
)

// A2C is the synchronous advantage actor-critic (Mnih et al. 2016, the
// synchronous variant) on one env: every n_steps transitions, one Adam
// step on the policy gradient weighted by n-step advantages (GAE(λ) with
// λ = 1 by default, i.e. bootstrapped n-step returns minus the critic),
// an entropy bonus and the critic's squared error. The learning rate is
// annealed linearly to zero over the budget by default, which keeps the
// single-env updates from undoing a solved task late in training.
var A2C = &rlcore.Algorithm{
	Name:      "a2c",
	Doc:       "synchronous n-step advantage actor-critic on one env, separate actor and critic MLPs",
	Kind:      rlcore.Learner,
	WarmStart: true,
	Params:    a2cParams,
	Train:     trainA2C,
}

var a2cParams = withNetParams(
	lrParam(1e-3),
	annealLRParam,
	gammaParam(0.99),
	rlcore.Param{Name: "lambda", Doc: "GAE λ (1: plain n-step advantages)", Default: 1, Min: 0.5, Max: 1},
	rlcore.Param{Name: "n_steps", Doc: "environment steps per update", Default: 16, Min: 1, Max: 1024, Log: true, Int: true},
	entCoefParam,
	vfCoefParam,
	normalizeAdvParam(0),
	maxGradNormParam,
)

func init() { rlcore.RegisterAlgorithm(A2C) }

func trainA2C(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	ru, err := startRun(ctx, env, cfg, "a2c", a2cParams)
	if err != nil {
		return nil, err
	}
	h := cfg.Hyper
	up := newVanillaUpdater(ru.ac, h)
	T := int(h["n_steps"])
	for !ru.rec.Stopped() {
		ru.r.reset()
		ru.col.collect(ru.r, T, 0)
		if ru.r.len() == 0 {
			continue
		}
		ru.learn(h["lambda"], up.update)
	}
	return ru.finish(), nil
}

// vanillaUpdater takes one Adam step on a whole rollout: the policy
// gradient weighted by the advantages, an entropy bonus and the critic's
// squared error against the returns (A2C and REINFORCE).
type vanillaUpdater struct {
	ac              *actorCritic
	entCoef, vfCoef float64
	normalize       bool
	adv, gz, gv     []float64
}

func newVanillaUpdater(ac *actorCritic, h rlcore.Hyper) *vanillaUpdater {
	return &vanillaUpdater{ac: ac, entCoef: h["ent_coef"], vfCoef: h["vf_coef"], normalize: h["normalize_adv"] == 1}
}

// update trains on r and returns the loss.
func (u *vanillaUpdater) update(r *rollout, masks []bool) float64 {
	ac := u.ac
	n, A := r.len(), ac.nAct
	u.adv = append(u.adv[:0], r.adv...)
	if u.normalize && n > 1 {
		normalize(u.adv)
	}
	u.gz, u.gv = growF(u.gz, n*A), growF(u.gv, n)
	logits := ac.policy.Forward(r.obs, n)
	if masks != nil {
		for k := range n {
			if m := masks[k*A : (k+1)*A]; usableMask(m) {
				nn.MaskLogits(logits[k*A:(k+1)*A], m)
			}
		}
	}
	pl, _ := nn.PolicyGradientLoss(u.gz, logits, n, A, r.actions, u.adv, u.entCoef)
	ac.policy.Backward(u.gz)
	v := ac.value.Forward(r.obs, n)
	vl := nn.MSE(u.gv, v, r.ret)
	for k := range u.gv {
		u.gv[k] *= u.vfCoef
	}
	ac.value.Backward(u.gv)
	ac.step()
	return pl + u.vfCoef*vl
}
