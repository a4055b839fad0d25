package rlcore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is the task contract: everything a task provides and everything
// the search may ask of it. The package documentation (doc.go) walks
// through it; rlcore/tasktest checks a task against it; rlcore/tasks
// explains how to write one.

// Task is a registered compiler optimization problem ("codesize",
// "superopt", …): a plain value, like an analyzer of go/analysis, that
// tools list and use by its fields. Register it with [RegisterTask] from
// the task package's init function.
type Task struct {
	// Name is how %%task cells name the task (task: NAME).
	Name string
	// Doc is one line for listings.
	Doc string
	// Options are the task's options (option.NAME: value in a %%task
	// cell). They are validated generically before Open: an unknown name
	// or a value that does not parse as the option's Type is an error
	// listing the allowed options with their types.
	Options []Option
	// References are the reference compilations the task's episodes can
	// measure (see [Referencer]): the compiler's own answers to the same
	// problem, such as -Oz, gcc -O3, a default schedule or an
	// auto-scheduler. Compare reports them beside the client RL.
	References []Reference
	// DefaultReference is the reference Compare reports when the spec names
	// none ("" for none); it must be one of References.
	DefaultReference string
	// Measures are the metrics Episode.Measure understands (registered for
	// listings with the task's name).
	Measures []Measure
	// CheckBenchmark checks one benchmark spec (an item of a %%task
	// `benchmarks:` or `test:` list) without opening the problem — no tool
	// runs, no benchmark is prepared — so that a malformed spec is answered
	// the moment a %%task cell is checked, before anything compiles. nil
	// when the task has no such check; Problem.Benchmarks checks every spec
	// again when it resolves it.
	CheckBenchmark func(spec string) error
	// Open creates the problem. cfg.Options holds every declared option,
	// parsed, with defaults for the ones not given. Open checks the tools
	// the task needs (a compiler, a solver) so that a missing one fails
	// here, before any search starts.
	Open func(ctx context.Context, cfg OpenConfig) (Problem, error)
}

// OpenConfig is what Task.Open receives.
type OpenConfig struct {
	// Seed is the run's seed: every random choice of the problem (test
	// inputs, random program details) flows from it.
	Seed int64
	// Options are the task's declared options, validated and completed
	// with defaults (see Task.ParseOptions).
	Options OptionValues
	// Logger receives the problem's diagnostics; nil means slog.Default().
	Logger *slog.Logger
}

// Log returns cfg.Logger or slog.Default().
func (cfg OpenConfig) Log() *slog.Logger {
	if cfg.Logger != nil {
		return cfg.Logger
	}
	return slog.Default()
}

// OptionType is the type of a task option's value.
type OptionType string

// The option types. A list is comma-separated, like every list of a
// %%task cell.
const (
	OptString   OptionType = "string"
	OptInt      OptionType = "int"
	OptFloat    OptionType = "float"
	OptBool     OptionType = "bool"     // true or false
	OptDuration OptionType = "duration" // a Go duration such as 10s
	OptList     OptionType = "list"     // comma-separated strings
)

// Option declares one task option.
type Option struct {
	Name    string
	Type    OptionType
	Default string // as written in a %%task cell; "" for none
	Doc     string
}

// Reference declares a reference compilation of a task.
type Reference struct {
	Name string // as written in `reference:` and --with, e.g. "oz"
	Doc  string
}

// OptionValues are a task's option values by name, as validated by
// Task.ParseOptions. Their getters read a declared option of the matching
// type; an undeclared name reads as the zero value.
type OptionValues map[string]string

// String returns option name.
func (v OptionValues) String(name string) string { return v[name] }

// Int returns an int option.
func (v OptionValues) Int(name string) int { n, _ := strconv.Atoi(v[name]); return n }

// Float returns a float option.
func (v OptionValues) Float(name string) float64 {
	f, _ := strconv.ParseFloat(v[name], 64)
	return f
}

// Bool returns a bool option.
func (v OptionValues) Bool(name string) bool { b, _ := strconv.ParseBool(v[name]); return b }

// Duration returns a duration option.
func (v OptionValues) Duration(name string) time.Duration {
	d, _ := time.ParseDuration(v[name])
	return d
}

// List returns a list option's items (nil when empty).
func (v OptionValues) List(name string) []string { return SplitList(v[name]) }

