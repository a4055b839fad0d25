package measure

import (
	"context"
	"os"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
)

func TestExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	ctx := context.Background()
	c, _ := NewCompiler("/tmp/tensor-explore")
	r := NewRunner()
	for _, op := range kernel.Ops() {
		sp := kernel.NewSpace(op)
		ref, _ := sp.Reference()
		blk, err := c.Compile(ctx, ref.C())
		if err != nil {
			t.Fatal(err)
		}
		def, _ := c.Compile(ctx, sp.Default().C())
		resp, err := r.Run(ctx, Request{Op: op.Name, Candidate: blk.Path, Yardstick: def.Path, Warmup: 1, Reps: 3, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		s := resp.Summary()
		t.Logf("%s: ref %.3g ms (%.1f GF/s) spread %.2f, naive %.3g ms (%.1f GF/s) speedup %.1f", op.Name, s.Median*1e3, op.FLOPs()/s.Median/1e9, s.Spread, s.YardstickMedan*1e3, op.FLOPs()/s.YardstickMedan/1e9, 1/s.Ratio)
	}
}
