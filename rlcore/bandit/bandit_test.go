package bandit

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/envs"
	"github.com/supersonic-rl/supersonic/rlcore/internal/learntest"
)

// TestRegretIsSublinear runs each algorithm through rlcore on a seeded
// bandit and checks that the pseudo-regret after 4000 pulls is clearly
// less than 4× the regret after 1000 (a linear learner would give 4),
// averaged over several seeds.
func TestRegretIsSublinear(t *testing.T) {
	tests := []struct {
		name  string
		algo  *rlcore.Algorithm
		hyper rlcore.Hyper
		kind  envs.BanditKind
	}{
		{"ucb1 gaussian testbed", UCB1Algorithm, rlcore.Hyper{"c": 2}, envs.Gaussian},
		{"ucb1 bernoulli", UCB1Algorithm, nil, envs.Bernoulli},
		{"thompson beta-bernoulli", ThompsonAlgorithm, nil, envs.Bernoulli},
		{"thompson gaussian testbed", ThompsonAlgorithm, rlcore.Hyper{"gaussian": 1}, envs.Gaussian},
	}
	const seeds, t1, t2 = 12, 1000, 4000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hyper, err := tt.algo.Resolve(tt.hyper)
			if err != nil {
				t.Fatal(err)
			}
			var r1, r2 float64
			bestPulledMost := 0
			for seed := range int64(seeds) {
				var env *envs.Bandit
				if tt.kind == envs.Gaussian {
					env, err = envs.NewTestbed(10, seed)
				} else {
					env, err = envs.NewBandit(envs.Bernoulli, []float64{0.2, 0.35, 0.5, 0.55, 0.45, 0.3, 0.1, 0.7, 0.6, 0.4}, seed)
				}
				if err != nil {
					t.Fatal(err)
				}
				var at1 float64
				cfg := rlcore.TrainConfig{
					Hyper: hyper, Seed: seed, Budget: rlcore.Budget{Episodes: t2},
					Observer: func(e rlcore.Event) {
						if e.Kind == rlcore.EpisodeEnd && e.Episode == t1 {
							at1 = env.Regret()
						}
					},
				}
				res, err := tt.algo.Train(context.Background(), env, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if res.Status != rlcore.BudgetExhausted || res.Stats.Episodes != t2 {
					t.Fatalf("status %v after %d episodes, want budget after %d", res.Status, res.Stats.Episodes, t2)
				}
				r1 += at1
				r2 += env.Regret()
				pulls := env.Pulls()
				if argmaxInt(pulls) == env.BestArm() {
					bestPulledMost++
				}
				if res.Policy.Act(nil, nil) != argmaxMean(res.Policy.(*ArmPolicy)) {
					t.Fatal("policy does not act on the best mean")
				}
			}
			ratio := r2 / r1
			t.Logf("mean regret: %.1f after %d pulls, %.1f after %d (ratio %.2f; per pull %.4f → %.4f); best arm pulled most in %d/%d runs",
				r1/seeds, t1, r2/seeds, t2, ratio, r1/seeds/t1, r2/seeds/t2, bestPulledMost, seeds)
			if ratio >= 2.5 {
				t.Errorf("regret(%d)/regret(%d) = %.2f, want < 2.5 (sublinear growth)", t2, t1, ratio)
			}
			if r2/t2 >= r1/t1 {
				t.Errorf("average regret per pull did not decrease: %.4f → %.4f", r1/seeds/t1, r2/seeds/t2)
			}
			if bestPulledMost < seeds*3/4 {
				t.Errorf("the best arm was the most pulled in only %d of %d runs", bestPulledMost, seeds)
			}
		})
	}
}

func argmaxInt(xs []int) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}

func argmaxMean(p *ArmPolicy) int {
	best := -1
	for i, n := range p.Arms {
		if n > 0 && (best < 0 || p.Means[i] > p.Means[best]) {
			best = i
		}
	}
	return best
}

