package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Spec declares a client-RL architecture search: a task, its benchmarks
// split into training and test sets, and the candidate components whose
// Cartesian product is the arm space. Write it in Go, or in a %%task cell
// body read by [ParseSpec].
type Spec struct {
	Name string
	Task string
	// TaskOptions go to the task's Open (e.g. "cflags").
	TaskOptions map[string]string `json:",omitempty"`

	// Benchmarks are benchmark specs (see rlcore.Problem.Benchmarks): the
	// training set, or with Folds the whole set that is split.
	Benchmarks []string
	// Test are the unseen benchmarks for deployment and comparison.
	Test []string `json:",omitempty"`
	// Folds > 1 splits Benchmarks for k-fold cross-validation: fold Fold
	// (0-based) is the test set, the other folds train.
	Folds int `json:",omitempty"`
	Fold  int `json:",omitempty"`

	States      []string // references such as "autophase" or "instcount-norm+action-history(8)"
	Rewards     []string // default: quality-delta
	Actions     []string // default: all
	Transitions []string // default: apply
	Algorithms  []AlgorithmSpec

	Horizon int   // episode length; 0 means rlcore.DefaultHorizon
	Seed    int64 // every random choice of search, tuning and deployment flows from it

	// PullBudget is the training budget of one pull (0 means DefaultPullBudget).
	PullBudget rlcore.Budget `json:",omitzero"`
	// Reference is the reference compilation that Compare reports beside
	// the client RL (one of the task's declared References; the task's
	// DefaultReference when empty). %%task key `reference:`, old spelling
	// `baseline:`.
	Reference string `json:"Baseline,omitempty"`
	// Methods are the search methods (registered algorithms, such as
	// random or anneal) that Compare runs beside the client RL
	// (DefaultMethods when empty). %%task key `methods:`, old spelling
	// `baselines:`.
	Methods []string `json:"Baselines,omitempty"`
}

// AlgorithmSpec is a candidate algorithm with hyperparameter overrides.
type AlgorithmSpec struct {
	Name  string
	Hyper rlcore.Hyper `json:",omitempty"`
}

// String renders the algorithm as the arm names it: "ppo" or
// "ppo(clip=0.2,lr=0.0003)" (keys sorted).
func (a AlgorithmSpec) String() string {
	if len(a.Hyper) == 0 {
		return a.Name
	}
	keys := slices.Sorted(maps.Keys(a.Hyper))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(a.Hyper[k], 'g', -1, 64)
	}
	return a.Name + "(" + strings.Join(parts, ",") + ")"
}

// armAlgorithm parses the algorithm of arm (its name and hyperparameter
// overrides) and looks it up in the registry.
func armAlgorithm(arm rlcore.Arm) (AlgorithmSpec, *rlcore.Algorithm, error) {
	spec, err := ParseAlgorithm(arm.Algorithm)
	if err != nil {
		return spec, nil, err
	}
	alg, err := rlcore.LookupAlgorithm(spec.Name)
	return spec, alg, err
}

// ParseAlgorithm reads "ppo" or "ppo(lr=3e-4, clip=0.2)".
func ParseAlgorithm(s string) (AlgorithmSpec, error) {
	ref, err := rlcore.ParseRef(s)
	if err != nil {
		return AlgorithmSpec{}, err
	}
	a := AlgorithmSpec{Name: ref.Name}
	for _, arg := range ref.Args {
		k, v, ok := strings.Cut(arg, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return a, fmt.Errorf("algorithm %s: hyperparameter %q: want name=value, e.g. %s(lr=3e-4)", ref.Name, arg, ref.Name)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return a, fmt.Errorf("algorithm %s: hyperparameter %s=%q is not a number", ref.Name, k, v)
		}
		if a.Hyper == nil {
			a.Hyper = rlcore.Hyper{}
		}
		if _, dup := a.Hyper[k]; dup {
			return a, fmt.Errorf("algorithm %s: hyperparameter %s given twice", ref.Name, k)
		}
		a.Hyper[k] = f
	}
	return a, nil
}

// DefaultPullBudget is a pull's training budget when neither the Spec nor
// the Options set one.
var DefaultPullBudget = rlcore.Budget{Duration: 10 * time.Second}

// DefaultMethods are the search methods Compare runs by default.
var DefaultMethods = []string{"random", "greedy", "anneal", "genetic"}

// withDefaults fills the component defaults that NewTaskEnv would apply.
func (s Spec) withDefaults() Spec {
	if len(s.Rewards) == 0 {
		s.Rewards = []string{"quality-delta"}
	}
	if len(s.Actions) == 0 {
		s.Actions = []string{"all"}
	}
	if len(s.Transitions) == 0 {
		s.Transitions = []string{"apply"}
	}
	if s.Horizon <= 0 {
		s.Horizon = rlcore.DefaultHorizon
	}
	if s.Reference == "" {
		if t, err := rlcore.LookupTask(s.Task); err == nil {
			s.Reference = t.DefaultReference
		}
	}
	if len(s.Methods) == 0 {
		s.Methods = append([]string(nil), DefaultMethods...)
	}
	if s.PullBudget.IsZero() {
		s.PullBudget = DefaultPullBudget
	}
	return s
}

