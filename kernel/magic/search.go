package magic

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

func init() {
	Register(&Magic{
		Name:  "search",
		Usage: "%search NAME [--budget 5m|200pulls] [--pull 20s|2000steps] [--workers N] [--strategy " + strategyNames("|") + "] [--seed N] [--nats URL|embedded] [--resume]",
		Doc:   "search the task's client-RL architectures in parallel, with live reward curves",
		Help: `Runs the architecture search of the task declared by %%task NAME: each pull
trains one arm's client RL briefly on the training benchmarks and scores it by
the mean best task quality it reaches (not clipped; for code size 1.0 = -Oz).
The live chart shows every arm's best quality, the table the leaderboard. A
Stop button (or Kernel > Interrupt) ends the search early: the pulls done so
far are kept in the run store (supersonic.db, or $SUPERSONIC_DB) and the best
arm so far is the winner.

--resume continues the last run of NAME instead of starting one: a search
that was stopped, or whose kernel died or was restarted. The pulls it
stored are kept; the pulls it had started run again — with --nats, those
that finished on the workers while no kernel ran are taken from the stream,
and those still running are waited for. The task must be declared as it
was (an error names what differs); --strategy and --pull, when given, must
be the run's; --budget left out is the run's and counts the pulls stored.
A finished run has nothing to resume (an error says so).

Strategies:
` + strategyHelp(),
		Flags: []Flag{budgetFlag,
			{Name: "pull", Value: "20s|2000steps", Doc: "one pull's training budget (default: the task's pull: line)", Values: []string{"5s", "10s", "20s", "2000steps"}},
			workersFlag, natsFlag,
			{Name: "strategy", Value: strategyNames("|"), Doc: "how arms are chosen (default bandit)", Values: strings.Split(strategyNames(" "), " ")},
			seedFlag,
			{Name: "resume", Doc: "continue the last run of NAME (stopped, or its kernel died) from the run store and the NATS stream"}},
		Args:  func(prev []string) []string { return nil },
		Parse: parseSearch,
	})
}

func strategyNames(sep string) string {
	var names []string
	for _, s := range search.Strategies() {
		names = append(names, s.Name)
	}
	return strings.Join(names, sep)
}

func strategyHelp() string {
	var b strings.Builder
	for _, s := range search.Strategies() {
		fmt.Fprintf(&b, "  %-8s %s\n", s.Name, s.Doc)
	}
	return b.String()
}

// searchCommand is %search NAME.
type searchCommand struct {
	task     string
	strategy string
	budget   rlcore.Budget
	pull     rlcore.Budget
	hasPull  bool
	seed     int
	hasSeed  bool
	resume   bool
	jobFlags
}

func parseSearch(c *Call) (Command, error) {
	if len(c.Args) != 1 {
		return nil, fmt.Errorf("want the name of a task declared with %%%%task, got %d words; usage: %s", len(c.Args), c.Magic.Usage)
	}
	s := searchCommand{task: c.Args[0], strategy: c.Flags["strategy"], resume: c.Flags["resume"] == "true"}
	var err error
	if s.budget, _, err = parseBudgetFlag(c, "budget", "a search", rlcore.SearchUnits); err != nil {
		return nil, err
	}
	if s.pull, s.hasPull, err = parseBudgetFlag(c, "pull", "a pull", rlcore.TrainingUnits); err != nil {
		return nil, err
	}
	if s.jobFlags, err = parseJobFlags(c); err != nil {
		return nil, err
	}
	if s.seed, s.hasSeed, err = parseIntFlag(c, "seed", 0, 1<<31-1); err != nil {
		return nil, err
	}
	return s, nil
}

func (s searchCommand) Validate() error {
	if err := checkName("task", s.task); err != nil {
		return err
	}
	if s.strategy != "" && !strings.Contains(" "+strategyNames(" ")+" ", " "+s.strategy+" ") {
		return fmt.Errorf("unknown strategy %q; known: %s", s.strategy, strategyNames(", "))
	}
	return nil
}

func (s searchCommand) Expand() (Source, error) {
	var opts []string
	if s.strategy != "" {
		opts = append(opts, "Strategy: "+strconv.Quote(s.strategy))
	}
	opts = append(opts, "Budget: budget")
	if s.hasPull {
		opts = append(opts, "PullBudget: "+budgetLiteral(s.pull))
	}
	opts = s.withWorkers(opts)
	if s.resume {
		opts = append(opts, "Resume: true")
	}
	seed := ""
	if s.hasSeed {
		seed = fmt.Sprintf("spec.Seed = %d\n", s.seed)
	}
	return withTime(withNATS(Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchImport, searchviewImport),
		Main: `ctx, done := searchview.Context(context.Background()) // Stop button, Kernel > Interrupt
spec, err := search.Declared(` + strconv.Quote(s.task) + `)
` + errorCheck + `
` + seed + `budget := ` + budgetLiteral(s.budget) + ` // zero: two pulls per arm
view := searchview.WatchSearch(spec.Name, budget)
res, err := search.Search(ctx, spec, view.Options(search.Options{` + strings.Join(opts, ", ") + `}))
view.Close(res)
done()
` + errorCheck + ``,
	}, s.nats)), nil
}
