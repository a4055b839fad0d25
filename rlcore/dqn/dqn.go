package dqn

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
)

// DQN is deep Q-learning (Mnih et al. 2015) with experience replay, a
// target network updated by periodic hard copies or Polyak averaging,
// double Q-learning targets (van Hasselt et al. 2016), an optional
// dueling head (Wang et al. 2016), the Huber loss, global gradient-norm
// clipping, linearly decaying ε-greedy exploration and action masks. With
// eval_every > 0 it also keeps the best greedily evaluated checkpoint
// (see the package doc).
var DQN = &rlcore.Algorithm{
	Name:      "dqn",
	Doc:       "deep Q-network: replay buffer, target network, double and dueling variants, ε-greedy, masks, best-checkpoint selection",
	Kind:      rlcore.Learner,
	WarmStart: true,
	Params:    dqnParams,
	Train:     train,
}

var dqnParams = []rlcore.Param{
	{Name: "lr", Doc: "Adam learning rate", Default: 5e-4, Min: 1e-5, Max: 1e-2, Log: true},
	{Name: "anneal_lr", Doc: "1 to anneal the learning rate linearly to 0 over the budget", Default: 0, Min: 0, Max: 1, Int: true},
	{Name: "gamma", Doc: "discount factor", Default: 0.99, Min: 0.8, Max: 1},
	{Name: "buffer_size", Doc: "replay buffer capacity in transitions", Default: 50_000, Min: 1000, Max: 1_000_000, Log: true, Int: true},
	{Name: "batch_size", Doc: "transitions per gradient step", Default: 128, Min: 8, Max: 1024, Log: true, Int: true},
	{Name: "learning_starts", Doc: "environment steps of pure collection before the first gradient step", Default: 1000, Min: 0, Max: 100_000, Int: true},
	{Name: "train_freq", Doc: "environment steps between training phases", Default: 1, Min: 1, Max: 256, Log: true, Int: true},
	{Name: "gradient_steps", Doc: "gradient steps per training phase", Default: 1, Min: 1, Max: 256, Log: true, Int: true},
	{Name: "target_update", Doc: "environment steps between target-network updates", Default: 1000, Min: 1, Max: 100_000, Log: true, Int: true},
	{Name: "tau", Doc: "target update weight: target ← τ·online + (1−τ)·target (1 = hard copy)", Default: 1, Min: 0.001, Max: 1, Log: true},
	{Name: "epsilon_start", Doc: "exploration rate at the first step", Default: 1, Min: 0, Max: 1},
	{Name: "epsilon_end", Doc: "exploration rate after the decay", Default: 0.02, Min: 0, Max: 1},
	{Name: "epsilon_decay", Doc: "environment steps over which ε decays linearly", Default: 15_000, Min: 1, Max: 1_000_000, Log: true, Int: true},
	{Name: "hidden", Doc: "width of each hidden ReLU layer", Default: 64, Min: 8, Max: 512, Log: true, Int: true},
	{Name: "layers", Doc: "number of hidden layers", Default: 2, Min: 1, Max: 4, Int: true},
	{Name: "double", Doc: "1 for double DQN targets (online argmax, target value), 0 for the max of the target network", Default: 1, Min: 0, Max: 1, Int: true},
	{Name: "dueling", Doc: "1 for a dueling head V + A − mean A, 0 for a plain Q head", Default: 0, Min: 0, Max: 1, Int: true},
	{Name: "max_grad_norm", Doc: "global gradient-norm clipping threshold", Default: 10, Min: 0.1, Max: 100, Log: true},
	{Name: "eval_every", Doc: "environment steps between greedy evaluations on a fork of the env keeping the best weights (0: off, return the final weights)", Default: 5000, Min: 0, Max: 1_000_000, Int: true},
	{Name: "eval_episodes", Doc: "episodes per greedy evaluation", Default: 10, Min: 1, Max: 100, Int: true},
}

func init() { rlcore.RegisterAlgorithm(DQN) }

// huberDelta is the threshold of the Huber loss on the TD error (the
// smooth L1 loss of Mnih et al. 2015).
const huberDelta = 1

