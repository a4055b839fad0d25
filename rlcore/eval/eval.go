// Package eval is Supersonic's held-out evaluation of the code-size client
// RL: it asks whether the architecture a search found is a better optimizer
// than classic search on programs nothing was trained on, as the SuperSonic
// paper claims, and it is the harness behind `supersonic eval`.
//
// An evaluation finds (or is given) the client RL's architecture, then at
// each budget per program (default 20 s and 60 s) runs every method on every
// held-out program with that same budget, one job per core: the client RL
// deployed as %deploy does (search.Deploy: the winner trained on the
// program), the task's -Oz compilation and the classic searches random,
// greedy, anneal and genetic (search.Compare), plus any client-RL variants
// to be measured side by side (Options.Variants). It reports per-program
// quality (code-size reduction over -Oz: 1.0 = -Oz, more is better), the
// geomean per method, and the search overhead as the paper measures it: the
// time a baseline needs to reach the client RL's quality on a program,
// divided by the time the client RL needed, summarized by its geomean.
//
// The held-out set ([HeldOut]) is fixed: eight built-in programs used by no
// notebook and no default training set, and four csmith programs of seeds
// 90001-90004. Training of any kind (the architecture search here, a policy
// trained across programs) must leave them out; [IsHeldOut] says whether a
// benchmark is one of them.
package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// HeldOut is the held-out evaluation set: built-in programs that no
// notebook and no default training set uses, and a fixed csmith seed range.
var HeldOut = []string{
	"builtin:avltree", "builtin:bwt", "builtin:dct", "builtin:exprparse",
	"builtin:hashtable", "builtin:kruskal", "builtin:lz77", "builtin:vm",
	"csmith:90001", "csmith:90002", "csmith:90003", "csmith:90004",
}

// IsHeldOut reports whether benchmark (a resolved name such as
// "builtin:vm" or "csmith:90003") belongs to HeldOut.
func IsHeldOut(benchmark string) bool { return slices.Contains(HeldOut, benchmark) }

// DefaultBudgets are the budgets per program and method of an evaluation.
var DefaultBudgets = []time.Duration{20 * time.Second, 60 * time.Second}

// DefaultMethods are the methods compared with the client RL.
var DefaultMethods = []string{"oz", "random", "greedy", "anneal", "genetic"}

// DefaultSearchBudget is the architecture search's wall time when the
// evaluation runs one.
const DefaultSearchBudget = 90 * time.Second

// ValidationFold is where a training run across programs (Options.Train)
// measures its learning curve and picks its policy: built-in programs that
// are neither held out nor trained on by the search, so that the held-out
// set is not used to choose the policy.
var ValidationFold = []string{"builtin:fft", "builtin:life", "builtin:regex"}

// DefaultSpec is the search space of an evaluation: the quickstart's arms
// (3 algorithms × 2 state functions) on two action spaces, single passes
// and the coreset's pass sequences (which measured +5% for the same arm at
// 20 s per program, notebooks/results/eval-codesize-coreset.md), trained
// on the quickstart's four training programs, none of them held out.
func DefaultSpec() search.Spec {
	s, err := search.ParseSpec("eval", `task: codesize
benchmarks: builtin:crc32, builtin:bitcount, builtin:qsort, builtin:sha256
states: autophase, instcount-norm+action-history(4)
actions: all, coreset
rewards: ic-oz
algorithms: ppo, a2c, dqn
horizon: 20
pull: 6s
seed: 7`)
	if err != nil {
		panic(fmt.Sprintf("eval: the default spec does not parse: %v", err))
	}
	return s
}

// Variant is a client RL measured beside the search's winner: the winner's
// arm with some components replaced, or started from fresh weights.
type Variant struct {
	Name string
	Arm  rlcore.Arm
	// FromScratch trains from fresh weights on each program, as the
	// paper does (key weights:scratch); by default a variant starts like
	// the client RL (search.DeployOptions.FromScratch).
	FromScratch bool
	// Guided is policy-guided search (key mode:guided): the start weights
	// sampled for the whole budget, nothing trained
	// (search.DeployOptions.Guided); mode:train, the default, trains.
	Guided bool
	// Hyper overrides hyperparameters of the algorithm (keys
	// hyper:NAME=VALUE), such as the entropy bonus of the fine-tuning.
	Hyper rlcore.Hyper
	// Temperature divides the policy's logits in the sampled rollouts of
	// the start weights (key temperature:NUMBER, see
	// search.DeployOptions.Temperature).
	Temperature float64
}

