package magic

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

// The magics of the four phases of the paper — declare a task, search the
// client-RL architectures, tune the winner, deploy it and compare it — and
// the two that read the run store. Each expands to a few calls of
// rlcore/search shown through widgets/searchview.

const (
	searchImport     = "github.com/supersonic-rl/supersonic/rlcore/search"
	searchviewImport = "github.com/supersonic-rl/supersonic/widgets/searchview"
	storeImport      = "github.com/supersonic-rl/supersonic/rlcore/store"
	widgetsImport    = "github.com/supersonic-rl/supersonic/widgets"
)

var (
	budgetFlag             = Flag{Name: "budget", Value: "5m|200pulls", Doc: "the whole phase's budget: wall time (90s, 5m) or a count (200pulls, 50trials)", Values: []string{"30s", "1m", "2m", "5m", "20pulls", "50pulls"}}
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

func init() {
	Register(&Magic{
		Name:  "task",
		Cell:  true,
		Usage: "%%task NAME   (then one key: value per line)",
		Doc:   "declare a code-optimization task: the problem and the space of client-RL architectures",
		Help: `The body declares the search space; later cells (%search NAME, %tune, …)
find the task by NAME. The cell checks every component name against the
registry (your own components registered in earlier cells included) and
shows the arms: the Cartesian product of the lists.

` + search.SpecHelp(),
		Parse: func(c *Call) (Command, error) {
			if len(c.Args) != 1 {
				return nil, fmt.Errorf("want exactly one task name after %%%%task, got %d words; usage: %%%%task NAME", len(c.Args))
			}
			if len(c.Flags) > 0 {
				return nil, fmt.Errorf("%%%%task takes no flags but --show-go")
			}
			return taskCommand{name: c.Args[0], body: c.Body}, nil
		},
	})
	Register(&Magic{
		Name:  "search",
		Usage: "%search NAME [--budget 5m|200pulls] [--pull 20s|2000steps] [--workers N] [--strategy " + strategyNames("|") + "] [--seed N] [--nats URL|embedded]",
		Doc:   "search the task's client-RL architectures in parallel, with live reward curves",
		Help: `Runs the architecture search of the task declared by %%task NAME: each pull
trains one arm's client RL briefly on the training benchmarks and scores it by
the mean best task quality it reaches (not clipped; for code size 1.0 = -Oz).
The live chart shows every arm's best quality, the table the leaderboard. A
Stop button (or Kernel > Interrupt) ends the search early: the pulls done so
far are kept in the run store (supersonic.db, or $SUPERSONIC_DB) and the best
arm so far is the winner.

Strategies:
` + strategyHelp(),
		Flags: []Flag{budgetFlag,
			{Name: "pull", Value: "20s|2000steps", Doc: "one pull's training budget (default: the task's pull: line)", Values: []string{"5s", "10s", "20s", "2000steps"}},
			workersFlag, natsFlag,
			{Name: "strategy", Value: strategyNames("|"), Doc: "how arms are chosen (default bandit)", Values: strings.Split(strategyNames(" "), " ")},
			seedFlag},
		Args:  func(prev []string) []string { return nil },
		Parse: parseSearch,
	})
	Register(&Magic{
		Name:  "tune",
		Usage: "%tune [RUN] [--trials N] [--budget 5m] [--workers N] [--scheduler asha] [--nats URL|embedded]",
		Doc:   "tune the search winner's hyperparameters with ASHA",
		Help: `Tunes the winner of search RUN (a run id or name; default the newest
search) over its algorithm's hyperparameter ranges with ASHA (asynchronous
successive halving). The best configuration is stored; %deploy and %compare
use it.`,
		Flags: []Flag{
			{Name: "trials", Value: "N", Doc: "configurations ASHA starts (default 20)", Values: []string{"8", "20", "50"}},
			budgetFlag, workersFlag, natsFlag,
			{Name: "scheduler", Value: "asha", Doc: "the trial scheduler; asha is the one there is", Values: []string{"asha"}},
		},
		Parse: parseTune,
	})
	Register(&Magic{
		Name:  "deploy",
		Usage: "%deploy [RUN] [--on test|train|SPEC,…] [--budget 60s|2000steps] [--workers N] [--nats URL|embedded]",
		Doc:   "train the (tuned) winner on each unseen program and keep its best, validated result",
		Help: `Deploys the winner of search RUN (default the newest), with its tuned
hyperparameters when %tune ran: on each benchmark of the task's test set it
trains the client RL within the budget and keeps the best action sequence,
replayed from scratch to validate it.`,
		Flags: []Flag{onFlag, perBenchmarkBudgetFlag, workersFlag, natsFlag},
		Parse: parseDeploy,
	})
	Register(&Magic{
		Name:  "compare",
		Usage: "%compare [RUN] [--baselines oz,random,greedy,anneal,genetic] [--on test|train|SPEC,…] [--budget 60s] [--workers N] [--nats URL|embedded]",
		Doc:   "compare the deployed client RL with the compiler's default and classic search baselines",
		Help: `Runs the winner of search RUN and every baseline on the same benchmarks with
the same budget per benchmark, then shows the quality of each relative to the
compiler's default (bar chart with geomean), the search overhead (time each
baseline needs to reach the best baseline's quality, divided by the client
RL's; the paper's measure) and the time-to-quality curves. A baseline is a
registered search algorithm (random, greedy, anneal, genetic, …) or a
reference compilation of the task (oz, o3 for code size).`,
		Flags: []Flag{
			{Name: "baselines", Value: "oz,random,…", Doc: "methods to compare with (default: the task's baseline and baselines)", Values: []string{"oz,random,greedy,anneal,genetic", "oz,random"}},
			onFlag, perBenchmarkBudgetFlag, workersFlag, natsFlag},
		Parse: parseCompare,
	})
	Register(&Magic{
		Name:  "runs",
		Usage: "%runs [--kind search|tune|deploy|compare] [--limit N] [--csv FILE]",
		Doc:   "the run store as a table",
		Help:  "--csv FILE writes the same runs to a CSV file (one header line; id, name, kind, task, strategy, status, started, finished, duration_s, parent, winner, winner_score, error) for pandas, R or a spreadsheet.",
		Flags: []Flag{
			{Name: "kind", Value: "search|tune|deploy|compare", Doc: "only runs of this kind", Values: []string{"search", "tune", "deploy", "compare"}},
			{Name: "limit", Value: "N", Doc: "at most N runs, newest first (default 50)"},
			{Name: "csv", Value: "FILE", Doc: "write the runs to a CSV file instead of showing them"},
		},
		Parse: parseRuns,
	})
	Register(&Magic{
		Name:  "show",
		Usage: "%show [RUN] [--phase search|tune|deploy|compare]",
		Doc:   "re-render a stored run: curves, leaderboard, deployments or comparison",
		Help: `RUN is a run id or name; default the newest run. The phases of one task
share its name: a name means its newest run of any phase, or of the phase
--phase names. When runs of several phases share the name and no --phase is
given, the cell first lists them and says which one it shows.`,
		Flags: []Flag{{Name: "phase", Value: "search|tune|deploy|compare", Doc: "the newest run of this phase with that name", Values: search.Phases}},
		Parse: parseShow,
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

// taskCommand is %%task NAME.
type taskCommand struct{ name, body string }

func (t taskCommand) Validate() error {
	if err := checkName("task name", t.name); err != nil {
		return err
	}
	if _, err := search.ParseSpec(t.name, t.body); err != nil {
		return err
	}
	return nil
}

func (t taskCommand) Expand() (Source, error) {
	return Source{
		Imports: append(CoreImports(), "fmt", "os", searchImport, searchviewImport),
		Decls: fmt.Sprintf(`// %s declares task %q for the cells after this one.
func %s() {
	search.Declare(%q, %s)
}`, initFuncName(t.name), t.name, initFuncName(t.name), t.name, goString(t.body)),
		Main: `spec, err := search.Declared(` + strconv.Quote(t.name) + `)
` + errorCheck + `
err = spec.Validate()
` + errorCheck + `
searchview.ShowTask(spec)`,
	}, nil
}

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
	return "rlcore.Budget{" + strings.Join(parts, ", ") + "}"
}

func parseBudgetFlag(c *Call, name string) (rlcore.Budget, bool, error) {
	v, ok := c.Flags[name]
	if !ok {
		return rlcore.Budget{}, false, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d <= 0 {
		return rlcore.Budget{}, true, fmt.Errorf("--%s %s: a budget must be > 0, e.g. 90s or 5m", name, v)
	}
	b, err := rlcore.ParseBudget(v)
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

// searchCommand is %search NAME.
type searchCommand struct {
	task     string
	strategy string
	budget   rlcore.Budget
	pull     rlcore.Budget
	hasPull  bool
	workers  int
	seed     int
	hasSeed  bool
	nats     string
}

func parseSearch(c *Call) (Command, error) {
	if len(c.Args) != 1 {
		return nil, fmt.Errorf("want the name of a task declared with %%%%task, got %d words; usage: %s", len(c.Args), c.Magic.Usage)
	}
	s := searchCommand{task: c.Args[0], strategy: c.Flags["strategy"]}
	var err error
	if s.budget, _, err = parseBudgetFlag(c, "budget"); err != nil {
		return nil, err
	}
	if s.pull, s.hasPull, err = parseBudgetFlag(c, "pull"); err != nil {
		return nil, err
	}
	if s.workers, _, err = parseIntFlag(c, "workers", 1, 256); err != nil {
		return nil, err
	}
	if s.seed, s.hasSeed, err = parseIntFlag(c, "seed", 0, 1<<31-1); err != nil {
		return nil, err
	}
	if s.nats, err = parseNATS(c); err != nil {
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
	if s.workers > 0 {
		opts = append(opts, "Workers: "+strconv.Itoa(s.workers))
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

// tuneCommand is %tune [RUN].
type tuneCommand struct {
	run     string
	trials  int
	budget  rlcore.Budget
	workers int
	nats    string
}

func parseTune(c *Call) (Command, error) {
	run, err := optionalRun(c)
	if err != nil {
		return nil, err
	}
	t := tuneCommand{run: run}
	if s, ok := c.Flags["scheduler"]; ok && s != "asha" {
		return nil, fmt.Errorf("--scheduler %q: the only scheduler is asha", s)
	}
	if t.trials, _, err = parseIntFlag(c, "trials", 1, 10000); err != nil {
		return nil, err
	}
	if t.budget, _, err = parseBudgetFlag(c, "budget"); err != nil {
		return nil, err
	}
	if t.workers, _, err = parseIntFlag(c, "workers", 1, 256); err != nil {
		return nil, err
	}
	if t.nats, err = parseNATS(c); err != nil {
		return nil, err
	}
	return t, nil
}

func (t tuneCommand) Validate() error { return nil }

func (t tuneCommand) Expand() (Source, error) {
	opts := []string{"Run: " + strconv.Quote(t.run), "Budget: budget"}
	if t.trials > 0 {
		opts = append(opts, "Trials: "+strconv.Itoa(t.trials))
	}
	if t.workers > 0 {
		opts = append(opts, "Workers: "+strconv.Itoa(t.workers))
	}
	return withTime(withNATS(Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchImport, searchviewImport),
		Main: `ctx, done := searchview.Context(context.Background())
budget := ` + budgetLiteral(t.budget) + `
view := searchview.WatchTune(` + strconv.Quote(runLabel(t.run)) + `, budget)
res, err := search.Tune(ctx, view.Options(search.TuneOptions{` + strings.Join(opts, ", ") + `}))
view.Close(res)
done()
` + errorCheck + ``,
	}, t.nats)), nil
}

func runLabel(run string) string {
	if run == "" {
		return "newest search"
	}
	return run
}

// phaseFlags are the flags %deploy and %compare share.
type phaseFlags struct {
	run       string
	on        []string
	budget    rlcore.Budget
	hasBudget bool
	workers   int
	nats      string
}

func parsePhase(c *Call) (phaseFlags, error) {
	var p phaseFlags
	var err error
	if p.run, err = optionalRun(c); err != nil {
		return p, err
	}
	if v, ok := c.Flags["on"]; ok {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				p.on = append(p.on, s)
			}
		}
		if len(p.on) == 0 {
			return p, fmt.Errorf("--on needs test, train or benchmark specs")
		}
	}
	if p.budget, p.hasBudget, err = parseBudgetFlag(c, "budget"); err != nil {
		return p, err
	}
	if p.workers, _, err = parseIntFlag(c, "workers", 1, 256); err != nil {
		return p, err
	}
	if p.nats, err = parseNATS(c); err != nil {
		return p, err
	}
	return p, nil
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
	if p.workers > 0 {
		opts = append(opts, "Workers: "+strconv.Itoa(p.workers))
	}
	return opts
}

func (p phaseFlags) budgetOrDefault() string {
	if p.hasBudget {
		return budgetLiteral(p.budget)
	}
	return "search.DefaultDeployBudget"
}

type deployCommand struct{ phaseFlags }

func parseDeploy(c *Call) (Command, error) {
	p, err := parsePhase(c)
	return deployCommand{p}, err
}

func (d deployCommand) Validate() error { return nil }

func (d deployCommand) Expand() (Source, error) {
	return withTime(withNATS(Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchImport, searchviewImport),
		Main: `ctx, done := searchview.Context(context.Background())
view := searchview.WatchDeploy(` + strconv.Quote(runLabel(d.run)) + `, ` + d.budgetOrDefault() + `)
res, err := search.Deploy(ctx, view.Options(search.DeployOptions{` + strings.Join(d.options(), ", ") + `}))
view.Close(res)
done()
` + errorCheck + ``,
	}, d.nats)), nil
}

type compareCommand struct {
	phaseFlags
	baselines []string
}

func parseCompare(c *Call) (Command, error) {
	p, err := parsePhase(c)
	if err != nil {
		return nil, err
	}
	cmd := compareCommand{phaseFlags: p}
	if v, ok := c.Flags["baselines"]; ok {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				cmd.baselines = append(cmd.baselines, s)
			}
		}
		if len(cmd.baselines) == 0 {
			return nil, fmt.Errorf("--baselines needs at least one method, e.g. oz,random,greedy")
		}
	}
	return cmd, nil
}

