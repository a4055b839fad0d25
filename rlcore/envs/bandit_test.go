package envs

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestBanditRewardsMatchTheirArms(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		kind   BanditKind
		params []float64
	}{
		{"gaussian", Gaussian, []float64{-1, 0.5, 2}},
		{"bernoulli", Bernoulli, []float64{0.1, 0.5, 0.9}},
	}
	const pulls = 4000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBandit(tt.kind, tt.params, 1)
			if err != nil {
				t.Fatal(err)
			}
			for arm, want := range tt.params {
				sum := 0.0
				for range pulls {
					if _, err := b.Reset(ctx, ""); err != nil {
						t.Fatal(err)
					}
					sr, err := b.Step(ctx, arm)
					if err != nil {
						t.Fatal(err)
					}
					if !sr.Terminated {
						t.Fatal("bandit episode did not end after one pull")
					}
					sum += sr.Reward
				}
				// 5 standard errors of a unit-variance (or smaller) mean.
				if got := sum / pulls; math.Abs(got-want) > 5/math.Sqrt(pulls) {
					t.Errorf("arm %d: mean reward %.3f, want %.3f", arm, got, want)
				}
			}
			wantRegret := 0.0
			for _, p := range tt.params {
				wantRegret += pulls * (tt.params[2] - p)
			}
			if math.Abs(b.Regret()-wantRegret) > 1e-6 || b.BestArm() != 2 {
				t.Errorf("regret %g, best arm %d; want %g and 2", b.Regret(), b.BestArm(), wantRegret)
			}
			if got := b.Pulls(); got[0] != pulls || got[1] != pulls || got[2] != pulls {
				t.Errorf("pulls = %v, want %d each", got, pulls)
			}
		})
	}
}

func TestBanditBadInput(t *testing.T) {
	tests := []struct {
		name   string
		kind   BanditKind
		params []float64
		want   string
	}{
		{"no arms", Gaussian, nil, "no arms"},
		{"probability above one", Bernoulli, []float64{0.5, 1.5}, "want a value in [0, 1]"},
		{"NaN mean", Gaussian, []float64{math.NaN()}, "finite"},
		{"unknown kind", BanditKind(7), []float64{1}, "unknown kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBandit(tt.kind, tt.params, 1)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	b, _ := NewTestbed(10, 3)
	if len(b.Means()) != 10 {
		t.Fatalf("testbed has %d arms", len(b.Means()))
	}
	if _, err := b.Step(context.Background(), 0); err == nil {
		t.Fatal("step before reset accepted")
	}
}
