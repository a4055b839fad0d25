package search

import (
	"context"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/pg" // ppo
	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/codesize"
)

// BenchmarkZeroShot measures a zero-shot deployment on typical built-in
// programs (real libLLVM): a greedy rollout and DefaultZeroShotSamples
// sampled ones over notebook 01's horizon of 24, then the replay that
// validates the best. The policy is PPO's after a short training (its
// quality does not matter here, only the time: ns/op is one program's
// zero-shot deployment). Run with -count 5 and take the median; the goal
// is under 1 s per program. Most of it is the validation (the link and
// run of the optimized program), not the rollouts.
func BenchmarkZeroShot(b *testing.B) {
	ctx := context.Background()
	p, err := rlcore.OpenTask(ctx, "codesize", nil, 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	arm := rlcore.Arm{Algorithm: "ppo", State: "autophase", Reward: "ic-oz", Actions: "all", Transition: "apply"}
	const horizon = 24
	pl := &puller{problem: p, horizon: horizon}
	res, _, err := pl.train(ctx, arm, nil, rlcore.Budget{Steps: 256}, 1, []string{"builtin:crc32"}, "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	d := &deployer{problem: p, horizon: horizon}
	for _, bench := range []string{"builtin:qsort", "builtin:dijkstra", "builtin:sha256", "builtin:xtea", "builtin:levenshtein"} {
		b.Run(bench, func(b *testing.B) {
			d.zeroShot(ctx, arm, res.Policy, bench, DefaultZeroShotSamples, 1) // prepares the program once
			for b.Loop() {
				if dep := d.zeroShot(ctx, arm, res.Policy, bench, DefaultZeroShotSamples, 1); dep.Err != nil || !dep.Validated {
					b.Fatalf("zero-shot on %s: %v", bench, dep.Err)
				}
			}
		})
	}
}
