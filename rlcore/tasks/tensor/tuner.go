package tensor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
)

// CostModel is a learned cost-model tuner in the manner of AutoTVM's
// XGBoost tuner (Chen et al., "Learning to Optimize Tensor Programs",
// NeurIPS 2018), with a small MLP from rlcore/nn in place of the
// gradient-boosted trees: it starts from the default schedule's known
// time, measures `init` random schedules, then
// repeatedly fits the MLP to (schedule features → log speedup) of every
// measurement so far, scores `candidates` proposals — random schedules and
// one-to-three-knob mutations of the best measured ones — and measures the
// `batch` best predicted that were not measured yet (one of them random
// with probability `explore`). It works on schedules directly, so every
// measurement is one step and one episode of its budget; its best schedule
// is returned as the knob steps that lead to it from the default, so it
// replays like any other method's result.
var CostModel = &rlcore.Algorithm{
	Name: "costmodel",
	Doc:  "AutoTVM-style learned cost-model tuner for tensor schedules: an MLP on knob features ranks proposals, the top ones are measured",
	Kind: rlcore.Searcher,
	Params: []rlcore.Param{
		initParam,
		batchParam,
		{Name: "candidates", Doc: "proposals scored by the model per batch", Default: 512, Min: 16, Max: 16384, Log: true, Int: true},
		exploreParam,
		epochsParam,
		lrParam,
	},
	Train: func(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
		return tune(ctx, env, cfg, "costmodel")
	},
}

// The hyperparameters of the cost model and of the measurement batches,
// the same for CostModel and ModelPPO.
var (
	initParam    = rlcore.Param{Name: "init", Doc: "random schedules measured before the first model", Default: 8, Min: 2, Max: 256, Log: true, Int: true}
	batchParam   = rlcore.Param{Name: "batch", Doc: "schedules measured per model fit", Default: 4, Min: 1, Max: 64, Log: true, Int: true}
	exploreParam = rlcore.Param{Name: "explore", Doc: "probability that a batch slot goes to a random schedule", Default: 0.1, Min: 0, Max: 1}
	epochsParam  = rlcore.Param{Name: "epochs", Doc: "full-batch Adam epochs per model fit", Default: 150, Min: 10, Max: 5000, Log: true, Int: true}
	lrParam      = rlcore.Param{Name: "lr", Doc: "Adam learning rate of the cost model", Default: 3e-3, Min: 1e-5, Max: 1e-1, Log: true}
)

// Grid is AutoTVM's grid-search tuner: it measures the schedules of the
// space in index order (the first knob varying fastest, from the default),
// skipping invalid ones. At a budget far below the space's size it only
// ever explores the first knobs — which is the point of the baseline.
var Grid = &rlcore.Algorithm{
	Name: "grid",
	Doc:  "AutoTVM-style grid search over tensor schedules: every schedule in index order, first knob fastest",
	Kind: rlcore.Searcher,
	Train: func(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
		return tune(ctx, env, cfg, "grid")
	},
}

type tunerSample struct {
	sched   kernel.Schedule
	feat    []float64
	logSp   float64
	speedup float64
}