// ParseVariant reads NAME=KEY:VALUE[;KEY:VALUE…], where KEY is state,
// reward, actions, transition or algorithm, and applies the replacements
// to base; weights:scratch trains from fresh weights (weights:stored, the
// default, starts as the client RL does); mode:guided samples the start
// weights for the whole budget instead of training them; hyper:NAME=VALUE
// sets a hyperparameter (repeatable); temperature:NUMBER divides the
// policy's logits in the sampled rollouts of the start weights.
func ParseVariant(s string, base rlcore.Arm) (Variant, error) {
	name, body, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(body) == "" {
		return Variant{}, fmt.Errorf("variant %q: want NAME=KEY:VALUE[;KEY:VALUE…] with KEY one of %s", s, variantKeys)
	}
	v := Variant{Name: name, Arm: base}
	for _, kv := range strings.Split(body, ";") {
		k, val, ok := strings.Cut(kv, ":")
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		if !ok || val == "" {
			return Variant{}, fmt.Errorf("variant %q: %q is not KEY:VALUE", s, kv)
		}
		switch k {
		case "state":
			v.Arm.State = val
		case "reward":
			v.Arm.Reward = val
		case "actions":
			v.Arm.Actions = val
		case "transition":
			v.Arm.Transition = val
		case "algorithm":
			v.Arm.Algorithm = val
		case "weights":
			switch val {
			case "scratch":
				v.FromScratch = true
			case "stored":
				v.FromScratch = false
			default:
				return Variant{}, fmt.Errorf("variant %q: weights:%s: allowed values scratch (fresh weights on each program) and stored (as the client RL)", s, val)
			}
		case "mode":
			switch val {
			case "guided":
				v.Guided = true
			case "train":
				v.Guided = false
			default:
				return Variant{}, fmt.Errorf("variant %q: mode:%s: allowed values guided (sample the start weights for the whole budget) and train (as the client RL)", s, val)
			}
		case "temperature":
			x, err := strconv.ParseFloat(val, 64)
			if err != nil || !(x > 0) {
				return Variant{}, fmt.Errorf("variant %q: temperature:%s: want a positive number, such as temperature:2", s, val)
			}
			v.Temperature = x
		case "hyper":
			name, num, ok := strings.Cut(val, "=")
			x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if !ok || err != nil || strings.TrimSpace(name) == "" {
				return Variant{}, fmt.Errorf("variant %q: hyper:%s: want hyper:NAME=NUMBER, such as hyper:ent_coef=0.01", s, val)
			}
			if v.Hyper == nil {
				v.Hyper = rlcore.Hyper{}
			}
			v.Hyper[strings.TrimSpace(name)] = x
		default:
			return Variant{}, fmt.Errorf("variant %q: unknown key %q; allowed: %s", s, k, variantKeys)
		}
	}
	if v.Hyper != nil {
		alg, err := rlcore.LookupAlgorithm(v.Arm.Algorithm)
		if err == nil {
			_, err = alg.Resolve(v.Hyper)
		}
		if err != nil {
			return Variant{}, fmt.Errorf("variant %q: %w", s, err)
		}
	}
	return v, nil
}

const variantKeys = "state, reward, actions, transition, algorithm, weights (scratch|stored), mode (guided|train), temperature (NUMBER), hyper (NAME=NUMBER)"

