package rlcore

import (
	"context"
	"errors"
	"io"
)

// ErrNoUsableBenchmark marks (wrapped) the error of Problem.Benchmarks for
// a spec whose benchmarks exist but none of which can be used — a C file
// that does not compile, an empty module — as opposed to a bad spec. A
// search skips such a spec with its diagnostics, wherever it comes from (a
// file in a list, a folder), as long as another spec gives a usable
// benchmark.
var ErrNoUsableBenchmark = errors.New("no usable benchmark")

// Task is a registered compiler optimization problem ("codesize",
// "superopt", …).
type Task struct {
	Name string
	Doc  string
	// Options documents the task-specific options Open accepts
	// (for example "cflags": extra compiler flags).
	Options map[string]string
	// Open creates the problem. opts holds task-specific options, as given
	// in a %%task cell; unknown keys are errors.
	Open func(ctx context.Context, opts map[string]string) (Problem, error)
}

// Problem is an opened task: a set of actions and a way to start episodes
// on benchmarks. Implementations must be safe for concurrent use by
// several episodes (parallel search workers share one Problem).
type Problem interface {
	// Task is the registered task name.
	Task() string
	// Actions names every action of the task; an action is its index.
	Actions() []string
	// Benchmarks resolves a benchmark spec ("builtin:*", "csmith:1-10",
	// a path, …) into benchmark names that NewEpisode accepts.
	Benchmarks(ctx context.Context, spec string) ([]string, error)
	// NewEpisode starts from the benchmark's initial program.
	NewEpisode(ctx context.Context, benchmark string) (Episode, error)
	io.Closer
}

// Episode is the mutable state of one benchmark being optimized.
type Episode interface {
	Benchmark() string
	// Apply performs action (an index into Problem.Actions).
	Apply(ctx context.Context, action int) error
	// Measure reads a metric of the current program (see the task's
	// registered measures, e.g. "ic" for instruction count).
	Measure(ctx context.Context, metric string) (float64, error)
	// Baseline reads a metric of the program as a reference compilation
	// produces it (e.g. "oz", "o3", "o0" for code size). The metric
	// "quality" is the baseline's Quality.
	Baseline(ctx context.Context, metric, baseline string) (float64, error)
	// Quality is the task's canonical score of the current program,
	// comparable across benchmarks and reward functions, higher is better
	// (for code size: 1.0 = as many instructions removed as -Oz).
	Quality(ctx context.Context) (float64, error)
	// Fork returns an independent copy of the current state.
	Fork(ctx context.Context) (Episode, error)
	io.Closer
}

// StateFunc turns an episode's state into an observation vector.
type StateFunc interface {
	Space() Space
	// Observe returns the observation; history is the actions applied so
	// far in the episode.
	Observe(ctx context.Context, ep Episode, history []int) ([]float64, error)
}

// State is a registered state function.
type State struct {
	Name  string
	Doc   string
	Task  string // "" when it works with any task
	Usage string // e.g. "action-history(N)"; defaults to Name
	// New builds the state function for problem p; args come from the
	// reference ("action-history(8)" → ["8"]).
	New func(p Problem, args []string) (StateFunc, error)
}

// RewardSignal is what a reward function sees after each step.
type RewardSignal struct {
	Ctx     context.Context
	Episode Episode
	Step    int     // steps taken in the episode, this one included
	Prev    float64 // the reward's Metric before the step
	Cur     float64 // … and after it
	Initial float64 // … at the start of the episode
	// Baseline is the Metric under the reward's Baseline compilation.
	Baseline    float64
	PrevQuality float64
	Quality     float64
}

// Reward is a registered reward function.
type Reward struct {
	Name string
	Doc  string
	Task string
	// Metric is the measure read before and after each step; "" when the
	// reward uses only qualities.
	Metric string
	// Baseline names the reference compilation whose Metric fills
	// RewardSignal.Baseline (read once per episode); "" for none.
	Baseline string
	Func     func(s *RewardSignal) (float64, error)
}

// ActionSpace is a registered subset of a task's actions.
type ActionSpace struct {
	Name string
	Doc  string
	Task string
	// Select returns indices into p.Actions(), in the order the agent sees
	// them.
	Select func(p Problem) ([]int, error)
}

// TransitionInput is what a transition function gets for one step.
type TransitionInput struct {
	Problem Problem
	Episode Episode
	History []int // actions applied before this one (task indices)
	Action  int   // task action index
}

// Transition is a registered transition function: how a step moves the
// state.
type Transition struct {
	Name string
	Doc  string
	Task string
	// Step applies in.Action and returns the episode to continue from: the
	// same one, or a replacement (in which case Step has closed the old
	// one). applied reports whether the action took effect; a rejected
	// action is not added to the history.
	Step func(ctx context.Context, in TransitionInput) (next Episode, applied bool, err error)
}

// Measure is a registered run function: a metric that Episode.Measure
// understands. Registration documents it for listings.
type Measure struct {
	Name string
	Doc  string
	Task string
}