// tune runs a schedule-space tuner ("costmodel" or "grid") on env's
// tensor problem.
func tune(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig, method string) (*rlcore.Result, error) {
	te, ok := env.(*rlcore.TaskEnv)
	if !ok {
		return nil, fmt.Errorf("%s: needs a task environment, got %T", method, env)
	}
	p, ok := te.Problem().(*Problem)
	if !ok {
		return nil, fmt.Errorf("%s tunes tensor schedules only; task %s is not tensor", method, te.Problem().Task())
	}
	h := cfg.Hyper
	t := &tuner{ctx: ctx, p: p, te: te, cfg: cfg, method: method, start: time.Now(), rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x636f73746d6f64)),
		init: int(h["init"]), batch: int(h["batch"]), candidates: int(h["candidates"]), explore: h["explore"],
		epochs: int(h["epochs"]), lr: h["lr"], modelSteps: int(h["model_steps"]), horizon: int(h["horizon"]),
		res: &rlcore.Result{PerBenchmark: map[string]rlcore.EpisodeRecord{}}}
	switch {
	case method == "grid":
		t.batch = 1
	case t.init < 1 || t.batch < 1 || t.epochs < 1 || !(t.lr > 0),
		method == "costmodel" && t.candidates < 1,
		method == "model-ppo" && (t.modelSteps < 1 || t.horizon < 1):
		return nil, fmt.Errorf("%s: bad hyperparameters %v (resolve them with the algorithm's Resolve)", method, h)
	}
	// agent action of each task action, for the replayable result
	t.agent = map[int]int{}
	for a := range te.ActionSpace().N {
		t.agent[te.TaskAction(a)] = a
	}
	benches := cfg.Benchmarks
	if len(benches) == 0 {
		return nil, errors.New("costmodel: no benchmark to tune")
	}
	states := make([]*benchTuner, len(benches))
	for i, b := range benches {
		sp, err := p.Space(b)
		if err != nil {
			return nil, fmt.Errorf("costmodel: %w", err)
		}
		states[i] = &benchTuner{name: b, space: sp, seen: map[uint64]bool{}, next: sp.Default()}
		// The default is known without spending the budget — the
		// problem times it once per operator, and the methods that step
		// from it start their episodes there —, so it is the first
		// sample and the best so far.
		if r, err := p.Measure(ctx, sp.Default()); err == nil {
			states[i].seen[sp.Default().Hash()] = true
			states[i].free++
			t.record(states[i], r)
		}
	}
	for i := 0; !t.stopped(); i++ {
		t.round(states[i%len(states)])
	}
	t.res.Stats.Elapsed = time.Since(t.start)
	t.res.Policy = t.rl.policy
	t.emit(rlcore.Event{Kind: rlcore.RunDone, Status: t.res.Status})
	return t.res, nil
}

type tuner struct {
	method     string
	ctx        context.Context
	p          *Problem
	te         *rlcore.TaskEnv
	cfg        rlcore.TrainConfig
	start      time.Time
	rng        *rand.Rand
	agent      map[int]int
	init       int
	batch      int
	candidates int
	explore    float64
	epochs     int
	lr         float64
	// model-ppo's PPO steps in the model per batch, its episode length
	// there, and its agent
	modelSteps, horizon int
	rl                  agentRL
	res                 *rlcore.Result
	hasBest             bool
	fails               int
	done                bool
}

type benchTuner struct {
	name    string
	space   *kernel.Space
	seen    map[uint64]bool
	samples []tunerSample
	free    int // samples that did not spend the budget (the default)
	// next is the grid's next schedule (nil Values: the grid is done).
	next kernel.Schedule
}

func (t *tuner) stopped() bool {
	switch {
	case t.done:
		t.res.Status = rlcore.Finished
	case t.ctx.Err() != nil:
		t.res.Status = rlcore.Interrupted
	case t.cfg.Budget.Exhausted(t.res.Stats.Steps, t.res.Stats.Episodes, time.Since(t.start)):
		t.res.Status = rlcore.BudgetExhausted
	case t.fails >= 10:
		t.res.Status = rlcore.Failed
	default:
		return false
	}
	return true
}

func (t *tuner) emit(e rlcore.Event) {
	if t.cfg.Observer == nil {
		return
	}
	e.Run, e.Elapsed, e.Step, e.Episode = t.cfg.Run, time.Since(t.start), t.res.Stats.Steps, t.res.Stats.Episodes
	t.cfg.Observer(e)
}

// round measures one batch on bench.
func (t *tuner) round(b *benchTuner) {
	var picks []kernel.Schedule
	if t.method == "grid" {
		if s, ok := b.gridNext(); ok {
			picks = append(picks, s)
		}
	} else if len(b.samples)-b.free < t.init {
		for len(picks) < t.batch {
			s, ok := t.randomUnseen(b)
			if !ok {
				break
			}
			picks = append(picks, s)
			b.seen[s.Hash()] = true
		}
	} else if t.method == "model-ppo" {
		var err error
		if picks, err = t.proposeRL(b); err != nil {
			t.res.Status, t.res.Err, t.done = rlcore.Failed, err, true
			return
		}
	} else {
		picks = t.propose(b)
	}
	if len(picks) == 0 {
		t.done = true // the space is exhausted
		return
	}
	for _, s := range picks {
		if t.stopped() {
			return
		}
		t.measure(b, s)
	}
}

