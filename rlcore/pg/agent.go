package pg

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
)

// The network hyperparameters shared by every algorithm of the package.
var netParams = []rlcore.Param{
	{Name: "hidden", Doc: "width of each hidden layer", Default: 64, Min: 8, Max: 512, Log: true, Int: true},
	{Name: "layers", Doc: "number of hidden layers", Default: 2, Min: 1, Max: 4, Int: true},
	{Name: "relu", Doc: "1 for ReLU hidden activations, 0 for tanh", Default: 0, Min: 0, Max: 1, Int: true},
}

// The hyperparameters the algorithms of the package share, with the
// default as an argument where theirs differ.
var (
	annealLRParam    = rlcore.Param{Name: "anneal_lr", Doc: "1 to anneal the learning rate linearly to 0 over the budget", Default: 1, Min: 0, Max: 1, Int: true}
	entCoefParam     = rlcore.Param{Name: "ent_coef", Doc: "entropy bonus coefficient", Default: 0, Min: 0, Max: 0.1}
	vfCoefParam      = rlcore.Param{Name: "vf_coef", Doc: "value loss coefficient", Default: 0.5, Min: 0.01, Max: 2, Log: true}
	maxGradNormParam = rlcore.Param{Name: "max_grad_norm", Doc: "global gradient-norm clipping threshold", Default: 0.5, Min: 0.05, Max: 10, Log: true}
)

func lrParam(def float64) rlcore.Param {
	return rlcore.Param{Name: "lr", Doc: "Adam learning rate", Default: def, Min: 1e-5, Max: 1e-2, Log: true}
}

func gammaParam(def float64) rlcore.Param {
	return rlcore.Param{Name: "gamma", Doc: "discount factor", Default: def, Min: 0.8, Max: 1}
}

func normalizeAdvParam(def float64) rlcore.Param {
	return rlcore.Param{Name: "normalize_adv", Doc: "1 to normalise advantages per update", Default: def, Min: 0, Max: 1, Int: true}
}

// withNetParams appends the shared network hyperparameters to ps.
func withNetParams(ps ...rlcore.Param) []rlcore.Param { return append(ps, netParams...) }

// actorCritic is a policy network and a value network trained together.
type actorCritic struct {
	policy, value *nn.MLP
	opt           *nn.Adam
	rng           *rand.Rand
	obsDim, nAct  int
	maxGradNorm   float64

	logp []float64 // scratch: log-probabilities of one row
}

