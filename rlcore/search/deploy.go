package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// DefaultDeployBudget is the per-benchmark training budget of Deploy and
// Compare when none is given.
var DefaultDeployBudget = rlcore.Budget{Duration: 60 * time.Second}

// DeployOptions configures Deploy. Zero values mean the documented
// defaults.
type DeployOptions struct {
	// Run is the search run whose winner is deployed (id, name or "" for
	// the newest); its newest tuned configuration is used when there is one.
	Run string
	// Spec and Arm override the stored spec and winner (both needed when
	// Run is "" and no store is wanted).
	Spec *Spec
	Arm  *rlcore.Arm
	// Hyper overrides the tuned configuration.
	Hyper rlcore.Hyper
	// On lists benchmark specs to deploy on; default (or "test") the
	// spec's test set, "train" its training set.
	On []string
	// Budget is the training budget per benchmark; default
	// DefaultDeployBudget.
	Budget rlcore.Budget
	// FromScratch trains from fresh weights, as the paper does. By default
	// a deployment warm-starts (see DeployResult.Weights) from Policy, else
	// from the policy of the search run's newest training run across
	// programs (Train), else from the weights the search (or the tuning
	// run) stored for the winner; it first applies those weights without
	// training (a greedy rollout and Samples sampled ones, as ZeroShot
	// does) within the first half of the budget at most, then trains from
	// them for the rest of it, and keeps the better of both.
	FromScratch bool
	// Guided is policy-guided search: the start weights are not trained
	// but sampled for the whole wall budget on each benchmark (a greedy
	// rollout, then sampled ones until the budget ends), the best
	// validated rollout kept. It needs stored or trained weights and a
	// wall-clock budget.
	Guided bool
	// Temperature divides the policy's logits in the sampled rollouts of
	// the start weights (the first ones, a guided deployment's): above 1
	// they spread, toward 0 they approach the greedy one; 0 means 1.
	Temperature float64
	// Policy is a stored policy (id) to start from, or for ZeroShot to
	// apply, instead of the search run's; it must be of the deployed arm.
	Policy int64
	// ZeroShot applies the policy trained across programs (Train) to each
	// benchmark without training: a greedy rollout plus Samples sampled
	// ones, the best kept and validated (Budget is not used). Without a
	// training run it applies the weights a warm start would use, and says
	// so. Zero-shot deployments run in this process.
	ZeroShot bool
	// Samples is the number of sampled rollouts of a zero-shot deployment
	// and of those a deployment from stored weights first applies; default
	// DefaultZeroShotSamples, negative for none (the greedy rollout only).
	Samples int
	// Workers deploys on that many benchmarks at once; default
	// runtime.NumCPU(), or the Executor's capacity.
	Workers int
	// Executor runs the deployments; nil is the local pool.
	Executor Executor

	Store    *store.Store // nil opens store.DefaultPath()
	Problem  rlcore.Problem
	Observer rlcore.Observer
	// OnResult receives each benchmark's result as it finishes.
	OnResult func(Deployment)
	Logger   *slog.Logger
}

// Deployment is the deployed client RL's result on one benchmark.
type Deployment struct {
	Benchmark string
	Arm       rlcore.Arm
	Hyper     rlcore.Hyper
	// Quality of the best action sequence found (task quality; for code
	// size 1.0 = -Oz).
	Quality float64
	// Actions are the agent's actions of the best sequence (replay them on
	// a fresh env of Arm); TaskActions and ActionNames are the task actions
	// they applied.
	Actions     []int
	TaskActions []int
	ActionNames []string
	Walltime    time.Duration // the whole training run on the benchmark
	Found       time.Duration // when the best sequence was found
	// Validated: replaying Actions on a fresh env reached Quality, and the
	// problem's rlcore.Validator (if any) accepted it; Err says why not.
	Validated bool
	Err       error
	Result    *rlcore.Result
	// Runner names who ran it: "local" or a remote worker (see Executor).
	Runner string
	// Policy is the stored policy the run started from (0: none), and
	// Weights says in words which weights were used.
	Policy  int64
	Weights string
}

