package search

import (
	"context"
	"fmt"
	"log/slog"
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

// logOverrun logs that a phase went past its wall budget. A phase watched
// by an observer or callback (a notebook's widgets) prints the same fact in
// its summary, so there the line is at debug level: at info it reached the
// cell as a red stderr block repeating the summary's "over budget by …".
func logOverrun(logger *slog.Logger, watched bool, msg string, by time.Duration, why string, attrs ...any) {
	level := slog.LevelInfo
	if watched {
		level = slog.LevelDebug
	}
	logger.Log(context.Background(), level, msg, append(attrs, "by", by.Round(time.Millisecond), "why", why)...)
}
