package rlcore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// counterProblem is a tiny deterministic task used to test the component
// plumbing: the program is an integer, actions change it, quality = x/10.
type counterProblem struct{}

var counterActions = []string{"inc", "dec", "double", "fail"}

func (counterProblem) Task() string      { return "counter" }
func (counterProblem) Actions() []string { return counterActions }
func (counterProblem) Close() error      { return nil }
func (counterProblem) Benchmarks(_ context.Context, spec string) ([]string, error) {
	return strings.Split(spec, ","), nil
}
func (counterProblem) NewEpisode(_ context.Context, b string) (Episode, error) {
	var x int
	if _, err := fmt.Sscanf(b, "start%d", &x); err != nil {
		return nil, fmt.Errorf("benchmark %q: want startN", b)
	}
	return &counterEpisode{bench: b, x: x}, nil
}

type counterEpisode struct {
	bench  string
	x      int
	closed *int
}

func (e *counterEpisode) Benchmark() string { return e.bench }
func (e *counterEpisode) Apply(_ context.Context, a int) error {
	switch counterActions[a] {
	case "inc":
		e.x++
	case "dec":
		e.x--
	case "double":
		e.x *= 2
	case "fail":
		return errors.New("the fail action always fails")
	}
	return nil
}
func (e *counterEpisode) Measure(_ context.Context, m string) (float64, error) {
	if m != "x" {
		return 0, fmt.Errorf("unknown metric %q", m)
	}
	return float64(e.x), nil
}
func (e *counterEpisode) Reference(_ context.Context, ref, m string) (float64, error) {
	return 10, nil
}
func (e *counterEpisode) Quality(context.Context) (float64, error) { return float64(e.x) / 10, nil }
func (e *counterEpisode) Fork(context.Context) (Episode, error) {
	c := *e
	return &c, nil
}
func (e *counterEpisode) Close() error { return nil }

type xState struct{}

func (xState) Space() Space { return NewBox(1, -1e9, 1e9) }
func (xState) Observe(_ context.Context, ep Episode, _ []int) ([]float64, error) {
	return []float64{float64(ep.(*counterEpisode).x)}, nil
}

func init() {
	RegisterState(&State{Name: "counter-x", Task: "counter", Doc: "the counter's value",
		New: func(Problem, []string) (StateFunc, error) { return xState{}, nil }})
	RegisterActionSpace(&ActionSpace{Name: "counter-macros", Task: "counter", Doc: "double then inc; dec",
		Sequences: func(Problem) ([][]int, error) { return [][]int{{2, 0}, {1}}, nil }})
	RegisterActionSpace(&ActionSpace{Name: "counter-empty-macro", Task: "counter", Doc: "an empty sequence",
		Sequences: func(Problem) ([][]int, error) { return [][]int{{}}, nil }})
	RegisterReward(&Reward{Name: "counter-x-delta", Task: "counter", Doc: "increase of x",
		Metric: "x", Reference: "ten",
		Func: func(s *RewardSignal) (float64, error) { return s.Cur - s.Prev, nil }})
}

