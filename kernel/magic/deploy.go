package magic

import (
	"strconv"
	"strings"
)

func init() {
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
