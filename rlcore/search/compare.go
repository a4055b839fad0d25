package search

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// ClientMethod is the name of the deployed client RL in a comparison.
const ClientMethod = "supersonic"

// CompareOptions configures Compare. Zero values mean the documented
// defaults.
type CompareOptions struct {
	// Run, Spec, Arm and Hyper choose the client RL as for Deploy.
	Run   string
	Spec  *Spec
	Arm   *rlcore.Arm
	Hyper rlcore.Hyper
	// With are the methods compared with the client RL: reference
	// compilations the task declares (rlcore.Task.References: oz, o3 for
	// code size), measured through rlcore.Referencer, and search methods
	// (registered algorithms: random, greedy, anneal, genetic), run like
	// the client on the winner's action space and transition, or on
	// another action space when named ALGORITHM@ACTIONS (SplitMethod). Default: the
	// spec's Reference followed by its Methods, and ZeroShotMethod when
	// the search run has a policy trained across programs (Train).
	// ZeroShotMethod applies it without training (see
	// DeployOptions.ZeroShot).
	With []string
	// FromScratch trains the client RL from fresh weights on each
	// benchmark, as the paper does; by default it starts as Deploy does
	// (DeployOptions.FromScratch): from Policy, the search run's policy
	// trained across programs or its stored weights, first applying them
	// without training within the first half of the budget at most.
	FromScratch bool
	// Policy is a stored policy (id) the client RL starts from and the
	// zero-shot method applies, instead of the search run's.
	Policy int64
	// On lists benchmark specs; default (or "test") the spec's test set,
	// "train" its training set.
	On []string
	// Budget is every method's budget per benchmark (the same for all);
	// default DefaultDeployBudget.
	Budget rlcore.Budget
	// Workers runs that many (benchmark, method) jobs at once; default 1,
	// so that wall-clock budgets are not shared between methods.
	Workers int
	// Executor runs the client RL's and the search baselines' training
	// jobs; nil is the local pool. Reference compilations run here.
	Executor Executor

	Store    *store.Store // nil opens store.DefaultPath()
	Problem  rlcore.Problem
	Observer rlcore.Observer
	OnResult func(MethodResult)
	Logger   *slog.Logger
}

// MethodResult is one method's result on one benchmark.
type MethodResult struct {
	Method    string
	Benchmark string
	Quality   float64 // best task quality reached (NaN on error)
	Walltime  time.Duration
	Found     time.Duration
	Actions   []int
	// Curve is (elapsed, best quality so far) at each finished episode.
	Curve        []rlcore.CurvePoint
	TimeToTarget time.Duration // -1: never reached the benchmark's target
	Err          error
}

// Overhead is the search overhead of one baseline: on each benchmark, the
// time the baseline needs to reach the target (the best final quality of
// any search baseline on it) divided by the time the client RL needs.
// Ratios > 1 mean the client RL is faster. A baseline that never reaches
// the target has ratio +Inf (Missed counts them); benchmarks where the
// client RL does not reach the target are left out (ClientMissed).
type Overhead struct {
	Method            string
	PerBenchmark      map[string]float64
	Max, Geomean, Min float64 // over finite ratios; NaN when there is none
	Missed            int
	ClientMissed      int
}

// Comparison is the comparison table.
type Comparison struct {
	RunID      int64
	SearchRun  int64
	Arm        rlcore.Arm
	Benchmarks []string
	Methods    []string // the client RL (ClientMethod) first, then the baselines as given
	// Results[method][benchmark].
	Results map[string]map[string]*MethodResult
	// Target[benchmark] is the best final quality among search baselines.
	Target map[string]float64
	// Geomean and Mean of each method's quality over benchmarks (Geomean
	// is NaN when a quality is ≤ 0 or missing); Walltime is its mean.
	Geomean, Mean map[string]float64
	Walltime      map[string]time.Duration
	Overheads     []Overhead
	Budget        rlcore.Budget
	// ZeroShot says which policy the zero-shot method applied ("" when it
	// was not compared); ClientWeights which weights the client RL
	// started from.
	ZeroShot      string
	ClientWeights string
	// Overrun is how far the run (a method on a benchmark) that overran
	// most went past the per-benchmark wall budget; OverrunWhy says how
	// many did and why.
	Overrun    time.Duration
	OverrunWhy string
	Status     rlcore.Status
	// Warnings say what the caller should know about the comparison, such
	// as a search run that did not finish.
	Warnings []string
}

