package magic

import (
	"strconv"
	"strings"
)

func init() {
	Register(&Magic{
		Name:  "deploy",
		Usage: "%deploy [RUN] [--on test|train|SPEC,…] [--budget 60s|2000steps] [--from-scratch] [--workers N] [--nats URL|embedded]",
		Doc:   "train the (tuned) winner on each unseen program and keep its best, validated result",
		Help: `Deploys the winner of search RUN (default the newest), with its tuned
hyperparameters when %tune ran: on each benchmark of the task's test set it
trains the client RL within the budget and keeps the best action sequence,
replayed from scratch to validate it.

Training starts from what the search learned: the weights of the winner's
best pull (of the tuning trial that found the tuned configuration, after
%tune). --from-scratch starts from fresh weights, as the paper does. The
output and the stored deploy run say which weights were used; algorithms
that keep no weights (random, greedy, anneal, genetic, mcts, the bandits)
say so and start fresh.`,
		Flags: []Flag{onFlag, perBenchmarkBudgetFlag, fromScratchFlag, workersFlag, natsFlag},
		Parse: parseDeploy,
	})
}

var fromScratchFlag = Flag{Name: "from-scratch", Doc: "train from fresh weights instead of the search's (the paper's behaviour)"}

type deployCommand struct {
	phaseFlags
	fromScratch bool
}

func parseDeploy(c *Call) (Command, error) {
	p, err := parsePhase(c)
	_, scratch := c.Flags["from-scratch"]
	return deployCommand{phaseFlags: p, fromScratch: scratch}, err
}

func (d deployCommand) Validate() error { return nil }

func (d deployCommand) Expand() (Source, error) {
	return withTime(withNATS(Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchImport, searchviewImport),
		Main: `ctx, done := searchview.Context(context.Background())
view := searchview.WatchDeploy(` + strconv.Quote(runLabel(d.run)) + `, ` + d.budgetOrDefault() + `)
res, err := search.Deploy(ctx, view.Options(search.DeployOptions{` + strings.Join(d.deployOptions(), ", ") + `}))
view.Close(res)
done()
` + errorCheck + ``,
	}, d.nats)), nil
}

func (d deployCommand) deployOptions() []string {
	opts := d.options()
	if d.fromScratch {
		opts = append(opts, "FromScratch: true")
	}
	return opts
}