// newActorCritic builds the networks; init, when not nil, is a policy
// network saved by an earlier run (rlcore.TrainConfig.Init), which
// replaces the fresh policy network (its shape wins over the hidden and
// layers hyperparameters, which still shape the critic).
func newActorCritic(env rlcore.Env, h rlcore.Hyper, seed int64, lr, maxGradNorm float64, init []byte) (*actorCritic, error) {
	obsDim, nAct, err := rlcore.Dims(env)
	if err != nil {
		return nil, err
	}
	hidden := nn.Hidden(int(h["layers"]), int(h["hidden"]))
	act := nn.Tanh
	if h["relu"] == 1 {
		act = nn.ReLU
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	pol, err := nn.NewPolicyNet(obsDim, hidden, nAct, act, rng)
	if err != nil {
		return nil, err
	}
	if init != nil {
		if pol, err = loadPolicyNet(init, obsDim, nAct); err != nil {
			return nil, err
		}
	}
	val, err := nn.NewValueNet(obsDim, hidden, act, rng)
	if err != nil {
		return nil, err
	}
	opt, err := nn.NewAdam(append(pol.Params(), val.Params()...), append(pol.Grads(), val.Grads()...), lr)
	if err != nil {
		return nil, err
	}
	opt.Eps = 1e-5
	return &actorCritic{
		policy: pol, value: val, opt: opt, rng: rng,
		obsDim: obsDim, nAct: nAct, maxGradNorm: maxGradNorm,
		logp: make([]float64, nAct),
	}, nil
}

// act samples an action for one observation under mask (nil: all
// allowed) and returns it with its log-probability and the state value.
func (ac *actorCritic) act(obs []float64, mask []bool) (a int, logp, value float64) {
	logits := ac.policy.Forward(obs, 1)
	if usableMask(mask) {
		nn.MaskLogits(logits, mask)
	}
	lp := nn.LogSoftmax(ac.logp, logits)
	a = nn.Sample(ac.rng, lp)
	return a, lp[a], ac.value.Forward(obs, 1)[0]
}

// loadPolicyNet decodes warm-start weights and checks they fit the env.
func loadPolicyNet(init []byte, obsDim, nAct int) (*nn.MLP, error) {
	m, err := nn.DecodeMLP(init)
	if err != nil {
		return nil, fmt.Errorf("warm start: %w", err)
	}
	if m.InDim() != obsDim || m.OutDim() != nAct {
		return nil, fmt.Errorf("warm start: the stored policy maps %d observations to %d actions, this env has %d and %d (the weights belong to another arm)", m.InDim(), m.OutDim(), obsDim, nAct)
	}
	return m, nil
}

// stateValue is the critic's value of one observation.
func (ac *actorCritic) stateValue(obs []float64) float64 { return ac.value.Forward(obs, 1)[0] }

// step clips the joint gradient, applies Adam and zeroes the gradients.
func (ac *actorCritic) step() {
	grads := append(ac.policy.Grads(), ac.value.Grads()...)
	nn.ClipGradNorm(grads, ac.maxGradNorm)
	ac.opt.Step()
	ac.policy.ZeroGrad()
	ac.value.ZeroGrad()
}

// greedyPolicy is the final policy: a copy of the policy network.
func (ac *actorCritic) greedyPolicy() rlcore.Policy { return nn.NewPolicy(ac.policy.Clone()) }

// usableMask reports whether mask is non-nil and allows at least one action. A
// mask that allows nothing is ignored (the env then decides what an
// action means).
func usableMask(mask []bool) bool {
	if mask == nil {
		return false
	}
	for _, ok := range mask {
		if ok {
			return true
		}
	}
	return false
}

// lrSchedule returns the learning rate after the given fraction of the
// budget: constant, or annealed linearly to zero.
func lrSchedule(lr0 float64, anneal bool, progress float64) float64 {
	if !anneal {
		return lr0
	}
	return lr0 * math.Max(1-progress, 0)
}

// run is what every algorithm of the package trains with: the networks,
// the recorder, the collector and the rollout buffer.
type run struct {
	cfg rlcore.TrainConfig
	ac  *actorCritic
	rec *rlcore.Recorder
	col *collector
	r   *rollout
}

// startRun opens a training run of the algorithm name on env. cfg.Hyper
// must hold every one of params: the caller resolves the hyperparameters
// once (rlcore.Algorithm.Resolve: defaults filled in, ranges checked), as
// the search does before every pull.
func startRun(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig, name string, params []rlcore.Param) (*run, error) {
	h := cfg.Hyper
	if err := h.CheckResolved(name, params); err != nil {
		return nil, err
	}
	ac, err := newActorCritic(env, h, cfg.Seed, h["lr"], h["max_grad_norm"], cfg.Init)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rec := rlcore.NewRecorder(ctx, env, cfg)
	return &run{
		cfg: cfg, ac: ac, rec: rec,
		col: &collector{rec: rec, ac: ac, gamma: h["gamma"]},
		r:   &rollout{obsDim: ac.obsDim, nAct: ac.nAct},
	}, nil
}

// learn computes the collected rollout's GAE(lambda) advantages, sets the
// learning rate of this point of the budget and reports the loss of one
// update.
func (ru *run) learn(lambda float64, update func(r *rollout, masks []bool) float64) {
	h := ru.cfg.Hyper
	ru.r.computeGAE(h["gamma"], lambda)
	ru.ac.opt.LR = lrSchedule(h["lr"], h["anneal_lr"] == 1, ru.cfg.Budget.Progress(ru.rec.Stats()))
	ru.rec.ReportLoss(update(ru.r, ru.col.rowMasks(ru.r)))
}

// finish ends the run with the greedy policy of the trained actor.
func (ru *run) finish() *rlcore.Result { return ru.rec.Finish(ru.ac.greedyPolicy()) }
