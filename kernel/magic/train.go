package magic

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
)

func init() {
	Register(&Magic{
		Name:  "train",
		Usage: "%train [RUN] [--corpus SPEC,…] [--benchmarks SPEC,…] [--held-out test|SPEC,…] [--budget 5m|20000steps] [--rounds N] [--from-scratch]",
		Doc:   "train the (tuned) winner across many programs, for zero-shot deployment",
		Help: `Trains the winner of search RUN (default the newest), with its tuned
hyperparameters, on a large varied corpus, round after round: each round
trains on the corpus in a new seeded order, continuing from the previous
round's weights, then runs the greedy policy on the held-out fold (default
the task's test set) and stores it. The live chart shows the training
episodes and the held-out score per round. The best policy is what
%deploy --zero-shot and %compare (method zero-shot) apply.

The corpus defaults to what the task proposes (code size: every built-in
program and csmith programs 10001-10040, generated and compiled on first
use, a few seconds each, then cached) plus the task's training set; --benchmarks adds your own (a folder, .c files).
Neither ever includes the held-out fold nor the held-out set of
supersonic eval. Training starts from the search's stored weights of the
winner (--from-scratch: fresh). Only learners train: ppo, a2c, reinforce,
dqn, qlearning.`,
		Flags: []Flag{
			{Name: "corpus", Value: "SPEC,…", Doc: "benchmark specs to train on instead of the task's corpus", Values: []string{"builtin:*", "builtin:*,csmith:10001-10010"}},
			{Name: "benchmarks", Value: "SPEC,…", Doc: "your benchmarks, added to the corpus (a folder, .c files)"},
			{Name: "held-out", Value: "test|SPEC,…", Doc: "the fold the learning curve is measured on (default the task's test set)", Values: []string{"test"}},
			{Name: "budget", Value: "5m|20000steps", Doc: "the whole training's budget: wall time, steps or episodes (default 5m)", Values: []string{"30s", "2m", "5m", "20000steps"}},
			{Name: "rounds", Value: "N", Doc: "held-out evaluations, each after 1/N of the budget (default 10)", Values: []string{"3", "10"}},
			{Name: "from-scratch", Doc: "start from fresh weights instead of the search's"},
		},
		Parse: parseTrain,
	})
}

// trainCommand is %train [RUN].
type trainCommand struct {
	run                string
	corpus, benchmarks []string
	heldOut            []string
	budget             rlcore.Budget
	hasBudget          bool
	rounds             int
	fromScratch        bool
}

func parseTrain(c *Call) (Command, error) {
	run, err := optionalRun(c)
	if err != nil {
		return nil, err
	}
	t := trainCommand{run: run, corpus: rlcore.SplitList(c.Flags["corpus"]), benchmarks: rlcore.SplitList(c.Flags["benchmarks"]), heldOut: rlcore.SplitList(c.Flags["held-out"])}
	for _, f := range []struct {
		name string
		list []string
	}{{"corpus", t.corpus}, {"benchmarks", t.benchmarks}, {"held-out", t.heldOut}} {
		if _, given := c.Flags[f.name]; given && len(f.list) == 0 {
			return nil, fmt.Errorf("--%s needs benchmark specs, e.g. builtin:*,csmith:1-10", f.name)
		}
	}
	if t.budget, t.hasBudget, err = parseBudgetFlag(c, "budget", "a training run across programs", rlcore.TrainingUnits); err != nil {
		return nil, err
	}
	if t.rounds, _, err = parseIntFlag(c, "rounds", 1, 1000); err != nil {
		return nil, err
	}
	_, t.fromScratch = c.Flags["from-scratch"]
	return t, nil
}

func (t trainCommand) Validate() error { return nil }

func (t trainCommand) Expand() (Source, error) {
	budget := "search.DefaultTrainBudget"
	if t.hasBudget {
		budget = budgetLiteral(t.budget)
	}
	opts := []string{"Run: " + strconv.Quote(t.run), "Budget: budget", "Exclude: eval.HeldOut"}
	for _, l := range []struct {
		field string
		specs []string
	}{{"Corpus", t.corpus}, {"Benchmarks", t.benchmarks}, {"HeldOut", t.heldOut}} {
		if len(l.specs) > 0 {
			var q []string
			for _, s := range l.specs {
				q = append(q, strconv.Quote(s))
			}
			opts = append(opts, l.field+": []string{"+strings.Join(q, ", ")+"}")
		}
	}
	if t.rounds > 0 {
		opts = append(opts, "Rounds: "+strconv.Itoa(t.rounds))
	}
	if t.fromScratch {
		opts = append(opts, "FromScratch: true")
	}
	return withTime(Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchImport, searchviewImport, evalImport),
		Main: `ctx, done := searchview.Context(context.Background())
budget := ` + budget + `
view := searchview.WatchTrain(` + strconv.Quote(runLabel(t.run)) + `, budget)
res, err := search.Train(ctx, view.Options(search.TrainOptions{` + strings.Join(opts, ", ") + `}))
view.Close(res)
done()
` + errorCheck + ``,
	}), nil
}