func TestTaskEnvTransitions(t *testing.T) {
	ctx := context.Background()
	// Actions: inc=0, dec=1, double=2.
	tests := []struct {
		transition  string
		actions     []int
		wantX       int
		wantHistory []int
		wantRewards []float64
	}{
		{"apply", []int{0, 2, 1}, 11, []int{0, 2, 1}, []float64{1, 6, -1}},
		{"revert-if-worse", []int{0, 1, 2}, 12, []int{0, 2}, []float64{1, 0, 6}},
		{"replay-from-scratch", []int{0, 2, 1}, 11, []int{0, 2, 1}, []float64{1, 6, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.transition, func(t *testing.T) {
			env, err := NewTaskEnv(counterProblem{}, TaskEnvConfig{Horizon: 10,
				Arm: Arm{State: "counter-x+action-history(2)", Reward: "counter-x-delta", Transition: tt.transition}})
			if err != nil {
				t.Fatal(err)
			}
			obs, err := env.Reset(ctx, "start5")
			if err != nil {
				t.Fatal(err)
			}
			if want := 1 + 2*len(counterActions); len(obs) != want || env.ObservationSpace().Dim() != want {
				t.Fatalf("observation length %d, space dim %d, want %d", len(obs), env.ObservationSpace().Dim(), want)
			}
			var rewards []float64
			for _, a := range tt.actions {
				sr, err := env.Step(ctx, a)
				if err != nil {
					t.Fatal(err)
				}
				rewards = append(rewards, sr.Reward)
				obs = sr.Obs
			}
			if got := env.Episode().(*counterEpisode).x; got != tt.wantX {
				t.Errorf("x = %d, want %d", got, tt.wantX)
			}
			if !reflect.DeepEqual(env.History(), tt.wantHistory) {
				t.Errorf("history = %v, want %v", env.History(), tt.wantHistory)
			}
			if !reflect.DeepEqual(rewards, tt.wantRewards) {
				t.Errorf("rewards = %v, want %v", rewards, tt.wantRewards)
			}
			if obs[0] != float64(tt.wantX) {
				t.Errorf("obs[0] = %v, want %d", obs[0], tt.wantX)
			}
			// The one-hot history puts the last action first.
			last := tt.wantHistory[len(tt.wantHistory)-1]
			if obs[1+last] != 1 {
				t.Errorf("action-history obs %v does not mark the last action %d", obs[1:], last)
			}
			if q := env.Quality(); q != float64(tt.wantX)/10 {
				t.Errorf("Quality = %v, want %v", q, float64(tt.wantX)/10)
			}
		})
	}
}

// TestActionSequences checks macro actions: one step applies a whole
// sequence, in order, and the history holds each task action.
func TestActionSequences(t *testing.T) {
	ctx := context.Background()
	env, err := NewTaskEnv(counterProblem{}, TaskEnvConfig{Arm: Arm{State: "counter-x", Reward: "counter-x-delta", Actions: "counter-macros"}, Horizon: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := env.ActionSpace().N; n != 2 {
		t.Fatalf("%d agent actions, want 2", n)
	}
	if got := env.ActionName(0); got != "double inc" {
		t.Errorf("ActionName(0) = %q, want %q", got, "double inc")
	}
	if got := env.TaskActions(0); !reflect.DeepEqual(got, []int{2, 0}) {
		t.Errorf("TaskActions(0) = %v, want [2 0]", got)
	}
	if _, err := env.Reset(ctx, "start5"); err != nil {
		t.Fatal(err)
	}
	sr, err := env.Step(ctx, 0) // 5 → 10 → 11
	if err != nil {
		t.Fatal(err)
	}
	if sr.Obs[0] != 11 || sr.Reward != 6 || sr.Truncated {
		t.Errorf("after double inc: %+v, want x 11, reward 6, not truncated", sr)
	}
	if sr, err = env.Step(ctx, 1); err != nil || sr.Obs[0] != 10 || !sr.Truncated {
		t.Errorf("after dec: %+v, %v; want x 10, truncated (the horizon counts steps, not task actions)", sr, err)
	}
	if want := []int{2, 0, 1}; !reflect.DeepEqual(env.History(), want) {
		t.Errorf("history %v, want %v", env.History(), want)
	}
	if _, err := NewTaskEnv(counterProblem{}, TaskEnvConfig{Arm: Arm{State: "counter-x", Actions: "counter-empty-macro"}}); err == nil || !strings.Contains(err.Error(), "empty sequence") {
		t.Errorf("an empty sequence: %v, want an error", err)
	}
}

func TestTaskEnvUnknownComponents(t *testing.T) {
	cases := []struct {
		arm  Arm
		want string
	}{
		{Arm{State: "nope"}, `unknown state "nope"`},
		{Arm{State: "counter-x", Reward: "nope"}, `unknown reward "nope"`},
		{Arm{State: "counter-x", Transition: "nope"}, `unknown transition "nope"`},
		{Arm{State: "counter-x", Actions: "nope"}, `unknown action "nope"`},
		{Arm{State: "action-history(x)"}, "want an integer"},
		{Arm{}, "no state function"},
	}
	for _, c := range cases {
		_, err := NewTaskEnv(counterProblem{}, TaskEnvConfig{Arm: c.arm})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewTaskEnv(%+v) error = %v, want it to contain %q", c.arm, err, c.want)
		}
	}
}

func TestTaskEnvForkIsIndependent(t *testing.T) {
	ctx := context.Background()
	env, err := NewTaskEnv(counterProblem{}, TaskEnvConfig{Arm: Arm{State: "counter-x"}})
	if err != nil {
		t.Fatal(err)
	}
	env.Reset(ctx, "start1")
	env.Step(ctx, 0)
	f, err := env.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.Step(ctx, 2)
	if env.Quality() != 0.2 || f.(*TaskEnv).Quality() != 0.4 {
		t.Fatalf("after stepping the fork: original quality %v (want 0.2), fork %v (want 0.4)", env.Quality(), f.(*TaskEnv).Quality())
	}
	if !reflect.DeepEqual(env.History(), []int{0}) {
		t.Errorf("original history changed: %v", env.History())
	}
}

// scriptedTrain runs a fixed action script per episode through a Recorder.
func scriptedTrain(ctx context.Context, env Env, cfg TrainConfig, script []int) *Result {
	rec := NewRecorder(ctx, env, cfg)
	for !rec.Stopped() {
		if _, err := rec.Reset(); err != nil {
			continue
		}
		for _, a := range script {
			sr, err := rec.Step(a)
			if err != nil || sr.Done() {
				break
			}
		}
	}
	return rec.Finish(nil)
}

func TestRecorderTracksBestPrefixPerBenchmark(t *testing.T) {
	env, _ := NewTaskEnv(counterProblem{}, TaskEnvConfig{Horizon: 4, Arm: Arm{State: "counter-x"}})
	// inc, double, dec, dec: the best state is after the second action.
	res := scriptedTrain(context.Background(), env, TrainConfig{
		Budget: Budget{Episodes: 4}, Benchmarks: []string{"start1", "start3"},
	}, []int{0, 2, 1, 1})
	if res.Status != BudgetExhausted {
		t.Errorf("status = %v, want budget", res.Status)
	}
	if res.Stats.Episodes != 4 || res.Stats.Steps != 16 || len(res.Curve) != 4 {
		t.Errorf("stats %+v, %d curve points; want 4 episodes, 16 steps, 4 points", res.Stats, len(res.Curve))
	}
	want := map[string]EpisodeRecord{
		"start1": {Benchmark: "start1", Actions: []int{0, 2}, Quality: 0.4, Return: 0.3},
		"start3": {Benchmark: "start3", Actions: []int{0, 2}, Quality: 0.8, Return: 0.5},
	}
	for b, w := range want {
		got := res.PerBenchmark[b]
		if !reflect.DeepEqual(got.Actions, w.Actions) || math.Abs(got.Quality-w.Quality) > 1e-12 || math.Abs(got.Return-w.Return) > 1e-12 {
			t.Errorf("best on %s = %+v, want actions %v quality %v return %v", b, got, w.Actions, w.Quality, w.Return)
		}
	}
	if res.Best.Benchmark != "start3" {
		t.Errorf("overall best on %s, want start3", res.Best.Benchmark)
	}
}

// TestRecorderCurveEndsAtTheBest: a budget that stops an episode after it
// raised the best adds a last curve point at that best, so the curve ends
// where Result.Best does; a stop that raised nothing adds none.
func TestRecorderCurveEndsAtTheBest(t *testing.T) {
	for _, tc := range []struct {
		steps      int
		wantBests  []float64
		wantResult float64
	}{
		{6, []float64{0.4, 0.8}, 0.8}, // start3's episode stops after inc, double: 0.8
		{5, []float64{0.4}, 0.4},      // it stops after inc: 0.4 does not beat start1's 0.4
		{8, []float64{0.4, 0.8}, 0.8}, // both episodes complete: no extra point
	} {
		env, _ := NewTaskEnv(counterProblem{}, TaskEnvConfig{Horizon: 4, Arm: Arm{State: "counter-x"}})
		res := scriptedTrain(context.Background(), env, TrainConfig{
			Budget: Budget{Steps: tc.steps}, Benchmarks: []string{"start1", "start3"},
		}, []int{0, 2, 1, 1})
		var bests []float64
		for _, c := range res.Curve {
			bests = append(bests, c.Best)
		}
		if !slices.Equal(bests, tc.wantBests) || res.Best.Quality != tc.wantResult {
			t.Errorf("budget %d steps: curve bests %v, result %v; want %v, %v", tc.steps, bests, res.Best.Quality, tc.wantBests, tc.wantResult)
		}
	}
}

func TestRecorderToleratesIsolatedFailures(t *testing.T) {
	env, _ := NewTaskEnv(counterProblem{}, TaskEnvConfig{Horizon: 3, Arm: Arm{State: "counter-x"}})
	var failed int
	cfg := TrainConfig{Budget: Budget{Episodes: 3}, Benchmarks: []string{"start1", "bogus"},
		Observer: func(e Event) {
			if e.Kind == EpisodeFailed {
				failed++
			}
		}}
	res := scriptedTrain(context.Background(), env, cfg, []int{0, 0, 0})
	if res.Status != BudgetExhausted || res.Stats.Episodes != 3 || res.Stats.FailedEpisodes != 2 || failed != 2 {
		t.Fatalf("status %v, stats %+v, %d failure events; want budget, 3 good and 2 failed episodes (alternating)", res.Status, res.Stats, failed)
	}
	if res.Err == nil || !strings.Contains(res.Err.Error(), `benchmark "bogus"`) {
		t.Errorf("last error %v does not name the failing benchmark", res.Err)
	}
}

func TestRecorderStopsAfterRepeatedFailures(t *testing.T) {
	env, _ := NewTaskEnv(counterProblem{}, TaskEnvConfig{Horizon: 3, Arm: Arm{State: "counter-x"}})
	// inc, then the failing action: every episode fails after one good step.
	res := scriptedTrain(context.Background(), env, TrainConfig{MaxConsecutiveFailures: 4, Benchmarks: []string{"start2"}}, []int{0, 3})
	if res.Status != Failed {
		t.Fatalf("status = %v, want failed", res.Status)
	}
	for _, want := range []string{"4 episodes in a row failed", "the fail action always fails", "action fail"} {
		if !strings.Contains(res.Err.Error(), want) {
			t.Errorf("error %q does not mention %q", res.Err, want)
		}
	}
	// What the failing episodes reached before failing is kept.
	if res.Best.Quality != 0.3 || !reflect.DeepEqual(res.Best.Actions, []int{0}) {
		t.Errorf("best = %+v, want the inc prefix with quality 0.3", res.Best)
	}
}

// nanEnv returns a NaN reward on its second step.
type nanEnv struct{ t int }

func (e *nanEnv) ObservationSpace() Space { return NewBox(1, 0, 1) }
func (e *nanEnv) ActionSpace() Discrete   { return Discrete{N: 2} }
func (e *nanEnv) Reset(context.Context, string) ([]float64, error) {
	e.t = 0
	return []float64{0}, nil
}
func (e *nanEnv) Step(context.Context, int) (StepResult, error) {
	e.t++
	r := 1.0
	if e.t == 2 {
		r = math.NaN()
	}
	return StepResult{Obs: []float64{0}, Reward: r, Terminated: e.t == 3}, nil
}

func TestRecorderRejectsNaNRewards(t *testing.T) {
	res := scriptedTrain(context.Background(), &nanEnv{}, TrainConfig{MaxConsecutiveFailures: 2}, []int{0, 1, 0})
	if res.Status != Failed || !strings.Contains(res.Err.Error(), "reward is NaN") || !strings.Contains(res.Err.Error(), "episode 2") {
		t.Fatalf("status %v, err %v; want failed with a NaN reward error naming the episode", res.Status, res.Err)
	}
}

func TestRecorderInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	env, _ := NewTaskEnv(counterProblem{}, TaskEnvConfig{Horizon: 100, Arm: Arm{State: "counter-x"}})
	rec := NewRecorder(ctx, env, TrainConfig{Benchmarks: []string{"start1"}})
	rec.Reset()
	rec.Step(0)
	rec.Step(0)
	cancel()
	if _, err := rec.Step(0); !errors.Is(err, ErrStopped) {
		t.Fatalf("Step after cancel: %v, want ErrStopped", err)
	}
	res := rec.Finish(nil)
	if res.Status != Interrupted || res.Best.Quality != 0.3 || len(res.Best.Actions) != 2 {
		t.Fatalf("status %v best %+v; want interrupted with the 2-step prefix kept", res.Status, res.Best)
	}
}

// TestMaskUnchanged: with apply-mask-unchanged, an action that left the
// quality unchanged (double on 0) is masked until the quality changes (inc),
// forks keep their own mask, a reset clears it, and plain apply envs are
// not Maskers at all.
func TestMaskUnchanged(t *testing.T) {
	ctx := context.Background()
	plain, err := NewTaskEnv(counterProblem{}, TaskEnvConfig{Arm: Arm{State: "counter-x"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := plain.Env().(Masker); ok {
		t.Fatal("an apply env is a Masker")
	}
	te, err := NewTaskEnv(counterProblem{}, TaskEnvConfig{Arm: Arm{State: "counter-x", Transition: "apply-mask-unchanged"}})
	if err != nil {
		t.Fatal(err)
	}
	env := te.Env()
	m, ok := env.(Masker)
	if !ok {
		t.Fatal("an apply-mask-unchanged env is not a Masker")
	}
	all := []bool{true, true, true, true}
	if _, err := env.Reset(ctx, "start0"); err != nil {
		t.Fatal(err)
	}
	if got := m.ActionMask(nil); !reflect.DeepEqual(got, all) {
		t.Fatalf("mask after reset %v, want all allowed", got)
	}
	env.Step(ctx, 2) // double 0: unchanged
	if got, want := m.ActionMask(nil), []bool{true, true, false, true}; !reflect.DeepEqual(got, want) {
		t.Fatalf("mask after an unchanged double %v, want %v", got, want)
	}
	f, err := env.(Forker).Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env.Step(ctx, 0) // inc: the quality changes, the mask clears
	if got := m.ActionMask(nil); !reflect.DeepEqual(got, all) {
		t.Fatalf("mask after a change %v, want all allowed", got)
	}
	if got, want := f.(Masker).ActionMask(nil), []bool{true, true, false, true}; !reflect.DeepEqual(got, want) {
		t.Fatalf("fork's mask %v, want its own %v", got, want)
	}
	env.Step(ctx, 2) // double 1 → 2: changed
	env.Step(ctx, 1) // dec
	env.Step(ctx, 1) // dec
	env.Step(ctx, 2) // double 0: unchanged
	env.Reset(ctx, "start0")
	if got := m.ActionMask(nil); !reflect.DeepEqual(got, all) {
		t.Fatalf("mask after reset %v, want all allowed", got)
	}
}
