package search

import (
	"context"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/example"
)

// TestTrainingBoundsNativeCalls: a training run with a wall budget hands
// its algorithm a context whose native calls (rlcore/isolate workers) must
// end by the budget plus a grace, so that one long LLVM pass cannot hold a
// search far past its budget.
func TestTrainingBoundsNativeCalls(t *testing.T) {
	var seen []time.Time
	rlcore.RegisterAlgorithm(&rlcore.Algorithm{Name: "syn-call-deadline", Doc: "records the call deadline", Kind: rlcore.Learner,
		Train: func(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
			if d, ok := isolate.CallDeadline(ctx); ok {
				seen = append(seen, d)
			}
			return rlcore.NewRecorder(ctx, env, cfg).Finish(nil), nil
		}})
	p := &puller{problem: &example.Problem{}, benchmarks: []string{"ex0"}, horizon: 4}
	arm := rlcore.Arm{Algorithm: "syn-call-deadline", State: "s-good", Reward: "r-good", Transition: "t-good"}
	for _, tc := range []struct {
		budget rlcore.Budget
		grace  time.Duration // 0: no deadline
	}{
		{rlcore.Budget{Duration: 10 * time.Second}, 2 * time.Second},
		{rlcore.Budget{Duration: 20 * time.Minute}, 30 * time.Second},
		{rlcore.Budget{Steps: 100}, 0},
	} {
		seen = nil
		start := time.Now()
		if _, _, err := p.train(context.Background(), arm, nil, tc.budget, 1, p.benchmarks, "probe", nil); err != nil {
			t.Fatal(err)
		}
		if tc.grace == 0 {
			if len(seen) != 0 {
				t.Errorf("budget %v: a call deadline %v without a wall budget", tc.budget, seen[0])
			}
			continue
		}
		want := start.Add(tc.budget.Duration + tc.grace)
		if len(seen) != 1 || seen[0].Before(want) || seen[0].After(want.Add(time.Second)) {
			t.Errorf("budget %v: call deadlines %v, want one at start + %v", tc.budget, seen, tc.budget.Duration+tc.grace)
		}
	}
}
