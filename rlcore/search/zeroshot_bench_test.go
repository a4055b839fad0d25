package search

import (
	"context"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/codesize"
)

// BenchmarkZeroShot measures a zero-shot deployment as supersonic eval
// runs one (real libLLVM): the stored policy of testdata (coresetPolicy,
// trained across programs by an eval run) on six of eval.HeldOut, a greedy
// rollout and DefaultZeroShotSamples sampled ones over the eval's horizon
// of 20, then the validation of the best: validate=saved validates the
// state the best rollout saved (what zero-shot does), validate=replay
// replays the best's passes and validates them (what it did before), side
// by side. ns/op is one program's deployment with the program prepared
// and its O0 build run (the first, unmeasured call does both, as the
// eval's other methods do before zero-shot). Run with -count 5 and take
// the medians; the goal is under 1 s per typical program.
func BenchmarkZeroShot(b *testing.B) {
	ctx := context.Background()
	p, err := rlcore.OpenTask(ctx, "codesize", nil, 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	pol := coresetPolicy(b)
	const horizon = 20
	for _, bench := range []string{"builtin:avltree", "builtin:bwt", "builtin:dct", "builtin:exprparse", "csmith:90001", "csmith:90002"} {
		for _, v := range []struct {
			name   string
			replay bool
		}{{"saved", false}, {"replay", true}} {
			b.Run(bench+"/validate="+v.name, func(b *testing.B) {
				d := &deployer{problem: p, horizon: horizon, replayBest: v.replay}
				d.zeroShot(ctx, coresetArm, pol, bench, DefaultZeroShotSamples, 1) // prepares the program once
				for b.Loop() {
					if dep := d.zeroShot(ctx, coresetArm, pol, bench, DefaultZeroShotSamples, 1); dep.Err != nil || !dep.Validated {
						b.Fatalf("zero-shot on %s: %v", bench, dep.Err)
					}
				}
			})
		}
	}
}
