package rlcore

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Kind is a category of registered component.
type Kind string

// The component kinds, named as %supersonic list shows them.
const (
	KindTask       Kind = "tasks"
	KindState      Kind = "states"
	KindReward     Kind = "rewards"
	KindActions    Kind = "actions"
	KindTransition Kind = "transitions"
	KindMeasure    Kind = "measures"
	KindAlgorithm  Kind = "algorithms"
)

// Kinds lists every component kind in display order.
func Kinds() []Kind {
	return []Kind{KindTask, KindState, KindReward, KindActions, KindTransition, KindMeasure, KindAlgorithm}
}

// Info describes a registered component for listings and completion.
type Info struct {
	Kind  Kind
	Name  string
	Task  string // the tasks it applies to, comma-separated; "" when it works with any task
	Doc   string // one line
	Usage string // how to write a reference to it, e.g. "action-history(N)"
}

// registry holds components of one kind by name. Registering a name that
// another place of the program registered is an error naming both places;
// registering it again from the same place (a notebook cell run again)
// replaces the earlier component.
type registry[T any] struct {
	kind  Kind
	mu    sync.RWMutex
	items map[string]T
	infos map[string]Info
	sites map[string]string // name → file:line of its registration
}

func newRegistry[T any](kind Kind) *registry[T] {
	return &registry[T]{kind: kind, items: make(map[string]T), infos: make(map[string]Info), sites: make(map[string]string)}
}

