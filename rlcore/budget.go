package rlcore

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Budget limits a phase. Each unit counts one thing — environment steps,
// completed episodes, search pulls, tuning trials, wall time — and a phase
// accepts only the units it counts (see Check): a training run (a pull, a
// deployment, a comparison run) counts steps, episodes and time; a search
// counts pulls and time; a tuning run counts trials and time. Zero fields
// mean "no limit"; the phase stops at the first limit reached.
type Budget struct {
	Steps    int           // environment steps
	Episodes int           // completed episodes
	Pulls    int           // search pulls (a search's budget)
	Trials   int           // tuning trials (a tuning run's budget)
	Duration time.Duration // wall-clock time
}

// Unit names what a budget counts.
type Unit string

// The budget units, as ParseBudget reads them.
const (
	UnitSteps    Unit = "steps"
	UnitEpisodes Unit = "episodes"
	UnitPulls    Unit = "pulls"
	UnitTrials   Unit = "trials"
	UnitTime     Unit = "time"
)

// The units each kind of phase counts.
var (
	TrainingUnits = []Unit{UnitSteps, UnitEpisodes, UnitTime}
	SearchUnits   = []Unit{UnitPulls, UnitTime}
	TuningUnits   = []Unit{UnitTrials, UnitTime}
)

// IsZero reports whether the budget sets no limit at all.
func (b Budget) IsZero() bool { return b == Budget{} }

// Units lists the units the budget limits.
func (b Budget) Units() []Unit {
	var us []Unit
	for _, u := range []struct {
		set  bool
		unit Unit
	}{{b.Steps > 0, UnitSteps}, {b.Episodes > 0, UnitEpisodes}, {b.Pulls > 0, UnitPulls}, {b.Trials > 0, UnitTrials}, {b.Duration > 0, UnitTime}} {
		if u.set {
			us = append(us, u.unit)
		}
	}
	return us
}

// Check returns an error when the budget limits a unit that phase does not
// count (a search given "50trials"), naming the units it does count.
func (b Budget) Check(phase string, allowed ...Unit) error {
	for _, u := range b.Units() {
		if !slices.Contains(allowed, u) {
			names := make([]string, len(allowed))
			for i, a := range allowed {
				names[i] = string(a)
			}
			return fmt.Errorf("budget %s: %s counts %s, not %s", b, phase, strings.Join(names, " or "), u)
		}
	}
	return nil
}

// Exhausted reports whether a training run's counts or elapsed time reach
// a limit.
func (b Budget) Exhausted(steps, episodes int, elapsed time.Duration) bool {
	return (b.Steps > 0 && steps >= b.Steps) ||
		(b.Episodes > 0 && episodes >= b.Episodes) ||
		(b.Duration > 0 && elapsed >= b.Duration)
}

// Overrun is how far elapsed went past the wall-time limit (0 when there
// is none or it was kept).
func (b Budget) Overrun(elapsed time.Duration) time.Duration {
	if b.Duration <= 0 || elapsed <= b.Duration {
		return 0
	}
	return elapsed - b.Duration
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
	for _, c := range []struct {
		n    int
		unit Unit
	}{{b.Steps, UnitSteps}, {b.Episodes, UnitEpisodes}, {b.Pulls, UnitPulls}, {b.Trials, UnitTrials}} {
		if c.n > 0 {
			parts = append(parts, strconv.Itoa(c.n)+string(c.unit))
		}
	}
	if len(parts) == 0 {
		return "unlimited"
	}
	return strings.Join(parts, ",")
}

const budgetForms = "want a duration like 90s or 5m, or a count like 2000steps, 50episodes, 200pulls, 20trials"

// ParseBudget reads a budget such as "5m", "90s", "2000steps",
// "50episodes", "200pulls" or "20trials", or several of them joined by
// commas ("2m,500steps"). Each unit is distinct: Check says which ones a
// phase counts.
func ParseBudget(s string) (Budget, error) {
	var b Budget
	if strings.TrimSpace(s) == "" {
		return b, fmt.Errorf("empty budget: %s", budgetForms)
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		num := strings.TrimRightFunc(part, func(r rune) bool { return r < '0' || r > '9' })
		unit := part[len(num):]
		var count *int
		switch unit {
		case "steps", "step":
			count = &b.Steps
		case "episodes", "episode", "ep":
			count = &b.Episodes
		case "pulls", "pull":
			count = &b.Pulls
		case "trials", "trial":
			count = &b.Trials
		}
		if count != nil {
			n, err := strconv.Atoi(num)
			if err != nil || n <= 0 {
				return Budget{}, fmt.Errorf("budget %q: %q is not a positive count", s, part)
			}
			*count = n
			continue
		}
		d, err := time.ParseDuration(part)
		if err != nil {
			return Budget{}, fmt.Errorf("budget %q: cannot read %q: %s", s, part, budgetForms)
		}
		if d <= 0 {
			return Budget{}, fmt.Errorf("budget %q: the duration %q must be > 0", s, part)
		}
		b.Duration = d
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