// Options configures Run. Zero values mean the documented defaults.
type Options struct {
	// Programs are benchmark specs evaluated on; default HeldOut.
	Programs []string
	// Budgets per program and method; default DefaultBudgets.
	Budgets []time.Duration
	// Methods compared with the client RL; default DefaultMethods.
	Methods []string
	// Run is a stored search run whose winner (and tuned configuration)
	// is the client RL. Empty: Arm if given, else a search of Spec for
	// SearchBudget.
	Run string
	// Spec is the search space; default DefaultSpec(). Its Test is
	// replaced by Programs.
	Spec *search.Spec
	// Arm skips the search: the client RL's architecture.
	Arm *rlcore.Arm
	// SearchBudget is the search's wall time; default DefaultSearchBudget.
	SearchBudget time.Duration
	// Variants are extra client RLs measured side by side.
	Variants []string
	// Train, when positive, trains the client RL across programs
	// (search.Train) for that long after the search, on the task's corpus
	// minus HeldOut and Programs, choosing its policy on ValidationFold;
	// the client RL then starts each program from that policy (applying
	// it without training first, inside the budget: search.Deploy), and
	// the table has a search.ZeroShotMethod column: that policy applied to
	// each program without training. The training is done once, before
	// any budget, and its time is reported (Report.TrainElapsed).
	Train time.Duration
	// FromScratch trains the client RL from fresh weights on each
	// program, as the paper does.
	FromScratch bool
	// Seed replaces the spec's seed when non-zero; every random choice
	// flows from it.
	Seed int64
	// Workers runs that many jobs at once, one core each; default 1.
	Workers int
	// Store keeps the runs; nil opens store.DefaultPath().
	Store *store.Store
	// Progress receives each finished job.
	Progress func(Progress)
	Logger   *slog.Logger
}

// Progress reports one finished job of an evaluation.
type Progress struct {
	Phase     string // "search" or "budget 20s"
	Method    string
	Program   string
	Quality   float64
	Done, Of  int
	Elapsed   time.Duration
	Err       error
	Leader    string // during the search: the leading arm
	LeaderAvg float64
}

// Report is an evaluation's result, complete or (when cancelled) partial.
type Report struct {
	Programs  []string
	Arm       rlcore.Arm
	SearchRun int64
	Variants  []Variant
	// TrainRun and ZeroShot say which trained policy the zero-shot column
	// applied (Options.Train).
	TrainRun int64
	ZeroShot string
	// TrainPolicy is the trained policy's id, TrainElapsed how long the
	// training across programs took (once, before the budgets).
	TrainPolicy  int64
	TrainElapsed time.Duration
	// ClientWeights says which weights the client RL started from on each
	// program (the first comparison's).
	ClientWeights string
	Tables        []*Table
	Status        rlcore.Status
	Seed          int64
	Workers       int
	Elapsed       time.Duration
}

// Table is every method's result on every program at one budget.
type Table struct {
	Budget   time.Duration
	Methods  []string // ClientMethod first, then the variants, then the baselines
	Programs []string
	// Quality[method][program]; NaN when the job failed or did not run.
	Quality map[string]map[string]float64
	Errors  map[string]map[string]string
	// Found[method][program] is when the method found its best result,
	// Walltime[method][program] how long its job took.
	Found    map[string]map[string]time.Duration
	Walltime map[string]map[string]time.Duration
	Geomean  map[string]float64
	// Overheads: one per search baseline.
	Overheads []Overhead
	// Best is the search baseline with the highest geomean.
	Best string
	// CompareRuns are the stored comparison runs, one per program.
	CompareRuns []int64
	Status      rlcore.Status
}

// ClientMethod is the client RL's column.
const ClientMethod = search.ClientMethod

// Overhead is the search overhead of one baseline relative to the client
// RL, as the paper measures it: on each program, the time the baseline
// needs to reach the client RL's final quality divided by the time the
// client RL needed to find it. A baseline that never reaches it within the
// budget contributes the budget divided by the client's time, a lower
// bound (Censored counts those, and Geomean is then a lower bound too).
type Overhead struct {
	Method       string
	PerProgram   map[string]float64
	Geomean      float64 // NaN when no program gives a ratio
	Censored     int
	ClientFailed int // programs without a client result
}