// Compare runs the deployed client RL, the task's reference compilation
// and the search methods on the same benchmarks with the same budget per
// benchmark, and computes the comparison table and the search overhead
// (the paper's: time to reach the best baseline's quality).
func Compare(ctx context.Context, opt CompareOptions) (*Comparison, error) {
	ph, err := openPhase(ctx, phaseRequest{name: "compare", budget: opt.Budget, budgetFor: "a method's run on one benchmark",
		run: opt.Run, spec: opt.Spec, arm: opt.Arm, hyper: opt.Hyper, store: opt.Store, problem: opt.Problem, on: opt.On})
	if err != nil {
		return nil, err
	}
	defer ph.sess.close()
	sess, spec, run, arm, hyper, benches := ph.sess, ph.spec, ph.run, ph.arm, ph.hyper, ph.benches
	names := opt.With
	var zeroShot startWeights
	if len(names) == 0 {
		if spec.Reference != "" {
			names = append(names, spec.Reference)
		}
		names = append(names, spec.Methods...)
		if ph.algorithm.WarmStart {
			if p, trainRun, ok, err := ph.trainedPolicy(ctx); err != nil {
				return nil, fmt.Errorf("compare: %w", err)
			} else if ok {
				names = append(names, ZeroShotMethod)
				zeroShot = startWeights{Policy: p, what: fmt.Sprintf("policy %d of train run %d", p.ID, trainRun)}
			}
		}
	} else if slices.Contains(names, ZeroShotMethod) {
		if zeroShot, err = ph.zeroShotWeights(ctx, opt.Policy); err != nil {
			return nil, fmt.Errorf("compare: %w", err)
		}
	}
	client, err := ph.clientWeights(ctx, opt.Policy, opt.FromScratch, opt.Hyper != nil)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	task, err := rlcore.LookupTask(spec.Task)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	var baselines []string            // search methods (algorithms)
	compilations := map[string]bool{} // reference compilations
	seen := map[string]bool{}
	for _, b := range names {
		if seen[b] {
			return nil, fmt.Errorf("compare: method %q listed twice", b)
		}
		seen[b] = true
		if b == ClientMethod {
			return nil, fmt.Errorf("compare: %q names the client RL; it is always compared", b)
		}
		if b == ZeroShotMethod {
			continue
		}
		if task.CheckReference(b) == nil {
			compilations[b] = true
			continue
		}
		if alg, actions := SplitMethod(b); actions != "" {
			if _, err := rlcore.LookupAlgorithm(alg); err != nil {
				return nil, fmt.Errorf("compare: method %q: %w", b, err)
			}
			if _, err := rlcore.LookupActionSpace(actions, spec.Task); err != nil {
				return nil, fmt.Errorf("compare: method %q searches action space %q: %w", b, actions, err)
			}
			baselines = append(baselines, b)
			continue
		}
		if _, err := rlcore.LookupAlgorithm(b); err == nil {
			baselines = append(baselines, b)
			continue
		}
		return nil, fmt.Errorf("compare: %q is neither a reference compilation of task %s (%s), a search method (%s) nor %s",
			b, spec.Task, referenceNames(task), searchMethods(), ZeroShotMethod)
	}
	if opt.Budget.IsZero() {
		opt.Budget = DefaultDeployBudget
	}
	exec := sess.executorFor(opt.Executor)
	opt.Workers = workersFor(ctx, opt.Workers, exec, 1)
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	quiet := opt.Observer != nil || opt.OnResult != nil
	methods := append([]string{ClientMethod}, names...)
	rec := sess.recorder(logger)
	optJSON, _ := json.Marshal(map[string]any{"arm": arm.String(), "hyper": hyper, "methods": methods, "budget": opt.Budget.String(), "benchmarks": benches, "zero_shot": zeroShot.what,
		"client_policy": client.ID, "client_weights": client.what})
	cmp := &Comparison{SearchRun: run.ID, Arm: arm, Benchmarks: benches, Methods: methods, Budget: opt.Budget, Warnings: unfinishedRunWarnings(run), ZeroShot: zeroShot.what, ClientWeights: client.what,
		Results: map[string]map[string]*MethodResult{}, Target: map[string]float64{}}
	cmp.RunID = rec.createRun(store.Run{Name: spec.Name, Kind: store.KindCompare, Task: spec.Task, Spec: specJSON(spec), Options: optJSON, Parent: run.ID})
	for _, m := range methods {
		cmp.Results[m] = map[string]*MethodResult{}
	}
	type job struct{ method, bench string }
	var jobs []job
	for _, b := range benches {
		for _, m := range methods {
			jobs = append(jobs, job{m, b})
		}
	}
	results := make([]*MethodResult, len(jobs))
	rowIDs := make([]int64, len(jobs)) // each result is stored as it finishes
	key := runKey(spec.Name, cmp.RunID, newNonce())
	parallel(len(jobs), opt.Workers, func(i int) {
		j := jobs[i]
		if ctx.Err() != nil {
			return
		}
		seed := pullSeed(spec.Seed, 2_000_000+i)
		var r *MethodResult
		switch {
		case j.method == ClientMethod:
			dep := exec.Run(ctx, deployJob(spec, jobID(key, "compare", i), arm, hyper, j.bench, opt.Budget, seed, client.Weights, client.rollouts(0)), opt.Observer).Deployment
			r = methodResult(j.method, j.bench, dep.Result, dep.Err)
		case compilations[j.method]:
			r = referenceResult(ctx, sess.problem, j.bench, j.method)
		case j.method == ZeroShotMethod:
			pol, err := DecodePolicy(zeroShot.Weights)
			if err != nil {
				r = &MethodResult{Method: j.method, Benchmark: j.bench, Quality: math.NaN(), TimeToTarget: -1, Err: err}
				break
			}
			d := &deployer{problem: sess.problem, horizon: spec.Horizon}
			dep := d.zeroShot(ctx, arm, pol, j.bench, DefaultZeroShotSamples, seed)
			r = &MethodResult{Method: j.method, Benchmark: j.bench, Quality: dep.Quality, Walltime: dep.Walltime, Found: dep.Found, Actions: dep.Actions, TimeToTarget: -1, Err: dep.Err}
			if dep.Err != nil {
				r.Quality = math.NaN() // not validated: not a result
			}
		default:
			bArm := arm
			var actions string
			bArm.Algorithm, actions = SplitMethod(j.method)
			if actions != "" {
				bArm.Actions = actions
			}
			dep := exec.Run(ctx, deployJob(spec, jobID(key, "compare", i), bArm, nil, j.bench, opt.Budget, seed, nil, 0), opt.Observer).Deployment
			r = methodResult(j.method, j.bench, dep.Result, dep.Err)
		}
		results[i] = r
		rowIDs[i] = rec.addBaseline(cmp.RunID, r)
		if opt.OnResult != nil {
			opt.OnResult(*r)
		}
		if !quiet {
			attrs := []any{"method", r.Method, "benchmark", r.Benchmark, "quality", round4(r.Quality), "walltime", r.Walltime.Round(time.Millisecond)}
			if r.Err != nil {
				attrs = append(attrs, "err", r.Err.Error())
			}
			logger.Info("compare", attrs...)
		}
	})
	for _, r := range results {
		if r != nil {
			cmp.Results[r.Method][r.Benchmark] = r
		}
	}
	cmp.summarize(baselines)
	var walls []time.Duration
	for _, r := range results {
		if r != nil && len(r.Curve) > 0 { // a trained or searched run, not a reference compilation
			walls = append(walls, r.Walltime)
		}
	}
	if cmp.Overrun, cmp.OverrunWhy = perRunOverrun(opt.Budget, "runs", walls); cmp.Overrun > 0 {
		logOverrun(logger, quiet, "comparison runs went past their wall budget", cmp.Overrun, cmp.OverrunWhy)
	}
	cmp.Status = rlcore.Finished
	if ctx.Err() != nil {
		cmp.Status = rlcore.Interrupted
	}
	// Times to target need every method's result: they are added now.
	for i, r := range results {
		if r != nil && rowIDs[i] != 0 && r.TimeToTarget >= 0 {
			id, ttt := rowIDs[i], r.TimeToTarget
			rec.do("storing time to target", func(c context.Context) error { return rec.st.SetTimeToTarget(c, id, ttt) })
		}
	}
	rec.finishRun(cmp.RunID, cmp.Status, nil)
	logWarnings(logger, "compare", cmp.Warnings)
	if !quiet {
		logger.Info("comparison\n" + cmp.Table())
	}
	return cmp, nil
}

