package rlcore

import (
	"context"
	"fmt"
)

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
	Task  string // the tasks it applies to, comma-separated; "" for any task
	Usage string // e.g. "action-history(N)"; defaults to Name
	// New builds the state function for problem p; args come from the
	// reference ("action-history(8)" → ["8"]).
	New func(p Problem, args []string) (StateFunc, error)
}

// NoArgs is State.New for a state function that takes no arguments: it
// returns sf for every problem, and an error when the reference passes
// arguments. sf is shared, so it must keep no state of its own.
func NoArgs(sf StateFunc) func(Problem, []string) (StateFunc, error) {
	return func(_ Problem, args []string) (StateFunc, error) {
		if len(args) != 0 {
			return nil, fmt.Errorf("takes no arguments, got %d", len(args))
		}
		return sf, nil
	}
}

// EpisodeState is State.New for a state function without arguments that
// reads the task's own episode type E (component names it in the error
// for another type): observe makes the observation, in space, of the
// episode and the actions applied so far.
func EpisodeState[E Episode](component string, space Space, observe func(e E, ctx context.Context, history []int) ([]float64, error)) func(Problem, []string) (StateFunc, error) {
	return NoArgs(episodeState[E]{component: component, space: space, observe: observe})
}

type episodeState[E Episode] struct {
	component string
	space     Space
	observe   func(E, context.Context, []int) ([]float64, error)
}

func (s episodeState[E]) Space() Space { return s.space }

func (s episodeState[E]) Observe(ctx context.Context, ep Episode, history []int) ([]float64, error) {
	e, err := EpisodeAs[E](ep, s.component)
	if err != nil {
		return nil, err
	}
	return s.observe(e, ctx, history)
}

// EpisodeAs returns ep as the task's own episode type E, or an error
// saying that component (the state, reward or transition asking) needs
// one: a task's components read its episodes' fields.
func EpisodeAs[E Episode](ep Episode, component string) (E, error) {
	e, ok := ep.(E)
	if !ok {
		return e, fmt.Errorf("%s needs a %T, got %T", component, e, ep)
	}
	return e, nil
}

// RewardSignal is what a reward function sees after each step.
type RewardSignal struct {
	Ctx     context.Context
	Episode Episode
	Step    int     // steps taken in the episode, this one included
	Prev    float64 // the reward's Metric before the step
	Cur     float64 // … and after it
	Initial float64 // … at the start of the episode
	// Reference is the Metric under the reward's Reference compilation.
	Reference   float64
	PrevQuality float64
	Quality     float64
}

// Reward is a registered reward function.
type Reward struct {
	Name string
	Doc  string
	Task string // the tasks it applies to, comma-separated; "" for any task
	// Metric is the measure read before and after each step; "" when the
	// reward uses only qualities.
	Metric string
	// Reference names the reference compilation whose Metric fills
	// RewardSignal.Reference (read once per episode); "" for none.
	Reference string
	Func      func(s *RewardSignal) (float64, error)
}

// ActionSpace is a registered subset of a task's actions, or a set of
// sequences of them (macro actions).
type ActionSpace struct {
	Name string
	Doc  string
	Task string // the tasks it applies to, comma-separated; "" for any task
	// Select returns indices into p.Actions(), in the order the agent sees
	// them.
	Select func(p Problem) ([]int, error)
	// Sequences, when set instead of Select, makes each agent action a
	// sequence of task actions (indices into p.Actions()) that one step
	// applies in order, each through the transition function.
	Sequences func(p Problem) ([][]int, error)
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
	Task string // the tasks it applies to, comma-separated; "" for any task
	// Step applies in.Action and returns the episode to continue from: the
	// same one, or a replacement (in which case Step has closed the old
	// one). applied reports whether the action took effect; a rejected
	// action is not added to the history.
	Step func(ctx context.Context, in TransitionInput) (next Episode, applied bool, err error)
	// MaskUnchanged makes the env mask an action that left the task
	// quality unchanged until the quality changes again (TaskEnv.Env
	// returns an rlcore.Masker): on a deterministic task, repeating an
	// action that changed nothing cannot help. It approximates "changed
	// nothing" by "did not change the quality".
	MaskUnchanged bool
}

// Measure is a metric that Episode.Measure understands (a "run function"
// of the paper: instruction count, object size, runtime), declared in
// Task.Measures.
type Measure struct {
	Name string
	Doc  string
	Task string // filled in by RegisterTask
}
