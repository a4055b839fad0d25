package magic

import (
	"fmt"
	"strconv"
	"strings"
)

func init() {
	Register(&Magic{
		Name:  "deploy",
		Usage: "%deploy [RUN] [--on test|train|SPEC,…] [--budget 60s|2000steps] [--from-scratch|--zero-shot [--samples N]] [--workers N] [--nats URL|embedded]",
		Doc:   "train the (tuned) winner on each unseen program and keep its best, validated result",
		Help: `Deploys the winner of search RUN (default the newest), with its tuned
hyperparameters when %tune ran: on each benchmark of the task's test set it
trains the client RL within the budget and keeps the best action sequence,
replayed from scratch to validate it.

Training starts from what was learned: the policy %train trained across
programs when there is one, else the weights of the winner's best pull (of
the tuning trial that found the tuned configuration, after %tune). It first
applies those weights without training — a greedy rollout plus --samples
sampled ones, within the first half of the budget at most — then trains from them for the rest of the
budget, and keeps the better result. --from-scratch starts from fresh
weights, as the paper does. The output and the stored deploy run say which
weights were used; algorithms that keep no weights (random, greedy, anneal,
genetic, mcts, the bandits) say so and start fresh.

--zero-shot trains nothing: it applies the policy %train trained across
programs to each program — a greedy rollout plus --samples rollouts sampled
from the policy (default 3, seeded) — and keeps the best, validated on the
state its rollout reached. It takes under a second on most programs (more
where the rollouts run slow passes, such as LLVM's attributor on
csmith:90001). Without a %train run it applies the search's stored
weights, and says so.`,
		Flags: []Flag{onFlag, perBenchmarkBudgetFlag, fromScratchFlag,
			{Name: "zero-shot", Doc: "apply the policy trained across programs (%train) without training"},
			{Name: "samples", Value: "N", Doc: "sampled rollouts besides the greedy one, of --zero-shot or before training from stored weights (default 3)", Values: []string{"0", "3", "8"}},
			workersFlag, natsFlag},
		Parse: parseDeploy,
	})
}

var fromScratchFlag = Flag{Name: "from-scratch", Doc: "train from fresh weights instead of the search's (the paper's behaviour)"}

type deployCommand struct {
	phaseFlags
	fromScratch, zeroShot bool
	samples               int
	hasSamples            bool
}

func parseDeploy(c *Call) (Command, error) {
	p, err := parsePhase(c)
	if err != nil {
		return nil, err
	}
	d := deployCommand{phaseFlags: p}
	_, d.fromScratch = c.Flags["from-scratch"]
	_, d.zeroShot = c.Flags["zero-shot"]
	if d.samples, d.hasSamples, err = parseIntFlag(c, "samples", 0, 1000); err != nil {
		return nil, err
	}
	switch {
	case d.fromScratch && d.zeroShot:
		return nil, fmt.Errorf("--from-scratch and --zero-shot exclude each other: --zero-shot trains nothing, --from-scratch trains from fresh weights")
	case d.hasSamples && !d.zeroShot:
		return nil, fmt.Errorf("--samples counts the sampled rollouts of --zero-shot; add --zero-shot")
	case d.zeroShot && p.hasBudget:
		return nil, fmt.Errorf("--budget limits training, and --zero-shot trains nothing: drop one of them")
	}
	return d, nil
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
	if d.zeroShot {
		opts = append(opts, "ZeroShot: true")
	}
	if d.hasSamples {
		samples := d.samples
		if samples == 0 {
			samples = -1 // DeployOptions: negative for none
		}
		opts = append(opts, "Samples: "+strconv.Itoa(samples))
	}
	return opts
}