func TestSelectors(t *testing.T) {
	ucb, _ := NewUCB1(4, 1)
	ts, _ := NewThompson(4)
	gts, _ := NewGaussianThompson(4, 0.5)
	means := []float64{0.1, 0.9, 0.3, 0.5}
	for _, tt := range []struct {
		name string
		sel  interface {
			Selector
			SelectExcept(*rand.Rand, []bool) int
		}
	}{{"ucb1", ucb}, {"thompson", ts}, {"gaussian thompson", gts}} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			env := rand.New(rand.NewPCG(3, 4))
			for range 600 {
				arm := tt.sel.Select(rng)
				r := 0.0
				if env.Float64() < means[arm] {
					r = 1
				}
				tt.sel.Update(arm, r)
			}
			counts := tt.sel.Counts()
			if MostPulled(tt.sel) != 1 || BestMean(tt.sel) != 1 {
				t.Fatalf("counts %v, means %v: want arm 1 most pulled and best", counts, tt.sel.Means())
			}
			for arm, n := range counts {
				if n == 0 {
					t.Fatalf("arm %d never explored: %v", arm, counts)
				}
			}
			skip := []bool{false, true, false, false}
			for range 50 {
				if tt.sel.SelectExcept(rng, skip) == 1 {
					t.Fatal("SelectExcept returned a skipped arm")
				}
			}
			if got := tt.sel.SelectExcept(rng, []bool{true, true, true, true}); got != -1 {
				t.Fatalf("SelectExcept with every arm skipped = %d, want -1", got)
			}
		})
	}
}

func TestUCB1PullsEveryArmFirst(t *testing.T) {
	u, _ := NewUCB1(5, 1)
	rng := rand.New(rand.NewPCG(9, 9))
	seen := map[int]bool{}
	for range 5 {
		a := u.Select(rng)
		seen[a] = true
		u.Update(a, 100) // high rewards must not stop the first round
	}
	if len(seen) != 5 {
		t.Fatalf("first five pulls covered %v, want all five arms", seen)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := NewUCB1(0, 1); err == nil {
		t.Error("NewUCB1 accepted k = 0")
	}
	if _, err := NewUCB1(3, -1); err == nil {
		t.Error("NewUCB1 accepted c = -1")
	}
	if _, err := NewGaussianThompson(3, 0); err == nil {
		t.Error("NewGaussianThompson accepted sigma = 0")
	}
	// A multi-step env is not a bandit: the run fails with a clear error.
	tree, _ := envs.NewTree(2, 3, 1)
	hyper, _ := UCB1Algorithm.Resolve(nil)
	res, err := UCB1Algorithm.Train(context.Background(), tree, rlcore.TrainConfig{Hyper: hyper, Budget: rlcore.Budget{Episodes: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != rlcore.Failed || !errors.Is(res.Err, errNotOneStep) {
		t.Fatalf("status %v, err %v: want failed with %v", res.Status, res.Err, errNotOneStep)
	}
}

func TestArmPolicyRoundTrip(t *testing.T) {
	p := &ArmPolicy{Arms: []int{3, 0, 7}, Means: []float64{0.25, 0, -1.5}}
	data, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var q ArmPolicy
	if err := q.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, &q) {
		t.Fatalf("round trip gave %+v, want %+v", q, *p)
	}
	if err := q.UnmarshalBinary(data[:len(data)-1]); err == nil {
		t.Fatal("truncated data accepted")
	}
	if got := p.Act(nil, []bool{false, true, true}); got != 2 {
		t.Fatalf("masked Act = %d, want 2 (arm 1 was never pulled)", got)
	}
}

func TestCancelKeepsBest(t *testing.T) {
	env, _ := envs.NewTestbed(5, 1)
	res := learntest.TrainCancelled(t, ThompsonAlgorithm, env, rlcore.Hyper{"gaussian": 1}, 1, 50)
	if res.Status != rlcore.Interrupted || res.Stats.Episodes != 50 || len(res.Best.Actions) != 1 {
		t.Fatalf("status %v after %d episodes, best %+v: want interrupted after 50 with a best pull", res.Status, res.Stats.Episodes, res.Best)
	}
}