// DeployResult is every benchmark's deployment.
type DeployResult struct {
	RunID     int64
	SearchRun int64
	Arm       rlcore.Arm
	Hyper     rlcore.Hyper // tuned (or overridden) hyperparameters, nil for the defaults
	Tuned     bool
	// Policy is the stored policy every benchmark's training started from
	// (0: none, fresh weights); Weights says in words which weights were
	// used and, for fresh ones, why.
	Policy  int64
	Weights string
	Results []Deployment
	Status  rlcore.Status
	Elapsed time.Duration
	// Overrun is how far the deployment that overran most went past the
	// per-benchmark wall budget; OverrunWhy says how many did and why.
	Overrun    time.Duration
	OverrunWhy string
	// Warnings say what the caller should know about the result, such as
	// a search run that did not finish.
	Warnings []string
}

// Deploy trains the search's (tuned) winner on each unseen benchmark within
// the per-benchmark budget, replays the best action sequence on a fresh
// env to validate it, and stores the results (table deployments) and the
// trained policies (table policies, arm "ARM @ BENCHMARK").
func Deploy(ctx context.Context, opt DeployOptions) (*DeployResult, error) {
	ph, err := openPhase(ctx, phaseRequest{name: "deploy", budget: opt.Budget, budgetFor: "a deployment on one benchmark",
		run: opt.Run, spec: opt.Spec, arm: opt.Arm, hyper: opt.Hyper, store: opt.Store, problem: opt.Problem, on: opt.On})
	if err != nil {
		return nil, err
	}
	sess, spec, run, arm, benches := ph.sess, ph.spec, ph.run, ph.arm, ph.benches
	res := &DeployResult{SearchRun: run.ID, Arm: arm, Hyper: ph.hyper, Tuned: ph.tuned, Warnings: unfinishedRunWarnings(run)}
	defer sess.close()
	var init startWeights
	if opt.ZeroShot {
		if opt.FromScratch {
			return nil, errors.New("deploy: --zero-shot and --from-scratch exclude each other: a zero-shot deployment applies trained weights without training")
		}
		if init, err = ph.zeroShotWeights(ctx, opt.Policy); err == nil {
			_, err = DecodePolicy(init.Weights)
		}
	} else {
		init, err = ph.clientWeights(ctx, opt.Policy, opt.FromScratch, opt.Hyper != nil)
	}
	if err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	if opt.Temperature < 0 || math.IsNaN(opt.Temperature) {
		return nil, fmt.Errorf("deploy: temperature %v: want a positive number (1: the policy's own distribution; 0 means 1)", opt.Temperature)
	}
	if opt.Guided {
		switch {
		case opt.ZeroShot:
			return nil, errors.New("deploy: guided and zero-shot exclude each other: a zero-shot deployment takes a few rollouts, a guided one samples for the whole budget")
		case init.Weights == nil:
			return nil, fmt.Errorf("deploy: policy-guided search samples stored or trained weights, and there are none: %s", init.what)
		case opt.Budget.Duration <= 0:
			return nil, fmt.Errorf("deploy: policy-guided search needs a wall-clock budget such as 20s, got %v", opt.Budget)
		}
		init.what = "policy-guided search with " + init.what
	}
	res.Policy, res.Weights = init.ID, init.what
	if opt.Samples == 0 {
		opt.Samples = DefaultZeroShotSamples
	}
	if opt.Budget.IsZero() {
		opt.Budget = DefaultDeployBudget
	}
	exec := sess.executorFor(opt.Executor)
	opt.Workers = workersFor(ctx, opt.Workers, exec, runtime.NumCPU())
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logWarnings(logger, "deploy", res.Warnings)
	quiet := opt.Observer != nil || opt.OnResult != nil
	if !quiet {
		logger.Info("deploy weights", "weights", res.Weights)
	}
	rec := sess.recorder(logger)
	optJSON, _ := json.Marshal(map[string]any{"arm": arm.String(), "hyper": res.Hyper, "tuned": res.Tuned, "budget": opt.Budget.String(), "benchmarks": benches,
		"policy": res.Policy, "weights": res.Weights, "from_scratch": opt.FromScratch, "zero_shot": opt.ZeroShot, "samples": max(opt.Samples, 0),
		"guided": opt.Guided, "temperature": opt.Temperature})
	res.RunID = rec.createRun(store.Run{Name: spec.Name, Kind: store.KindDeploy, Task: spec.Task, Spec: specJSON(spec), Options: optJSON, Parent: run.ID})
	start := time.Now()
	res.Results = make([]Deployment, len(benches))
	key := runKey(spec.Name, res.RunID, newNonce())
	var mu sync.Mutex
	parallel(len(benches), opt.Workers, func(i int) {
		var jr *JobResult
		if opt.ZeroShot {
			pol, _ := DecodePolicy(init.Weights) // one per job: a policy is not safe for concurrent use
			d := &deployer{problem: sess.problem, horizon: spec.Horizon, temperature: opt.Temperature}
			jr = &JobResult{Deployment: new(d.zeroShot(ctx, arm, pol, benches[i], max(opt.Samples, 0), pullSeed(spec.Seed, 1_000_000+i))), Runner: "local"}
		} else {
			job := deployJob(spec, jobID(key, "deploy", i), arm, res.Hyper, benches[i], opt.Budget,
				pullSeed(spec.Seed, 1_000_000+i), init.Weights, init.rollouts(opt.Samples))
			job.Guided, job.Temperature = opt.Guided, opt.Temperature
			jr = exec.Run(ctx, job, opt.Observer)
		}
		dep := *jr.Deployment
		dep.Runner, dep.Policy, dep.Weights = jr.Runner, res.Policy, res.Weights
		mu.Lock()
		defer mu.Unlock()
		res.Results[i] = dep
		rec.addDeployment(res.RunID, dep)
		if dep.Result != nil && dep.Result.Policy != nil {
			rec.addPolicy(store.Policy{Run: res.RunID, Arm: dep.Arm.String() + " @ " + dep.Benchmark, Source: store.SourceDeploy,
				Algorithm: ph.algorithm.Name, Hyper: dep.Hyper, Score: dep.Quality}, dep.Result.Policy)
		}
		if opt.OnResult != nil {
			opt.OnResult(dep)
		}
		if !quiet {
			attrs := []any{"benchmark", dep.Benchmark, "quality", round4(dep.Quality), "validated", dep.Validated, "actions", len(dep.Actions), "walltime", dep.Walltime.Round(time.Millisecond)}
			if dep.Err != nil {
				attrs = append(attrs, "err", dep.Err.Error())
			}
			logger.Info("deploy", attrs...)
		}
	})
	res.Elapsed = time.Since(start)
	walls := make([]time.Duration, 0, len(res.Results))
	for _, d := range res.Results {
		if d.Result != nil {
			walls = append(walls, d.Walltime)
		}
	}
	if res.Overrun, res.OverrunWhy = perRunOverrun(opt.Budget, "deployments", walls); res.Overrun > 0 {
		logOverrun(logger, quiet, "deployments ran past their wall budget", res.Overrun, res.OverrunWhy)
	}
	res.Status = rlcore.Finished
	if ctx.Err() != nil {
		res.Status = rlcore.Interrupted
	}
	var runErr error
	if res.Status == rlcore.Finished {
		failed := 0
		for _, dep := range res.Results {
			if dep.failed() {
				failed++
			}
		}
		if failed == len(benches) {
			res.Status, runErr = rlcore.Failed, res.Results[0].Err
		}
	}
	rec.finishRun(res.RunID, res.Status, runErr)
	return res, nil
}