// Run evaluates. It returns the report so far, with Status Interrupted,
// when ctx is cancelled.
func Run(ctx context.Context, opt Options) (*Report, error) {
	if err := opt.defaults(); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	spec := *opt.Spec
	spec.Test = opt.Programs
	spec.Folds, spec.Fold = 0, 0
	if opt.Seed != 0 {
		spec.Seed = opt.Seed
	}
	for _, p := range opt.Programs {
		for _, b := range spec.Benchmarks {
			if p == b {
				return nil, fmt.Errorf("eval: program %s is also a training benchmark of the search: the held-out set must be disjoint from training", p)
			}
		}
	}
	rep := &Report{Programs: opt.Programs, Seed: spec.Seed, Workers: opt.Workers, Status: rlcore.Finished}
	start := time.Now()
	defer func() { rep.Elapsed = time.Since(start) }()
	st := opt.Store
	if st == nil {
		var err error
		if st, err = store.Open(""); err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
		defer st.Close()
	}
	// One opened task for every phase, so that its compiled programs and
	// worker processes are shared.
	problem, err := rlcore.OpenTask(ctx, spec.Task, spec.TaskOptions, spec.Seed, opt.Logger)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	defer problem.Close()
	runRef := opt.Run
	switch {
	case opt.Arm != nil:
		rep.Arm = *opt.Arm
	case runRef == "":
		res, err := search.Search(ctx, spec, search.Options{Problem: problem, Budget: rlcore.Budget{Duration: opt.SearchBudget}, Workers: opt.Workers, Store: st,
			OnPull: func(ev search.PullEvent) {
				if opt.Progress != nil {
					p := Progress{Phase: "search", Method: ev.Pull.Arm.String(), Quality: ev.Pull.Score, Done: ev.Pulls, Elapsed: ev.Elapsed}
					if ev.Winner.Index >= 0 {
						p.Leader, p.LeaderAvg = ev.Winner.Name, ev.Winner.Mean
					}
					opt.Progress(p)
				}
			}})
		if err != nil {
			return nil, fmt.Errorf("eval: search: %w", err)
		}
		if res.Winner == nil {
			if ctx.Err() != nil {
				rep.Status = rlcore.Interrupted
				return rep, nil
			}
			return nil, fmt.Errorf("eval: the search found no winner: %v", res.Err)
		}
		rep.SearchRun, rep.Arm = res.RunID, res.Winner.Arm
		runRef = fmt.Sprint(res.RunID)
	default:
		run, err := st.FindRun(ctx, runRef, store.KindSearch)
		if err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
		if run.Winner == "" {
			return nil, fmt.Errorf("eval: search run %d has no winner", run.ID)
		}
		var stored search.Spec
		if err := json.Unmarshal(run.Spec, &stored); err != nil {
			return nil, fmt.Errorf("eval: search run %d: reading its spec: %w", run.ID, err)
		}
		for _, a := range stored.Arms() {
			if a.String() == run.Winner {
				rep.Arm = a
			}
		}
		rep.SearchRun = run.ID
		runRef = fmt.Sprint(run.ID)
	}
	for _, s := range opt.Variants {
		v, err := ParseVariant(s, rep.Arm)
		if err != nil && rep.Arm == (rlcore.Arm{}) {
			err = fmt.Errorf("%w (variants need the winner's arm; it is known only after the search)", err)
		}
		if err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
		rep.Variants = append(rep.Variants, v)
	}
	methods := opt.Methods
	if opt.Train > 0 && ctx.Err() == nil {
		exclude := append(slices.Clone(HeldOut), opt.Programs...)
		tr, err := search.Train(ctx, search.TrainOptions{Run: runRef, Arm: opt.Arm, Spec: specIfNoRun(runRef, &spec), Exclude: exclude, HeldOut: ValidationFold,
			Budget: rlcore.Budget{Duration: opt.Train}, Store: st, Problem: problem, Logger: opt.Logger,
			OnRound: func(r search.TrainRound) {
				if opt.Progress != nil {
					opt.Progress(Progress{Phase: "train", Method: fmt.Sprintf("round %d", r.Round), Quality: r.Score, Done: r.Round, Elapsed: r.Elapsed, Err: r.Err})
				}
			}})
		if err != nil {
			return rep, fmt.Errorf("eval: training across programs: %w", err)
		}
		if tr.Policy == 0 {
			return rep, fmt.Errorf("eval: training across programs stored no policy (status %s): %v", tr.Status, tr.Err)
		}
		rep.TrainRun, rep.TrainPolicy, rep.TrainElapsed = tr.RunID, tr.Policy, tr.Elapsed
		rep.ZeroShot = fmt.Sprintf("policy %d of train run %d (round %d of %d, validation geomean %.4f on %s; trained across %d programs for %v, once)",
			tr.Policy, tr.RunID, tr.Best.Round, len(tr.Rounds), tr.Best.Score, strings.Join(ValidationFold, " "), len(tr.Corpus), tr.Elapsed.Round(time.Second))
		methods = append(slices.Clone(methods), search.ZeroShotMethod)
	}
	opt.Methods = methods
	for _, budget := range opt.Budgets {
		if ctx.Err() != nil {
			rep.Status = rlcore.Interrupted
			break
		}
		t, err := runBudget(ctx, opt, spec, runRef, rep, st, problem, budget)
		if err != nil {
			return rep, err
		}
		rep.Tables = append(rep.Tables, t)
		if t.Status != rlcore.Finished {
			rep.Status = t.Status
			break
		}
	}
	return rep, nil
}

