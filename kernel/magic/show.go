package magic

import (
	"strconv"

	"github.com/supersonic-rl/supersonic/rlcore/search"
)

func init() {
	Register(&Magic{
		Name:  "show",
		Usage: "%show [RUN] [--phase search|tune|train|deploy|compare]",
		Doc:   "re-render a stored run: curves, leaderboard, deployments or comparison",
		Help: `RUN is a run id or name; default the newest run. The phases of one task
share its name: a name means its newest run of any phase, or of the phase
--phase names. When runs of several phases share the name and no --phase is
given, the cell first lists them and says which one it shows.`,
		Flags: []Flag{{Name: "phase", Value: "search|tune|train|deploy|compare", Doc: "the newest run of this phase with that name", Values: search.Phases}},
		Parse: parseShow,
	})
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
