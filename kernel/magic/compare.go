package magic

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
)

func init() {
	Register(&Magic{
		Name:  "compare",
		Usage: "%compare [RUN] [--with oz,random,greedy,anneal,genetic,zero-shot] [--on test|train|SPEC,…] [--budget 60s] [--workers N] [--nats URL|embedded]",
		Doc:   "compare the deployed client RL with the task's reference compilation and classic search methods",
		Help: `Runs the winner of search RUN and every other method on the same benchmarks
with the same budget per benchmark, then shows the quality of each relative to
the reference compilation (bar chart with geomean), the search overhead (time
each search method needs to reach the best one's quality, divided by the
client RL's; the paper's measure) and the time-to-quality curves. A method is
a reference compilation the task declares (oz, o3 for code size; o3 for
superopt), a registered search method (random, greedy, anneal, genetic) or
zero-shot: the policy %train trained across programs applied without
training (shown by default once %train has run). A search method searches
the winner's action space; METHOD@ACTIONS searches action space ACTIONS
instead (genetic@all: the compiler's own passes, beside a winner on the
learned coreset).
--baselines is the old spelling of --with.`,
		Flags: []Flag{
			{Name: "with", Value: "oz,random,…", Doc: "reference compilations and search methods to compare with (default: the spec's reference and methods)", Values: []string{"oz,random,greedy,anneal,genetic", "oz,random"}},
			{Name: "baselines", Value: "oz,random,…", Doc: "old spelling of --with", Values: []string{"oz,random,greedy,anneal,genetic", "oz,random"}},
			onFlag, perBenchmarkBudgetFlag, workersFlag, natsFlag},
		Parse: parseCompare,
	})
}

type compareCommand struct {
	phaseFlags
	with []string // reference compilations and search methods
}

func parseCompare(c *Call) (Command, error) {
	p, err := parsePhase(c)
	if err != nil {
		return nil, err
	}
	cmd := compareCommand{phaseFlags: p}
	v, ok := c.Flags["with"]
	if old, given := c.Flags["baselines"]; given {
		if ok {
			return nil, fmt.Errorf("--baselines is the old spelling of --with: give one of them")
		}
		v, ok = old, true
	}
	if ok {
		if cmd.with = rlcore.SplitList(v); len(cmd.with) == 0 {
			return nil, fmt.Errorf("--with needs at least one method (comma-separated), e.g. oz,random,greedy")
		}
	}
	return cmd, nil
}

func (c compareCommand) Validate() error {
	for _, b := range c.with {
		method, actions, ok := strings.Cut(b, "@")
		if err := checkName("method", method); err != nil {
			return err
		}
		if ok {
			if err := checkName("action space of method "+method, actions); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c compareCommand) Expand() (Source, error) {
	opts := append(c.options(), "OnResult: searchview.CompareProgress")
	if len(c.with) > 0 {
		var q []string
		for _, s := range c.with {
			q = append(q, strconv.Quote(s))
		}
		opts = append(opts, "With: []string{"+strings.Join(q, ", ")+"}")
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
