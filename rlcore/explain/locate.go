// Package explain explains a stored result step by step and takes it away:
// Explain replays a deployed or compared action sequence and records the
// measure after every step (the waterfall), which steps changed nothing,
// the program's mix before and after and the diff of any step (only the
// parts it touched); Export writes one self-contained file per result and
// Replay re-applies such a file and checks every number in it. The magics
// %explain and %export and the command `supersonic replay` stand for
// these calls.
//
// What a task offers beyond the waterfall comes from the optional
// capabilities of rlcore (Snapshotter, Mixer, PrimaryMeasurer, StepViewer,
// ResultViewer, Exporter); a task that has none still gets the quality
// after every step.
package explain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// Options select a result: a deploy or compare run, one of its
// benchmarks and, for a comparison, one of its methods.
type Options struct {
	// Run is a run id or name; a name means its newest deploy or compare
	// run; "" the newest deploy or compare run of the store.
	Run string
	// Benchmark names one benchmark of the run, in full ("builtin:qsort")
	// or by its last part ("qsort"); "" the run's first.
	Benchmark string
	// Method is a compare run's method (default search.ClientMethod, the
	// client RL).
	Method string
	// Store is the run store; nil opens store.DefaultPath().
	Store *store.Store
	// Problem is the opened task; nil opens it from the run's spec.
	Problem rlcore.Problem
}

// Result is a located result: the run, its spec, the benchmark and the
// task actions (indices into Problem.Actions) as applied.
type Result struct {
	Run       store.Run
	Spec      search.Spec
	Benchmark string
	Method    string
	Quality   float64
	Actions   []int
	Names     []string
	Validated bool
}

// located bundles a Result with the problem it was located with.
type located struct {
	Result
	problem     rlcore.Problem
	ownProblem  bool
	st          *store.Store
	ownStore    bool
	agentAction []int // compare rows: agent actions to map through the arm
}

func (l *located) close() {
	if l.ownProblem && l.problem != nil {
		l.problem.Close()
	}
	if l.ownStore && l.st != nil {
		l.st.Close()
	}
}

// findResultRun resolves ref to a deploy or compare run.
func findResultRun(ctx context.Context, st *store.Store, ref string) (store.Run, error) {
	if _, err := strconv.ParseInt(ref, 10, 64); err == nil {
		run, err := st.FindRun(ctx, ref, "")
		if err != nil {
			return run, err
		}
		if run.Kind != store.KindDeploy && run.Kind != store.KindCompare {
			return run, fmt.Errorf("run %d (%s) is a %s run: results come from deploy and compare runs (%%deploy, %%compare)", run.ID, run.Name, run.Kind)
		}
		return run, nil
	}
	var best store.Run
	for _, kind := range []string{store.KindDeploy, store.KindCompare} {
		run, err := st.FindRun(ctx, ref, kind)
		if errors.Is(err, store.ErrNoRun) {
			continue
		}
		if err != nil {
			return run, err
		}
		if run.ID > best.ID {
			best = run
		}
	}
	if best.ID == 0 {
		if ref == "" {
			return best, fmt.Errorf("%w: the store %s has no deploy or compare run yet (run %%deploy or %%compare first)", store.ErrNoRun, st.Path())
		}
		return best, fmt.Errorf("%w: no deploy or compare run named %q in %s (%%runs lists the runs)", store.ErrNoRun, ref, st.Path())
	}
	return best, nil
}