// phase is what Deploy, Compare and Train open in common: the search
// run's session, spec and winner, its (tuned) hyperparameters and the
// benchmarks to run on.
type phase struct {
	sess  *session
	spec  Spec
	run   store.Run
	arm   rlcore.Arm
	hyper rlcore.Hyper // nil: the defaults
	tuned bool
	// tunedRun is the tune run whose configuration hyper is (0: none).
	tunedRun  int64
	algorithm *rlcore.Algorithm
	benches   []string
}

// phaseRequest is what a phase is opened from: the fields of its options
// that Deploy, Compare and Train have in common.
type phaseRequest struct {
	name      string        // the phase: "deploy", "compare", "train"; it prefixes the errors
	budget    rlcore.Budget // the phase's budget, in training units
	budgetFor string        // what the budget is spent on, for its error
	run       string        // the search run (see openFromSearch)
	spec      *Spec
	arm       *rlcore.Arm
	hyper     rlcore.Hyper // nil: the tuned ones, or else the defaults
	store     *store.Store
	problem   rlcore.Problem
	on        []string // the benchmarks (see targetBenchmarks)
}

// openPhase checks the budget, opens the search run's session and finds
// the winner's algorithm, hyperparameters and the benchmarks to run on.
func openPhase(ctx context.Context, r phaseRequest) (_ *phase, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("%s: %w", r.name, err)
		}
	}()
	if err := r.budget.Check(r.budgetFor, rlcore.TrainingUnits...); err != nil {
		return nil, err
	}
	hyper, on := r.hyper, r.on
	sess, s, run, a, err := openFromSearch(ctx, r.run, r.spec, r.arm, r.store, r.problem)
	if err != nil {
		return nil, err
	}
	ph := &phase{sess: sess, spec: s, run: run, arm: a, hyper: hyper}
	if hyper == nil && run.ID != 0 {
		t, ok, err := sess.st.LatestTuned(ctx, run.ID, a.String())
		if err != nil {
			sess.close()
			return nil, err
		}
		if ok {
			ph.hyper, ph.tuned, ph.tunedRun = t.Hyper, true, t.Run
		}
	}
	if _, ph.algorithm, err = armAlgorithm(a); err != nil {
		sess.close()
		return nil, err
	}
	if ph.benches, err = targetBenchmarks(ctx, sess, on); err != nil {
		sess.close()
		return nil, err
	}
	return ph, nil
}