func (c compareCommand) Validate() error {
	for _, b := range c.baselines {
		if err := checkName("baseline", b); err != nil {
			return err
		}
	}
	return nil
}

func (c compareCommand) Expand() (Source, error) {
	opts := append(c.options(), "OnResult: searchview.CompareProgress")
	if len(c.baselines) > 0 {
		var q []string
		for _, s := range c.baselines {
			q = append(q, strconv.Quote(s))
		}
		opts = append(opts, "Baselines: []string{"+strings.Join(q, ", ")+"}")
	}
	return withTime(withNATS(Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchImport, searchviewImport, widgetsImport),
		Main: `ctx, done := searchview.Context(context.Background())
res, err := search.Compare(ctx, search.CompareOptions{` + strings.Join(opts, ", ") + `})
done()
` + errorCheck + `
err = searchview.ShowComparison(res, widgets.Output{})
` + errorCheck + ``,
	}, c.nats)), nil
}

type runsCommand struct {
	kind  string
	limit int
	csv   string
}

func parseRuns(c *Call) (Command, error) {
	if len(c.Args) > 0 {
		return nil, fmt.Errorf("takes no arguments, got %q; usage: %s", strings.Join(c.Args, " "), c.Magic.Usage)
	}
	r := runsCommand{kind: c.Flags["kind"], limit: 50, csv: c.Flags["csv"]}
	if n, ok, err := parseIntFlag(c, "limit", 1, 100000); err != nil {
		return nil, err
	} else if ok {
		r.limit = n
	}
	return r, nil
}