// callerSite is the file:line of the code that called the Register
// function skip frames above the caller of callerSite.
func callerSite(skip int) string {
	_, file, line, ok := runtime.Caller(skip + 1)
	if !ok {
		return "unknown place"
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// register adds item; site is where the Register function was called.
func (r *registry[T]) register(info Info, item T, site string) {
	if info.Name == "" {
		panic(fmt.Sprintf("rlcore: registering a %s component with no name", r.kind))
	}
	if strings.ContainsAny(info.Name, " ,()+") {
		panic(fmt.Sprintf("rlcore: component name %q must not contain spaces, commas, '+' or parentheses", info.Name))
	}
	info.Kind = r.kind
	info.Task = strings.Join(SplitList(info.Task), ", ")
	if info.Usage == "" {
		info.Usage = info.Name
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.sites[info.Name]; ok && prev != site {
		kind := strings.TrimSuffix(string(r.kind), "s")
		panic(fmt.Errorf("rlcore: %s %q registered twice: at %s and at %s; choose another name", kind, info.Name, prev, site))
	}
	r.items[info.Name] = item
	r.infos[info.Name] = info
	r.sites[info.Name] = site
}

// lookup finds a component usable with task ("" matches any). The error
// names what was asked and lists what is allowed.
func (r *registry[T]) lookup(name, task string) (T, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	item, ok := r.items[name]
	info := r.infos[name]
	if ok && appliesTo(info.Task, task) {
		return item, nil
	}
	var zero T
	allowed := r.namesLocked(task)
	kind := strings.TrimSuffix(string(r.kind), "s")
	if ok {
		tasks := "task " + info.Task
		if strings.Contains(info.Task, ",") {
			tasks = "tasks " + info.Task
		}
		return zero, fmt.Errorf("%s %q belongs to %s, not %s; for %s use one of: %s", kind, name, tasks, task, task, strings.Join(allowed, ", "))
	}
	return zero, fmt.Errorf("unknown %s %q; known: %s", kind, name, strings.Join(allowed, ", "))
}

// appliesTo reports whether a component declared for tasks (a
// comma-separated list, "" for any task) can be used with task ("" asks
// about every task).
func appliesTo(tasks, task string) bool {
	if tasks == "" || task == "" {
		return true
	}
	for _, t := range SplitList(tasks) {
		if t == task {
			return true
		}
	}
	return false
}

func (r *registry[T]) namesLocked(task string) []string {
	var names []string
	for n, info := range r.infos {
		if appliesTo(info.Task, task) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func (r *registry[T]) list(task string) []Info {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Info
	for _, n := range r.namesLocked(task) {
		out = append(out, r.infos[n])
	}
	return out
}

var (
	tasks       = newRegistry[*Task](KindTask)
	states      = newRegistry[*State](KindState)
	rewards     = newRegistry[*Reward](KindReward)
	actionSets  = newRegistry[*ActionSpace](KindActions)
	transitions = newRegistry[*Transition](KindTransition)
	algorithms  = newRegistry[*Algorithm](KindAlgorithm)
)

// Every Register function panics on a name that is empty, malformed or
// already registered elsewhere in the program (the message names both
// places); registering the same name again from the same place replaces
// the component, so that a notebook cell can be run again.

// RegisterTask makes a task available by name, with its declared measures.
func RegisterTask(t *Task) {
	site := callerSite(1)
	if t.Open == nil {
		panic(fmt.Errorf("rlcore: task %q has no Open function", t.Name))
	}
	if t.DefaultReference != "" {
		if err := t.CheckReference(t.DefaultReference); err != nil {
			panic(fmt.Errorf("rlcore: task %q: default reference: %w", t.Name, err))
		}
	}
	for _, o := range t.Options {
		if err := checkOptionValue(o.Type, o.Default); err != nil && o.Default != "" {
			panic(fmt.Errorf("rlcore: task %q: option %s: default %q: %w", t.Name, o.Name, o.Default, err))
		}
	}
	for i := range t.Measures {
		t.Measures[i].Task = t.Name
	}
	tasks.register(Info{Name: t.Name, Doc: t.Doc}, t, site)
}

// RegisterState makes a state function available by name.
func RegisterState(s *State) {
	states.register(Info{Name: s.Name, Task: s.Task, Doc: s.Doc, Usage: s.Usage}, s, callerSite(1))
}

// RegisterReward makes a reward function available by name.
func RegisterReward(r *Reward) {
	rewards.register(Info{Name: r.Name, Task: r.Task, Doc: r.Doc}, r, callerSite(1))
}

// RegisterActionSpace makes an action space available by name.
func RegisterActionSpace(a *ActionSpace) {
	actionSets.register(Info{Name: a.Name, Task: a.Task, Doc: a.Doc}, a, callerSite(1))
}

// RegisterTransition makes a transition function available by name.
func RegisterTransition(t *Transition) {
	transitions.register(Info{Name: t.Name, Task: t.Task, Doc: t.Doc}, t, callerSite(1))
}

// RegisterAlgorithm makes an algorithm available by name.
func RegisterAlgorithm(a *Algorithm) {
	algorithms.register(Info{Name: a.Name, Doc: a.Doc + " [" + string(a.Kind) + "]"}, a, callerSite(1))
}

// LookupTask returns the task registered under name.
func LookupTask(name string) (*Task, error) { return tasks.lookup(name, "") }

// LookupAlgorithm returns the algorithm registered under name.
func LookupAlgorithm(name string) (*Algorithm, error) { return algorithms.lookup(name, "") }

// LookupReward returns the reward function name usable with task.
func LookupReward(name, task string) (*Reward, error) { return rewards.lookup(name, task) }

// LookupTransition returns the transition function name usable with task.
func LookupTransition(name, task string) (*Transition, error) { return transitions.lookup(name, task) }

// LookupActionSpace returns the action space name usable with task.
func LookupActionSpace(name, task string) (*ActionSpace, error) { return actionSets.lookup(name, task) }

// LookupState returns the state function name usable with task.
func LookupState(name, task string) (*State, error) { return states.lookup(name, task) }

// List returns the components of kind usable with task ("" for all),
// sorted by name.
func List(kind Kind, task string) []Info {
	switch kind {
	case KindTask:
		return tasks.list("")
	case KindState:
		return states.list(task)
	case KindReward:
		return rewards.list(task)
	case KindActions:
		return actionSets.list(task)
	case KindTransition:
		return transitions.list(task)
	case KindMeasure:
		// Measures belong to their task (two tasks may both measure
		// "runtime"), so they are listed from the tasks' declarations.
		var out []Info
		for _, ti := range tasks.list("") {
			t, _ := tasks.lookup(ti.Name, "")
			if task != "" && t.Name != task {
				continue
			}
			for _, m := range t.Measures {
				out = append(out, Info{Kind: KindMeasure, Name: m.Name, Task: t.Name, Doc: m.Doc, Usage: m.Name})
			}
		}
		return out
	case KindAlgorithm:
		return algorithms.list("")
	}
	return nil
}

// ParseKind reads a kind name as %supersonic list accepts it.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if s == string(k) || s == strings.TrimSuffix(string(k), "s") {
			return k, nil
		}
	}
	names := make([]string, 0, len(Kinds()))
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("unknown component kind %q; known: %s", s, strings.Join(names, ", "))
}

// Ref is a parsed component reference such as "action-history(8)".
type Ref struct {
	Name string
	Args []string
}

func (r Ref) String() string {
	if len(r.Args) == 0 {
		return r.Name
	}
	return r.Name + "(" + strings.Join(r.Args, ",") + ")"
}

// badRef is the error for a malformed reference; one with white space
// between names is most likely a list written without commas.
func badRef(s string) error {
	if f := strings.Fields(s); len(f) > 1 {
		if !strings.ContainsAny(s, "(),") {
			return fmt.Errorf("bad component reference %q: lists are comma-separated; write %q", s, strings.Join(f, ", "))
		}
		return fmt.Errorf("bad component reference %q: lists are comma-separated (name, name(args), …)", s)
	}
	return fmt.Errorf("bad component reference %q: want name or name(args)", s)
}

// ParseRef reads "name" or "name(arg, arg…)".
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	if open < 0 {
		if s == "" || strings.ContainsAny(s, " \t,)") {
			return Ref{}, badRef(s)
		}
		return Ref{Name: s}, nil
	}
	if !strings.HasSuffix(s, ")") || open == 0 || strings.ContainsAny(strings.TrimSpace(s[:open]), " \t") {
		return Ref{}, badRef(s)
	}
	ref := Ref{Name: strings.TrimSpace(s[:open])}
	inner := strings.TrimSpace(s[open+1 : len(s)-1])
	if strings.ContainsAny(inner, "()") {
		return Ref{}, fmt.Errorf("bad component reference %q: nested parentheses", s)
	}
	if inner != "" {
		for _, a := range strings.Split(inner, ",") {
			ref.Args = append(ref.Args, strings.TrimSpace(a))
		}
	}
	return ref, nil
}
