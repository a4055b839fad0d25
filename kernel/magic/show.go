package magic

import "strconv"

func init() {
	Register(&Magic{
		Name:  "show",
		Usage: "%show [RUN]",
		Doc:   "re-render a stored run: curves, leaderboard, deployments or comparison",
		Help:  "RUN is a run id or name (its newest run of any kind); default the newest run.",
		Parse: parseShow,
	})
}

type showCommand struct{ run string }

func parseShow(c *Call) (Command, error) {
	run, err := optionalRun(c)
	return showCommand{run: run}, err
}

func (s showCommand) Validate() error { return nil }

func (s showCommand) Expand() (Source, error) {
	return Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchviewImport, storeImport, widgetsImport),
		Main: `st, err := store.Open(store.DefaultPath())
` + errorCheck + `
defer st.Close()
err = searchview.ShowRun(context.Background(), st, ` + strconv.Quote(s.run) + `, widgets.Output{})
` + errorCheck,
	}, nil
}