// startWeights are the weights a deployment starts from: a stored policy
// (ID 0 and Weights nil for fresh weights) and a statement of which.
type startWeights struct {
	store.Policy
	what string
}

// warmStart picks the stored weights a deployment of the phase's arm
// starts from: those of the tuning trial that found the tuned
// configuration, or else those of the search's best pull of the winner.
// Fresh weights are used (and said why) when fromScratch is set, when the
// algorithm keeps no weights, or when nothing was stored; hyperOverride
// warns that stored weights may not fit overridden hyperparameters.
func (ph *phase) warmStart(ctx context.Context, fromScratch, hyperOverride bool) (startWeights, error) {
	alg := ph.algorithm
	switch {
	case !alg.WarmStart:
		return startWeights{what: fmt.Sprintf("fresh: %s keeps no weights, so there is nothing to warm-start from (learners that do: %s)", alg.Name, strings.Join(rlcore.WarmStartable(), ", "))}, nil
	case fromScratch:
		return startWeights{what: "fresh: trained from scratch (--from-scratch)"}, nil
	case ph.run.ID == 0:
		return startWeights{what: "fresh: no search run to take weights from"}, nil
	}
	arm := ph.arm.String()
	var p store.Policy
	var err error
	from := fmt.Sprintf("search run %d", ph.run.ID)
	if ph.tunedRun != 0 {
		from = fmt.Sprintf("tune run %d", ph.tunedRun)
		p, err = ph.sess.st.LatestPolicy(ctx, ph.tunedRun, arm)
	} else {
		p, err = ph.sess.st.BestPolicy(ctx, ph.run.ID, arm)
	}
	if errors.Is(err, store.ErrNoPolicy) {
		return startWeights{what: fmt.Sprintf("fresh: %s stored no weights of %s", from, arm)}, nil
	}
	if err != nil {
		return startWeights{}, err
	}
	what := fmt.Sprintf("warm start from policy %d (%s", p.ID, from)
	if p.Pull != 0 {
		what += fmt.Sprintf(", pull %d", p.Pull)
	}
	if !math.IsNaN(p.Score) {
		what += fmt.Sprintf(", score %.4f", p.Score)
	}
	what += ")"
	if hyperOverride {
		what += "; the hyperparameters were overridden, the weights were trained with " + fmt.Sprint(p.Hyper)
	}
	return startWeights{Policy: p, what: what}, nil
}

