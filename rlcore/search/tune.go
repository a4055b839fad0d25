package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// TuneOptions configures Tune. Zero values mean the documented defaults.
type TuneOptions struct {
	// Run is the search run whose winner is tuned: an id, a name (its
	// newest run) or "" (the newest search run).
	Run string
	// Spec overrides the spec stored with the search run (nil: use it).
	Spec *Spec
	// Arm tunes this arm instead of the stored winner (needs Spec).
	Arm *rlcore.Arm
	// Trials is the number of configurations ASHA starts; default 20.
	Trials int
	// Eta is ASHA's reduction factor; default 3.
	Eta int
	// Rungs is the number of rungs; default 3.
	Rungs int
	// MinBudget is rung 0's training budget; rung k trains Eta^k times as
	// long. Default: the spec's pull budget.
	MinBudget rlcore.Budget
	// Budget limits the whole tuning run in trials started (an
	// alternative to Trials) and wall time (rlcore.TuningUnits; other
	// units are an error). Trials running at the wall time finish;
	// TuneResult.Overrun says by how much.
	Budget  rlcore.Budget
	Workers int // default runtime.NumCPU(), or the Executor's capacity
	// Executor runs the trials; nil is the local pool.
	Executor Executor

	Store    *store.Store // nil opens store.DefaultPath()
	Problem  rlcore.Problem
	Observer rlcore.Observer
	OnTrial  func(TrialEvent)
	Logger   *slog.Logger
}

// Trial is one ASHA job: a configuration trained at one rung's budget.
type Trial struct {
	Config int // configuration number
	Rung   int
	Hyper  rlcore.Hyper
	Pull   *PullResult
}

// TrialEvent reports a finished trial and the best configuration so far.
type TrialEvent struct {
	Tune      string
	Trial     Trial
	Best      rlcore.Hyper
	BestScore float64
	BestRung  int
	Elapsed   time.Duration
}

// TuneResult is the best configuration found, and every trial.
type TuneResult struct {
	RunID     int64
	SearchRun int64
	Arm       rlcore.Arm
	Algorithm string
	// Best is the full (resolved) configuration with the best score at the
	// highest rung reached; BestScore is that score.
	Best      rlcore.Hyper
	BestScore float64
	BestRung  int
	Trials    []Trial
	Status    rlcore.Status
	Err       error
	Elapsed   time.Duration
	// Warnings say what the caller should know about the result, such as
	// a search run that did not finish (see unfinishedRunWarnings).
	Warnings []string
	// Overrun is how far Elapsed went past the wall budget, and
	// OverrunWhy the reason.
	Overrun    time.Duration
	OverrunWhy string
}

