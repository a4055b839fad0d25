package magic

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// What the magics of the four phases of the paper share — declare a task
// (%%task), search the client-RL architectures (%search), tune the winner
// (%tune), deploy it (%deploy) and compare it (%compare) — and the two that
// read the run store (%runs, %show): flags, names, budgets and the way an
// expansion stops on an error. Each magic lives in a file of its own and
// expands to a few calls of rlcore/search shown through widgets/searchview.

const (
	searchImport     = "github.com/supersonic-rl/supersonic/rlcore/search"
	searchviewImport = "github.com/supersonic-rl/supersonic/widgets/searchview"
	storeImport      = "github.com/supersonic-rl/supersonic/rlcore/store"
	widgetsImport    = "github.com/supersonic-rl/supersonic/widgets"
	evalImport       = "github.com/supersonic-rl/supersonic/rlcore/eval"
)

var (
	budgetFlag             = Flag{Name: "budget", Value: "5m|200pulls", Doc: "the search's budget: wall time (90s, 5m) and/or pulls (200pulls)", Values: []string{"30s", "1m", "2m", "5m", "20pulls", "50pulls"}}
	tuneBudgetFlag         = Flag{Name: "budget", Value: "5m|50trials", Doc: "the tuning run's budget: wall time (90s, 5m) and/or trials started (50trials)", Values: []string{"1m", "5m", "20trials", "50trials"}}
	perBenchmarkBudgetFlag = Flag{Name: "budget", Value: "60s|2000steps", Doc: "every method's budget per benchmark: wall time or steps", Values: []string{"10s", "30s", "60s", "2000steps"}}
	workersFlag            = Flag{Name: "workers", Value: "N", Doc: "parallel workers (default: the number of cores)", Values: []string{"1", "2", "4"}}
	seedFlag               = Flag{Name: "seed", Value: "N", Doc: "seed of every random choice (default: the task's seed)"}
	onFlag                 = Flag{Name: "on", Value: "test|train|SPEC,…", Doc: "benchmarks: the task's test set (default), its training set, or benchmark specs", Values: []string{"test", "train"}}
)

// taskNameRE is what a task or run name may look like in a magic.
var taskNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)

func checkName(what, name string) error {
	if !taskNameRE.MatchString(name) {
		return fmt.Errorf("%s %s: a name starts with a letter and has at most 64 letters, digits, '_', '-' or '.'", what, Echo(name))
	}
	return nil
}

// errorCheck is how expansions stop on an error: the message goes to the
// cell's error output and the program exits with status 1, so the cell is
// marked failed (and nbclient stops a notebook there).
const errorCheck = `if err != nil {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}`

// initFuncName names the gonb init function of a task: gonb runs every
// func init_…() before each later cell.
func initFuncName(task string) string {
	return "init_supersonicTask_" + strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return '_'
		}
		return r
	}, task)
}