// SplitMethod reads a search method's name in a comparison: ALGORITHM,
// which searches the client RL's action space, or ALGORITHM@ACTIONS, which
// searches action space ACTIONS instead (genetic@all: the genetic
// algorithm on the compiler's own passes while the client RL uses a
// learned action space). actions is "" for the former.
func SplitMethod(name string) (algorithm, actions string) {
	algorithm, actions, _ = strings.Cut(name, "@")
	return algorithm, actions
}

func methodResult(method, bench string, res *rlcore.Result, err error) *MethodResult {
	r := &MethodResult{Method: method, Benchmark: bench, Quality: math.NaN(), TimeToTarget: -1, Err: err}
	if res == nil {
		return r
	}
	r.Walltime, r.Curve = res.Stats.Elapsed, res.Curve
	if best, ok := res.PerBenchmark[bench]; ok {
		r.Quality, r.Found, r.Actions = best.Quality, best.Found, best.Actions
	} else if r.Err == nil {
		r.Err = fmt.Errorf("no episode finished within the budget")
	}
	return r
}

func referenceNames(t *rlcore.Task) string {
	if len(t.References) == 0 {
		return "it declares none"
	}
	ns := make([]string, len(t.References))
	for i, r := range t.References {
		ns[i] = r.Name
	}
	return strings.Join(ns, ", ")
}

