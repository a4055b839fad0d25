package magic

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/search"
)

func init() {
	Register(&Magic{
		Name:  "runs",
		Usage: "%runs [--kind search|tune|train|deploy|compare] [--limit N] [--csv FILE]",
		Doc:   "the run store as a table",
		Help:  "--csv FILE writes the same runs to a CSV file (one header line; id, name, kind, task, strategy, status, started, finished, duration_s, parent, winner, winner_score, error) for pandas, R or a spreadsheet.",
		Flags: []Flag{
			{Name: "kind", Value: "search|tune|train|deploy|compare", Doc: "only runs of this kind", Values: search.Phases},
			{Name: "limit", Value: "N", Doc: "at most N runs, newest first (default 50)"},
			{Name: "csv", Value: "FILE", Doc: "write the runs to a CSV file instead of showing them"},
		},
		Parse: parseRuns,
	})
}

type runsCommand struct {
	kind  string
	limit int
	csv   string
}

func parseRuns(c *Call) (Command, error) {
	if len(c.Args) > 0 {
		return nil, fmt.Errorf("takes no arguments, got %q; usage: %s", strings.Join(c.Args, " "), c.Magic.Usage)
	}
	r := runsCommand{kind: c.Flags["kind"], limit: 50, csv: c.Flags["csv"]}
	if n, ok, err := parseIntFlag(c, "limit", 1, 100000); err != nil {
		return nil, err
	} else if ok {
		r.limit = n
	}
	return r, nil
}

func (r runsCommand) Validate() error {
	if r.kind == "" || slices.Contains(search.Phases, r.kind) {
		return nil
	}
	return fmt.Errorf("--kind %q: want %s", r.kind, strings.Join(search.Phases, ", "))
}

func (r runsCommand) Expand() (Source, error) {
	call := `searchview.ShowRuns(context.Background(), st, ` + strconv.Quote(r.kind) + `, ` + strconv.Itoa(r.limit) + `)`
	if r.csv != "" {
		call = `searchview.WriteRunsCSV(context.Background(), st, ` + strconv.Quote(r.kind) + `, ` + strconv.Itoa(r.limit) + `, ` + strconv.Quote(r.csv) + `)`
	}
	return Source{
		Imports: append(CoreImports(), "context", "fmt", "os", searchviewImport, storeImport),
		Main: `st, err := store.Open(store.DefaultPath())
` + errorCheck + `
defer st.Close()
err = ` + call + `
` + errorCheck,
	}, nil
}
