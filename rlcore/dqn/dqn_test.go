package dqn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
)

func TestRegisteredWithParams(t *testing.T) {
	got, err := rlcore.LookupAlgorithm("dqn")
	if err != nil || got != DQN {
		t.Fatalf("lookup gave %v, %v", got, err)
	}
	if DQN.Kind != rlcore.Learner || DQN.Doc == "" || DQN.Train == nil {
		t.Errorf("kind %q, doc %q, train set %v", DQN.Kind, DQN.Doc, DQN.Train != nil)
	}
	names := map[string]bool{}
	for _, p := range DQN.Params {
		names[p.Name] = true
		if p.Default < p.Min || p.Default > p.Max || p.Doc == "" || (p.Log && p.Min <= 0) {
			t.Errorf("parameter %+v is inconsistent", p)
		}
	}
	for _, want := range []string{"lr", "gamma", "buffer_size", "batch_size", "learning_starts", "train_freq", "target_update", "tau",
		"epsilon_start", "epsilon_end", "epsilon_decay", "hidden", "double", "dueling", "max_grad_norm", "eval_every"} {
		if !names[want] {
			t.Errorf("no hyperparameter %q", want)
		}
	}
	for _, bad := range []rlcore.Hyper{{"lr": 5}, {"lr_typo": 1e-3}} {
		_, err = DQN.Resolve(bad)
		if err == nil || !strings.Contains(err.Error(), "lr") {
			t.Errorf("hyperparameters %v gave error %v, want one naming lr", bad, err)
		}
	}
	_, err = DQN.Train(context.Background(), envs.NewCartPole(1), rlcore.TrainConfig{Hyper: rlcore.Hyper{"lr": 1e-3}})
	if err == nil || !strings.Contains(err.Error(), "gamma") || !strings.Contains(err.Error(), "Resolve") {
		t.Errorf("unresolved hyperparameters gave error %v, want one naming the missing gamma and Resolve", err)
	}
}

// TestVariantsLearn trains every combination of double and dueling on
// CartPole for 20,000 steps (ε decaying over the first 5,000, greedy
// checkpoints every 2,000) and checks that the returned policy balances
// far longer than a random one, which lasts about 22 steps on average.
func TestVariantsLearn(t *testing.T) {
	for _, tc := range []struct {
		double, dueling float64
	}{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		name := fmt.Sprintf("double=%v,dueling=%v", tc.double, tc.dueling)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := learntest.TrainCartPole(t, DQN, 3, 20_000, rlcore.Hyper{
				"double": tc.double, "dueling": tc.dueling, "epsilon_decay": 5000, "eval_every": 2000,
			})
			got := learntest.Evaluate(t, res.Policy, 20)
			t.Logf("%s: mean greedy return %.1f over 20 episodes after %d steps", name, got, res.Stats.Steps)
			if got < 100 {
				t.Errorf("%s: mean evaluation return %.1f, want ≥ 100 (random: ≈22)", name, got)
			}
		})
	}
}

func TestCancelReturnsBest(t *testing.T) {
	learntest.CheckCancelReturnsBest(t, DQN, rlcore.Hyper{"learning_starts": 100})
}

// flakyEnv wraps CartPole; Step fails every failEvery-th call.
type flakyEnv struct {
	*envs.CartPole
	failEvery, steps int
}

func (f *flakyEnv) Step(ctx context.Context, a int) (rlcore.StepResult, error) {
	if f.steps++; f.steps%f.failEvery == 0 {
		return rlcore.StepResult{}, errors.New("simulated compiler crash")
	}
	return f.CartPole.Step(ctx, a)
}

func TestFailingStepsDoNotStopTraining(t *testing.T) {
	env := &flakyEnv{CartPole: envs.NewCartPole(4), failEvery: 97}
	res := learntest.Train(t, context.Background(), DQN, env, rlcore.TrainConfig{
		Seed: 4, Budget: rlcore.Budget{Steps: 3000}, Hyper: rlcore.Hyper{"eval_every": 0},
	})
	if res.Status != rlcore.BudgetExhausted || res.Stats.FailedEpisodes == 0 {
		t.Fatalf("status %v with %d failed episodes, want the budget spent despite failures", res.Status, res.Stats.FailedEpisodes)
	}
	if res.Err == nil || !strings.Contains(res.Err.Error(), "simulated compiler crash") {
		t.Fatalf("last error %v, want the env's", res.Err)
	}
}

// maskedEnv is CartPole with a third action that is always masked and a
// first action masked every fifth step; taking a masked action is an
// error, counted in forbidden (shared with the env's forks, so that the
// checkpoint evaluations are checked too).
type maskedEnv struct {
	*envs.CartPole
	t         int
	forbidden *int
}

func newMaskedEnv(seed int64) *maskedEnv {
	return &maskedEnv{CartPole: envs.NewCartPole(seed), forbidden: new(int)}
}

