package rlcore

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Arm names one point of a search space: one component of each kind.
// State may join several state functions with '+' (their observations are
// concatenated).
type Arm struct {
	State      string
	Reward     string
	Actions    string
	Transition string
	Algorithm  string
}

// String is the arm's display name.
func (a Arm) String() string {
	return strings.Join([]string{a.Algorithm, a.State, a.Reward, a.Actions, a.Transition}, " · ")
}

// DefaultHorizon is the episode length when none is given.
const DefaultHorizon = 45

// TaskEnvConfig configures NewTaskEnv.
type TaskEnvConfig struct {
	Arm Arm
	// Horizon truncates episodes after that many steps; zero means
	// DefaultHorizon.
	Horizon int
}

// TaskEnv is the Env that a task's components make: the Problem's episodes
// seen through one state function, one reward function, one action space
// and one transition function. It implements Forker, Scorer, ActionNamer
// and io.Closer.
type TaskEnv struct {
	problem    Problem
	cfg        TaskEnvConfig
	state      StateFunc
	reward     *Reward
	transition *Transition
	actions    [][]int  // agent action → the task actions it applies
	names      []string // task action names

	ep      Episode
	history []int
	steps   int // Step calls in the episode, rejected actions included
	// unchanged[a]: agent action a left the quality unchanged since it
	// last changed (kept when the transition has MaskUnchanged).
	unchanged []bool
	metric    float64 // reward metric, current
	initial   float64
	reference float64
	quality   float64
}

// NewTaskEnv resolves cfg.Arm's components for problem p. Unknown names
// are errors that list the allowed names.
func NewTaskEnv(p Problem, cfg TaskEnvConfig) (*TaskEnv, error) {
	task := p.Task()
	if cfg.Horizon <= 0 {
		cfg.Horizon = DefaultHorizon
	}
	arm := &cfg.Arm
	if arm.Actions == "" {
		arm.Actions = "all"
	}
	if arm.Transition == "" {
		arm.Transition = "apply"
	}
	if arm.Reward == "" {
		arm.Reward = "quality-delta"
	}
	if arm.State == "" {
		return nil, errors.New("no state function given")
	}
	e := &TaskEnv{problem: p, cfg: cfg, names: p.Actions()}
	var err error
	if e.state, err = BuildState(p, arm.State); err != nil {
		return nil, err
	}
	if e.reward, err = LookupReward(arm.Reward, task); err != nil {
		return nil, err
	}
	if e.transition, err = LookupTransition(arm.Transition, task); err != nil {
		return nil, err
	}
	as, err := LookupActionSpace(arm.Actions, task)
	if err != nil {
		return nil, err
	}
	if e.actions, err = agentActions(as, p); err != nil {
		return nil, fmt.Errorf("action space %s: %w", as.Name, err)
	}
	if len(e.actions) == 0 {
		return nil, fmt.Errorf("action space %s is empty for task %s", as.Name, task)
	}
	for _, seq := range e.actions {
		if len(seq) == 0 {
			return nil, fmt.Errorf("action space %s has an empty sequence", as.Name)
		}
		for _, a := range seq {
			if a < 0 || a >= len(e.names) {
				return nil, fmt.Errorf("action space %s selects action %d, but task %s has %d actions", as.Name, a, task, len(e.names))
			}
		}
	}
	return e, nil
}

// agentActions is what each agent action of as applies: one task action
// (Select) or a sequence of them (Sequences).
func agentActions(as *ActionSpace, p Problem) ([][]int, error) {
	if as.Sequences != nil {
		return as.Sequences(p)
	}
	sel, err := as.Select(p)
	if err != nil {
		return nil, err
	}
	out := make([][]int, len(sel))
	for i, a := range sel {
		out[i] = []int{a}
	}
	return out, nil
}

