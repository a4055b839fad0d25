package search

import (
	"context"
	"encoding"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// TestMergeFirstRollouts checks how a deployment's first rollouts (found
// at 300 ms, 500 ms spent before training) fold into training's result:
// training's clock starts at 500 ms, its best-so-far counts the rollouts,
// and the better sequence is kept (the rollouts' on a tie: found first).
func TestMergeFirstRollouts(t *testing.T) {
	const spent = 500 * time.Millisecond
	first := rlcore.EpisodeRecord{Benchmark: "p", Actions: []int{7}, Quality: 1.2, Found: 300 * time.Millisecond}
	for _, tc := range []struct {
		name       string
		trained    map[string]rlcore.EpisodeRecord
		curve      []rlcore.CurvePoint
		wantAct    []int
		wantFound  time.Duration
		wantBests  []float64
		wantCurveT []time.Duration
	}{
		{name: "training beats the rollouts",
			trained:    map[string]rlcore.EpisodeRecord{"p": {Benchmark: "p", Actions: []int{1, 2}, Quality: 1.3, Found: time.Second}},
			curve:      []rlcore.CurvePoint{{Elapsed: 400 * time.Millisecond, Quality: 1.1, Best: 1.1}, {Elapsed: time.Second, Quality: 1.3, Best: 1.3}},
			wantAct:    []int{1, 2},
			wantFound:  time.Second + spent,
			wantBests:  []float64{1.2, 1.2, 1.3},
			wantCurveT: []time.Duration{300 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond}},
		{name: "a tie keeps the rollouts' sequence, found first",
			trained:    map[string]rlcore.EpisodeRecord{"p": {Benchmark: "p", Actions: []int{3}, Quality: 1.2, Found: 200 * time.Millisecond}},
			curve:      []rlcore.CurvePoint{{Elapsed: 200 * time.Millisecond, Quality: 1.2, Best: 1.2}},
			wantAct:    []int{7},
			wantFound:  300 * time.Millisecond,
			wantBests:  []float64{1.2, 1.2},
			wantCurveT: []time.Duration{300 * time.Millisecond, 700 * time.Millisecond}},
		{name: "training worse",
			trained:    map[string]rlcore.EpisodeRecord{"p": {Benchmark: "p", Actions: []int{3}, Quality: 0.9, Found: 200 * time.Millisecond}},
			curve:      []rlcore.CurvePoint{{Elapsed: 200 * time.Millisecond, Quality: 0.9, Best: 0.9}},
			wantAct:    []int{7},
			wantFound:  300 * time.Millisecond,
			wantBests:  []float64{1.2, 1.2},
			wantCurveT: []time.Duration{300 * time.Millisecond, 700 * time.Millisecond}},
		{name: "training finished no episode",
			wantAct:    []int{7},
			wantFound:  300 * time.Millisecond,
			wantBests:  []float64{1.2},
			wantCurveT: []time.Duration{300 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := &rlcore.Result{PerBenchmark: tc.trained, Curve: tc.curve, Stats: rlcore.Stats{Elapsed: 2 * time.Second}}
			mergeFirstRollouts(res, first, spent)
			best := res.PerBenchmark["p"]
			if !slices.Equal(best.Actions, tc.wantAct) || best.Found != tc.wantFound {
				t.Errorf("best %+v; want actions %v found at %v", best, tc.wantAct, tc.wantFound)
			}
			var bests []float64
			var times []time.Duration
			for _, c := range res.Curve {
				bests, times = append(bests, c.Best), append(times, c.Elapsed)
			}
			if !slices.Equal(bests, tc.wantBests) || !slices.Equal(times, tc.wantCurveT) {
				t.Errorf("curve bests %v at %v; want %v at %v", bests, times, tc.wantBests, tc.wantCurveT)
			}
			if res.Stats.Elapsed != 2*time.Second+spent {
				t.Errorf("elapsed %v, want training's 2s plus the rollouts' %v", res.Stats.Elapsed, spent)
			}
			// The search overhead reads the curve: the client reached its
			// rollouts' quality when they found it.
			if got := TimeToReach(&MethodResult{Curve: res.Curve, Quality: best.Quality, Found: best.Found}, first.Quality); got != first.Found {
				t.Errorf("time to reach the rollouts' quality %v, want %v", got, first.Found)
			}
		})
	}
}

// TestStartWeightsRollouts checks how many rollouts a deployment applies
// before training: none from fresh weights, else the greedy one plus the
// samples (default DefaultZeroShotSamples, negative: none).
func TestStartWeightsRollouts(t *testing.T) {
	stored := startWeights{Policy: store.Policy{ID: 3, Weights: []byte{1}}}
	for _, tc := range []struct {
		w       startWeights
		samples int
		want    int
	}{
		{startWeights{}, 5, 0},
		{stored, 0, 1 + DefaultZeroShotSamples},
		{stored, 2, 3},
		{stored, -1, 1},
	} {
		if got := tc.w.rollouts(tc.samples); got != tc.want {
			t.Errorf("weights %d, samples %d: %d rollouts, want %d", tc.w.ID, tc.samples, got, tc.want)
		}
	}
}

// A deployment's first rollouts get at most half of its wall budget: with
// a transition that takes 50 ms a step, the four rollouts of a 20-step
// horizon would take 4 s; under a 500 ms budget the deployment ends long
// before that, with training's result or the rollouts' finished ones.
func TestFirstRolloutsStayInTheBudget(t *testing.T) {
	ctx := context.Background()
	const horizon, rollouts, stepTime = 20, 4, 50 * time.Millisecond
	p, fast, _, init := trainedSynPolicy(t, horizon, nil, 64)
	slow := fast
	slow.Transition = "t-slow"
	d := &deployer{problem: p, horizon: horizon}
	dep := d.deploy(ctx, slow, nil, "ex0", rlcore.Budget{Duration: 500 * time.Millisecond}, 1, init, rollouts, false)
	if unbounded := time.Duration(horizon*rollouts) * stepTime; dep.Walltime >= unbounded*3/4 {
		t.Errorf("the deployment took %v: its rollouts ran past the 500ms budget (all of them take %v)", dep.Walltime, unbounded)
	}
}

func init() {
	rlcore.RegisterTransition(&rlcore.Transition{Name: "t-slow", Task: synTask, Doc: "a step that takes 50 ms",
		Step: func(ctx context.Context, in rlcore.TransitionInput) (rlcore.Episode, bool, error) {
			select {
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
				return in.Episode, false, ctx.Err()
			}
			return in.Episode, true, in.Episode.Apply(ctx, in.Action)
		}})
}

// Policy-guided search samples the start weights until the wall budget
// ends and keeps the best validated prefix. On the slow transition (50 ms
// a step, 1 s a rollout) a 400 ms budget cuts even the greedy rollout: the
// prefix it had reached is the result. Without weights it is an error.
func TestGuidedDeployment(t *testing.T) {
	ctx := context.Background()
	const horizon = 20
	p, fast, pol, init := trainedSynPolicy(t, horizon, nil, 64)
	slow := fast
	slow.Transition = "t-slow"
	const budget = 400 * time.Millisecond
	d := &deployer{problem: p, horizon: horizon}
	greedy := d.zeroShot(ctx, fast, pol, "ex0", 0, 1)
	for _, arm := range []rlcore.Arm{fast, slow} {
		dep := d.deploy(ctx, arm, nil, "ex0", rlcore.Budget{Duration: budget}, 1, init, 0, true)
		if dep.Err != nil || !dep.Validated || len(dep.Actions) == 0 {
			t.Fatalf("%s: guided deployment: err %v, validated %v, actions %v", arm.Transition, dep.Err, dep.Validated, dep.Actions)
		}
		if dep.Walltime < budget || dep.Walltime > 3*budget {
			t.Errorf("%s: took %v; want the whole %v budget and not much more", arm.Transition, dep.Walltime, budget)
		}
		if got, ok := dep.Result.PerBenchmark["ex0"]; !ok || got.Quality != dep.Quality || dep.Found > dep.Walltime {
			t.Errorf("%s: result %+v, quality %v found at %v", arm.Transition, dep.Result.PerBenchmark, dep.Quality, dep.Found)
		}
		if arm == fast && dep.Quality < greedy.Quality {
			t.Errorf("guided quality %v below the greedy rollout's %v, which it starts with", dep.Quality, greedy.Quality)
		}
	}
	if dep := d.deploy(ctx, fast, nil, "ex0", rlcore.Budget{Duration: budget}, 1, nil, 0, true); dep.Err == nil || !strings.Contains(dep.Err.Error(), "needs stored or trained weights") {
		t.Errorf("guided deployment without weights: err %v, want one saying it needs weights", dep.Err)
	}
}

// Sampled rollouts at a temperature near 0 (1e-9) all take the greedy rollout's
// first action; at a high one they spread over the actions.
func TestRolloutTemperature(t *testing.T) {
	ctx := context.Background()
	// Two PPO updates of 64 steps: the untrained network's last layer
	// gives every action the same logit, which no temperature sharpens.
	p, arm, pol, _ := trainedSynPolicy(t, 4, rlcore.Hyper{"rollout": 64}, 128)
	env, err := rlcore.NewTaskEnv(p, rlcore.TaskEnvConfig{Arm: arm, Horizon: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	firstActions := func(temperature float64) map[int]bool {
		seen := map[int]bool{}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 40 {
			if _, err := env.Reset(ctx, "ex0"); err != nil {
				t.Fatal(err)
			}
			if _, err := rollout(ctx, env, pol, "ex0", rng, temperature, nil); err != nil {
				t.Fatal(err)
			}
			seen[env.History()[0]] = true
		}
		return seen
	}
	if cold := firstActions(1e-9); len(cold) != 1 {
		t.Errorf("at temperature 1e-9 the rollouts began with %d different actions, want 1 (the greedy one)", len(cold))
	}
	if hot := firstActions(1e6); len(hot) < 5 {
		t.Errorf("at temperature 1e6 the rollouts began with %d different actions, want them spread over the %d", len(hot), env.ActionSpace().N)
	}
}

// trainedSynPolicy opens the synthetic task (closed when the test ends) and
// trains PPO on its ex0 for steps: the arm, the policy and its weights.
func trainedSynPolicy(t *testing.T, horizon int, hyper rlcore.Hyper, steps int) (rlcore.Problem, rlcore.Arm, rlcore.Policy, []byte) {
	t.Helper()
	ctx := context.Background()
	p, err := rlcore.OpenTask(ctx, synTask, nil, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	arm := rlcore.Arm{Algorithm: "ppo", State: "example-value", Reward: "quality-delta", Actions: "all", Transition: "t-plain"}
	res, _, err := (&puller{problem: p, horizon: horizon}).train(ctx, arm, hyper, rlcore.Budget{Steps: steps}, 1, []string{"ex0"}, "init", nil)
	if err != nil {
		t.Fatal(err)
	}
	init, err := res.Policy.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return p, arm, res.Policy, init
}
