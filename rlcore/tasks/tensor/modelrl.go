package tensor

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
	"github.com/supersonic-rl/supersonic/rlcore/pg"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
)

// ModelPPO is the client RL made to spend its measurements well: a
// model-based (Dyna-style) PPO. Its agent takes the task's knob steps and
// sees the task's observation (tensor-features), but its episodes run on a
// learned cost model — the same MLP on schedule features as CostModel's,
// fitted to every measurement so far — whose predicted speedups make the
// rewards (the arm's reward: the predicted step's log speedup, or the
// predicted improvement over the episode's best). Episodes start at one of
// the eight best measured schedules or at a random one, and the agent
// learns to climb the model from there. After `model_steps` of
// PPO training in the model, the schedules its episodes reached that the
// model ranks first and that were not measured yet are measured (`batch`
// of them, one a random schedule with probability `explore`); the model
// is refitted and the agent, warm-started from its weights, trains on.
//
// Budgets count measurements, as for every other method: one measured
// schedule is one step; the steps in the model are free. The difference
// from CostModel: the cost-model tuner proposes random schedules and
// random mutations of its best ones and measures what the model ranks
// first; here a policy learns which knob steps the model rewards, from
// which states, and its episodes propose the candidates.
var ModelPPO = &rlcore.Algorithm{
	Name: "model-ppo",
	Doc:  "model-based client RL for tensor schedules: PPO trained on a learned cost model's predicted speedups; only the top predicted schedules its episodes reach are measured",
	Kind: rlcore.Learner,
	Params: []rlcore.Param{
		initParam,
		batchParam,
		{Name: "model_steps", Doc: "PPO steps in the cost model per batch", Default: 4096, Min: 256, Max: 65536, Log: true, Int: true},
		{Name: "horizon", Doc: "knob steps per episode in the model", Default: 12, Min: 2, Max: 64, Int: true},
		exploreParam,
		epochsParam,
		lrParam,
	},
	Train: func(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
		return tune(ctx, env, cfg, "model-ppo")
	},
}

// agentRL is model-ppo's state across batches: the PPO weights and the
// number of rounds trained.
type agentRL struct {
	weights []byte
	rounds  int
	policy  rlcore.Policy
}

// proposeRL trains PPO on the fitted cost model of bench and returns the
// best predicted unseen schedules its episodes reached.
func (t *tuner) proposeRL(b *benchTuner) ([]kernel.Schedule, error) {
	start := time.Now()
	model, mean := t.fit(b.samples)
	var top []kernel.Schedule
	for _, s := range b.best(8) {
		top = append(top, s.sched)
	}
	env := &modelEnv{t: t, space: b.space, model: model, mean: mean, starts: top, horizon: t.horizon,
		bestImprovement: t.te.Arm().Reward == "tensor-best-improvement", visited: map[uint64]candidate{}}
	h, err := pg.PPO.Resolve(rlcore.Hyper{"ent_coef": 0.01})
	if err != nil {
		return nil, err
	}
	res, err := pg.PPO.Train(t.ctx, env, rlcore.TrainConfig{Hyper: h, Budget: rlcore.Budget{Steps: t.modelSteps},
		Seed: t.cfg.Seed + int64(t.rl.rounds), Benchmarks: []string{b.name}, Init: t.rl.weights})
	if err != nil {
		return nil, fmt.Errorf("model-ppo: training in the cost model: %w", err)
	}
	t.rl.rounds++
	if res.Policy != nil {
		t.rl.policy = res.Policy
		if w, err := res.Policy.MarshalBinary(); err == nil {
			t.rl.weights = w
		}
	}
	cands := make([]candidate, 0, len(env.visited))
	for h, c := range env.visited {
		if !b.seen[h] {
			cands = append(cands, c)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].pred != cands[j].pred {
			return cands[i].pred > cands[j].pred
		}
		return cands[i].s.Hash() < cands[j].s.Hash() // map order must not decide
	})
	picks := firstSchedules(cands, t.batch)
	t.p.log.Debug("model-ppo round", "benchmark", b.name, "round", t.rl.rounds, "model_steps", t.modelSteps,
		"schedules_reached", len(env.visited), "unmeasured", len(cands), "elapsed", time.Since(start))
	if len(picks) < t.batch || (len(picks) > 1 && t.rng.Float64() < t.explore) {
		if s, ok := t.randomUnseen(b); ok && !env.hasPick(picks, s) {
			if len(picks) < t.batch {
				picks = append(picks, s)
			} else {
				picks[len(picks)-1] = s
			}
		}
	}
	return picks, nil
}

// modelEnv is the task's environment with measurements replaced by the
// cost model's predictions: the same actions (the arm's), the same
// observation as tensor-features, rewards from predicted speedups.
type modelEnv struct {
	t               *tuner
	space           *kernel.Space
	model           *nn.MLP
	mean            float64 // the model predicts ln speedup − mean
	starts          []kernel.Schedule
	horizon         int
	bestImprovement bool

	cur                   kernel.Schedule
	pred, best, lastDelta float64 // ln speedups
	steps                 int
	visited               map[uint64]candidate
}

func (e *modelEnv) ObservationSpace() rlcore.Space { return rlcore.NewBox(numObservation, -64, 64) }
func (e *modelEnv) ActionSpace() rlcore.Discrete   { return e.t.te.ActionSpace() }

// Quality is the predicted speedup (rlcore.Scorer).
func (e *modelEnv) Quality() float64 { return math.Exp(e.pred) }

func (e *modelEnv) predict(s kernel.Schedule) float64 {
	h := s.Hash()
	if c, ok := e.visited[h]; ok {
		return c.pred
	}
	p := e.model.Forward(s.Features(), 1)[0] + e.mean
	e.visited[h] = candidate{s: s, pred: p}
	return p
}

// Reset starts at one of the best measured schedules or, every other
// episode, at a random schedule, so that the agent climbs the model both
// near what was measured best and elsewhere.
func (e *modelEnv) Reset(context.Context, string) ([]float64, error) {
	e.cur = e.space.Default()
	if s, ok := e.t.randomSchedule(e.space); ok && (len(e.starts) == 0 || e.t.rng.IntN(2) == 0) {
		e.cur = s
	} else if len(e.starts) > 0 {
		e.cur = e.starts[e.t.rng.IntN(len(e.starts))].Clone()
	}
	e.pred = e.predict(e.cur)
	e.best, e.lastDelta, e.steps = e.pred, 0, 0
	return e.observe(), nil
}

func (e *modelEnv) Step(_ context.Context, a int) (rlcore.StepResult, error) {
	ta := e.t.te.TaskAction(a)
	prev := e.pred
	if next, ok := e.cur.Step(kernel.KnobNames[ta/2], 1-2*(ta%2)); ok {
		e.cur, e.pred = next, e.predict(next)
	}
	e.lastDelta = e.pred - prev
	r := e.lastDelta
	if e.bestImprovement {
		r = max(0, e.pred-e.best)
	}
	e.best = max(e.best, e.pred)
	e.steps++
	return rlcore.StepResult{Obs: e.observe(), Reward: r, Truncated: e.steps >= e.horizon}, nil
}

// observe is Episode.observation with predicted speedups (log2).
func (e *modelEnv) observe() []float64 {
	return append(e.cur.Features(), e.pred/math.Ln2, e.best/math.Ln2, e.lastDelta/math.Ln2)
}

func (e *modelEnv) hasPick(picks []kernel.Schedule, s kernel.Schedule) bool {
	for _, p := range picks {
		if p.Equal(s) {
			return true
		}
	}
	return false
}