func (r runsCommand) Validate() error {
	switch r.kind {
	case "", "search", "tune", "deploy", "compare":
		return nil
	}
	return fmt.Errorf("--kind %q: want search, tune, deploy or compare", r.kind)
}

func (r runsCommand) Expand() (Source, error) {
	call := `searchview.ShowRuns(context.Background(), st, ` + strconv.Quote(r.kind) + `, ` + strconv.Itoa(r.limit) + `)`
	if r.csv != "" {
		call = `searchview.WriteRunsCSV(context.Background(), st, ` + strconv.Quote(r.kind) + `, ` + strconv.Itoa(r.limit) + `, ` + strconv.Quote(r.csv) + `)`
	}
	return Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchviewImport, storeImport),
		Main: `st, err := store.Open(store.DefaultPath())
` + errorCheck + `
defer st.Close()
err = ` + call + `
` + errorCheck,
	}, nil
}

type showCommand struct{ run, phase string }

func parseShow(c *Call) (Command, error) {
	run, err := optionalRun(c)
	return showCommand{run: run, phase: c.Flags["phase"]}, err
}

func (s showCommand) Validate() error { return search.CheckPhase(s.phase) }

func (s showCommand) Expand() (Source, error) {
	return Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchviewImport, storeImport, widgetsImport),
		Main: `st, err := store.Open(store.DefaultPath())
` + errorCheck + `
defer st.Close()
err = searchview.ShowRunPhase(context.Background(), st, ` + strconv.Quote(s.run) + `, ` + strconv.Quote(s.phase) + `, widgets.Output{})
` + errorCheck,
	}, nil
}