// train runs DQN with cfg.Hyper, which the caller resolved once
// (rlcore.Algorithm.Resolve: defaults filled in, ranges checked).
func train(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	h := cfg.Hyper
	if err := h.CheckResolved("dqn", dqnParams); err != nil {
		return nil, err
	}
	ag, err := newAgent(env, h, cfg.Seed, cfg.Init)
	if err != nil {
		return nil, fmt.Errorf("dqn: %w", err)
	}
	ag.budget = cfg.Budget
	rec := rlcore.NewRecorder(ctx, env, cfg)
	var ck *checkpointer
	if every := int(h["eval_every"]); every > 0 {
		ck = newCheckpointer(env, cfg.Benchmarks, int(h["eval_episodes"]), every)
		if cfg.Budget.Duration > 0 {
			ck.deadline = time.Now().Add(cfg.Budget.Duration)
		}
	}
	ag.run(rec, ck)
	policy := nn.NewPolicy(ag.online.export())
	if ck != nil {
		ck.evaluate(ctx, ag.online) // the final weights compete too
		ck.close()
		if best := ck.best(); best != nil {
			policy = nn.NewPolicy(best)
		}
		slog.Debug("dqn: checkpoint evaluation", "evaluations", ck.evals, "eval_steps", ck.steps, "best_mean_return", ck.bestScore)
	}
	return rec.Finish(policy), nil
}

// agent is the learning state of one DQN run.
type agent struct {
	online, target *qNet
	opt            *nn.Adam
	rng            *rand.Rand
	buf            *replay
	b              *batch
	obsDim, nAct   int

	gamma, tau, maxGradNorm           float64
	epsStart, epsEnd, epsDecay        float64
	learningStarts, trainFreq, gSteps int
	targetUpdate                      int
	double                            bool
	lr0                               float64
	annealLR                          bool
	budget                            rlcore.Budget

	// scratch
	aStar     []int
	pred, y   []float64 // Q(s, a) and TD targets of the batch
	gPred, gq []float64
	cur       []float64 // current observation
}

// newAgent builds the agent; init, when not nil, holds Q-network weights
// an earlier run's policy saved (rlcore.TrainConfig.Init).
func newAgent(env rlcore.Env, h rlcore.Hyper, seed int64, init []byte) (*agent, error) {
	obsDim, nAct, err := rlcore.Dims(env)
	if err != nil {
		return nil, err
	}
	hidden := nn.Hidden(int(h["layers"]), int(h["hidden"]))
	rng := rand.New(rand.NewPCG(uint64(seed), 0xd9e1))
	online, err := newQNet(obsDim, hidden, nAct, h["dueling"] == 1, rng)
	if err != nil {
		return nil, err
	}
	if init != nil {
		m, err := nn.DecodeMLP(init)
		if err != nil {
			return nil, fmt.Errorf("warm start: %w", err)
		}
		if err := online.load(m); err != nil {
			return nil, fmt.Errorf("warm start: %w", err)
		}
	}
	opt, err := nn.NewAdam(online.params, online.grads, h["lr"])
	if err != nil {
		return nil, err
	}
	_, masked := env.(rlcore.Masker)
	n := int(h["batch_size"])
	return &agent{
		online: online, target: online.clone(), opt: opt, rng: rng,
		buf:    newReplay(int(h["buffer_size"]), obsDim, nAct, masked),
		b:      newBatch(n, obsDim, nAct, masked),
		obsDim: obsDim, nAct: nAct,
		gamma: h["gamma"], tau: h["tau"], maxGradNorm: h["max_grad_norm"],
		epsStart: h["epsilon_start"], epsEnd: h["epsilon_end"], epsDecay: h["epsilon_decay"],
		learningStarts: int(h["learning_starts"]), trainFreq: int(h["train_freq"]), gSteps: int(h["gradient_steps"]),
		targetUpdate: int(h["target_update"]),
		double:       h["double"] == 1,
		lr0:          h["lr"], annealLR: h["anneal_lr"] == 1,
		aStar: make([]int, n),
		pred:  make([]float64, n), y: make([]float64, n),
		gPred: make([]float64, n), gq: make([]float64, n*nAct),
		cur: make([]float64, obsDim),
	}, nil
}