// clientWeights picks the weights a trained deployment of the phase's arm
// starts from: stored policy id when non-zero, else the policy of the
// newest training run across programs (trainedPolicy), else warmStart's;
// fresh weights, and id ignored, when fromScratch is set or the algorithm
// keeps no weights.
func (ph *phase) clientWeights(ctx context.Context, id int64, fromScratch, hyperOverride bool) (startWeights, error) {
	if fromScratch || !ph.algorithm.WarmStart {
		return ph.warmStart(ctx, fromScratch, hyperOverride)
	}
	if w, ok, err := ph.learnedPolicy(ctx, id); err != nil || ok {
		w.what = "warm start from " + w.what
		return w, err
	}
	return ph.warmStart(ctx, false, hyperOverride)
}

// learnedPolicy is stored policy id when non-zero, else the policy of the
// search run's newest training run across programs (trainedPolicy); ok is
// false when there is neither. Its what names the policy.
func (ph *phase) learnedPolicy(ctx context.Context, id int64) (w startWeights, ok bool, err error) {
	if id != 0 {
		p, err := ph.policyByID(ctx, id)
		if err != nil {
			return w, false, err
		}
		return startWeights{Policy: p, what: fmt.Sprintf("policy %d (run %d, score %.4f)", p.ID, p.Run, p.Score)}, true, nil
	}
	p, trainRun, ok, err := ph.trainedPolicy(ctx)
	if err != nil || !ok {
		return w, false, err
	}
	return startWeights{Policy: p, what: fmt.Sprintf("policy %d (train run %d across programs, held-out score %.4f)", p.ID, trainRun, p.Score)}, true, nil
}

// policyByID reads stored policy id and checks it is of the phase's arm.
func (ph *phase) policyByID(ctx context.Context, id int64) (store.Policy, error) {
	if ph.sess.st == nil {
		return store.Policy{}, fmt.Errorf("policy %d: no store to read it from", id)
	}
	p, err := ph.sess.st.PolicyByID(ctx, id)
	if err != nil {
		return p, err
	}
	if p.Arm != ph.arm.String() {
		return p, fmt.Errorf("policy %d is of arm %s, not of the deployed arm %s", id, p.Arm, ph.arm)
	}
	return p, nil
}

// rollouts is the number of rollouts a deployment from w first applies
// without training: a greedy one and samples sampled ones (0:
// DefaultZeroShotSamples, negative: none), or 0 for fresh weights.
func (w startWeights) rollouts(samples int) int {
	if w.Weights == nil {
		return 0
	}
	if samples == 0 {
		samples = DefaultZeroShotSamples
	}
	return 1 + max(samples, 0)
}