// Tune runs ASHA (asynchronous successive halving, Li et al. 2018) over
// the hyperparameter ranges (rlcore.Param Min/Max/Log/Int) of the search
// winner's algorithm; hyperparameters fixed in the arm (ppo(lr=…)) stay
// fixed. Rungs are training budgets: a configuration is promoted from rung
// k to k+1 when it is in the top 1/Eta of the configurations finished at
// rung k. The best configuration is stored (table tuned) for Deploy.
func Tune(ctx context.Context, opt TuneOptions) (*TuneResult, error) {
	sess, spec, run, arm, err := openFromSearch(ctx, opt.Run, opt.Spec, opt.Arm, opt.Store, opt.Problem)
	if err != nil {
		return nil, fmt.Errorf("tune: %w", err)
	}
	defer sess.close()
	algSpec, alg, err := armAlgorithm(arm)
	if err != nil {
		return nil, fmt.Errorf("tune: %w", err)
	}
	var params []rlcore.Param
	for _, p := range alg.Params {
		if _, fixed := algSpec.Hyper[p.Name]; !fixed && p.Max > p.Min {
			params = append(params, p)
		}
	}
	if len(params) == 0 {
		return nil, fmt.Errorf("tune: algorithm %s has no tunable hyperparameters (none with a range, or all fixed in %s)", alg.Name, arm.Algorithm)
	}
	if opt.Trials <= 0 {
		opt.Trials = 20
		if opt.Budget.Trials > 0 {
			opt.Trials = opt.Budget.Trials
		}
	}
	if opt.Eta < 2 {
		opt.Eta = 3
	}
	if opt.Rungs <= 0 {
		opt.Rungs = 3
	}
	if opt.MinBudget.IsZero() {
		opt.MinBudget = spec.PullBudget
	}
	if err := opt.Budget.Check("a tuning run", rlcore.TuningUnits...); err != nil {
		return nil, fmt.Errorf("tune: %w", err)
	}
	if err := opt.MinBudget.Check("a trial", rlcore.TrainingUnits...); err != nil {
		return nil, fmt.Errorf("tune: %w", err)
	}
	exec := sess.executorFor(opt.Executor)
	opt.Workers = workersFor(ctx, opt.Workers, exec, runtime.NumCPU())
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	quiet := opt.Observer != nil || opt.OnTrial != nil
	rec := sess.recorder(logger)
	optJSON, _ := json.Marshal(map[string]any{"trials": opt.Trials, "eta": opt.Eta, "rungs": opt.Rungs, "min_budget": opt.MinBudget.String(),
		"budget": opt.Budget.String(), "workers": opt.Workers, "arm": arm.String()})
	res := &TuneResult{SearchRun: run.ID, Arm: arm, Algorithm: alg.Name, BestScore: math.NaN(), BestRung: -1, Warnings: unfinishedRunWarnings(run)}
	logWarnings(logger, "tune", res.Warnings)
	res.RunID = rec.createRun(store.Run{Name: spec.Name, Kind: store.KindTune, Task: spec.Task, Strategy: "asha", Spec: specJSON(spec), Options: optJSON, Parent: run.ID})

	rng := rand.New(rand.NewPCG(uint64(spec.Seed), 0xa5_4a))
	asha := &ashaState{eta: opt.Eta, rungs: make([][]ashaEntry, opt.Rungs), promoted: make([]map[int]bool, opt.Rungs)}
	for k := range asha.promoted {
		asha.promoted[k] = map[int]bool{}
	}
	var configs []rlcore.Hyper
	start := time.Now()
	key := runKey(spec.Name, res.RunID, newNonce())
	pool := startPullPool(ctx, exec, opt.Observer, opt.Workers, opt.Budget.Duration)
	defer pool.close()
	running := map[int]Trial{} // the trials started and not finished, by seq
	seq := 0
	for {
		for pool.mayStart() {
			cfg, rung, ok := asha.next(len(configs) < opt.Trials)
			if !ok {
				break
			}
			if cfg < 0 {
				configs = append(configs, sampleHyper(params, rng))
				cfg = len(configs) - 1
			}
			running[seq] = Trial{Config: cfg, Rung: rung}
			pool.start(sess.pullJob(spec, jobID(key, "trial", seq), seq, -1, arm, configs[cfg],
				scaleBudget(opt.MinBudget, math.Pow(float64(opt.Eta), float64(rung))), pullSeed(spec.Seed, seq), rung))
			seq++
		}
		pr, ok := pool.next()
		if !ok {
			break
		}
		tr := running[pr.Seq]
		delete(running, pr.Seq)
		tr.Hyper, tr.Pull = pr.Hyper, pr
		res.Trials = append(res.Trials, tr)
		pullID := rec.addPull(res.RunID, tr.Pull)
		if tr.Pull.Status != pullInterrupted {
			sc := tr.Pull.Score
			if !tr.Pull.OK() {
				sc = math.Inf(-1) // a failing configuration is never promoted
			}
			asha.add(tr.Config, tr.Rung, sc)
		}
		if tr.Pull.OK() && (tr.Rung > res.BestRung || (tr.Rung == res.BestRung && tr.Pull.Score > res.BestScore)) {
			res.Best, res.BestScore, res.BestRung = tr.Pull.Hyper, tr.Pull.Score, tr.Rung
			// The newest trial policy of the run is the best configuration's:
			// Deploy warm-starts from it.
			if tr.Pull.Result != nil && tr.Pull.Result.Policy != nil {
				rec.addPolicy(policyRow(res.RunID, pullID, store.SourceTrial, tr.Pull), tr.Pull.Result.Policy)
			}
			if res.RunID != 0 {
				// Stored as it improves, so that a killed tuning keeps
				// its best configuration (Deploy reads the newest).
				t := store.Tuned{Run: res.RunID, SearchRun: run.ID, Arm: arm.String(), Algorithm: alg.Name, Hyper: res.Best, Score: res.BestScore,
					Budget: scaleBudget(opt.MinBudget, math.Pow(float64(opt.Eta), float64(res.BestRung))).String()}
				rec.do("storing tuned config", func(c context.Context) error { _, err := rec.st.AddTuned(c, t); return err })
			}
		}
		ev := TrialEvent{Tune: spec.Name, Trial: tr, Best: res.Best, BestScore: res.BestScore, BestRung: res.BestRung, Elapsed: time.Since(start)}
		if opt.OnTrial != nil {
			opt.OnTrial(ev)
		}
		if !quiet {
			attrs := []any{"tune", spec.Name, "config", tr.Config, "rung", tr.Rung, "status", tr.Pull.Status, "score", round4(tr.Pull.Score),
				"hyper", fmt.Sprint(tr.Pull.Hyper), "best", round4(res.BestScore)}
			if tr.Pull.Err != nil {
				attrs = append(attrs, "err", tr.Pull.Err.Error())
			}
			logger.Info("trial", attrs...)
		}
	}
	status := pool.status
	res.Status, res.Elapsed = status, time.Since(start)
	if res.Overrun = opt.Budget.Overrun(res.Elapsed); res.Overrun > 0 {
		res.OverrunWhy = letFinish(pool.runningAtDeadline, "trial") + "; no trial started after it"
		logOverrun(logger, quiet, "tuning ran past its wall budget", res.Overrun, res.OverrunWhy, "tune", spec.Name)
	}
	if res.Best == nil {
		if status != rlcore.Interrupted {
			res.Status = rlcore.Failed
		}
		res.Err = errors.New("no trial succeeded")
		if len(res.Trials) > 0 {
			res.Err = fmt.Errorf("no trial succeeded; the last error: %w", res.Trials[len(res.Trials)-1].Pull.Err)
		}
	}
	rec.finishRun(res.RunID, res.Status, res.Err)
	if !quiet {
		logger.Info("tune done", "tune", spec.Name, "status", res.Status.String(), "trials", len(res.Trials), "best", fmt.Sprint(res.Best),
			"score", round4(res.BestScore), "rung", res.BestRung)
	}
	return res, nil
}

