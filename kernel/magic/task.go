package magic

import (
	"fmt"
	"strconv"

	"github.com/supersonic-rl/supersonic/rlcore/search"
)

func init() {
	Register(&Magic{
		Name:  "task",
		Cell:  true,
		Usage: "%%task NAME   (then one key: value per line)",
		Doc:   "declare a code-optimization task: the problem and the space of client-RL architectures",
		Help: `The body declares the search space; later cells (%search NAME, %tune, …)
find the task by NAME. The cell checks every component name against the
registry (your own components registered in earlier cells included) and
shows the arms: the Cartesian product of the lists.

` + search.SpecHelp(),
		Parse: func(c *Call) (Command, error) {
			if len(c.Args) != 1 {
				return nil, fmt.Errorf("want exactly one task name after %%%%task, got %d words; usage: %%%%task NAME", len(c.Args))
			}
			if len(c.Flags) > 0 {
				return nil, fmt.Errorf("%%%%task takes no flags but --show-go")
			}
			return taskCommand{name: c.Args[0], body: c.Body}, nil
		},
	})
}

// taskCommand is %%task NAME.
type taskCommand struct{ name, body string }

func (t taskCommand) Validate() error {
	if err := checkName("task name", t.name); err != nil {
		return err
	}
	if _, err := search.ParseSpec(t.name, t.body); err != nil {
		return err
	}
	return nil
}

func (t taskCommand) Expand() (Source, error) {
	return Source{
		Imports: append(CoreImports(), "fmt", "os", searchImport, searchviewImport),
		Decls: fmt.Sprintf(`// %s declares task %q for the cells after this one.
func %s() {
	search.Declare(%q, %s)
}`, initFuncName(t.name), t.name, initFuncName(t.name), t.name, goString(t.body)),
		Main: `spec, err := search.Declared(` + strconv.Quote(t.name) + `)
` + errorCheck + `
err = spec.Validate()
` + errorCheck + `
searchview.ShowTask(spec)`,
	}, nil
}