func (opt *Options) defaults() error {
	if len(opt.Programs) == 0 {
		opt.Programs = HeldOut
	}
	if len(opt.Budgets) == 0 {
		opt.Budgets = DefaultBudgets
	}
	for _, b := range opt.Budgets {
		if b <= 0 {
			return fmt.Errorf("budget %v per program: want a positive duration such as 20s", b)
		}
	}
	if len(opt.Methods) == 0 {
		opt.Methods = DefaultMethods
	}
	if opt.Spec == nil {
		s := DefaultSpec()
		opt.Spec = &s
	}
	if opt.SearchBudget <= 0 {
		opt.SearchBudget = DefaultSearchBudget
	}
	if opt.Workers <= 0 {
		opt.Workers = 1
	}
	if opt.Run != "" && opt.Arm != nil {
		return errors.New("give a search run or an arm, not both")
	}
	return nil
}

// runBudget runs every method at one budget.
func runBudget(ctx context.Context, opt Options, spec search.Spec, runRef string, rep *Report, st *store.Store, problem rlcore.Problem, budget time.Duration) (*Table, error) {
	phase := "budget " + budget.String()
	nMethods := 1 + len(rep.Variants) + len(opt.Methods)
	total, done := nMethods*len(opt.Programs), 0
	start := time.Now()
	report := func(method, program string, q float64, err error) {
		done++
		if opt.Progress != nil {
			opt.Progress(Progress{Phase: phase, Method: method, Program: program, Quality: q, Done: done, Of: total, Elapsed: time.Since(start), Err: err})
		}
	}
	t := &Table{Budget: budget, Programs: opt.Programs, Quality: map[string]map[string]float64{}, Errors: map[string]map[string]string{},
		Found: map[string]map[string]time.Duration{}, Walltime: map[string]map[string]time.Duration{}, Status: rlcore.Finished}
	set := func(method, program string, q float64, found, wall time.Duration, err error) {
		if t.Quality[method] == nil {
			t.Quality[method], t.Errors[method] = map[string]float64{}, map[string]string{}
			t.Found[method], t.Walltime[method] = map[string]time.Duration{}, map[string]time.Duration{}
		}
		t.Quality[method][program], t.Found[method][program], t.Walltime[method][program] = q, found, wall
		if err != nil {
			t.Errors[method][program] = err.Error()
		}
	}
	t.Methods = []string{ClientMethod}
	for _, v := range rep.Variants {
		t.Methods = append(t.Methods, ClientMethod+":"+v.Name)
	}
	curves := map[string]map[string][]rlcore.CurvePoint{}
	for _, m := range t.Methods {
		curves[m] = map[string][]rlcore.CurvePoint{}
	}
	for _, m := range opt.Methods {
		curves[m] = map[string][]rlcore.CurvePoint{}
	}
	// Program by program, so that the client RL, its variants and the
	// baselines on a program run close together in time (the load of a
	// shared machine changes over an evaluation).
	var mu sync.Mutex
	for _, program := range opt.Programs {
		if ctx.Err() != nil {
			break
		}
		cmpOpt := search.CompareOptions{Run: runRef, With: opt.Methods, On: []string{program}, Budget: rlcore.Budget{Duration: budget}, Workers: opt.Workers,
			FromScratch: opt.FromScratch, Policy: rep.TrainPolicy, Store: st, Problem: problem, Logger: opt.Logger,
			OnResult: func(r search.MethodResult) {
				mu.Lock()
				defer mu.Unlock()
				set(r.Method, r.Benchmark, r.Quality, r.Found, r.Walltime, r.Err)
				curves[r.Method][r.Benchmark] = r.Curve
				report(r.Method, r.Benchmark, r.Quality, r.Err)
			}}
		if runRef == "" {
			cmpOpt.Spec, cmpOpt.Arm = &spec, &rep.Arm
		}
		cmp, err := search.Compare(ctx, cmpOpt)
		if err != nil {
			return nil, fmt.Errorf("eval at %v per program on %s: %w", budget, program, err)
		}
		t.CompareRuns = append(t.CompareRuns, cmp.RunID)
		if rep.ClientWeights == "" {
			rep.ClientWeights = cmp.ClientWeights
		}
		if rep.Arm == (rlcore.Arm{}) {
			rep.Arm = cmp.Arm
		}
		var errs []error
		parallelDo(len(rep.Variants), opt.Workers, func(i int) {
			if ctx.Err() != nil {
				return
			}
			v := rep.Variants[i]
			name := ClientMethod + ":" + v.Name
			arm := v.Arm
			depOpt := search.DeployOptions{Run: runRef, Arm: &arm, On: []string{program}, Budget: rlcore.Budget{Duration: budget}, Workers: 1,
				FromScratch: v.FromScratch, Guided: v.Guided, Temperature: v.Temperature, Hyper: v.Hyper, Policy: variantPolicy(v, rep), Store: st, Problem: problem, Logger: opt.Logger,
				OnResult: func(d search.Deployment) {
					mu.Lock()
					defer mu.Unlock()
					set(name, d.Benchmark, d.Quality, d.Found, d.Walltime, d.Err)
					if d.Result != nil {
						curves[name][d.Benchmark] = d.Result.Curve
					}
					report(name, d.Benchmark, d.Quality, d.Err)
				}}
			if runRef == "" {
				depOpt.Spec = &spec
			}
			if _, err := search.Deploy(ctx, depOpt); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("eval: variant %s at %v per program on %s: %w", v.Name, budget, program, err))
				mu.Unlock()
			}
		})
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
	}
	t.Methods = append(t.Methods, opt.Methods...)
	if ctx.Err() != nil {
		t.Status = rlcore.Interrupted
	}
	t.summarize(curves, opt.Methods)
	return t, nil
}