// Arms returns the arm space: the Cartesian product of states, rewards,
// action spaces, transitions and algorithms, in that nesting order
// (algorithm varies slowest, transition fastest).
func (s Spec) Arms() []rlcore.Arm {
	d := s.withDefaults()
	var arms []rlcore.Arm
	for _, al := range d.Algorithms {
		for _, st := range d.States {
			for _, rw := range d.Rewards {
				for _, ac := range d.Actions {
					for _, tr := range d.Transitions {
						arms = append(arms, rlcore.Arm{State: st, Reward: rw, Actions: ac, Transition: tr, Algorithm: al.String()})
					}
				}
			}
		}
	}
	return arms
}

// dims returns the number of choices per component, in the order of
// armVector: algorithm, state, reward, actions, transition.
func (s Spec) dims() []int {
	d := s.withDefaults()
	return []int{len(d.Algorithms), len(d.States), len(d.Rewards), len(d.Actions), len(d.Transitions)}
}

// Validate checks the spec against the component registry: the task, every
// state/reward/action-space/transition for that task, every algorithm and
// its hyperparameter overrides. Errors name what was wrong and list what is
// allowed.
func (s Spec) Validate() error { return s.validate(true) }

// validate is Validate; checkSpecs says whether s.Benchmarks and s.Test
// are benchmark specs to check with the task's CheckBenchmark (a Job
// carries resolved benchmark names instead).
func (s Spec) validate(checkSpecs bool) error {
	var errs []error
	if s.Task == "" {
		errs = append(errs, fmt.Errorf("no task: add a line `task: NAME`; registered tasks: %s", registered(rlcore.KindTask, "")))
	} else if task, err := rlcore.LookupTask(s.Task); err != nil {
		errs = append(errs, err)
	} else {
		if _, err := task.ParseOptions(s.TaskOptions); err != nil {
			errs = append(errs, err)
		}
		if s.Reference != "" {
			if err := task.CheckReference(s.Reference); err != nil {
				errs = append(errs, fmt.Errorf("reference: %w", err))
			}
		}
	}
	for _, m := range s.Methods {
		if alg, err := rlcore.LookupAlgorithm(m); err != nil {
			errs = append(errs, fmt.Errorf("methods: %w", err))
		} else if alg.Kind != rlcore.Searcher {
			errs = append(errs, fmt.Errorf("methods: %s is a client RL, not a search method; search methods: %s", m, searchMethods()))
		}
	}
	if len(s.Benchmarks) == 0 {
		errs = append(errs, errors.New("no benchmarks: add a line `benchmarks: SPEC, …`"))
	}
	if checkSpecs {
		errs = append(errs, s.checkBenchmarks()...)
	}
	if s.Folds == 1 || s.Folds < 0 {
		errs = append(errs, fmt.Errorf("folds = %d: want at least 2 (or leave it out)", s.Folds))
	}
	if s.Folds > 1 && (s.Fold < 0 || s.Fold >= s.Folds) {
		errs = append(errs, fmt.Errorf("fold = %d: want 0 … %d", s.Fold, s.Folds-1))
	}
	if s.Folds == 0 && s.Fold != 0 {
		errs = append(errs, fmt.Errorf("fold = %d without folds: add `folds: K`", s.Fold))
	}
	if s.Folds > 1 && len(s.Test) > 0 {
		errs = append(errs, errors.New("both folds and test given: use `test:` for an explicit split or `folds:` for cross-validation, not both"))
	}
	if len(s.States) == 0 {
		errs = append(errs, fmt.Errorf("no state functions: add a line `states: NAME, …`; for task %s: %s", s.Task, registered(rlcore.KindState, s.Task)))
	}
	if len(s.Algorithms) == 0 {
		errs = append(errs, fmt.Errorf("no algorithms: add a line `algorithms: NAME, …`; registered: %s", registered(rlcore.KindAlgorithm, "")))
	}
	d := s.withDefaults()
	for _, st := range s.States {
		for _, part := range strings.Split(st, "+") {
			ref, err := rlcore.ParseRef(part)
			if err == nil {
				_, err = rlcore.LookupState(ref.Name, s.Task)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("states: %w", err))
			}
		}
	}
	for _, r := range d.Rewards {
		if _, err := rlcore.LookupReward(r, s.Task); err != nil {
			errs = append(errs, fmt.Errorf("rewards: %w", err))
		}
	}
	for _, a := range d.Actions {
		if _, err := rlcore.LookupActionSpace(a, s.Task); err != nil {
			errs = append(errs, fmt.Errorf("actions: %w", err))
		}
	}
	for _, t := range d.Transitions {
		if _, err := rlcore.LookupTransition(t, s.Task); err != nil {
			errs = append(errs, fmt.Errorf("transitions: %w", err))
		}
	}
	seen := map[string]bool{}
	for _, a := range s.Algorithms {
		if seen[a.String()] {
			errs = append(errs, fmt.Errorf("algorithms: %s listed twice", a))
		}
		seen[a.String()] = true
		alg, err := rlcore.LookupAlgorithm(a.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf("algorithms: %w", err))
			continue
		}
		if _, err := alg.Resolve(a.Hyper); err != nil {
			errs = append(errs, fmt.Errorf("algorithms: %w", err))
		}
	}
	if err := s.PullBudget.Check("pull: a pull", rlcore.TrainingUnits...); err != nil {
		errs = append(errs, err)
	}
	if s.Horizon < 0 {
		errs = append(errs, fmt.Errorf("horizon = %d: want a positive number of steps", s.Horizon))
	}
	return errors.Join(errs...)
}