// referenceResult measures the quality of reference compilation ref.
func referenceResult(ctx context.Context, p rlcore.Problem, bench, ref string) *MethodResult {
	r := &MethodResult{Method: ref, Benchmark: bench, Quality: math.NaN(), TimeToTarget: -1}
	start := time.Now()
	ep, err := p.NewEpisode(ctx, bench)
	if err == nil {
		r.Quality, err = rlcore.MeasureReference(ctx, ep, ref, "quality")
		ep.Close()
	}
	r.Walltime = time.Since(start)
	r.Found = r.Walltime
	if err != nil {
		r.Quality, r.Err = math.NaN(), fmt.Errorf("reference compilation %s on %s: %w", ref, bench, err)
	}
	return r
}

// TimeToReach is when the run first reached quality ≥ target: the first
// curve point whose best-so-far reaches it, or when the final best was
// found if that is earlier; -1 if never.
func TimeToReach(r *MethodResult, target float64) time.Duration {
	t := time.Duration(-1)
	for _, c := range r.Curve {
		if c.Best >= target {
			t = c.Elapsed
			break
		}
	}
	if r.Quality >= target && (t < 0 || r.Found < t) {
		t = r.Found
	}
	return t
}

func (c *Comparison) summarize(baselines []string) {
	c.Geomean, c.Mean, c.Walltime = map[string]float64{}, map[string]float64{}, map[string]time.Duration{}
	for _, b := range c.Benchmarks {
		t := math.Inf(-1)
		for _, m := range baselines {
			if r := c.Results[m][b]; r != nil && !math.IsNaN(r.Quality) {
				t = math.Max(t, r.Quality)
			}
		}
		c.Target[b] = t
		for _, m := range c.Methods {
			if r := c.Results[m][b]; r != nil && !math.IsInf(t, -1) {
				r.TimeToTarget = TimeToReach(r, t)
			}
		}
	}
	for _, m := range c.Methods {
		var logSum, sum float64
		var wall time.Duration
		n, pos := 0, true
		for _, b := range c.Benchmarks {
			r := c.Results[m][b]
			if r == nil || math.IsNaN(r.Quality) {
				pos = false
				continue
			}
			n++
			sum += r.Quality
			wall += r.Walltime
			if r.Quality > 0 {
				logSum += math.Log(r.Quality)
			} else {
				pos = false
			}
		}
		c.Mean[m], c.Geomean[m] = math.NaN(), math.NaN()
		if n > 0 {
			c.Mean[m] = sum / float64(n)
			c.Walltime[m] = wall / time.Duration(n)
			if pos {
				c.Geomean[m] = math.Exp(logSum / float64(n))
			}
		}
	}
	c.summarizeOverheads(baselines)
}

