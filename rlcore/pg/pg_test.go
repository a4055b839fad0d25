package pg

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
)

var algorithms = []*rlcore.Algorithm{PPO, A2C, REINFORCE}

// TestLearnsCartPole trains each algorithm with its default
// hyperparameters on CartPole for 100,000 environment steps and evaluates
// the greedy policy over 20 episodes with fresh seeds.
func TestLearnsCartPole(t *testing.T) {
	tests := []struct {
		alg  *rlcore.Algorithm
		seed int64
		want float64 // minimum mean evaluation return
	}{
		{PPO, 1, 475},
		{A2C, 1, 450},
		{REINFORCE, 1, 400},
	}
	for _, tc := range tests {
		t.Run(tc.alg.Name, func(t *testing.T) {
			t.Parallel()
			res := learntest.TrainCartPole(t, tc.alg, tc.seed, 100_000, nil)
			if res.Status != rlcore.BudgetExhausted {
				t.Fatalf("status %v (err %v), want budget", res.Status, res.Err)
			}
			if res.Stats.Steps != 100_000 {
				t.Errorf("used %d steps, want exactly the budget of 100000", res.Stats.Steps)
			}
			got := learntest.Evaluate(t, res.Policy, 20)
			t.Logf("%s: mean greedy return %.1f over 20 episodes after %d steps (%d episodes, %v)",
				tc.alg.Name, got, res.Stats.Steps, res.Stats.Episodes, res.Stats.Elapsed.Round(1e6))
			if got < tc.want {
				t.Errorf("%s: mean evaluation return %.1f, want ≥ %g", tc.alg.Name, got, tc.want)
			}
		})
	}
}

func TestRegisteredWithParams(t *testing.T) {
	for _, alg := range algorithms {
		got, err := rlcore.LookupAlgorithm(alg.Name)
		if err != nil || got != alg {
			t.Fatalf("%s: lookup gave %v, %v", alg.Name, got, err)
		}
		if alg.Kind != rlcore.Learner || alg.Doc == "" || alg.Train == nil {
			t.Errorf("%s: kind %q, doc %q, train set %v", alg.Name, alg.Kind, alg.Doc, alg.Train != nil)
		}
		for _, p := range alg.Params {
			if p.Default < p.Min || p.Default > p.Max || p.Doc == "" || (p.Log && p.Min <= 0) {
				t.Errorf("%s: parameter %+v is inconsistent", alg.Name, p)
			}
		}
		if _, err := alg.Resolve(rlcore.Hyper{"lr": 5}); err == nil || !strings.Contains(err.Error(), "lr = 5") {
			t.Errorf("%s: out-of-range lr gave error %v, want one naming lr", alg.Name, err)
		}
		_, err = alg.Train(context.Background(), envs.NewCartPole(1), rlcore.TrainConfig{Hyper: rlcore.Hyper{"lr": 1e-3}})
		if err == nil || !strings.Contains(err.Error(), "gamma") || !strings.Contains(err.Error(), "Resolve") {
			t.Errorf("%s: unresolved hyperparameters gave error %v, want one naming the missing gamma and Resolve", alg.Name, err)
		}
	}
}

// TestCancelReturnsBest cancels every algorithm after a few episodes.
func TestCancelReturnsBest(t *testing.T) {
	for _, alg := range algorithms {
		t.Run(alg.Name, func(t *testing.T) { learntest.CheckCancelReturnsBest(t, alg, nil) })
	}
}

// flakyEnv wraps CartPole; Step fails every failEvery-th call, and the
// reward is NaN in episode nanEpisode (1-based) at its fifth step.
type flakyEnv struct {
	*envs.CartPole
	failEvery  int
	nanEpisode int
	steps, ep  int
	epStep     int
}

func (f *flakyEnv) Reset(ctx context.Context, b string) ([]float64, error) {
	f.ep++
	f.epStep = 0
	return f.CartPole.Reset(ctx, b)
}