// locate finds the result opt selects and opens its problem.
func locate(ctx context.Context, opt Options) (*located, error) {
	l := &located{st: opt.Store, problem: opt.Problem}
	if l.st == nil {
		var err error
		if l.st, err = store.Open(""); err != nil {
			return nil, err
		}
		l.ownStore = true
	}
	if err := l.find(ctx, opt); err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

func (l *located) find(ctx context.Context, opt Options) error {
	run, err := findResultRun(ctx, l.st, opt.Run)
	if err != nil {
		return err
	}
	l.Run = run
	if err := json.Unmarshal(run.Spec, &l.Spec); err != nil || l.Spec.Task == "" {
		return fmt.Errorf("run %d: cannot read its task spec: %v", run.ID, err)
	}
	type row struct {
		bench, method string
		quality       float64
		actions       []int
		names         []string
		task          bool // actions are task actions
		validated     bool
		err           string
	}
	var rows []row
	switch run.Kind {
	case store.KindDeploy:
		deps, err := l.st.Deployments(ctx, run.ID)
		if err != nil {
			return err
		}
		for _, d := range deps {
			rows = append(rows, row{bench: d.Benchmark, method: search.ClientMethod, quality: d.Quality, actions: d.Actions, names: d.ActionNames, task: true, validated: d.Validated, err: d.Error})
		}
	case store.KindCompare:
		bs, err := l.st.Baselines(ctx, run.ID)
		if err != nil {
			return err
		}
		for _, b := range bs {
			rows = append(rows, row{bench: b.Benchmark, method: b.Method, quality: b.Quality, actions: b.Actions, err: b.Error})
		}
	}
	method := opt.Method
	if method == "" {
		method = search.ClientMethod
	}
	var benches, methods []string
	seenB, seenM := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		if !seenB[r.bench] {
			seenB[r.bench] = true
			benches = append(benches, r.bench)
		}
		if !seenM[r.method] {
			seenM[r.method] = true
			methods = append(methods, r.method)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s run %d (%s) has no results (status %s)", run.Kind, run.ID, run.Name, run.Status)
	}
	if !seenM[method] {
		return fmt.Errorf("%s run %d has no method %q; it has: %s", run.Kind, run.ID, method, strings.Join(methods, ", "))
	}
	bench, err := matchBenchmark(opt.Benchmark, benches)
	if err != nil {
		return fmt.Errorf("%s run %d (%s): %w", run.Kind, run.ID, run.Name, err)
	}
	var r *row
	for i := range rows {
		if rows[i].bench == bench && rows[i].method == method {
			r = &rows[i]
		}
	}
	if r == nil {
		return fmt.Errorf("%s run %d has no result of %s on %s", run.Kind, run.ID, method, bench)
	}
	if r.err != "" && len(r.actions) == 0 {
		return fmt.Errorf("%s on %s in run %d failed: %s", method, bench, run.ID, r.err)
	}
	l.Benchmark, l.Method, l.Quality, l.Validated = bench, method, r.quality, r.validated
	if l.problem == nil {
		var err error
		if l.problem, err = rlcore.OpenTask(ctx, l.Spec.Task, l.Spec.TaskOptions, l.Spec.Seed, nil); err != nil {
			return err
		}
		l.ownProblem = true
	}
	if r.task {
		l.Actions, l.Names = r.actions, r.names
		return nil
	}
	if len(r.actions) == 0 && r.quality == r.quality {
		return fmt.Errorf("method %s on %s is a reference compilation (quality %.4g): it has no actions to explain; explain the client RL or a search baseline", method, bench, r.quality)
	}
	return l.taskActions(ctx, run, method, r.actions)
}

// taskActions maps a comparison's agent actions to task actions through
// the arm the method ran with (the search winner, with the baseline's
// algorithm), replaying them as the transition function applied them.
func (l *located) taskActions(ctx context.Context, run store.Run, method string, agent []int) error {
	var o struct{ Arm string }
	json.Unmarshal(run.Options, &o)
	var arm rlcore.Arm
	found := false
	for _, a := range l.Spec.Arms() {
		if a.String() == o.Arm {
			arm, found = a, true
		}
	}
	if !found {
		return fmt.Errorf("compare run %d: its arm %q is not an arm of its spec", run.ID, o.Arm)
	}
	if method != search.ClientMethod {
		arm.Algorithm = method
	}
	env, err := rlcore.NewTaskEnv(l.problem, rlcore.TaskEnvConfig{Arm: arm, Horizon: len(agent) + 1})
	if err != nil {
		return err
	}
	defer env.Close()
	if _, err := env.Reset(ctx, l.Benchmark); err != nil {
		return err
	}
	for i, a := range agent {
		if _, err := env.Step(ctx, a); err != nil {
			return fmt.Errorf("replaying %s's step %d on %s: %w", method, i+1, l.Benchmark, err)
		}
	}
	l.Actions = append([]int(nil), env.History()...)
	all := l.problem.Actions()
	l.Names = make([]string, len(l.Actions))
	for i, a := range l.Actions {
		l.Names[i] = all[a]
	}
	return nil
}

// matchBenchmark finds want among benches: exactly, or as the part after
// the last ':' or '/' ("qsort" for "builtin:qsort").
func matchBenchmark(want string, benches []string) (string, error) {
	if want == "" {
		return benches[0], nil
	}
	var hits []string
	for _, b := range benches {
		if b == want {
			return b, nil
		}
		short := b[strings.LastIndexAny(b, ":/")+1:]
		if short == want || strings.TrimSuffix(short, ".c") == want {
			hits = append(hits, b)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	sorted := append([]string(nil), benches...)
	sort.Strings(sorted)
	if len(hits) > 1 {
		return "", fmt.Errorf("benchmark %q is ambiguous: %s", want, strings.Join(hits, ", "))
	}
	return "", fmt.Errorf("no benchmark %q; the run has: %s", want, strings.Join(sorted, ", "))
}