// targetBenchmarks resolves specs, or returns the session's test set.
func targetBenchmarks(ctx context.Context, sess *session, on []string) ([]string, error) {
	if len(on) == 1 && on[0] == "train" {
		return sess.train, nil
	}
	if len(on) > 0 && !(len(on) == 1 && on[0] == "test") {
		return resolve(ctx, sess.problem, on)
	}
	if len(sess.test) == 0 {
		return nil, errors.New("the spec has no test benchmarks: add `test: …` or `folds: …` to the %%task, or pass benchmarks explicitly")
	}
	return sess.test, nil
}

// parallel runs f(0…n-1) on at most workers goroutines.
func parallel(n, workers int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// failed reports whether the deployment produced no result: training did
// not run, or half or more of its episodes failed (TooManyFailedEpisodes,
// the search's rule for a pull). A result that did not validate is a
// result.
func (d Deployment) failed() bool {
	return d.Err != nil && (d.Result == nil || TooManyFailedEpisodes(d.Result.Stats))
}

type deployer struct {
	problem  rlcore.Problem
	horizon  int
	observer rlcore.Observer
	// temperature divides the policy's logits in sampled rollouts of the
	// start weights (see rollout); 0 leaves them as they are.
	temperature float64
	// replayBest makes a zero-shot deployment validate its best by
	// replaying it even when the task could validate the state its rollout
	// saved (the way it was validated before; benchmarks and tests compare
	// the two).
	replayBest bool
}

// deploy trains arm on one benchmark and validates its best sequence.
// With init weights and rollouts > 0 it first applies them without
// training (firstRollouts), inside a wall budget, and keeps the better of
// those rollouts and training. It never panics.
func (d *deployer) deploy(ctx context.Context, arm rlcore.Arm, hyper rlcore.Hyper, bench string, budget rlcore.Budget, seed int64, init []byte, rollouts int, guided bool) (dep Deployment) {
	dep = Deployment{Benchmark: bench, Arm: arm, Quality: math.NaN()}
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			dep.Err = fmt.Errorf("deploying %s on %s panicked: %v", arm, bench, r)
		}
		if dep.Walltime == 0 {
			dep.Walltime = time.Since(start)
		}
	}()
	if guided {
		return d.guided(ctx, arm, bench, budget, seed, init, start)
	}
	var first *rlcore.EpisodeRecord
	if rollouts > 0 && init != nil {
		rctx := ctx
		if budget.Duration > 0 {
			// Rollouts of a slow task (superopt's proofs, tensor's
			// compiles) could eat the budget: they get half of it at most,
			// and what finished by then is kept.
			var cancel context.CancelFunc
			rctx, cancel = context.WithDeadline(ctx, start.Add(budget.Duration/firstRolloutsShare))
			defer cancel()
		}
		var err error
		if first, err = d.firstRollouts(rctx, arm, bench, init, rollouts, seed, start); err != nil {
			dep.Err = err
			return dep
		}
	}
	spent := time.Since(start)
	trainBudget := budget
	if first != nil && budget.Duration > 0 {
		trainBudget.Duration = max(budget.Duration-spent, time.Millisecond)
	}
	p := &puller{problem: d.problem, horizon: d.horizon, observer: d.observer}
	res, h, err := p.train(ctx, arm, hyper, trainBudget, seed, []string{bench}, arm.String()+" @ "+bench, init)
	dep.Hyper = h
	if err != nil && first == nil {
		dep.Err = err
		return dep
	}
	if err != nil { // the rollouts' result is kept
		res = &rlcore.Result{Status: rlcore.Failed, Err: err, PerBenchmark: map[string]rlcore.EpisodeRecord{}}
	}
	if first != nil {
		mergeFirstRollouts(res, *first, spent)
	}
	dep.Result = res
	dep.Walltime = res.Stats.Elapsed
	best, ok := res.PerBenchmark[bench]
	if !ok {
		dep.Err = fmt.Errorf("no episode on %s finished within %v", bench, budget)
		if res.Err != nil {
			dep.Err = fmt.Errorf("%w: %w", dep.Err, res.Err)
		}
		return dep
	}
	dep.Quality, dep.Actions, dep.Found = best.Quality, best.Actions, best.Found
	if TooManyFailedEpisodes(res.Stats) {
		// The search's rule: what the few episodes that did not fail
		// found is kept, but the deployment is not a success.
		dep.Err = failedEpisodesError("a deployment", res)
		return dep
	}
	dep.TaskActions, dep.ActionNames, dep.Err = d.replay(context.WithoutCancel(ctx), arm, bench, best)
	dep.Validated = dep.Err == nil
	return dep
}

