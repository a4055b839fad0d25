package magic

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

func init() {
	Register(&Magic{
		Name:  "task",
		Cell:  true,
		Usage: "%%task NAME   (then one key: value per line)",
		Doc:   "declare a code-optimization task: the problem and the space of client-RL architectures",
		Help: `The body declares the search space; later cells (%search NAME, %tune, …)
find the task by NAME. The kernel checks the task, component and algorithm
names before compiling anything (once a cell has registered components of
its own, the cell program checks them instead, seeing yours too) and the
cell shows the arms: the Cartesian product of the lists.

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
	spec, err := search.ParseSpec(t.name, t.body)
	if err != nil {
		return err
	}
	if componentsLinked() && !cellsRegister.Load() {
		// The same check the cell program makes, in milliseconds instead
		// of after a compile.
		return spec.Validate()
	}
	return nil
}

// cellsRegister is set once a Go cell of this kernel may have registered
// components of its own (its code calls a Register… function): their names
// are known only to the cell programs, so from then on %%task leaves the
// check of names to the expanded cell, which sees them.
var cellsRegister atomic.Bool

// NoteGoCell tells the package about a Go cell the kernel runs.
func NoteGoCell(code string) {
	if strings.Contains(code, "Register") {
		cellsRegister.Store(true)
	}
}

// componentsLinked reports whether this process knows the built-in
// components (the kernel binary links rlcore/all; a test of this package
// does not), so that %%task can be checked against them.
func componentsLinked() bool { return len(rlcore.List(rlcore.KindTask, "")) > 0 }

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
