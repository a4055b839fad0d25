package rlcore

import (
	"fmt"
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
	Task  string // the task it belongs to; "" when it works with any task
	Doc   string // one line
	Usage string // how to write a reference to it, e.g. "action-history(N)"
}

// registry holds components of one kind by name. Registering a name again
// replaces the earlier component, so that a notebook cell can be re-run.
type registry[T any] struct {
	kind  Kind
	mu    sync.RWMutex
	items map[string]T
	infos map[string]Info
}

func newRegistry[T any](kind Kind) *registry[T] {
	return &registry[T]{kind: kind, items: make(map[string]T), infos: make(map[string]Info)}
}

func (r *registry[T]) register(info Info, item T) {
	if info.Name == "" {
		panic(fmt.Sprintf("rlcore: registering a %s component with no name", r.kind))
	}
	if strings.ContainsAny(info.Name, " ,()+") {
		panic(fmt.Sprintf("rlcore: component name %q must not contain spaces, commas, '+' or parentheses", info.Name))
	}
	info.Kind = r.kind
	if info.Usage == "" {
		info.Usage = info.Name
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[info.Name] = item
	r.infos[info.Name] = info
}

// lookup finds a component usable with task ("" matches any). The error
// names what was asked and lists what is allowed.
func (r *registry[T]) lookup(name, task string) (T, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	item, ok := r.items[name]
	info := r.infos[name]
	if ok && (info.Task == "" || task == "" || info.Task == task) {
		return item, nil
	}
	var zero T
	allowed := r.namesLocked(task)
	kind := strings.TrimSuffix(string(r.kind), "s")
	if ok {
		return zero, fmt.Errorf("%s %q belongs to task %s, not %s; for %s use one of: %s", kind, name, info.Task, task, task, strings.Join(allowed, ", "))
	}
	return zero, fmt.Errorf("unknown %s %q; known: %s", kind, name, strings.Join(allowed, ", "))
}

func (r *registry[T]) namesLocked(task string) []string {
	var names []string
	for n, info := range r.infos {
		if task == "" || info.Task == "" || info.Task == task {
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
	measures    = newRegistry[*Measure](KindMeasure)
	algorithms  = newRegistry[*Algorithm](KindAlgorithm)
)

// RegisterTask makes a task available by name.
func RegisterTask(t *Task) { tasks.register(Info{Name: t.Name, Doc: t.Doc}, t) }

// RegisterState makes a state function available by name.
func RegisterState(s *State) {
	states.register(Info{Name: s.Name, Task: s.Task, Doc: s.Doc, Usage: s.Usage}, s)
}

// RegisterReward makes a reward function available by name.
func RegisterReward(r *Reward) { rewards.register(Info{Name: r.Name, Task: r.Task, Doc: r.Doc}, r) }

// RegisterActionSpace makes an action space available by name.
func RegisterActionSpace(a *ActionSpace) {
	actionSets.register(Info{Name: a.Name, Task: a.Task, Doc: a.Doc}, a)
}

// RegisterTransition makes a transition function available by name.
func RegisterTransition(t *Transition) {
	transitions.register(Info{Name: t.Name, Task: t.Task, Doc: t.Doc}, t)
}

// RegisterMeasure makes a measure (run function) available by name.
func RegisterMeasure(m *Measure) { measures.register(Info{Name: m.Name, Task: m.Task, Doc: m.Doc}, m) }

// RegisterAlgorithm makes an algorithm available by name.
func RegisterAlgorithm(a *Algorithm) {
	algorithms.register(Info{Name: a.Name, Doc: a.Doc + " [" + string(a.Kind) + "]"}, a)
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
		return measures.list(task)
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

// ParseRef reads "name" or "name(arg, arg…)".
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	if open < 0 {
		if s == "" || strings.ContainsAny(s, " ,)") {
			return Ref{}, fmt.Errorf("bad component reference %q: want name or name(args)", s)
		}
		return Ref{Name: s}, nil
	}
	if !strings.HasSuffix(s, ")") || open == 0 {
		return Ref{}, fmt.Errorf("bad component reference %q: want name or name(args)", s)
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