// summarize fills the geomeans, the best baseline and the overheads.
func (t *Table) summarize(curves map[string]map[string][]rlcore.CurvePoint, baselines []string) {
	t.Geomean = map[string]float64{}
	for _, m := range t.Methods {
		var qs []float64
		for _, p := range t.Programs {
			qs = append(qs, t.quality(m, p))
		}
		t.Geomean[m] = search.Geomean(qs)
	}
	t.Best = ""
	for _, m := range baselines {
		alg, _ := search.SplitMethod(m)
		if _, err := rlcore.LookupAlgorithm(alg); err != nil { // a reference compilation: no search, no overhead
			continue
		}
		if g := t.Geomean[m]; !math.IsNaN(g) && (t.Best == "" || g > t.Geomean[t.Best]) {
			t.Best = m
		}
		o := Overhead{Method: m, PerProgram: map[string]float64{}, Geomean: math.NaN()}
		var ratios []float64
		for _, p := range t.Programs {
			target, tc := t.quality(ClientMethod, p), t.Found[ClientMethod][p]
			if math.IsNaN(target) {
				o.ClientFailed++
				continue
			}
			tb := search.TimeToReach(&search.MethodResult{Curve: curves[m][p], Quality: t.quality(m, p), Found: t.Found[m][p]}, target)
			if tb < 0 {
				o.Censored++
				tb = t.Budget
			}
			ratio := float64(max(tb, time.Millisecond)) / float64(max(tc, time.Millisecond))
			o.PerProgram[p] = ratio
			ratios = append(ratios, ratio)
		}
		o.Geomean = search.Geomean(ratios)
		t.Overheads = append(t.Overheads, o)
	}
}

func (t *Table) quality(method, program string) float64 {
	if q, ok := t.Quality[method][program]; ok {
		return q
	}
	return math.NaN()
}

// parallelDo runs f(0…n-1) on at most workers goroutines.
func parallelDo(n, workers int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(workers, 1))
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// variantPolicy is the stored policy variant v starts from: the one
// trained across programs when v has the client RL's arm (0: its own
// run's, see search.DeployOptions.Policy).
func variantPolicy(v Variant, rep *Report) int64 {
	if v.FromScratch || v.Arm != rep.Arm {
		return 0
	}
	return rep.TrainPolicy
}

// specIfNoRun is spec when there is no search run to read it from.
func specIfNoRun(runRef string, spec *search.Spec) *search.Spec {
	if runRef == "" {
		return spec
	}
	return nil
}
