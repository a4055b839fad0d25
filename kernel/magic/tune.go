package magic

import (
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
)

func init() {
	Register(&Magic{
		Name:  "tune",
		Usage: "%tune [RUN] [--trials N] [--budget 5m|50trials] [--workers N] [--nats URL|embedded]",
		Doc:   "tune the search winner's hyperparameters with ASHA",
		Help: `Tunes the winner of search RUN (a run id or name; default the newest
search) over its algorithm's hyperparameter ranges with ASHA (asynchronous
successive halving). The best configuration is stored; %deploy and %compare
use it.`,
		Flags: []Flag{
			{Name: "trials", Value: "N", Doc: "configurations ASHA starts (default 20)", Values: []string{"8", "20", "50"}},
			tuneBudgetFlag, workersFlag, natsFlag,
		},
		Parse: parseTune,
	})
}

// tuneCommand is %tune [RUN].
type tuneCommand struct {
	run    string
	trials int
	budget rlcore.Budget
	jobFlags
}

func parseTune(c *Call) (Command, error) {
	run, err := optionalRun(c)
	if err != nil {
		return nil, err
	}
	t := tuneCommand{run: run}
	if t.trials, _, err = parseIntFlag(c, "trials", 1, 10000); err != nil {
		return nil, err
	}
	if t.budget, _, err = parseBudgetFlag(c, "budget", "a tuning run", rlcore.TuningUnits); err != nil {
		return nil, err
	}
	if t.jobFlags, err = parseJobFlags(c); err != nil {
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
	opts = t.withWorkers(opts)
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