// run collects experience through rec and trains until rec stops.
func (ag *agent) run(rec *rlcore.Recorder, ck *checkpointer) {
	var curRaw, nextRaw []bool // mask buffers, swapped between steps
	steps := 0
	for !rec.Stopped() {
		obs, err := rec.Reset()
		if err != nil {
			continue // recorded; Stopped says whether to go on
		}
		copy(ag.cur, obs)
		curRaw = rec.Mask(curRaw)
		mask := usable(curRaw)
		for !rec.Stopped() {
			a := ag.act(ag.cur, mask, ag.epsilon(steps))
			sr, err := rec.Step(a)
			if err != nil {
				break // the failed transition is not stored
			}
			steps++
			var nm []bool
			if !sr.Terminated {
				nextRaw = rec.Mask(nextRaw)
				nm = usable(nextRaw)
			}
			ag.buf.add(ag.cur, a, sr.Reward, sr.Obs, sr.Terminated, nm)
			if steps >= ag.learningStarts && ag.buf.size >= ag.b.n && steps%ag.trainFreq == 0 {
				if ag.annealLR {
					ag.opt.LR = ag.lr0 * max(1-ag.budget.Progress(rec.Stats()), 0)
				}
				for range ag.gSteps {
					rec.ReportLoss(ag.learn())
				}
			}
			if steps%ag.targetUpdate == 0 {
				ag.target.blendFrom(ag.online, ag.tau)
			}
			if ck != nil && steps%ck.every == 0 {
				ck.evaluate(rec.Context(), ag.online)
			}
			if sr.Done() {
				break
			}
			copy(ag.cur, sr.Obs)
			curRaw, nextRaw, mask = nextRaw, curRaw, nm
		}
	}
}

// epsilon is the exploration rate after steps environment steps.
func (ag *agent) epsilon(steps int) float64 {
	if float64(steps) >= ag.epsDecay {
		return ag.epsEnd
	}
	return ag.epsStart + (ag.epsEnd-ag.epsStart)*float64(steps)/ag.epsDecay
}

// act is ε-greedy over the actions allowed by mask (nil: all).
func (ag *agent) act(obs []float64, mask []bool, eps float64) int {
	if ag.rng.Float64() < eps {
		if a := rlcore.RandomAllowed(ag.rng, mask, ag.nAct); a >= 0 {
			return a
		}
		return ag.rng.IntN(ag.nAct) // a mask allowing nothing is ignored
	}
	return nn.Argmax(ag.online.forward(obs, 1), mask)
}

// learn takes one gradient step on a sampled minibatch and returns its
// Huber loss. The TD target of transition k is
//
//	y_k = r_k + γ·(1 − terminated_k)·Q_target(s'_k, a*_k)
//
// where a*_k maximises Q_online(s'_k, ·) (double) or Q_target(s'_k, ·)
// over the actions allowed in s'_k. Truncated transitions are not
// terminated, so they bootstrap from their last observation.
func (ag *agent) learn() float64 {
	b, A := ag.b, ag.nAct
	ag.buf.sample(ag.rng, b)
	n := b.n
	if ag.double {
		qn := ag.online.forward(b.nextObs, n)
		for k := range n {
			ag.aStar[k] = nn.Argmax(qn[k*A:(k+1)*A], rowMask(b.nextMask, k, A))
		}
	}
	qt := ag.target.forward(b.nextObs, n)
	for k := range n {
		y := b.rewards[k]
		if !b.terminated[k] {
			row := qt[k*A : (k+1)*A]
			a := ag.aStar[k]
			if !ag.double {
				a = nn.Argmax(row, rowMask(b.nextMask, k, A))
			}
			y += ag.gamma * row[a]
		}
		ag.y[k] = y
	}
	q := ag.online.forward(b.obs, n)
	for k, a := range b.actions {
		ag.pred[k] = q[k*A+a]
	}
	loss := nn.Huber(ag.gPred, ag.pred, ag.y, huberDelta)
	clear(ag.gq)
	for k, a := range b.actions {
		ag.gq[k*A+a] = ag.gPred[k]
	}
	ag.online.zeroGrad()
	ag.online.backward(ag.gq)
	nn.ClipGradNorm(ag.online.grads, ag.maxGradNorm)
	ag.opt.Step()
	return loss
}

// rowMask is row k of a batch of masks, nil when there are none or when
// the row allows no action (such a mask is ignored, as when acting).
func rowMask(masks []bool, k, A int) []bool {
	if masks == nil {
		return nil
	}
	return usable(masks[k*A : (k+1)*A])
}

// usable returns mask, or nil when it allows no action: a mask that
// forbids everything is ignored and the env decides what an action means.
func usable(mask []bool) []bool {
	for _, ok := range mask {
		if ok {
			return mask
		}
	}
	return nil
}