// BuildState builds the state function for a reference such as
// "autophase" or "instcount-norm+action-history(8)".
func BuildState(p Problem, ref string) (StateFunc, error) {
	var parts []StateFunc
	for _, s := range strings.Split(ref, "+") {
		r, err := ParseRef(s)
		if err != nil {
			return nil, err
		}
		st, err := LookupState(r.Name, p.Task())
		if err != nil {
			return nil, err
		}
		sf, err := st.New(p, r.Args)
		if err != nil {
			return nil, fmt.Errorf("state function %s: %w (usage: %s)", r, err, st.Usage)
		}
		parts = append(parts, sf)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return concatState(parts), nil
}

// Problem returns the env's problem.
func (e *TaskEnv) Problem() Problem { return e.problem }

// Arm returns the env's resolved arm.
func (e *TaskEnv) Arm() Arm { return e.cfg.Arm }

// Episode returns the current episode (nil before Reset).
func (e *TaskEnv) Episode() Episode { return e.ep }

// History returns the task actions applied in the current episode.
func (e *TaskEnv) History() []int { return e.history }

// TaskAction maps an agent action to the task's action index: the first
// of its sequence when the action space has sequences (TaskActions).
func (e *TaskEnv) TaskAction(a int) int { return e.actions[a][0] }

// TaskActions returns the task actions that agent action a applies, in
// order (one, unless the action space has sequences).
func (e *TaskEnv) TaskActions(a int) []int { return e.actions[a] }

func (e *TaskEnv) ObservationSpace() Space { return e.state.Space() }

func (e *TaskEnv) ActionSpace() Discrete { return Discrete{N: len(e.actions)} }

// ActionName names agent action a (a sequence: its actions' names joined
// by spaces).
func (e *TaskEnv) ActionName(a int) string {
	if seq := e.actions[a]; len(seq) > 1 {
		names := make([]string, len(seq))
		for i, ta := range seq {
			names[i] = e.names[ta]
		}
		return strings.Join(names, " ")
	}
	return e.names[e.actions[a][0]]
}

// Quality is the task quality of the current state.
func (e *TaskEnv) Quality() float64 { return e.quality }

// Reset closes the current episode and starts one on benchmark.
func (e *TaskEnv) Reset(ctx context.Context, benchmark string) ([]float64, error) {
	if e.ep != nil {
		e.ep.Close()
		e.ep = nil
	}
	ep, err := e.problem.NewEpisode(ctx, benchmark)
	if err != nil {
		return nil, err
	}
	e.ep = ep
	e.history = e.history[:0]
	e.steps = 0
	clear(e.unchanged)
	if e.quality, err = ep.Quality(ctx); err != nil {
		return nil, fmt.Errorf("quality: %w", err)
	}
	if m := e.reward.Metric; m != "" {
		if e.metric, err = ep.Measure(ctx, m); err != nil {
			return nil, fmt.Errorf("reward %s: measure %s: %w", e.reward.Name, m, err)
		}
		e.initial = e.metric
		if ref := e.reward.Reference; ref != "" {
			if e.reference, err = MeasureReference(ctx, ep, ref, m); err != nil {
				return nil, fmt.Errorf("reward %s: %s of reference %s: %w", e.reward.Name, m, ref, err)
			}
		}
	}
	return e.observe(ctx)
}

func (e *TaskEnv) observe(ctx context.Context) ([]float64, error) {
	obs, err := e.state.Observe(ctx, e.ep, e.history)
	if err != nil {
		return nil, fmt.Errorf("state function %s: %w", e.cfg.Arm.State, err)
	}
	return obs, nil
}

// Step applies agent action a through the transition function.
func (e *TaskEnv) Step(ctx context.Context, a int) (StepResult, error) {
	if e.ep == nil {
		return StepResult{}, errors.New("Step before Reset")
	}
	for _, ta := range e.actions[a] {
		next, applied, err := e.transition.Step(ctx, TransitionInput{Problem: e.problem, Episode: e.ep, History: e.history, Action: ta})
		if next != nil {
			e.ep = next
		}
		if err != nil {
			return StepResult{}, fmt.Errorf("action %s: %w", e.names[ta], err)
		}
		if applied {
			e.history = append(e.history, ta)
		}
	}
	var err error
	sig := RewardSignal{Ctx: ctx, Episode: e.ep, Step: len(e.history), Prev: e.metric, Initial: e.initial,
		Reference: e.reference, PrevQuality: e.quality}
	if e.quality, err = e.ep.Quality(ctx); err != nil {
		return StepResult{}, fmt.Errorf("quality after %s: %w", e.ActionName(a), err)
	}
	sig.Quality = e.quality
	if e.transition.MaskUnchanged {
		if e.unchanged == nil {
			e.unchanged = make([]bool, len(e.actions))
		}
		if e.quality == sig.PrevQuality {
			e.unchanged[a] = true
		} else {
			clear(e.unchanged)
		}
	}
	if m := e.reward.Metric; m != "" {
		if e.metric, err = e.ep.Measure(ctx, m); err != nil {
			return StepResult{}, fmt.Errorf("measure %s after %s: %w", m, e.ActionName(a), err)
		}
	}
	sig.Cur = e.metric
	r, err := e.reward.Func(&sig)
	if err != nil {
		return StepResult{}, fmt.Errorf("reward %s: %w", e.reward.Name, err)
	}
	obs, err := e.observe(ctx)
	if err != nil {
		return StepResult{}, err
	}
	// Every call counts towards the horizon, rejected actions included,
	// so that episodes always end.
	e.steps++
	return StepResult{Obs: obs, Reward: r, Truncated: e.steps >= e.cfg.Horizon}, nil
}

// Fork returns an independent env in the same state (Forker).
func (e *TaskEnv) Fork(ctx context.Context) (Env, error) {
	if e.ep == nil {
		return nil, errors.New("Fork before Reset")
	}
	ep, err := e.ep.Fork(ctx)
	if err != nil {
		return nil, fmt.Errorf("fork: %w", err)
	}
	f := *e
	f.ep = ep
	f.history = append([]int(nil), e.history...)
	f.unchanged = append([]bool(nil), e.unchanged...)
	if e.transition.MaskUnchanged {
		return unchangedMasker{&f}, nil
	}
	return &f, nil
}

// Env returns the env to train on: e itself, or, when the transition masks
// unchanged actions (Transition.MaskUnchanged), e as an rlcore.Masker.
func (e *TaskEnv) Env() Env {
	if e.transition.MaskUnchanged {
		return unchangedMasker{e}
	}
	return e
}

// unchangedMasker is a TaskEnv whose transition masks the actions that
// left the quality unchanged. Only such envs are Maskers, so that
// algorithms keep their unmasked code paths on every other env.
type unchangedMasker struct{ *TaskEnv }

// ActionMask allows every action that has not left the quality unchanged
// since it last changed; when that is none, it allows all.
func (m unchangedMasker) ActionMask(dst []bool) []bool {
	n := len(m.actions)
	if cap(dst) < n {
		dst = make([]bool, n)
	}
	dst = dst[:n]
	allowed := false
	for i := range dst {
		dst[i] = i >= len(m.unchanged) || !m.unchanged[i]
		allowed = allowed || dst[i]
	}
	if !allowed {
		for i := range dst {
			dst[i] = true
		}
	}
	return dst
}

// Close ends the current episode.
func (e *TaskEnv) Close() error {
	if e.ep == nil {
		return nil
	}
	err := e.ep.Close()
	e.ep = nil
	return err
}
