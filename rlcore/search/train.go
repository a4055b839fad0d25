package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// DefaultTrainBudget is the budget of Train when none is given.
var DefaultTrainBudget = rlcore.Budget{Duration: 5 * time.Minute}

// DefaultTrainRounds is the number of held-out evaluations of Train.
const DefaultTrainRounds = 10

// TrainLabel and HeldOutLabel are the Run labels of Train's events: the
// training episodes, and one point per round, the held-out fold's score.
const (
	TrainLabel   = "train (episode quality)"
	HeldOutLabel = "held-out fold (greedy, geomean)"
)

// TrainOptions configures Train. Zero values mean the documented defaults.
type TrainOptions struct {
	// Run, Spec, Arm and Hyper choose the client RL as for Deploy: the
	// search run's (tuned) winner by default.
	Run   string
	Spec  *Spec
	Arm   *rlcore.Arm
	Hyper rlcore.Hyper
	// Corpus lists the benchmark specs trained on; default the task's
	// proposed corpus (rlcore.Corpus: for code size every built-in program
	// and csmith programs generated on first use) plus the spec's training
	// set, or the training set alone for tasks without one.
	Corpus []string
	// Benchmarks adds the user's benchmark specs to the corpus.
	Benchmarks []string
	// Exclude lists benchmarks (resolved names, such as rlcore/eval's
	// held-out set) never trained on.
	Exclude []string
	// HeldOut lists the specs of the fold the learning curve is measured
	// on (never trained on); default the spec's test set.
	HeldOut []string
	// Budget limits the whole training (rlcore.TrainingUnits); default
	// DefaultTrainBudget.
	Budget rlcore.Budget
	// Rounds splits the budget: after each round the policy is evaluated
	// greedily on the held-out fold and stored. Default DefaultTrainRounds.
	Rounds int
	// FromScratch starts from fresh weights instead of those a deployment
	// would warm-start from (see Deploy).
	FromScratch bool

	Store    *store.Store // nil opens store.DefaultPath()
	Problem  rlcore.Problem
	Observer rlcore.Observer
	OnRound  func(TrainRound)
	Logger   *slog.Logger
}

// TrainRound is one round of Train: its training and the held-out score
// of the policy it ended with.
type TrainRound struct {
	Round    int
	Steps    int // training steps so far, all rounds
	Episodes int
	Elapsed  time.Duration
	// Score is the geomean over the held-out fold of the quality the greedy
	// policy reached (the mean when a quality is ≤ 0); PerBenchmark holds
	// each program's.
	Score        float64
	PerBenchmark map[string]float64
	Policy       int64 // its stored id (0 without a store)
	Err          error // an evaluation that failed
}

// TrainResult is a training run across programs.
type TrainResult struct {
	RunID     int64
	SearchRun int64
	Arm       rlcore.Arm
	Hyper     rlcore.Hyper
	// Corpus and HeldOut are the resolved benchmarks (csmith programs by
	// seed); Weights says which weights training started from.
	Corpus  []string
	HeldOut []string
	Weights string
	Rounds  []TrainRound
	// Best is the round whose policy scored best on the held-out fold;
	// Policy is its stored id, which zero-shot deployments apply.
	Best    TrainRound
	Policy  int64
	Status  rlcore.Status
	Err     error
	Elapsed time.Duration
}

