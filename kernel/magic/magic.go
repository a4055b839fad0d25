// Package magic parses, validates, completes and expands Supersonic's
// notebook magics (%supersonic, %%task, %search, …) into ordinary Go source
// that gonb runs in place of the cell.
//
// A magic is a *Magic value registered with Register, usually from the init
// function of a file of its own: name, usage, one-line doc, long help, flags
// (parsed and completed generically), a Parse function turning a *Call into
// a Command, and the Command's Validate and Expand methods. The registry
// then gives the kernel everything it needs: Detect (is this cell a magic?),
// Run (parse, validate and expand, or a clear *Error), Complete and Help.
package magic

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Magic describes one Supersonic magic command.
type Magic struct {
	// Name without the percent signs, e.g. "supersonic" or "task".
	Name string
	// Cell is true for a cell magic, written %%Name; the rest of the cell
	// is its body. A line magic is written %Name and takes the whole cell.
	Cell bool
	// Usage is the grammar, one line, e.g. "%search NAME [--budget 5m]".
	Usage string
	// Doc is a one-line description, shown in listings and completion.
	Doc string
	// Help is the long help shown by %supersonic help NAME and inspection.
	Help string
	// Flags lists the allowed --flags besides the generic --show-go.
	Flags []Flag
	// Args returns completion candidates for the positional argument at
	// index len(prev), given the positional arguments before it. May be nil.
	Args func(prev []string) []string
	// Parse turns a tokenized call into a command, or returns an error
	// saying what was wrong and what is allowed.
	Parse func(c *Call) (Command, error)
}

// Flag is a --flag of a magic.
type Flag struct {
	Name   string   // without dashes, e.g. "budget"
	Value  string   // placeholder of the value, e.g. "5m|200trials"; "" for a boolean flag
	Doc    string   // one line
	Values []string // completion candidates for the value, may be nil
}

// Call is one invocation of a magic, split into words.
type Call struct {
	Magic  *Magic
	Line   string            // the magic's line as typed
	Args   []string          // positional arguments
	Flags  map[string]string // flags given; boolean flags map to "true"
	Body   string            // the rest of the cell, for cell magics
	ShowGo bool              // --show-go was given
}

// Command is a parsed magic, ready to be validated and expanded.
type Command interface {
	// Validate checks the values (names exist, ranges hold) and says what
	// is allowed when they do not.
	Validate() error
	// Expand returns the Go source the magic stands for.
	Expand() (Source, error)
}

// Source is the Go a command expands to, assembled into one gonb cell:
// imports, then top-level declarations, then the body of main after gonb's
// "%%" marker. gonb memorizes top-level declarations across cells, so
// expansions should keep Decls empty or use names unlikely to collide.
type Source struct {
	Imports []string // import specs: "fmt", `rlcore "…/rlcore"`, `_ "…/all"`
	Decls   string
	Main    string
}

// Error is a magic's parse or validation error, reported to the user with
// ename "MagicError" and nothing sent to gonb.
type Error struct {
	Magic string // name of the magic, "" when the cell named none
	Err   error
}

func (e *Error) Error() string {
	if e.Magic == "" {
		return e.Err.Error()
	}
	return "%" + e.Magic + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// EName is the exception name of every magic error.
const EName = "MagicError"

var (
	mu       sync.RWMutex
	registry = map[string]*Magic{}
)

// Register adds m to the registry. It panics on a duplicate, on a name of
// gonb's own commands or on an incomplete magic.
func Register(m *Magic) {
	if m.Name == "" || m.Usage == "" || m.Doc == "" || m.Parse == nil {
		panic(fmt.Sprintf("magic: registering %q: Name, Usage, Doc and Parse are required", m.Name))
	}
	if gonbCommands[m.Name] {
		panic(fmt.Sprintf("magic: %q collides with gonb's own %%%s command", m.Name, m.Name))
	}
	mu.Lock()
	defer mu.Unlock()
	if _, ok := registry[m.Name]; ok {
		panic(fmt.Sprintf("magic: %q registered twice", m.Name))
	}
	registry[m.Name] = m
}

// gonbCommands are gonb's own %-commands (v0.11.1), which Supersonic must
// not shadow and passes through to gonb untouched.
var gonbCommands = map[string]bool{
	"main": true, "args": true, "exec": true, "cd": true, "env": true, "goflags": true,
	"reset": true, "list": true, "ls": true, "rm": true, "remove": true, "track": true, "untrack": true,
	"test": true, "wasm": true, "widgets": true, "widgets_hb": true, "version": true, "help": true,
	"autoget": true, "noautoget": true, "goworkfix": true,
	"writefile": true, "script": true, "bash": true, "sh": true, "with_inputs": true,
	"with_password": true, "capture": true, "": true,
}

// Lookup returns the registered magic called name.
func Lookup(name string) (*Magic, bool) {
	mu.RLock()
	defer mu.RUnlock()
	m, ok := registry[name]
	return m, ok
}

// All returns every registered magic in workflow order (the order a
// notebook uses them), others by name.
func All() []*Magic {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]*Magic, 0, len(registry))
	for _, m := range registry {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := workflowRank(out[i].Name), workflowRank(out[j].Name)
		if ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// workflow is the order in which help lists the magics: the order a
// notebook uses them in.
var workflow = []string{"supersonic", "task", "search", "tune", "train", "deploy", "compare", "explain", "export", "runs", "show"}

func workflowRank(name string) int {
	for i, n := range workflow {
		if n == name {
			return i
		}
	}
	return len(workflow)
}

// Written returns how the magic is typed: "%name" or "%%name".
func (m *Magic) Written() string {
	if m.Cell {
		return "%%" + m.Name
	}
	return "%" + m.Name
}

// allowedNames lists the magics as typed, for error messages.
func allowedNames() string {
	var names []string
	for _, m := range All() {
		names = append(names, m.Written())
	}
	return strings.Join(names, ", ")
}