func (t *tuner) measure(b *benchTuner, s kernel.Schedule) {
	b.seen[s.Hash()] = true
	t.res.Stats.Steps++
	r, err := t.p.Measure(t.ctx, s)
	if err != nil {
		if t.ctx.Err() != nil {
			return
		}
		t.fails++
		t.res.Stats.FailedEpisodes++
		t.res.Err = err
		t.emit(rlcore.Event{Kind: rlcore.EpisodeFailed, Benchmark: b.name, Err: err})
		return
	}
	t.fails = 0
	t.res.Stats.Episodes++
	t.record(b, r)
	t.res.Curve = append(t.res.Curve, rlcore.CurvePoint{Step: t.res.Stats.Steps, Episode: t.res.Stats.Episodes,
		Elapsed: time.Since(t.start), Return: r.Speedup, Quality: r.Speedup, Best: t.res.Best.Quality})
	t.emit(rlcore.Event{Kind: rlcore.EpisodeEnd, Benchmark: b.name, Return: r.Speedup, Quality: r.Speedup, Best: t.res.Best.Quality})
}

// record adds a measured schedule to bench's samples and to the best
// results.
func (t *tuner) record(b *benchTuner, r *Result) {
	s := r.Schedule
	b.samples = append(b.samples, tunerSample{sched: s, feat: s.Features(), logSp: math.Log(r.Speedup), speedup: r.Speedup})
	rec := rlcore.EpisodeRecord{Benchmark: b.name, Return: r.Speedup, Quality: r.Speedup, Found: time.Since(t.start)}
	if old, ok := t.res.PerBenchmark[b.name]; !ok || rec.Quality > old.Quality {
		var err error
		if rec.Actions, err = t.agentPath(s); err == nil {
			t.res.PerBenchmark[b.name] = rec
			if !t.hasBest || rec.Quality > t.res.Best.Quality {
				t.res.Best, t.hasBest = rec, true
			}
		} else {
			t.res.Err = err
		}
	}
}

// gridNext returns the next valid schedule in index order.
func (b *benchTuner) gridNext() (kernel.Schedule, bool) {
	for b.next.Values != nil {
		s := b.next.Clone()
		// advance the mixed-radix counter, first knob fastest
		i := 0
		for ; i < len(s.Values); i++ {
			vals := b.space.Knobs[i].Values
			j := idx(vals, b.next.Values[i]) + 1
			if j < len(vals) {
				b.next.Values[i] = vals[j]
				break
			}
			b.next.Values[i] = vals[0]
		}
		if i == len(s.Values) {
			b.next.Values = nil
		}
		if s.Valid() == nil && !b.seen[s.Hash()] {
			return s, true
		}
	}
	return kernel.Schedule{}, false
}

// agentPath is the agent's actions that lead to s.
func (t *tuner) agentPath(s kernel.Schedule) ([]int, error) {
	path, err := Path(s)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(path))
	for i, a := range path {
		ag, ok := t.agent[a]
		if !ok {
			return nil, fmt.Errorf("%s: the arm's action space lacks %s, needed to reach %s", t.method, actions[a], s)
		}
		out[i] = ag
	}
	return out, nil
}

// randomSchedule draws every knob uniformly and retries until the schedule
// is valid.
func (t *tuner) randomSchedule(sp *kernel.Space) (kernel.Schedule, bool) {
	for range 200 {
		s := sp.Default()
		for i, k := range sp.Knobs {
			s.Values[i] = k.Values[t.rng.IntN(len(k.Values))]
		}
		if s.Valid() == nil {
			return s, true
		}
	}
	return kernel.Schedule{}, false
}