type ashaEntry struct {
	config int
	score  float64
}

// ashaState is the bookkeeping of asynchronous successive halving.
type ashaState struct {
	eta      int
	rungs    [][]ashaEntry
	promoted []map[int]bool
}

// next returns a configuration to promote and its new rung, or cfg = -1
// for a new configuration at rung 0 (when canStart), or ok = false.
func (a *ashaState) next(canStart bool) (cfg, rung int, ok bool) {
	for k := len(a.rungs) - 2; k >= 0; k-- {
		done := append([]ashaEntry(nil), a.rungs[k]...)
		sort.SliceStable(done, func(i, j int) bool { return done[i].score > done[j].score })
		top := len(done) / a.eta
		for _, e := range done[:top] {
			if !a.promoted[k][e.config] && !math.IsInf(e.score, -1) {
				a.promoted[k][e.config] = true
				return e.config, k + 1, true
			}
		}
	}
	if canStart {
		return -1, 0, true
	}
	return 0, 0, false
}

func (a *ashaState) add(cfg, rung int, score float64) {
	a.rungs[rung] = append(a.rungs[rung], ashaEntry{cfg, score})
}

// sampleHyper draws a configuration uniformly (log-uniformly for Log
// parameters) from the parameters' ranges.
func sampleHyper(params []rlcore.Param, rng *rand.Rand) rlcore.Hyper {
	h := rlcore.Hyper{}
	for _, p := range params {
		var v float64
		if p.Log && p.Min > 0 {
			v = math.Exp(math.Log(p.Min) + rng.Float64()*(math.Log(p.Max)-math.Log(p.Min)))
		} else {
			v = p.Min + rng.Float64()*(p.Max-p.Min)
		}
		if p.Int {
			v = math.Round(v)
		}
		h[p.Name] = math.Min(math.Max(v, p.Min), p.Max)
	}
	return h
}

// scaleBudget multiplies every limit of b by f.
func scaleBudget(b rlcore.Budget, f float64) rlcore.Budget {
	return rlcore.Budget{Steps: int(math.Round(float64(b.Steps) * f)), Episodes: int(math.Round(float64(b.Episodes) * f)),
		Duration: time.Duration(float64(b.Duration) * f)}
}

// openFromSearch opens what a tune/deploy/compare run needs: the stored
// search run, its spec (or the override), the arm to use (the stored
// winner unless given) and a session.
func openFromSearch(ctx context.Context, ref string, specOverride *Spec, armOverride *rlcore.Arm, st *store.Store, p rlcore.Problem) (*session, Spec, store.Run, rlcore.Arm, error) {
	var run store.Run
	var spec Spec
	var arm rlcore.Arm
	ownStore := false
	if st == nil {
		var err error
		if st, err = store.Open(""); err != nil {
			return nil, spec, run, arm, err
		}
		ownStore = true
	}
	fail := func(err error) (*session, Spec, store.Run, rlcore.Arm, error) {
		if ownStore {
			st.Close()
		}
		return nil, spec, run, arm, err
	}
	if armOverride != nil && specOverride != nil && ref == "" {
		spec, arm = *specOverride, *armOverride
	} else {
		var err error
		if run, err = st.FindRun(ctx, ref, store.KindSearch); err != nil {
			return fail(err)
		}
		if specOverride != nil {
			spec = *specOverride
		} else if err := json.Unmarshal(run.Spec, &spec); err != nil {
			return fail(fmt.Errorf("search run %d: reading its spec: %w", run.ID, err))
		}
		if armOverride != nil {
			arm = *armOverride
		} else {
			if run.Winner == "" {
				return fail(fmt.Errorf("search run %d (%s, %s) has no winner: no pull succeeded", run.ID, run.Name, run.Status))
			}
			found := false
			for _, a := range spec.Arms() {
				if a.String() == run.Winner {
					arm, found = a, true
				}
			}
			if !found {
				return fail(fmt.Errorf("search run %d: its winner %q is not an arm of the spec", run.ID, run.Winner))
			}
		}
	}
	if err := spec.Validate(); err != nil {
		return fail(err)
	}
	spec = spec.withDefaults()
	sess, err := openSession(ctx, spec, st, false, p)
	if err != nil {
		return fail(err)
	}
	sess.ownStore = ownStore
	return sess, spec, run, arm, nil
}