// checkBenchmarks checks the syntax of the benchmark specs with the task's
// CheckBenchmark, when it has one.
func (s Spec) checkBenchmarks() []error {
	task, err := rlcore.LookupTask(s.Task)
	if err != nil || task.CheckBenchmark == nil {
		return nil
	}
	var errs []error
	for _, list := range []struct {
		key   string
		specs []string
	}{{"benchmarks", s.Benchmarks}, {"test", s.Test}} {
		for _, b := range list.specs {
			if err := task.CheckBenchmark(b); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", list.key, err))
			}
		}
	}
	return errs
}

// searchMethods lists the registered search methods.
func searchMethods() string {
	var ns []string
	for _, in := range rlcore.List(rlcore.KindAlgorithm, "") {
		if a, err := rlcore.LookupAlgorithm(in.Name); err == nil && a.Kind == rlcore.Searcher {
			ns = append(ns, in.Name)
		}
	}
	return strings.Join(ns, ", ")
}

func registered(kind rlcore.Kind, task string) string {
	var ns []string
	for _, in := range rlcore.List(kind, task) {
		ns = append(ns, in.Name)
	}
	if len(ns) == 0 {
		return "(none registered)"
	}
	return strings.Join(ns, ", ")
}

// Split resolves the benchmark specs through the opened problem and
// returns the training and test benchmarks. With Folds, the resolved set is
// shuffled by Seed and dealt round-robin into Folds folds; fold Fold is the
// test set.
func (s Spec) Split(ctx context.Context, p rlcore.Problem) (train, test []string, err error) {
	all, err := resolve(ctx, p, s.Benchmarks)
	if err != nil {
		return nil, nil, err
	}
	if s.Folds > 1 {
		if len(all) < s.Folds {
			return nil, nil, fmt.Errorf("%d-fold cross-validation needs at least %d benchmarks; %v resolved to %d", s.Folds, s.Folds, s.Benchmarks, len(all))
		}
		rng := rand.New(rand.NewPCG(uint64(s.Seed), 0x5eed_f01d))
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		for i, b := range all {
			if i%s.Folds == s.Fold {
				test = append(test, b)
			} else {
				train = append(train, b)
			}
		}
		return train, test, nil
	}
	test, err = resolve(ctx, p, s.Test)
	if err != nil {
		return nil, nil, err
	}
	return all, test, nil
}

// resolve resolves benchmark specs. A spec none of whose benchmarks is
// usable (rlcore.ErrNoUsableBenchmark: a file that does not compile) is
// skipped with its diagnostics logged, the same whether the file was
// listed or found in a folder, unless no spec gives a usable benchmark.
func resolve(ctx context.Context, p rlcore.Problem, specs []string) ([]string, error) {
	var out []string
	var skipped []error
	seen := map[string]bool{}
	for _, sp := range specs {
		bs, err := p.Benchmarks(ctx, sp)
		if errors.Is(err, rlcore.ErrNoUsableBenchmark) && ctx.Err() == nil {
			skipped = append(skipped, fmt.Errorf("benchmarks %q: %w", sp, err))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("benchmarks %q: %w", sp, err)
		}
		if len(bs) == 0 {
			return nil, fmt.Errorf("benchmarks %q matched nothing", sp)
		}
		for _, b := range bs {
			if !seen[b] {
				seen[b] = true
				out = append(out, b)
			}
		}
	}
	if len(skipped) > 0 {
		if len(out) == 0 {
			return nil, errors.Join(skipped...)
		}
		for _, err := range skipped {
			slog.Warn("skipping benchmarks", "err", err)
		}
	}
	return out, nil
}
