package superopt

import (
	"context"
	"fmt"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/smt"
)

// CheckResult implements the search's ResultChecker: an episode's rewrite is
// not a function of its move types alone (the details are random), so a
// deployment is checked by proving the problem's best rewrite of benchmark
// equivalent to the target again with z3 and by checking that it is at
// least as good as the quality the training reported.
func (p *Problem) CheckResult(ctx context.Context, benchmark string, quality float64) error {
	r, err := p.BestProved(benchmark)
	if err != nil {
		return err
	}
	b, err := p.bench(benchmark)
	if err != nil {
		return err
	}
	res, err := smt.Check(ctx, smt.Query{Target: b.target.Code, Rewrite: r.Program, LiveOut: b.spec.LiveOut, OutWidth: b.spec.OutWidth}, p.opts.VerifyTimeout)
	if err != nil {
		return fmt.Errorf("proving the best rewrite of %s: %w", benchmark, err)
	}
	if res.Verdict != smt.Equivalent {
		return fmt.Errorf("z3 does not prove the best rewrite of %s equivalent to the target (%v)", benchmark, res.Verdict)
	}
	if q := float64(r.TargetLatency) / float64(max(r.Latency, 1)); q < quality-1e-9 {
		return fmt.Errorf("the best proved rewrite of %s has quality %.4g, below the %.4g the training reported", benchmark, q, quality)
	}
	return nil
}