// goString quotes s as a Go raw string when it can, for readable --show-go.
func goString(s string) string {
	if !strings.Contains(s, "`") && !strings.Contains(s, "\r") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// withTime adds the time import when the expansion's main uses it (budget
// literals with a duration).
func withTime(src Source) Source {
	if strings.Contains(src.Main, "time.") {
		src.Imports = append(src.Imports, "time")
	}
	return src
}

// budgetLiteral renders a budget as a Go composite literal.
func budgetLiteral(b rlcore.Budget) string {
	var parts []string
	if b.Duration > 0 {
		parts = append(parts, fmt.Sprintf("Duration: %d * time.Millisecond", b.Duration.Milliseconds()))
	}
	if b.Steps > 0 {
		parts = append(parts, fmt.Sprintf("Steps: %d", b.Steps))
	}
	if b.Episodes > 0 {
		parts = append(parts, fmt.Sprintf("Episodes: %d", b.Episodes))
	}
	if b.Pulls > 0 {
		parts = append(parts, fmt.Sprintf("Pulls: %d", b.Pulls))
	}
	if b.Trials > 0 {
		parts = append(parts, fmt.Sprintf("Trials: %d", b.Trials))
	}
	return "rlcore.Budget{" + strings.Join(parts, ", ") + "}"
}

// parseBudgetFlag reads a budget flag of a phase that counts units (an
// error names the units it counts).
func parseBudgetFlag(c *Call, name, phase string, units []rlcore.Unit) (rlcore.Budget, bool, error) {
	v, ok := c.Flags[name]
	if !ok {
		return rlcore.Budget{}, false, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d <= 0 {
		return rlcore.Budget{}, true, fmt.Errorf("--%s %s: a budget must be > 0, e.g. 90s or 5m", name, v)
	}
	b, err := rlcore.ParseBudget(v)
	if err == nil {
		err = b.Check(phase, units...)
	}
	if err != nil {
		return b, true, fmt.Errorf("--%s: %w", name, err)
	}
	return b, true, nil
}

func parseIntFlag(c *Call, name string, lo, hi int) (int, bool, error) {
	v, ok := c.Flags[name]
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, true, fmt.Errorf("--%s %q: want an integer from %d to %d", name, v, lo, hi)
	}
	return n, true, nil
}

// optionalRun reads the optional RUN argument.
func optionalRun(c *Call) (string, error) {
	switch len(c.Args) {
	case 0:
		return "", nil
	case 1:
		return c.Args[0], checkRunRef(c.Args[0])
	}
	return "", fmt.Errorf("want at most one run (an id or a name), got %q; usage: %s", strings.Join(c.Args, " "), c.Magic.Usage)
}

func checkRunRef(ref string) error {
	if _, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return nil
	}
	return checkName("run", ref)
}

func runLabel(run string) string {
	if run == "" {
		return "newest search"
	}
	return run
}

// jobFlags are --workers and --nats: where a phase runs its jobs (%search,
// %tune, %deploy and %compare).
type jobFlags struct {
	workers int
	nats    string
}

func parseJobFlags(c *Call) (jobFlags, error) {
	var j jobFlags
	var err error
	if j.workers, _, err = parseIntFlag(c, "workers", 1, 256); err != nil {
		return j, err
	}
	j.nats, err = parseNATS(c)
	return j, err
}

// withWorkers appends the phase option of --workers, when given, to opts.
func (j jobFlags) withWorkers(opts []string) []string {
	if j.workers > 0 {
		opts = append(opts, "Workers: "+strconv.Itoa(j.workers))
	}
	return opts
}

// phaseFlags are the flags %deploy and %compare share.
type phaseFlags struct {
	run       string
	on        []string
	budget    rlcore.Budget
	hasBudget bool
	jobFlags
}

func parsePhase(c *Call) (phaseFlags, error) {
	var p phaseFlags
	var err error
	if p.run, err = optionalRun(c); err != nil {
		return p, err
	}
	if v, ok := c.Flags["on"]; ok {
		if p.on = rlcore.SplitList(v); len(p.on) == 0 {
			return p, fmt.Errorf("--on needs test, train or benchmark specs")
		}
	}
	if p.budget, p.hasBudget, err = parseBudgetFlag(c, "budget", "a run on one benchmark", rlcore.TrainingUnits); err != nil {
		return p, err
	}
	p.jobFlags, err = parseJobFlags(c)
	return p, err
}

func (p phaseFlags) options() []string {
	opts := []string{"Run: " + strconv.Quote(p.run)}
	if len(p.on) > 0 {
		var q []string
		for _, s := range p.on {
			q = append(q, strconv.Quote(s))
		}
		opts = append(opts, "On: []string{"+strings.Join(q, ", ")+"}")
	}
	if p.hasBudget {
		opts = append(opts, "Budget: "+budgetLiteral(p.budget))
	}
	return p.withWorkers(opts)
}

func (p phaseFlags) budgetOrDefault() string {
	if p.hasBudget {
		return budgetLiteral(p.budget)
	}
	return "search.DefaultDeployBudget"
}