// guided is policy-guided search: it spends the whole wall budget on
// rollouts of the start weights without training — a greedy one, then
// sampled ones (seeded) until the budget ends — and keeps the best prefix,
// validated like a trained deployment's. Found is when it was reached.
func (d *deployer) guided(ctx context.Context, arm rlcore.Arm, bench string, budget rlcore.Budget, seed int64, init []byte, start time.Time) (dep Deployment) {
	dep = Deployment{Benchmark: bench, Arm: arm, Quality: math.NaN()}
	if init == nil {
		dep.Err = errors.New("policy-guided search needs stored or trained weights to sample from, and the deployment has fresh ones")
		return dep
	}
	if budget.Duration <= 0 {
		dep.Err = fmt.Errorf("policy-guided search needs a wall-clock budget (such as 20s), got %v", budget)
		return dep
	}
	rctx, cancel := context.WithDeadline(ctx, start.Add(budget.Duration))
	defer cancel()
	first, err := d.firstRollouts(rctx, arm, bench, init, math.MaxInt, seed, start)
	dep.Walltime = time.Since(start)
	if err != nil {
		dep.Err = err
		return dep
	}
	if first == nil {
		dep.Err = fmt.Errorf("no rollout on %s finished within %v", bench, budget)
		return dep
	}
	res := &rlcore.Result{Status: rlcore.Finished, Best: *first, PerBenchmark: map[string]rlcore.EpisodeRecord{bench: *first},
		Curve: []rlcore.CurvePoint{{Elapsed: first.Found, Return: first.Quality, Quality: first.Quality, Best: first.Quality}}}
	res.Stats.Elapsed = dep.Walltime
	dep.Result = res
	dep.Quality, dep.Actions, dep.Found = first.Quality, first.Actions, first.Found
	dep.TaskActions, dep.ActionNames, dep.Err = d.replay(context.WithoutCancel(ctx), arm, bench, *first)
	dep.Validated = dep.Err == nil
	return dep
}

// firstRolloutsShare bounds a deployment's first rollouts to 1/share of
// its wall budget.
const firstRolloutsShare = 2

// firstRollouts applies init to bench without training: a greedy rollout
// and rollouts-1 sampled ones (bestRollout), Found measured from start.
// It returns nil when no rollout finished (training then decides alone),
// and an error only when init is not a policy.
func (d *deployer) firstRollouts(ctx context.Context, arm rlcore.Arm, bench string, init []byte, rollouts int, seed int64, start time.Time) (*rlcore.EpisodeRecord, error) {
	pol, err := DecodePolicy(init)
	if err != nil {
		return nil, fmt.Errorf("the start weights are not a policy: %w", err)
	}
	env, err := rlcore.NewTaskEnv(d.problem, rlcore.TaskEnvConfig{Arm: arm, Horizon: d.horizon})
	if err != nil {
		return nil, fmt.Errorf("arm %s: %w", arm, err)
	}
	defer env.Close()
	best, err := bestRollout(ctx, env, pol, bench, rollouts-1, seed, d.temperature, start, nil)
	if err != nil {
		return nil, nil
	}
	return &best, nil
}