// summarizeOverheads computes the search overhead of each baseline from
// the times to target.
func (c *Comparison) summarizeOverheads(baselines []string) {
	for _, m := range baselines {
		o := Overhead{Method: m, PerBenchmark: map[string]float64{}, Max: math.NaN(), Geomean: math.NaN(), Min: math.NaN()}
		var ratios []float64
		for _, b := range c.Benchmarks {
			cl, br := c.Results[ClientMethod][b], c.Results[m][b]
			if cl == nil || br == nil {
				continue
			}
			if cl.TimeToTarget < 0 {
				o.ClientMissed++
				continue
			}
			if br.TimeToTarget < 0 {
				o.Missed++
				o.PerBenchmark[b] = math.Inf(1)
				continue
			}
			ratio := float64(max(br.TimeToTarget, time.Microsecond)) / float64(max(cl.TimeToTarget, time.Microsecond))
			o.PerBenchmark[b] = ratio
			ratios = append(ratios, ratio)
			o.Max = nanMax(o.Max, ratio)
			o.Min = nanMin(o.Min, ratio)
		}
		o.Geomean = Geomean(ratios)
		c.Overheads = append(c.Overheads, o)
	}
}

func nanMax(a, b float64) float64 {
	if math.IsNaN(a) || b > a {
		return b
	}
	return a
}

func nanMin(a, b float64) float64 {
	if math.IsNaN(a) || b < a {
		return b
	}
	return a
}

// Table renders the comparison as text: quality per benchmark × method,
// the geomean, mean and mean walltime per method, and the search overhead.
func (c *Comparison) Table() string {
	var sb strings.Builder
	w := 12
	for _, b := range c.Benchmarks {
		w = max(w, len(b)+1)
	}
	fmt.Fprintf(&sb, "%-*s", w, "benchmark")
	for _, m := range c.Methods {
		fmt.Fprintf(&sb, " %11s", m)
	}
	sb.WriteString("\n")
	for _, b := range c.Benchmarks {
		fmt.Fprintf(&sb, "%-*s", w, b)
		for _, m := range c.Methods {
			q := math.NaN()
			if r := c.Results[m][b]; r != nil {
				q = r.Quality
			}
			fmt.Fprintf(&sb, " %11s", FormatQuality(q))
		}
		sb.WriteString("\n")
	}
	row := func(name string, f func(m string) string) {
		fmt.Fprintf(&sb, "%-*s", w, name)
		for _, m := range c.Methods {
			fmt.Fprintf(&sb, " %11s", f(m))
		}
		sb.WriteString("\n")
	}
	row("geomean", func(m string) string { return FormatQuality(c.Geomean[m]) })
	row("mean", func(m string) string { return FormatQuality(c.Mean[m]) })
	row("walltime", func(m string) string { return fmtDur(c.Walltime[m]) })
	if len(c.Overheads) > 0 {
		sb.WriteString("\nsearch overhead (time to reach the best baseline's quality ÷ the client RL's):\n")
		benches := append([]string(nil), c.Benchmarks...)
		sort.Strings(benches)
		for _, o := range c.Overheads {
			fmt.Fprintf(&sb, "  %-10s max %s  geomean %s  min %s", o.Method, fmtX(o.Max), fmtX(o.Geomean), fmtX(o.Min))
			if o.Missed > 0 {
				fmt.Fprintf(&sb, "  (never reached it on %d)", o.Missed)
			}
			if o.ClientMissed > 0 {
				fmt.Fprintf(&sb, "  (client RL did not reach it on %d)", o.ClientMissed)
			}
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

func fmtDur(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func fmtX(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	if math.IsInf(x, 1) {
		return "∞"
	}
	return fmt.Sprintf("%.2fx", x)
}

func (r *runRecorder) addBaseline(run int64, m *MethodResult) int64 {
	if run == 0 {
		return 0
	}
	row := store.Baseline{Run: run, Benchmark: m.Benchmark, Method: m.Method, Quality: m.Quality, Walltime: m.Walltime, Found: m.Found,
		TimeToTarget: m.TimeToTarget, Actions: m.Actions}
	for _, c := range m.Curve {
		if !math.IsNaN(c.Best) && !math.IsInf(c.Best, 0) {
			row.Curve = append(row.Curve, [2]float64{c.Elapsed.Seconds(), c.Best})
		}
	}
	if m.Err != nil {
		row.Error = m.Err.Error()
	}
	return insert(r, "storing comparison result", r.st.AddBaseline, row)
}
