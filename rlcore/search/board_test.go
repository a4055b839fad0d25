package search

import (
	"context"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Issue 14: a stopped arm showed "182 steps, 0 pulls": the steps of a pull
// cut short by Stop counted in the arm's steps, the pull itself in none of
// its pulls. Steps count the finished pulls; the cut ones and their steps
// are counted apart, and a stored search is tallied the same way.
func TestCutPullsCountApart(t *testing.T) {
	st, ctx, cancel, spec := stoppableSearch(t, "stopped")
	time.AfterFunc(300*time.Millisecond, cancel) // Stop while the first pulls train
	res, err := Search(ctx, spec, Options{Strategy: "random", Budget: rlcore.Budget{Pulls: 4}, Workers: 2, Store: st,
		PullBudget: rlcore.Budget{Duration: 20 * time.Second}})
	if err != nil || res.Status != rlcore.Interrupted {
		t.Fatalf("search: %v, status %v; want interrupted", err, res.Status)
	}
	type counts struct{ pulls, failures, cut, steps, cutSteps int }
	want := map[string]*counts{}
	for _, p := range res.Pulls {
		c := want[p.Arm.String()]
		if c == nil {
			c = &counts{}
			want[p.Arm.String()] = c
		}
		steps := 0
		if p.Result != nil {
			steps = p.Result.Stats.Steps
		}
		switch p.Status {
		case pullOK:
			c.pulls++
			c.steps += steps
		case pullFailed:
			c.failures++
			c.steps += steps
		case pullInterrupted:
			c.cut++
			c.cutSteps += steps
		}
	}
	cutSteps := 0
	for _, c := range want {
		cutSteps += c.cutSteps
	}
	if cutSteps == 0 {
		t.Fatalf("no pull was cut short with steps trained (pulls %+v): the test shows nothing", res.Pulls)
	}
	rep, err := Load(context.Background(), st, "stopped")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]ArmStats{}
	for _, a := range StoredArms(rep.Arms, rep.Pulls) {
		stored[a.Name] = a
	}
	for _, a := range res.Arms {
		w := want[a.Name]
		if w == nil {
			w = &counts{}
		}
		got := counts{a.Pulls, a.Failures, a.Cut, a.Steps, a.CutSteps}
		if got != *w {
			t.Errorf("arm %s: pulls, failures, cut, steps, cut steps = %v; want %v", a.Name, got, *w)
		}
		s := stored[a.Name]
		if sc := (counts{s.Pulls, s.Failures, s.Cut, s.Steps, s.CutSteps}); sc != *w {
			t.Errorf("stored arm %s: pulls, failures, cut, steps, cut steps = %v; want %v (as live)", a.Name, sc, *w)
		}
		if !sameScore(s.Mean, a.Mean) || !sameScore(s.Best, a.Best) {
			t.Errorf("stored arm %s: score %v, best %v; live %v, %v", a.Name, s.Mean, s.Best, a.Mean, a.Best)
		}
	}
}

func sameScore(a, b float64) bool { return a == b || a != a && b != b }
