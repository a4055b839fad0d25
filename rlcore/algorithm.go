package rlcore

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// AlgorithmKind separates learning agents from search baselines.
type AlgorithmKind string

const (
	// Learner: a client RL that trains a policy (PPO, DQN, …).
	Learner AlgorithmKind = "rl"
	// Searcher: a classic search over action sequences used as a baseline
	// (random, greedy, simulated annealing, genetic) or a planner (MCTS).
	Searcher AlgorithmKind = "search"
)

// Algorithm is a named, documented training method. Like an analyzer in
// golang.org/x/tools/go/analysis, it is a plain value: tools list and
// compose algorithms by these fields.
type Algorithm struct {
	Name   string
	Doc    string // one line
	Kind   AlgorithmKind
	Params []Param // hyperparameters with defaults and tuning ranges
	// NeedsFork is set when Train requires the env to implement Forker
	// (see CheckEnv).
	NeedsFork bool
	// WarmStart is set when Train accepts TrainConfig.Init: it can start
	// from the weights a Result.Policy of the same algorithm and arm
	// saved. Algorithms without it learn no weights (searchers, bandits,
	// MCTS) and reject Init (see CheckInit).
	WarmStart bool
	// Train runs the algorithm on env until the budget is spent, the
	// algorithm finishes or ctx is cancelled, and returns the best found.
	// It returns an error only when it cannot start (bad hyperparameters,
	// an env it cannot handle); failures during training are in the Result.
	Train func(ctx context.Context, env Env, cfg TrainConfig) (*Result, error)
}

// Param declares one hyperparameter.
type Param struct {
	Name     string
	Doc      string
	Default  float64
	Min, Max float64 // tuning range, inclusive
	Log      bool    // sample the range on a log scale
	Int      bool    // integer-valued
}

// Hyper holds hyperparameter values by name. Missing names take defaults.
type Hyper map[string]float64

// Resolve returns the full hyperparameter set for a: defaults overridden by
// h. Unknown names and values outside [Min, Max] are errors that list what
// is allowed.
func (a *Algorithm) Resolve(h Hyper) (Hyper, error) {
	out := make(Hyper, len(a.Params))
	known := make(map[string]Param, len(a.Params))
	for _, p := range a.Params {
		out[p.Name] = p.Default
		known[p.Name] = p
	}
	for name, v := range h {
		p, ok := known[name]
		if !ok {
			names := slices.Sorted(maps.Keys(known))
			return nil, fmt.Errorf("algorithm %s has no hyperparameter %q; it has: %s", a.Name, name, strings.Join(names, ", "))
		}
		if math.IsNaN(v) || v < p.Min || v > p.Max {
			return nil, fmt.Errorf("algorithm %s: %s = %g is outside its range [%g, %g]", a.Name, name, v, p.Min, p.Max)
		}
		if p.Int {
			v = math.Round(v)
		}
		out[name] = v
	}
	return out, nil
}

// CheckResolved returns an error naming the hyperparameters of params
// that h lacks. Train gets its hyperparameters resolved once by its
// caller (see [Algorithm.Resolve], which the search calls before every
// run); an algorithm that reads them by name calls this first, to refuse
// a partial set rather than train with zeros.
func (h Hyper) CheckResolved(algorithm string, params []Param) error {
	var missing []string
	for _, p := range params {
		if _, ok := h[p.Name]; !ok {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("algorithm %s got no value for %s: resolve its hyperparameters with Algorithm.Resolve (defaults filled in, ranges checked) before Train", algorithm, strings.Join(missing, ", "))
	}
	return nil
}

// TrainConfig is what Algorithm.Train gets besides the env.
type TrainConfig struct {
	Hyper  Hyper // resolved hyperparameters: the caller calls Algorithm.Resolve once
	Budget Budget
	Seed   int64
	// Benchmarks are cycled through by Reset; empty means the env's default.
	Benchmarks []string
	// Observer receives the run's events; may be nil.
	Observer Observer
	// Run labels the events (an arm's name in a search).
	Run string
	// MaxConsecutiveFailures stops the run as Failed after that many
	// episodes in a row raised errors. Zero means 10.
	MaxConsecutiveFailures int
	// Init, when not nil, holds the weights the run starts from (what the
	// MarshalBinary of an earlier run's Result.Policy wrote, same algorithm
	// and arm); nil trains from scratch. Only algorithms with WarmStart
	// accept it.
	Init []byte
}

// CheckInit returns an error when cfg asks a to warm-start and a cannot.
func (a *Algorithm) CheckInit(cfg TrainConfig) error {
	if cfg.Init != nil && !a.WarmStart {
		return fmt.Errorf("algorithm %s keeps no weights, so it cannot start from stored ones (warm-startable: %s)", a.Name, strings.Join(WarmStartable(), ", "))
	}
	return nil
}

// CheckEnv reports whether env offers what Train needs: a [Forker] when
// NeedsFork is set. Callers check it before a run, so that a tree search
// on an env that cannot copy its state is a clear error, not a failure
// deep inside Train.
func (a *Algorithm) CheckEnv(env Env) error {
	if _, ok := env.(Forker); a.NeedsFork && !ok {
		return fmt.Errorf("algorithm %s searches a tree of copied states and needs an env that can fork (rlcore.Forker); %T cannot", a.Name, env)
	}
	return nil
}

// WarmStartable lists the registered algorithms that accept
// TrainConfig.Init, sorted.
func WarmStartable() []string {
	algorithms.mu.RLock()
	defer algorithms.mu.RUnlock()
	var out []string
	for name, a := range algorithms.items {
		if a.WarmStart {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Result is what a training run returns.
type Result struct {
	Status Status
	// Err is the reason for Failed, or the last episode error.
	Err error
	// Best is the best episode of the run (by Quality when the env is a
	// Scorer, by return otherwise); its Actions replay it.
	Best EpisodeRecord
	// PerBenchmark holds the best episode on each benchmark seen.
	PerBenchmark map[string]EpisodeRecord
	// Curve has one point per finished episode.
	Curve []CurvePoint
	// Policy is the trained policy, nil for searchers.
	Policy Policy
	Stats  Stats
	// EpisodeErrors are the first errors of failed episodes (at most
	// MaxEpisodeErrors; Stats.FailedEpisodes counts all of them).
	EpisodeErrors []string
}

// EpisodeRecord describes one episode, or the best prefix of one.
type EpisodeRecord struct {
	Benchmark string
	Actions   []int
	Return    float64
	Quality   float64 // task quality reached (equals Return when the env has no Scorer)
	Found     time.Duration
}

// CurvePoint is one finished episode on a learning curve.
type CurvePoint struct {
	Step    int
	Episode int
	Elapsed time.Duration
	Return  float64
	Quality float64
	Best    float64
}

// Stats counts what a run did.
type Stats struct {
	Steps          int
	Episodes       int
	FailedEpisodes int
	Elapsed        time.Duration
}

// Policy chooses actions from observations. Learners return one.
type Policy interface {
	// Act returns the greedy action for obs; mask may be nil.
	Act(obs []float64, mask []bool) int
	// MarshalBinary saves the weights (see package nn for the format).
	MarshalBinary() ([]byte, error)
}