func (m *maskedEnv) ActionSpace() rlcore.Discrete { return rlcore.Discrete{N: 3} }

func (m *maskedEnv) ActionMask(dst []bool) []bool {
	return append(dst[:0], m.t%5 != 4, true, false)
}

func (m *maskedEnv) Reset(ctx context.Context, b string) ([]float64, error) {
	m.t = 0
	return m.CartPole.Reset(ctx, b)
}

func (m *maskedEnv) Step(ctx context.Context, a int) (rlcore.StepResult, error) {
	if mask := m.ActionMask(nil); !mask[a] {
		*m.forbidden++
		return rlcore.StepResult{}, fmt.Errorf("action %d is masked at step %d", a, m.t)
	}
	m.t++
	return m.CartPole.Step(ctx, a)
}

func (m *maskedEnv) Fork(ctx context.Context) (rlcore.Env, error) {
	c, err := m.CartPole.Fork(ctx)
	if err != nil {
		return nil, err
	}
	return &maskedEnv{CartPole: c.(*envs.CartPole), t: m.t, forbidden: m.forbidden}, nil
}

func TestMaskedActionsNeverTaken(t *testing.T) {
	for _, dueling := range []float64{0, 1} {
		env := newMaskedEnv(6)
		var losses []float64
		res := learntest.Train(t, context.Background(), DQN, env, rlcore.TrainConfig{
			Seed: 6, Budget: rlcore.Budget{Steps: 4000},
			Hyper: rlcore.Hyper{"learning_starts": 500, "dueling": dueling, "eval_every": 1000, "eval_episodes": 2},
			Observer: func(e rlcore.Event) {
				if e.Kind == rlcore.RunDone {
					losses = append(losses, e.Loss)
				}
			},
		})
		if *env.forbidden > 0 || res.Stats.FailedEpisodes > 0 {
			t.Fatalf("dueling=%v: a masked action was taken %d times", dueling, *env.forbidden)
		}
		if len(losses) != 1 || math.IsNaN(losses[0]) || math.IsInf(losses[0], 0) {
			t.Fatalf("dueling=%v: final loss %v, want a finite number", dueling, losses)
		}
		p := res.Policy.(*nn.Policy)
		for _, obs := range [][]float64{{0, 0, 0, 0}, {0.1, -0.5, 0.05, 1}, {-1, 1, -0.1, -1}} {
			if a := p.Act(obs, []bool{false, true, false}); a != 1 {
				t.Fatalf("dueling=%v: greedy policy chose masked action %d for %v", dueling, a, obs)
			}
			if q := p.Logits(obs); len(q) != 3 {
				t.Fatalf("dueling=%v: policy has %d Q-values, want 3", dueling, len(q))
			}
		}
	}
}