// Train trains the search's (tuned) winner across programs: round after
// round it trains on the corpus (in a seeded order that changes every
// round, continuing from the previous round's weights), evaluates the
// policy greedily on the held-out fold and stores it (table policies,
// source train). The best-scoring policy is what Deploy with ZeroShot and
// Compare's zero-shot method apply. Cancelling ctx keeps the rounds done.
func Train(ctx context.Context, opt TrainOptions) (*TrainResult, error) {
	ph, err := openPhase(ctx, phaseRequest{name: "train", budget: opt.Budget, budgetFor: "a training run across programs",
		run: opt.Run, spec: opt.Spec, arm: opt.Arm, hyper: opt.Hyper, store: opt.Store, problem: opt.Problem, on: opt.HeldOut})
	if err != nil {
		return nil, err
	}
	sess, spec := ph.sess, ph.spec
	defer sess.close()
	if !ph.algorithm.WarmStart {
		return nil, fmt.Errorf("train: %s keeps no weights, so there is no policy to train across programs (learners that do: %s)", ph.algorithm.Name, strings.Join(rlcore.WarmStartable(), ", "))
	}
	res := &TrainResult{SearchRun: ph.run.ID, Arm: ph.arm, Hyper: ph.hyper, HeldOut: ph.benches, Best: TrainRound{Score: math.NaN()}}
	if res.Corpus, err = trainCorpus(ctx, sess, opt, ph.benches); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	init, err := ph.warmStart(ctx, opt.FromScratch, opt.Hyper != nil)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	res.Weights = init.what
	if opt.Budget.IsZero() {
		opt.Budget = DefaultTrainBudget
	}
	if opt.Rounds <= 0 {
		opt.Rounds = DefaultTrainRounds
	}
	roundBudget := scaleBudget(opt.Budget, 1/float64(opt.Rounds))
	if opt.Budget.Steps > 0 {
		roundBudget.Steps = max(roundBudget.Steps, 1)
	}
	if opt.Budget.Episodes > 0 {
		roundBudget.Episodes = max(roundBudget.Episodes, 1)
	}
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	quiet := opt.Observer != nil || opt.OnRound != nil
	rec := sess.recorder(logger)
	optJSON, _ := json.Marshal(map[string]any{"arm": ph.arm.String(), "hyper": ph.hyper, "budget": opt.Budget.String(), "rounds": opt.Rounds,
		"corpus": res.Corpus, "held_out": res.HeldOut, "weights": res.Weights, "policy": init.ID, "seed": spec.Seed})
	res.RunID = rec.createRun(store.Run{Name: spec.Name, Kind: store.KindTrain, Task: spec.Task, Spec: specJSON(spec), Options: optJSON, Parent: ph.run.ID})
	if !quiet {
		logger.Info("train", "arm", ph.arm.String(), "corpus", len(res.Corpus), "held_out", len(res.HeldOut), "weights", res.Weights)
	}

	p := &puller{problem: sess.problem, horizon: spec.Horizon, observer: opt.Observer}
	d := &deployer{problem: sess.problem, horizon: spec.Horizon}
	rng := rand.New(rand.NewPCG(uint64(spec.Seed), 0x7a41))
	weights := init.Weights
	start := time.Now()
	var steps, episodes int
	res.Status = rlcore.BudgetExhausted
	for round := 1; round <= opt.Rounds; round++ {
		if ctx.Err() != nil {
			res.Status = rlcore.Interrupted
			break
		}
		order := slices.Clone(res.Corpus)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		tr, hyper, err := p.train(ctx, ph.arm, ph.hyper, roundBudget, pullSeed(spec.Seed, 3_000_000+round), order, TrainLabel, weights)
		if err == nil && tr.Policy == nil {
			err = fmt.Errorf("round %d: %s returned no policy (%s)", round, ph.algorithm.Name, tr.Status)
		}
		if err != nil {
			res.Status, res.Err = rlcore.Failed, err
			break
		}
		steps += tr.Stats.Steps
		episodes += tr.Stats.Episodes
		if tr.Status == rlcore.Interrupted || ctx.Err() != nil {
			res.Status = rlcore.Interrupted
			break // the round's policy is not evaluated: the rounds done are kept
		}
		if weights, err = tr.Policy.MarshalBinary(); err != nil {
			res.Status, res.Err = rlcore.Failed, fmt.Errorf("round %d: saving the policy: %w", round, err)
			break
		}
		r := TrainRound{Round: round, Steps: steps, Episodes: episodes, PerBenchmark: map[string]float64{}}
		r.Score, r.Err = evaluateHeldOut(ctx, d, ph.arm, weights, res.HeldOut, r.PerBenchmark)
		r.Elapsed = time.Since(start)
		if r.Err == nil {
			r.Policy = rec.addRawPolicy(store.Policy{Run: res.RunID, Arm: ph.arm.String(), Source: store.SourceTrain, Algorithm: ph.algorithm.Name,
				Hyper: hyper, Score: r.Score, Weights: weights})
			if math.IsNaN(res.Best.Score) || r.Score >= res.Best.Score { // the newer wins ties, as store.BestPolicy
				res.Best, res.Policy = r, r.Policy
			}
		}
		res.Rounds = append(res.Rounds, r)
		if opt.Observer != nil && r.Err == nil {
			opt.Observer(rlcore.Event{Kind: rlcore.EpisodeEnd, Run: HeldOutLabel, Elapsed: r.Elapsed, Step: steps, Episode: round,
				Quality: r.Score, Best: res.Best.Score, Return: r.Score})
		}
		if opt.OnRound != nil {
			opt.OnRound(r)
		}
		if !quiet {
			attrs := []any{"round", round, "steps", steps, "held_out", round4(r.Score), "best", round4(res.Best.Score), "elapsed", r.Elapsed.Round(time.Millisecond)}
			if r.Err != nil {
				attrs = append(attrs, "err", r.Err.Error())
			}
			logger.Info("train round", attrs...)
		}
		if opt.Budget.Exhausted(steps, episodes, time.Since(start)) {
			break
		}
	}
	if opt.Observer != nil {
		opt.Observer(rlcore.Event{Kind: rlcore.RunDone, Run: HeldOutLabel, Status: res.Status})
	}
	res.Elapsed = time.Since(start)
	if res.Policy == 0 && res.Err == nil && res.Status != rlcore.Interrupted {
		res.Status, res.Err = rlcore.Failed, errors.New("no round's policy could be evaluated on the held-out fold")
		for _, r := range res.Rounds {
			if r.Err != nil {
				res.Err = fmt.Errorf("%w: %w", res.Err, r.Err)
				break
			}
		}
	}
	rec.finishRun(res.RunID, res.Status, res.Err)
	return res, nil
}

