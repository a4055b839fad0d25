package envs

import (
	"context"
	"math"
	"testing"
)

func TestCartPoleOneStepFromRest(t *testing.T) {
	// From the resting state, pushing right: temp = F/M = 10/1.1,
	// θ̈ = −temp / (l (4/3 − m_p/M)), ẍ = temp − m_p l θ̈ / M.
	ctx := context.Background()
	c := NewCartPole(1)
	if _, err := c.Reset(ctx, ""); err != nil {
		t.Fatal(err)
	}
	c.state = [4]float64{}
	temp := 10 / 1.1
	thetaAcc := -temp / (0.5 * (4.0/3 - 0.1/1.1))
	xAcc := temp - 0.05*thetaAcc/1.1
	tests := []struct {
		action int
		want   [4]float64
	}{
		{1, [4]float64{0, 0.02 * xAcc, 0, 0.02 * thetaAcc}},
		{0, [4]float64{0, -0.02 * xAcc, 0, -0.02 * thetaAcc}},
	}
	for _, tc := range tests {
		c.state, c.live, c.steps = [4]float64{}, true, 0
		sr, err := c.Step(ctx, tc.action)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range tc.want {
			if math.Abs(sr.Obs[i]-w) > 1e-12 {
				t.Fatalf("action %d: obs %v, want %v", tc.action, sr.Obs, tc.want)
			}
		}
		if sr.Reward != 1 || sr.Done() {
			t.Fatalf("action %d: reward %g done %v, want 1 and not done", tc.action, sr.Reward, sr.Done())
		}
	}
	if math.Abs(0.02*xAcc-0.1951219512195122) > 1e-12 {
		t.Fatalf("ẋ after one push = %.16g, want 0.1951219512195122 (Gym's value)", 0.02*xAcc)
	}
}

// run plays one episode with controller and returns its length and the
// final step result.
func runCartPole(t *testing.T, c *CartPole, controller func(obs []float64) int) (int, bool, bool) {
	t.Helper()
	ctx := context.Background()
	obs, err := c.Reset(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range obs {
		if v < -0.05 || v >= 0.05 {
			t.Fatalf("initial state %v outside (−0.05, 0.05)", obs)
		}
	}
	for n := 1; ; n++ {
		sr, err := c.Step(ctx, controller(obs))
		if err != nil {
			t.Fatal(err)
		}
		if sr.Done() {
			return n, sr.Terminated, sr.Truncated
		}
		obs = sr.Obs
	}
}

func TestCartPoleEpisodes(t *testing.T) {
	tests := []struct {
		name           string
		controller     func(obs []float64) int
		minLen, maxLen int
		terminated     bool
	}{
		// Always pushing one way tips the pole within a few dozen steps.
		{"always right", func([]float64) int { return 1 }, 5, 60, true},
		// A proportional-derivative controller on the pole balances it for
		// the whole time limit.
		{"PD controller", func(o []float64) int {
			if o[2]+0.5*o[3]+0.01*o[0]+0.1*o[1] > 0 {
				return 1
			}
			return 0
		}, 500, 500, false},
	}
	for _, tc := range tests {
		c := NewCartPole(7)
		for ep := range 5 {
			n, term, trunc := runCartPole(t, c, tc.controller)
			if n < tc.minLen || n > tc.maxLen || term != tc.terminated || trunc == tc.terminated {
				t.Fatalf("%s episode %d: %d steps, terminated %v, truncated %v; want %d–%d steps, terminated %v",
					tc.name, ep, n, term, trunc, tc.minLen, tc.maxLen, tc.terminated)
			}
		}
	}
}

func TestCartPoleSeedsAndFork(t *testing.T) {
	ctx := context.Background()
	a, b, other := NewCartPole(3), NewCartPole(3), NewCartPole(4)
	oa, _ := a.Reset(ctx, "")
	ob, _ := b.Reset(ctx, "ignored-benchmark-name")
	oo, _ := other.Reset(ctx, "")
	for i := range oa {
		if oa[i] != ob[i] {
			t.Fatalf("same seed, different initial states: %v vs %v", oa, ob)
		}
	}
	if oa[0] == oo[0] {
		t.Fatalf("different seeds gave the same initial state %v", oa)
	}
	a.Step(ctx, 1)
	f, err := a.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := a.Step(ctx, 0)
	sf, _ := f.Step(ctx, 0)
	sa2, _ := a.Step(ctx, 1) // the original moves on; the fork must not
	if sa.Obs[1] != sf.Obs[1] || f.(*CartPole).State() == a.State() {
		t.Fatalf("fork diverged or shares state: %v %v %v", sa.Obs, sf.Obs, sa2.Obs)
	}
	oa, _ = a.Reset(ctx, "")
	of, _ := f.Reset(ctx, "")
	if oa[0] != of[0] {
		t.Fatalf("fork's generator differs: resets give %v and %v", oa, of)
	}
}

func TestCartPoleBadUse(t *testing.T) {
	ctx := context.Background()
	c := NewCartPole(1)
	if _, err := c.Step(ctx, 0); err == nil {
		t.Fatal("Step before Reset succeeded")
	}
	c.Reset(ctx, "")
	if _, err := c.Step(ctx, 2); err == nil {
		t.Fatal("action 2 accepted")
	}
	for {
		sr, err := c.Step(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if sr.Done() {
			break
		}
	}
	if _, err := c.Step(ctx, 1); err == nil {
		t.Fatal("Step after the episode ended succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Reset(cancelled, ""); err == nil {
		t.Fatal("Reset with a cancelled context succeeded")
	}
	if !c.ObservationSpace().Contains([]float64{0, 100, 0, -100}) || c.ObservationSpace().Dim() != 4 {
		t.Fatal("observation space wrong")
	}
}
