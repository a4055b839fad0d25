package magic

import (
	"fmt"
	"strconv"
	"strings"
)

func init() {
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
		if cmd.baselines = commaList(v); len(cmd.baselines) == 0 {
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