// TestTargetsRespectNextMasks makes the masked action of the next state
// the one with by far the largest Q-value in both networks and checks that
// the TD targets of a training step never use it, with and without double
// Q-learning.
func TestTargetsRespectNextMasks(t *testing.T) {
	for _, double := range []float64{0, 1} {
		env := newMaskedEnv(1)
		h, err := DQN.Resolve(rlcore.Hyper{"double": double, "batch_size": 32, "buffer_size": 1000})
		if err != nil {
			t.Fatal(err)
		}
		ag, err := newAgent(env, h, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		ag.online.q.Layers[0].B[2] = 100 // action 2: always masked
		ag.target.copyFrom(ag.online)
		ctx := context.Background()
		obs, _ := env.Reset(ctx, "")
		for i := range 200 {
			a := i % 2
			if !env.ActionMask(nil)[a] {
				a = 1
			}
			sr, err := env.Step(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			mask := env.ActionMask(nil)
			ag.buf.add(obs, a, sr.Reward, sr.Obs, sr.Terminated, mask)
			obs = sr.Obs
			if sr.Done() {
				obs, _ = env.Reset(ctx, "")
			}
		}
		online := ag.online.clone() // the weights the step's targets use
		ag.learn()
		b, A := ag.b, ag.nAct
		for k := range b.n {
			want := b.rewards[k]
			if !b.terminated[k] {
				m := b.nextMask[k*A : (k+1)*A]
				qt := ag.target.forward(b.nextObs[k*4:(k+1)*4], 1)
				sel := append([]float64(nil), qt...)
				if double == 1 {
					sel = append([]float64(nil), online.forward(b.nextObs[k*4:(k+1)*4], 1)...)
				}
				best := nn.Argmax(sel, m)
				if best == 2 {
					t.Fatal("reference argmax chose the masked action")
				}
				want += ag.gamma * qt[best]
			}
			if math.Abs(ag.y[k]-want) > 1e-9 || ag.y[k] > 50 {
				t.Fatalf("double=%v: target %d = %g, want %g (mask %v)", double, k, ag.y[k], want, b.nextMask[k*A:(k+1)*A])
			}
		}
	}
}

// horizonEnv has a single state and action paying reward 1 per step;
// every episode ends after 5 steps, truncated or terminated.
type horizonEnv struct {
	t         int
	terminate bool
}

func (e *horizonEnv) ObservationSpace() rlcore.Space { return rlcore.NewBox(1, 0, 1) }
func (e *horizonEnv) ActionSpace() rlcore.Discrete   { return rlcore.Discrete{N: 1} }
func (e *horizonEnv) Reset(context.Context, string) ([]float64, error) {
	e.t = 0
	return []float64{1}, nil
}
func (e *horizonEnv) Step(context.Context, int) (rlcore.StepResult, error) {
	e.t++
	end := e.t >= 5
	return rlcore.StepResult{Obs: []float64{1}, Reward: 1, Terminated: end && e.terminate, Truncated: end && !e.terminate}, nil
}

// TestTruncationBootstraps: under γ = 0.8 every transition of the
// truncated env has the target 1 + γQ, so Q → 1/(1−γ) = 5 (the task goes on
// forever). When the fifth step terminates, one transition in five has the
// target 1 instead, and the fixed point of the Huber loss (δ = 1) solves
// ⅘·(Q − 1 − γQ) + ⅕·1 = 0 (the terminal error Q − 1 > δ is clipped), so
// Q → 3.75; treating truncation as termination would give the same 3.75.
func TestTruncationBootstraps(t *testing.T) {
	for _, tc := range []struct {
		terminate bool
		want      float64
	}{{false, 5}, {true, 3.75}} {
		res := learntest.Train(t, context.Background(), DQN, &horizonEnv{terminate: tc.terminate}, rlcore.TrainConfig{
			Seed: 1, Budget: rlcore.Budget{Steps: 6000},
			Hyper: rlcore.Hyper{"gamma": 0.8, "hidden": 8, "learning_starts": 100, "target_update": 100, "eval_every": 0, "lr": 3e-3},
		})
		q := res.Policy.(*nn.Policy).Logits([]float64{1})[0]
		if math.Abs(q-tc.want) > 0.3 {
			t.Errorf("terminate=%v: Q = %.3f, want ≈ %.3f", tc.terminate, q, tc.want)
		}
	}
}

func TestPolicyRoundTrip(t *testing.T) {
	for _, dueling := range []float64{0, 1} {
		res := learntest.TrainCartPole(t, DQN, 7, 2000, rlcore.Hyper{"dueling": dueling, "learning_starts": 500, "eval_every": 500, "eval_episodes": 2})
		data, err := res.Policy.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), nn.Magic) {
			t.Fatalf("weights do not start with nn's magic: %q", data[:8])
		}
		var loaded nn.Policy
		if err := loaded.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		orig := res.Policy.(*nn.Policy)
		env := envs.NewCartPole(8)
		obs, _ := env.Reset(context.Background(), "")
		for range 100 {
			want := append([]float64(nil), orig.Logits(obs)...)
			for i, v := range loaded.Logits(obs) {
				if v != want[i] {
					t.Fatalf("dueling=%v: loaded Q %v, original %v", dueling, v, want[i])
				}
			}
			sr, _ := env.Step(context.Background(), orig.Act(obs, nil))
			if sr.Done() {
				break
			}
			obs = sr.Obs
		}
	}
}

// TestCheckpointer evaluates a network that prefers the always-masked
// action on a masked env: evaluation must respect the mask, play the same
// start states every time, keep the best weights, and turn itself off on
// an env that cannot fork.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	env := newMaskedEnv(3)
	if _, err := env.Reset(ctx, ""); err != nil {
		t.Fatal(err)
	}
	q, err := newQNet(4, []int{8}, 3, false, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	q.q.Layers[0].B[2] = 100
	c := newCheckpointer(env, nil, 3, 1)
	c.evaluate(ctx, q)
	first, steps := c.bestScore, c.steps
	c.evaluate(ctx, q)
	if *env.forbidden > 0 {
		t.Fatalf("evaluation took a masked action %d times", *env.forbidden)
	}
	if c.evals != 2 || c.best() == nil || steps == 0 || c.steps != 2*steps || c.bestScore != first {
		t.Fatalf("after 2 evaluations of the same weights: %d evaluations, %d then %d steps, scores %g and %g",
			c.evals, steps, c.steps, first, c.bestScore)
	}
	q.q.Layers[0].B[1] = 200 // always right: the pole falls quickly
	c.evaluate(ctx, q)
	if c.bestScore != first || c.evals != 3 {
		t.Fatalf("a worse policy replaced the best (score %g, first %g)", c.bestScore, first)
	}
	c.close()

	off := newCheckpointer(&horizonEnv{}, nil, 3, 1)
	off.evaluate(ctx, q)
	if !off.off || off.best() != nil {
		t.Fatal("evaluation on an env that cannot fork did not turn itself off")
	}
}