// mergeFirstRollouts folds the first rollouts' best (found within spent,
// before training started) into training's result: its clock starts at
// spent, its curve begins with the rollouts' point and its best-so-far
// counts them, and the rollouts' sequence is the benchmark's best unless
// training beat it.
func mergeFirstRollouts(res *rlcore.Result, first rlcore.EpisodeRecord, spent time.Duration) {
	curve := make([]rlcore.CurvePoint, 0, len(res.Curve)+1)
	curve = append(curve, rlcore.CurvePoint{Elapsed: first.Found, Return: first.Quality, Quality: first.Quality, Best: first.Quality})
	for _, c := range res.Curve {
		c.Elapsed += spent
		c.Best = math.Max(c.Best, first.Quality)
		curve = append(curve, c)
	}
	res.Curve = curve
	res.Stats.Elapsed += spent
	if res.PerBenchmark == nil {
		res.PerBenchmark = map[string]rlcore.EpisodeRecord{}
	}
	if b, ok := res.PerBenchmark[first.Benchmark]; ok && b.Quality > first.Quality {
		b.Found += spent
		res.PerBenchmark[first.Benchmark] = b
	} else {
		res.PerBenchmark[first.Benchmark] = first
		res.Best = first
	}
}

// replay runs the sequence on a fresh env, checks it reaches the recorded
// quality and asks the problem's rlcore.Validator; a problem that is a
// rlcore.ResultChecker checks its recorded result instead.
func (d *deployer) replay(ctx context.Context, arm rlcore.Arm, bench string, best rlcore.EpisodeRecord) ([]int, []string, error) {
	env, err := rlcore.NewTaskEnv(d.problem, rlcore.TaskEnvConfig{Arm: arm, Horizon: max(d.horizon, len(best.Actions)+1)})
	if err != nil {
		return nil, nil, fmt.Errorf("replay: %w", err)
	}
	defer env.Close()
	all := d.problem.Actions()
	if rc, ok := d.problem.(rlcore.ResultChecker); ok {
		var applied []int
		for _, a := range best.Actions {
			applied = append(applied, env.TaskActions(a)...)
		}
		names := make([]string, len(applied))
		for i, a := range applied {
			names[i] = all[a]
		}
		if err := rc.CheckResult(ctx, bench, best.Quality); err != nil {
			return applied, names, fmt.Errorf("check by task %s: %w", d.problem.Task(), err)
		}
		return applied, names, nil
	}
	if _, err := env.Reset(ctx, bench); err != nil {
		return nil, nil, fmt.Errorf("replay: reset: %w", err)
	}
	for i, a := range best.Actions {
		if _, err := env.Step(ctx, a); err != nil {
			return nil, nil, fmt.Errorf("replay: step %d: %w", i, err)
		}
	}
	applied := append([]int(nil), env.History()...)
	names := make([]string, len(applied))
	for i, a := range applied {
		names[i] = all[a]
	}
	if q := env.Quality(); math.Abs(q-best.Quality) > 1e-9*math.Max(1, math.Abs(best.Quality)) {
		return applied, names, fmt.Errorf("replay reached quality %g, training recorded %g: the task is not deterministic", q, best.Quality)
	}
	if v, ok := d.problem.(rlcore.Validator); ok {
		env.Close() // gives its worker back for the validation's episode: no worker process starts
		if err := v.ValidateActions(ctx, bench, applied); err != nil {
			return applied, names, fmt.Errorf("validation by task %s: %w", d.problem.Task(), err)
		}
	}
	return applied, names, nil
}

func (r *runRecorder) addDeployment(run int64, d Deployment) {
	if run == 0 {
		return
	}
	row := store.Deployment{Run: run, Benchmark: d.Benchmark, Arm: d.Arm.String(), Hyper: d.Hyper, Quality: d.Quality, Actions: d.TaskActions,
		ActionNames: d.ActionNames, Walltime: d.Walltime, Found: d.Found, Validated: d.Validated, Policy: d.Policy, Weights: d.Weights}
	if d.Err != nil {
		row.Error = d.Err.Error()
	}
	r.do("storing deployment", func(c context.Context) error { _, err := r.st.AddDeployment(c, row); return err })
}