func (t *tuner) randomUnseen(b *benchTuner) (kernel.Schedule, bool) {
	for range 100 {
		if s, ok := t.randomSchedule(b.space); ok && !b.seen[s.Hash()] {
			return s, true
		}
	}
	return kernel.Schedule{}, false
}

// mutate changes one to three knobs of s to random values, keeping it
// valid.
func (t *tuner) mutate(s kernel.Schedule) (kernel.Schedule, bool) {
	for range 50 {
		c := s.Clone()
		for range 1 + t.rng.IntN(3) {
			i := t.rng.IntN(len(c.Values))
			vals := c.Space.Knobs[i].Values
			c.Values[i] = vals[t.rng.IntN(len(vals))]
		}
		if c.Valid() == nil {
			return c, true
		}
	}
	return s, false
}

// propose fits the model and returns the best predicted unseen schedules.
func (t *tuner) propose(b *benchTuner) []kernel.Schedule {
	model, _ := t.fit(b.samples)
	top := b.best(8)
	var cands []candidate
	inBatch := map[uint64]bool{}
	for range t.candidates {
		var s kernel.Schedule
		ok := false
		if t.rng.Float64() < 0.5 {
			s, ok = t.mutate(top[t.rng.IntN(len(top))].sched)
		} else {
			s, ok = t.randomSchedule(b.space)
		}
		if !ok {
			continue
		}
		h := s.Hash()
		if b.seen[h] || inBatch[h] {
			continue
		}
		inBatch[h] = true
		cands = append(cands, candidate{s: s})
	}
	if len(cands) == 0 {
		return nil
	}
	feats := make([]float64, 0, len(cands)*kernel.NumFeatures)
	for _, c := range cands {
		feats = append(feats, c.s.Features()...)
	}
	pred := model.Forward(feats, len(cands))
	for i := range cands {
		cands[i].pred = pred[i]
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].pred > cands[j].pred })
	picks := firstSchedules(cands, t.batch)
	if len(picks) > 1 && t.rng.Float64() < t.explore {
		if s, ok := t.randomUnseen(b); ok && !inBatch[s.Hash()] {
			picks[len(picks)-1] = s
		}
	}
	return picks
}

// fit trains a fresh MLP (two hidden layers of 32, ReLU) on the samples by
// full-batch Adam on the mean squared error of log speedup; the MLP
// predicts the log speedup minus mean.
func (t *tuner) fit(samples []tunerSample) (net *nn.MLP, mean float64) {
	n := len(samples)
	net, err := nn.NewValueNet(kernel.NumFeatures, []int{32, 32}, nn.ReLU, t.rng)
	if err != nil {
		panic(err) // sizes are constants
	}
	x := make([]float64, 0, n*kernel.NumFeatures)
	y := make([]float64, n)
	for i, s := range samples {
		x = append(x, s.feat...)
		y[i] = s.logSp
		mean += s.logSp / float64(n)
	}
	opt, err := nn.NewAdam(net.Params(), net.Grads(), t.lr)
	if err != nil {
		panic(err)
	}
	grad := make([]float64, n)
	for range t.epochs {
		out := net.Forward(x, n)
		for i := range grad {
			grad[i] = 2 * (out[i] + mean - y[i]) / float64(n)
		}
		net.ZeroGrad()
		net.Backward(grad)
		opt.Step()
	}
	return net, mean
}

// candidate is a proposed schedule with the cost model's prediction.
type candidate struct {
	s    kernel.Schedule
	pred float64 // predicted ln speedup
}

// firstSchedules returns the schedules of the first n candidates.
func firstSchedules(cands []candidate, n int) []kernel.Schedule {
	var picks []kernel.Schedule
	for i := 0; i < len(cands) && len(picks) < n; i++ {
		picks = append(picks, cands[i].s)
	}
	return picks
}

// best returns the n best measured samples of bench, best first.
func (b *benchTuner) best(n int) []tunerSample {
	top := slices.Clone(b.samples)
	sort.Slice(top, func(i, j int) bool { return top[i].logSp > top[j].logSp })
	return top[:min(n, len(top))]
}
