package rlcore

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Budget limits a training run or a search. Zero fields mean "no limit";
// the run stops at the first limit reached.
type Budget struct {
	Steps    int           // environment steps (or pulls, for a search)
	Episodes int           // completed episodes
	Duration time.Duration // wall-clock time
}

// IsZero reports whether the budget sets no limit at all.
func (b Budget) IsZero() bool { return b == Budget{} }

// Exhausted reports whether the counts or elapsed time reach a limit.
func (b Budget) Exhausted(steps, episodes int, elapsed time.Duration) bool {
	return (b.Steps > 0 && steps >= b.Steps) ||
		(b.Episodes > 0 && episodes >= b.Episodes) ||
		(b.Duration > 0 && elapsed >= b.Duration)
}

// Progress is the fraction of the budget that s has spent, measured on the
// first limited dimension (steps, then episodes, then time); 0 when the
// budget is unlimited. Algorithms use it for schedules such as learning
// rate annealing.
func (b Budget) Progress(s Stats) float64 {
	switch {
	case b.Steps > 0:
		return float64(s.Steps) / float64(b.Steps)
	case b.Episodes > 0:
		return float64(s.Episodes) / float64(b.Episodes)
	case b.Duration > 0:
		return float64(s.Elapsed) / float64(b.Duration)
	}
	return 0
}

// String formats the budget the way ParseBudget reads it.
func (b Budget) String() string {
	var parts []string
	if b.Duration > 0 {
		parts = append(parts, b.Duration.String())
	}
	if b.Steps > 0 {
		parts = append(parts, strconv.Itoa(b.Steps)+"steps")
	}
	if b.Episodes > 0 {
		parts = append(parts, strconv.Itoa(b.Episodes)+"episodes")
	}
	if len(parts) == 0 {
		return "unlimited"
	}
	return strings.Join(parts, ",")
}

// ParseBudget reads a budget such as "5m", "90s", "200steps",
// "50episodes", "200trials" or "200pulls" (trials and pulls count as steps),
// or several of them joined by commas ("2m,500steps").
func ParseBudget(s string) (Budget, error) {
	var b Budget
	if strings.TrimSpace(s) == "" {
		return b, fmt.Errorf("empty budget: want a duration like 90s or 5m, or a count like 200steps, 50episodes, 100trials")
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		num := strings.TrimRightFunc(part, func(r rune) bool { return r < '0' || r > '9' })
		unit := part[len(num):]
		switch unit {
		case "steps", "step", "trials", "trial", "pulls", "pull":
			n, err := strconv.Atoi(num)
			if err != nil || n <= 0 {
				return Budget{}, fmt.Errorf("budget %q: %q is not a positive count", s, part)
			}
			b.Steps = n
		case "episodes", "episode", "ep":
			n, err := strconv.Atoi(num)
			if err != nil || n <= 0 {
				return Budget{}, fmt.Errorf("budget %q: %q is not a positive count", s, part)
			}
			b.Episodes = n
		default:
			d, err := time.ParseDuration(part)
			if err != nil {
				return Budget{}, fmt.Errorf("budget %q: cannot read %q: want a duration like 90s or 5m, or a count like 200steps, 50episodes, 100trials", s, part)
			}
			if d <= 0 {
				return Budget{}, fmt.Errorf("budget %q: the duration %q must be > 0", s, part)
			}
			b.Duration = d
		}
	}
	return b, nil
}

// Status says why a run stopped.
type Status int

const (
	// Finished: the run ended on its own (converged, search space exhausted).
	Finished Status = iota
	// BudgetExhausted: a limit of the Budget was reached.
	BudgetExhausted
	// Interrupted: the context was cancelled; the result holds everything
	// found until then.
	Interrupted
	// Failed: the run could not go on (for instance every episode failed).
	Failed
)

func (s Status) String() string {
	switch s {
	case Finished:
		return "finished"
	case BudgetExhausted:
		return "budget"
	case Interrupted:
		return "interrupted"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}