func (f *flakyEnv) Step(ctx context.Context, a int) (rlcore.StepResult, error) {
	f.steps++
	f.epStep++
	if f.failEvery > 0 && f.steps%f.failEvery == 0 {
		return rlcore.StepResult{}, errors.New("simulated compiler crash")
	}
	sr, err := f.CartPole.Step(ctx, a)
	if f.ep == f.nanEpisode && f.epStep == 5 {
		sr.Reward = math.NaN()
	}
	return sr, err
}

func TestFailingStepsDoNotStopTraining(t *testing.T) {
	for _, alg := range algorithms {
		t.Run(alg.Name, func(t *testing.T) {
			env := &flakyEnv{CartPole: envs.NewCartPole(3), failEvery: 97}
			res := learntest.Train(t, context.Background(), alg, env, rlcore.TrainConfig{Seed: 3, Budget: rlcore.Budget{Steps: 5000}})
			if res.Status != rlcore.BudgetExhausted || res.Stats.Steps != 5000 {
				t.Fatalf("status %v after %d steps (err %v), want the budget of 5000 steps spent", res.Status, res.Stats.Steps, res.Err)
			}
			if res.Stats.FailedEpisodes == 0 || res.Err == nil || !strings.Contains(res.Err.Error(), "simulated compiler crash") {
				t.Fatalf("failed episodes %d, err %v: want the env's errors recorded", res.Stats.FailedEpisodes, res.Err)
			}
			if res.Stats.Episodes == 0 {
				t.Fatal("no episode completed")
			}
		})
	}
}

func TestNaNRewardNamesTheEpisode(t *testing.T) {
	for _, alg := range algorithms {
		t.Run(alg.Name, func(t *testing.T) {
			env := &flakyEnv{CartPole: envs.NewCartPole(4), nanEpisode: 3}
			res := learntest.Train(t, context.Background(), alg, env, rlcore.TrainConfig{Seed: 4, Budget: rlcore.Budget{Steps: 2000}})
			if res.Err == nil || !strings.Contains(res.Err.Error(), "episode 3") || !strings.Contains(res.Err.Error(), "NaN") {
				t.Fatalf("err = %v, want an error naming episode 3 and the NaN reward", res.Err)
			}
			if res.Status != rlcore.BudgetExhausted {
				t.Fatalf("status %v, want training to go on to the budget", res.Status)
			}
			for _, c := range res.Curve {
				if math.IsNaN(c.Return) {
					t.Fatal("a NaN return reached the learning curve")
				}
			}
		})
	}
}

func TestAlwaysFailingEnvFails(t *testing.T) {
	env := &flakyEnv{CartPole: envs.NewCartPole(5), failEvery: 1}
	res := learntest.Train(t, context.Background(), PPO, env, rlcore.TrainConfig{Seed: 5, Budget: rlcore.Budget{Steps: 1000}})
	if res.Status != rlcore.Failed || res.Err == nil || !strings.Contains(res.Err.Error(), "in a row") {
		t.Fatalf("status %v, err %v: want failed, saying the episodes kept failing", res.Status, res.Err)
	}
}

// maskedEnv is CartPole with a third action that the mask always forbids
// and that the env refuses.
type maskedEnv struct {
	*envs.CartPole
	forbidden int
}

func (m *maskedEnv) ActionSpace() rlcore.Discrete { return rlcore.Discrete{N: 3} }

func (m *maskedEnv) ActionMask(dst []bool) []bool {
	dst = append(dst[:0], true, true, false)
	return dst
}

func (m *maskedEnv) Step(ctx context.Context, a int) (rlcore.StepResult, error) {
	if a == 2 {
		m.forbidden++
		return rlcore.StepResult{}, fmt.Errorf("action 2 is forbidden")
	}
	return m.CartPole.Step(ctx, a)
}

