package magic

import "fmt"

// reserved are the magics that later issues deliver. Until their file
// registers the real magic (which replaces the placeholder), a cell starting
// with one of them gets a clear "not available yet" error.
var reserved = []struct {
	name, usage, doc string
	cell             bool
}{
	{"task", "%%task NAME  (body: key: value lines declaring the search space)", "declare a task's search space", true},
	{"search", "%search NAME [--budget 5m|200trials] [--workers N] [--strategy bandit|drl|grid|random|anneal|genetic]", "search the declared space of client RL architectures", false},
	{"tune", "%tune [RUN] [--trials N] [--scheduler asha]", "tune the winner's hyperparameters", false},
	{"deploy", "%deploy [RUN] [--on test|BENCH…] [--budget 60s]", "deploy the tuned winner on unseen programs", false},
	{"compare", "%compare [RUN] [--baselines oz,random,greedy,anneal,genetic] [--budget 60s]", "compare with the compiler's default and search baselines", false},
	{"runs", "%runs", "the run store as a table", false},
	{"show", "%show RUN", "re-render a stored run's plots", false},
}

func init() {
	for _, r := range reserved {
		written := "%" + r.name
		if r.cell {
			written = "%" + written
		}
		Register(&Magic{
			Name: r.name, Cell: r.cell, Usage: r.usage, Doc: r.doc + " (not available yet)",
			placeholder: true,
			Parse: func(*Call) (Command, error) {
				return nil, fmt.Errorf("%s is not available yet in this version of Supersonic; available now: %%supersonic help | version | list", written)
			},
		})
	}
}
