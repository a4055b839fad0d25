package measure

import (
	"context"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
)

// TestReferenceMatchesNaive compiles every operator's naive nest and
// hand-blocked reference and checks the reference's output against the
// naive one.
func TestReferenceMatchesNaive(t *testing.T) {
	ctx := context.Background()
	c, err := NewCompiler(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner()
	for _, op := range kernel.Ops() {
		t.Run(op.Name, func(t *testing.T) {
			sp := kernel.NewSpace(op)
			ref, err := sp.Reference()
			if err != nil {
				t.Fatal(err)
			}
			def, err := c.Compile(ctx, sp.Default().C())
			if err != nil {
				t.Fatal(err)
			}
			blk, err := c.Compile(ctx, ref.C())
			if err != nil {
				t.Fatalf("%v\n%s", err, ref.C())
			}
			resp, err := r.Run(ctx, Request{Op: op.Name, Candidate: blk.Path, Yardstick: def.Path, Reps: 1, Seed: 1})
			if err != nil {
				t.Fatalf("%v\n%s", err, ref.C())
			}
			s := resp.Summary()
			t.Logf("%s: reference %.3g ms (median), naive (min) %.3g ms, speedup %.1fx, max err %.2g", op.Name, s.Median*1e3, s.YardstickMin*1e3, 1/s.Ratio, s.MaxErr)
		})
	}
}

func TestPeak(t *testing.T) {
	c, err := NewCompiler(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p, err := MeasurePeak(context.Background(), c, NewRunner(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.Threads < 1 || !(p.GFLOPS > 0) {
		t.Fatalf("peak %+v", p)
	}
	t.Logf("peak: %d threads, best %.1f GFLOP/s, median %.1f", p.Threads, p.GFLOPS, p.Median)
}
