package superopt

import (
	"context"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/stoke"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

func init() {
	rlcore.RegisterTask(&rlcore.Task{
		Name:             TaskName,
		Doc:              "STOKE-style superoptimization of the 25 Hacker's Delight programs (x86-64 subset, z3-verified)",
		Options:          options,
		References:       references,
		DefaultReference: "o3",
		Measures: []rlcore.Measure{
			{Name: "cost", Doc: "STOKE's cost: eq (wrong output bits over the test cases, misalignment-relaxed) + latency"},
			{Name: "latency", Doc: "sum of the rewrite's instruction latencies (Agner Fog's Zen 3 table)"},
			{Name: "correctness", Doc: "STOKE's eq term: wrong live-out bits over the test cases (0 = right on every test)"},
			{Name: "length", Doc: "instructions in the rewrite, nops excluded"},
		},
		CheckBenchmark: checkSpec,
		Open:           Open,
	})
	rlcore.RegisterState(&rlcore.State{
		Name: "superopt-features", Task: TaskName,
		Doc: "opcode histogram of the rewrite plus its cost terms (eq, latency, length relative to the target, correct, quality)",
		New: rlcore.EpisodeState("superopt-features", rlcore.NewBox(numFeatures, 0, 100), observeFeatures),
	})
	rlcore.RegisterReward(&rlcore.Reward{
		Name: "superopt-cost-delta", Task: TaskName, Metric: "cost",
		Doc: "decrease of STOKE's cost (eq + latency) in the step, relative to the initial cost",
		Func: func(s *rlcore.RewardSignal) (float64, error) {
			return (s.Prev - s.Cur) / max(s.Initial, 1), nil
		},
	})
	rlcore.RegisterReward(&rlcore.Reward{
		Name: "superopt-improvement", Task: TaskName, Metric: "cost",
		Doc: "relative cost improvement of the step: (prev - cur) / prev",
		Func: func(s *rlcore.RewardSignal) (float64, error) {
			return (s.Prev - s.Cur) / max(s.Prev, 1), nil
		},
	})
	rlcore.RegisterReward(&rlcore.Reward{
		Name: "superopt-success", Task: TaskName, Metric: "latency", Reference: "o3",
		Doc: "1 on the step where the rewrite first becomes correct (and proved) and as fast as gcc -O3, else 0",
		Func: func(s *rlcore.RewardSignal) (float64, error) {
			e, err := rlcore.EpisodeAs[*Episode](s.Episode, "superopt-success")
			if err != nil {
				return 0, err
			}
			target := float64(e.ev.TLat)
			reached := func(q float64) bool { return q >= target/max(s.Reference, 1)-1e-9 }
			if e.score.Correct() && !e.unproven && reached(s.Quality) && !reached(s.PrevQuality) {
				return 1, nil
			}
			return 0, nil
		},
	})
	rlcore.RegisterTransition(&rlcore.Transition{
		Name: "superopt-mh", Task: TaskName,
		Doc: "propose the move; accept with probability min(1, exp(-β·Δcost)) as STOKE's Metropolis-Hastings, else revert",
		Step: func(ctx context.Context, in rlcore.TransitionInput) (rlcore.Episode, bool, error) {
			return acceptStep(ctx, in, false)
		},
	})
	rlcore.RegisterTransition(&rlcore.Transition{
		Name: "superopt-greedy", Task: TaskName,
		Doc: "propose the move; keep it only if the cost does not rise",
		Step: func(ctx context.Context, in rlcore.TransitionInput) (rlcore.Episode, bool, error) {
			return acceptStep(ctx, in, true)
		},
	})
	rlcore.RegisterActionSpace(&rlcore.ActionSpace{
		Name: "superopt-basic", Task: TaskName,
		Doc: "the eight elementary STOKE moves, without the weighted mix",
		Select: func(p rlcore.Problem) ([]int, error) {
			var idx []int
			for m := stoke.MoveOpcode; m < stoke.MoveWeighted; m++ {
				idx = append(idx, int(m))
			}
			return idx, nil
		},
	})
}

// acceptStep makes the task's proposals-per-step proposals of move kind
// in.Action, each accepted (MH or greedy) or reverted; the step counts as
// applied when any proposal was accepted.
func acceptStep(ctx context.Context, in rlcore.TransitionInput, greedy bool) (rlcore.Episode, bool, error) {
	e, err := rlcore.EpisodeAs[*Episode](in.Episode, "the superopt transitions")
	if err != nil {
		return in.Episode, false, err
	}
	applied := false
	for range e.p.opts.PerStep {
		if err := ctx.Err(); err != nil {
			return e, applied, err
		}
		acc, err := e.propose(ctx, in.Action, greedy)
		if err != nil {
			return e, applied, err
		}
		applied = applied || acc
	}
	return e, applied, nil
}

const numFeatures = int(x86.NumOps) + 5

// observeFeatures is superopt-features.
func observeFeatures(e *Episode, _ context.Context, _ []int) ([]float64, error) {
	obs := make([]float64, numFeatures)
	n := e.prog.Len()
	for _, in := range e.prog {
		if in.Op != x86.Nop {
			obs[in.Op] += 1 / float64(n)
		}
	}
	k := int(x86.NumOps)
	obs[k] = float64(e.score.Eq) / float64(max(e.ev.MaxEq(), 1))
	obs[k+1] = min(float64(e.score.Latency)/float64(max(e.ev.TLat, 1)), 100)
	obs[k+2] = min(float64(n)/float64(max(e.b.target.Code.Len(), 1)), 100)
	if e.score.Correct() {
		obs[k+3] = 1
	}
	obs[k+4] = min(e.quality(), 100)
	return obs, nil
}
