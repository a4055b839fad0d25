package search

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// declared holds the tasks declared by name in this process. In a notebook
// a %%task cell declares its task in a gonb init function, which every
// later cell's program runs, so later cells find it by name.
var declared = struct {
	sync.Mutex
	specs map[string]Spec
	errs  map[string]error
}{specs: map[string]Spec{}, errs: map[string]error{}}

// Declare parses body as the %%task grammar and records the task under
// name, replacing an earlier declaration. A parse error is kept and
// returned by Declared, so that a bad declaration never stops a program
// that does not use it.
func Declare(name, body string) {
	spec, err := ParseSpec(name, body)
	declared.Lock()
	defer declared.Unlock()
	delete(declared.specs, name)
	delete(declared.errs, name)
	if err != nil {
		declared.errs[name] = err
		return
	}
	declared.specs[name] = spec
}

// Declared returns the task declared under name. The error says how to
// declare it, or why its declaration did not parse.
func Declared(name string) (Spec, error) {
	declared.Lock()
	defer declared.Unlock()
	if err, ok := declared.errs[name]; ok {
		return Spec{}, fmt.Errorf("task %q was declared with an error: %w", name, err)
	}
	if s, ok := declared.specs[name]; ok {
		return s, nil
	}
	names := slices.Sorted(maps.Keys(declared.specs))
	known := "none yet"
	if len(names) > 0 {
		known = strings.Join(names, ", ")
	}
	return Spec{}, fmt.Errorf("task %q is not declared in this session: run its %%%%task %s cell first (declared: %s)", name, name, known)
}