// trainCorpus resolves the corpus: the given specs (or the task's
// proposed corpus plus the training set), the user's benchmarks, minus
// the excluded specs and the held-out fold.
func trainCorpus(ctx context.Context, sess *session, opt TrainOptions, heldOut []string) ([]string, error) {
	specs := opt.Corpus
	var corpus []string
	if len(specs) == 0 {
		if c, ok := sess.problem.(rlcore.Corpus); ok {
			specs = c.Corpus()
		}
		corpus = append(corpus, sess.train...)
	}
	specs = append(slices.Clone(specs), opt.Benchmarks...)
	if len(specs) > 0 {
		bs, err := resolve(ctx, sess.problem, specs)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		corpus = append(corpus, bs...)
	}
	skip := map[string]bool{}
	for _, b := range heldOut {
		skip[b] = true
	}
	for _, b := range opt.Exclude {
		skip[b] = true
	}
	var out []string
	for _, b := range corpus {
		if !skip[b] {
			skip[b] = true // and drop duplicates
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the corpus is empty once the held-out fold and the excluded benchmarks are left out: give --corpus specs")
	}
	return out, nil
}

// evaluateHeldOut runs the greedy policy (weights) once on every held-out
// benchmark and returns the geomean of the qualities reached (the mean
// when one is ≤ 0), filling per.
func evaluateHeldOut(ctx context.Context, d *deployer, arm rlcore.Arm, weights []byte, heldOut []string, per map[string]float64) (float64, error) {
	pol, err := DecodePolicy(weights)
	if err != nil {
		return math.NaN(), err
	}
	env, err := rlcore.NewTaskEnv(d.problem, rlcore.TaskEnvConfig{Arm: arm, Horizon: d.horizon})
	if err != nil {
		return math.NaN(), err
	}
	defer env.Close()
	var qs []float64
	for _, b := range heldOut {
		r, err := rollout(ctx, env, pol, b, nil, 0, nil)
		if err != nil {
			return math.NaN(), fmt.Errorf("held-out %s: %w", b, err)
		}
		per[b] = r.Quality
		qs = append(qs, r.Quality)
	}
	return geomeanOrMean(qs), nil
}

// geomeanOrMean is the geometric mean of qs, or their arithmetic mean when
// one is ≤ 0; NaN for none.
func geomeanOrMean(qs []float64) float64 {
	if len(qs) == 0 {
		return math.NaN()
	}
	var logSum, sum float64
	pos := true
	for _, q := range qs {
		sum += q
		if q > 0 {
			logSum += math.Log(q)
		} else {
			pos = false
		}
	}
	if pos {
		return math.Exp(logSum / float64(len(qs)))
	}
	return sum / float64(len(qs))
}