func TestMaskedActionsNeverTaken(t *testing.T) {
	for _, alg := range algorithms {
		t.Run(alg.Name, func(t *testing.T) {
			env := &maskedEnv{CartPole: envs.NewCartPole(6)}
			var losses []float64
			res := learntest.Train(t, context.Background(), alg, env, rlcore.TrainConfig{
				Seed: 6, Budget: rlcore.Budget{Steps: 3000},
				Hyper: rlcore.Hyper{"ent_coef": 0.01},
				Observer: func(e rlcore.Event) {
					if e.Kind == rlcore.RunDone {
						losses = append(losses, e.Loss)
					}
				},
			})
			if env.forbidden > 0 || res.Stats.FailedEpisodes > 0 {
				t.Fatalf("the masked action was taken %d times", env.forbidden)
			}
			if len(losses) != 1 || math.IsNaN(losses[0]) || math.IsInf(losses[0], 0) {
				t.Fatalf("final loss %v, want a finite number", losses)
			}
			p := res.Policy.(*nn.Policy)
			for _, obs := range [][]float64{{0, 0, 0, 0}, {0.1, -0.5, 0.05, 1}, {-1, 1, -0.1, -1}} {
				if a := p.Act(obs, []bool{true, true, false}); a == 2 {
					t.Fatalf("greedy policy chose the masked action for %v", obs)
				}
				if logits := p.Logits(obs); len(logits) != 3 {
					t.Fatalf("policy has %d logits, want 3", len(logits))
				}
			}
		})
	}
}

func TestPolicyRoundTrip(t *testing.T) {
	res := learntest.TrainCartPole(t, PPO, 7, 2048, nil)
	data, err := res.Policy.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var loaded nn.Policy
	if err := loaded.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	env := envs.NewCartPole(8)
	obs, _ := env.Reset(context.Background(), "")
	for range 100 {
		a, b := res.Policy.Act(obs, nil), loaded.Act(obs, nil)
		if a != b {
			t.Fatalf("loaded policy acts %d, original %d", b, a)
		}
		sr, _ := env.Step(context.Background(), a)
		if sr.Done() {
			break
		}
		obs = sr.Obs
	}
}

func TestComputeGAE(t *testing.T) {
	tests := []struct {
		name          string
		rewards       []float64
		values        []float64
		ends          []bool
		last          float64
		gamma, lambda float64
		wantAdv       []float64
	}{
		{
			name:    "monte carlo returns",
			rewards: []float64{1, 1, 1}, values: []float64{0, 0, 0}, ends: []bool{false, false, true},
			gamma: 0.5, lambda: 1, wantAdv: []float64{1.75, 1.5, 1},
		},
		{
			name:    "bootstrapped n-step",
			rewards: []float64{1, 2}, values: []float64{0.5, 1}, ends: []bool{false, false}, last: 4,
			gamma: 0.5, lambda: 1,
			// G1 = 2 + 0.5·4 = 4, G0 = 1 + 0.5·4 = 3.
			wantAdv: []float64{3 - 0.5, 4 - 1},
		},
		{
			name:    "one-step TD (λ = 0) across an episode end",
			rewards: []float64{1, 1, 1}, values: []float64{1, 2, 3}, ends: []bool{false, true, false}, last: 10,
			gamma: 0.9, lambda: 0,
			wantAdv: []float64{1 + 0.9*2 - 1, 1 - 2, 1 + 0.9*10 - 3},
		},
		{
			name:    "GAE mixes TD errors",
			rewards: []float64{0, 1}, values: []float64{1, 1}, ends: []bool{false, true},
			gamma: 0.9, lambda: 0.5,
			// δ1 = 1 − 1 = 0, δ0 = 0 + 0.9·1 − 1 = −0.1; A0 = δ0 + 0.45·δ1.
			wantAdv: []float64{-0.1, 0},
		},
	}
	for _, tc := range tests {
		r := &rollout{rewards: tc.rewards, values: tc.values, ends: tc.ends, last: tc.last, actions: make([]int, len(tc.rewards))}
		r.computeGAE(tc.gamma, tc.lambda)
		for i, w := range tc.wantAdv {
			if math.Abs(r.adv[i]-w) > 1e-12 || math.Abs(r.ret[i]-(w+tc.values[i])) > 1e-12 {
				t.Errorf("%s: adv %v ret %v, want adv %v", tc.name, r.adv, r.ret, tc.wantAdv)
				break
			}
		}
	}
}
