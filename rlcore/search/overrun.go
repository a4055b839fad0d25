package search

import (
	"fmt"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// perRunOverrun summarises a phase whose wall budget is per run — Deploy's
// per benchmark, Compare's per method and benchmark — in one figure: how
// far the run that overran most went past its budget, and why, with how
// many of the runs overran. It returns 0 and "" when none did.
func perRunOverrun(b rlcore.Budget, what string, walltimes []time.Duration) (time.Duration, string) {
	var worst time.Duration
	over := 0
	for _, w := range walltimes {
		if o := b.Overrun(w); o > 0 {
			over++
			worst = max(worst, o)
		}
	}
	if over == 0 {
		return 0, ""
	}
	return worst, fmt.Sprintf("%d of %d %s ran past their %v wall budget (this is the most): the budget is checked between steps, so the step running when it runs out finishes",
		over, len(walltimes), what, b.Duration)
}

// letFinish says how many jobs of a kind (pull, trial) running at the
// wall budget were let finish, in words that agree with the count.
func letFinish(n int, what string) string {
	if n == 1 {
		return "1 " + what + " running at the wall budget was let finish"
	}
	return fmt.Sprintf("%d %ss running at the wall budget were let finish", n, what)
}