// SplitList splits a comma-separated list and trims its items; empty items
// are dropped.
func SplitList(s string) []string {
	var out []string
	for _, it := range strings.Split(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// OptionHelp lists the task's options as "name (type, default d): doc",
// one per line.
func (t *Task) OptionHelp() string {
	var b strings.Builder
	for _, o := range t.Options {
		fmt.Fprintf(&b, "option.%s (%s", o.Name, o.Type)
		if o.Default != "" {
			fmt.Fprintf(&b, ", default %s", o.Default)
		}
		fmt.Fprintf(&b, "): %s\n", o.Doc)
	}
	return b.String()
}

func (t *Task) allowedOptions() string {
	if len(t.Options) == 0 {
		return "task " + t.Name + " has no options"
	}
	parts := make([]string, len(t.Options))
	for i, o := range t.Options {
		parts[i] = fmt.Sprintf("%s (%s)", o.Name, o.Type)
	}
	return "task " + t.Name + " has options: " + strings.Join(parts, ", ")
}

// ParseOptions validates given option values against the declared
// Options and fills in the defaults. An unknown name or a value that does
// not parse as its option's type is an error that lists the allowed
// options with their types.
func (t *Task) ParseOptions(given map[string]string) (OptionValues, error) {
	out := OptionValues{}
	decl := map[string]Option{}
	for _, o := range t.Options {
		decl[o.Name] = o
		out[o.Name] = o.Default
	}
	names := slices.Sorted(maps.Keys(given))
	var errs []error
	for _, k := range names {
		o, ok := decl[k]
		if !ok {
			errs = append(errs, fmt.Errorf("unknown option %q; %s", k, t.allowedOptions()))
			continue
		}
		v := strings.TrimSpace(given[k])
		if err := checkOptionValue(o.Type, v); err != nil {
			errs = append(errs, fmt.Errorf("option %s = %q: %w (%s: %s)", k, v, err, o.Type, o.Doc))
			continue
		}
		out[k] = v
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("task %s: %w", t.Name, err)
	}
	return out, nil
}

func checkOptionValue(typ OptionType, v string) error {
	var err error
	switch typ {
	case OptString, OptList, "":
	case OptInt:
		_, err = strconv.Atoi(v)
		if err != nil {
			err = errors.New("not an integer")
		}
	case OptFloat:
		_, err = strconv.ParseFloat(v, 64)
		if err != nil {
			err = errors.New("not a number")
		}
	case OptBool:
		_, err = strconv.ParseBool(v)
		if err != nil {
			err = errors.New("want true or false")
		}
	case OptDuration:
		_, err = time.ParseDuration(v)
		if err != nil {
			err = errors.New("not a duration such as 10s or 2m")
		}
	default:
		err = fmt.Errorf("the task declares an unknown option type %q", typ)
	}
	return err
}

// OpenTask looks up the task, validates options and opens a problem: what
// every caller of Task.Open should use.
func OpenTask(ctx context.Context, name string, options map[string]string, seed int64, logger *slog.Logger) (Problem, error) {
	t, err := LookupTask(name)
	if err != nil {
		return nil, err
	}
	vals, err := t.ParseOptions(options)
	if err != nil {
		return nil, err
	}
	p, err := t.Open(ctx, OpenConfig{Seed: seed, Options: vals, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("opening task %s: %w", name, err)
	}
	return p, nil
}

// NeedTool is what a task's Open calls for each program it runs (a
// compiler, a solver): nil when tool is on PATH, else an error that says
// what the task needs it for and how to install it (install.sh, or
// apt-get install of debs, the Debian packages that hold it). Checking
// when the task opens turns a missing tool into one clear error instead
// of every episode failing.
func NeedTool(tool, purpose string, debs ...string) error {
	if _, err := exec.LookPath(tool); err != nil {
		return fmt.Errorf("%s is not installed or not on PATH (%s): run ./install.sh, or apt-get install %s: %w",
			tool, purpose, strings.Join(debs, " "), err)
	}
	return nil
}

// CheckReference reports whether ref is a reference compilation the task
// declares; the error lists the declared ones.
func (t *Task) CheckReference(ref string) error {
	names := make([]string, len(t.References))
	for i, r := range t.References {
		if r.Name == ref {
			return nil
		}
		names[i] = r.Name
	}
	if len(names) == 0 {
		return fmt.Errorf("task %s declares no reference compilation, so %q cannot be measured", t.Name, ref)
	}
	return fmt.Errorf("task %s has no reference compilation %q; it has: %s", t.Name, ref, strings.Join(names, ", "))
}

// Problem is an opened task: a set of actions and a way to start episodes
// on benchmarks. Implementations must be safe for concurrent use by
// several episodes (parallel search workers share one Problem). A problem
// may also implement the optional capabilities [Validator] and
// [ResultChecker].
type Problem interface {
	// Task is the registered task name.
	Task() string
	// Actions names every action of the task; an action is its index.
	Actions() []string
	// Benchmarks resolves one benchmark spec — one item of a %%task
	// `benchmarks:` list, such as "builtin:*", "csmith:1-10" or a path —
	// into benchmark names that NewEpisode accepts. An unknown spec is an
	// error that says what is allowed; a spec none of whose benchmarks can
	// be used wraps ErrNoUsableBenchmark.
	Benchmarks(ctx context.Context, spec string) ([]string, error)
	// NewEpisode starts from the benchmark's initial program. A benchmark
	// that cannot be prepared is an error for this call only: the problem
	// stays usable for other benchmarks.
	NewEpisode(ctx context.Context, benchmark string) (Episode, error)
	io.Closer
}

// ErrNoUsableBenchmark marks (wrapped) the error of Problem.Benchmarks for
// a spec whose benchmarks exist but none of which can be used — a C file
// that does not compile, an empty module — as opposed to a bad spec. A
// search skips such a spec with its diagnostics, wherever it comes from (a
// file in a list, a folder), as long as another spec gives a usable
// benchmark.
var ErrNoUsableBenchmark = errors.New("no usable benchmark")

// Episode is the mutable state of one benchmark being optimized. An
// episode is used by one goroutine at a time. It may also implement the
// optional capability [Referencer].
type Episode interface {
	Benchmark() string
	// Apply performs action (an index into Problem.Actions).
	Apply(ctx context.Context, action int) error
	// Measure reads a metric of the current program: one of the task's
	// declared Measures (e.g. "ic" for instruction count); any other name
	// is an error.
	Measure(ctx context.Context, metric string) (float64, error)
	// Quality is the task's canonical score of the current program,
	// comparable across benchmarks and reward functions, higher is better
	// (for code size: 1.0 = as many instructions removed as -Oz).
	Quality(ctx context.Context) (float64, error)
	// Fork returns an independent copy of the current state: applying
	// actions to one does not change the other.
	Fork(ctx context.Context) (Episode, error)
	io.Closer
}

// Referencer is the optional capability of an Episode whose task declares
// reference compilations (Task.References): it measures the episode's
// benchmark as a reference compilation produces it. Rewards that compare
// with a reference (Reward.Reference) and Compare's reference rows use it.
type Referencer interface {
	// Reference reads metric of the benchmark compiled by reference ref
	// ("oz", "o3", …). The metric "quality" is the reference's Quality.
	Reference(ctx context.Context, ref, metric string) (float64, error)
}

// MeasureReference reads metric of ep's benchmark under reference ref;
// the error says when the episode's task has no reference compilations.
func MeasureReference(ctx context.Context, ep Episode, ref, metric string) (float64, error) {
	r, ok := ep.(Referencer)
	if !ok {
		return 0, fmt.Errorf("%s episodes measure no reference compilation (%T does not implement rlcore.Referencer)", ep.Benchmark(), ep)
	}
	return r.Reference(ctx, ref, metric)
}

// Validator is the optional capability of a Problem that checks a
// deployed action sequence beyond replaying it (for code size: that the
// optimized program still compiles and behaves like the original). actions
// are task action indices (into Problem.Actions), as applied. Deploy calls
// it after a replay on a fresh episode reached the recorded quality.
type Validator interface {
	ValidateActions(ctx context.Context, benchmark string, actions []int) error
}

// StateSaver is the optional capability of an Episode that saves its
// current program as data (for code size: the module's bitcode) without
// changing it and without a live copy beside it, unlike Fork.
type StateSaver interface {
	SaveState(ctx context.Context) ([]byte, error)
}

// SavedStateValidator is the optional capability of a Validator that
// validates a saved state (StateSaver) of an episode after actions (task
// action indices, as applied from the benchmark's start) that reached
// quality, as ValidateActions validates their replay, without applying
// them again. A zero-shot deployment validates its best state this way.
type SavedStateValidator interface {
	ValidateSavedState(ctx context.Context, benchmark string, state []byte, actions []int, quality float64) error
}

// ResultChecker is the optional capability of a Problem whose episodes are
// not a function of their action sequence alone — superopt's rewrite moves
// draw their details at random — so that replaying the actions cannot
// reproduce a result. Deploy and Compare then ask the problem to check the
// best result it recorded on the benchmark (for superopt: prove the best
// rewrite equivalent to the target again) instead of replaying.
type ResultChecker interface {
	CheckResult(ctx context.Context, benchmark string, quality float64) error
}

// Corpus is the optional capability of a Problem that proposes a large,
// varied training corpus for a policy trained across programs
// (search.Train): benchmark specs, generated programs included. The
// specs must name their seeds (csmith:10001-10040), so that the corpus is
// recorded.
type Corpus interface {
	Corpus() []string
}
