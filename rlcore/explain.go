package rlcore

import "context"

// Optional capabilities for explaining and exporting results (%explain,
// %export, `supersonic replay`; package rlcore/explain). Each is a small
// interface a task's Problem or Episode may implement; explain uses what
// is there and says what is not. A task that implements none still gets
// the waterfall of its quality after every step.

// ProgramPart is one named piece of a program as text: an LLVM function,
// a Halide stage's schedule, an assembly listing.
type ProgramPart struct {
	Name string
	Text string
}

// Snapshotter is the optional capability of an Episode that prints its
// current program as text, split into named parts, so that explain can
// tell which steps changed nothing and show the diff of the parts a step
// touched (for code size: the IR of each function).
type Snapshotter interface {
	Snapshot(ctx context.Context) ([]ProgramPart, error)
}

// Mixer is the optional capability of an Episode that counts what its
// current program is made of (for code size: instructions per opcode),
// shown before and after a result.
type Mixer interface {
	Mix(ctx context.Context) (map[string]int64, error)
}

// PrimaryMeasurer is the optional capability of a Problem that names the
// measure its quality is computed from ("ic" for code size), shown by
// explain after every step beside the quality.
type PrimaryMeasurer interface {
	PrimaryMeasure() string
}

// View is a task's own rendering of a step or a result: plain text for
// terminals and tests, HTML for notebooks ("" to show Text preformatted).
type View struct {
	Title string
	Text  string
	HTML  string
}

// StepViewer is the optional capability of a Problem that adds its own
// view of one step to explain's generic one (a schedule diff, the time of
// each stage). before and after are episodes at the states around step
// (0-based) of a replayed result; the viewer must not change them.
type StepViewer interface {
	ViewStep(ctx context.Context, step int, action string, before, after Episode) (View, error)
}

// ResultViewer is the optional capability of a Problem that renders a
// result as a whole, for tasks whose result is not a function of its
// actions (superopt: the best proved rewrite beside the target, with the
// latency of every instruction and the proof status).
type ResultViewer interface {
	// ViewResult renders the result of quality (as the run store holds
	// it) on benchmark.
	ViewResult(ctx context.Context, benchmark string, quality float64) (View, error)
}

// Exporter is the optional capability of a Problem whose results can be
// taken away and re-applied elsewhere (%export, `supersonic replay`).
type Exporter interface {
	// ExportResult describes the result of actions (task action indices) on
	// benchmark, of quality as the run store holds it: the initial program,
	// the tools, the actions in the tool's own spelling, command lines that
	// reproduce it, the measures and the validation performed.
	ExportResult(ctx context.Context, benchmark string, actions []int, quality float64) (*Export, error)
	// ReplayExport re-applies an export from its own content (not from the
	// benchmark's name, which may not exist here) and returns the
	// measures it gets, under the same keys as Export.Expected, and the
	// versions of the tools here, under the keys of Export.Tools.
	ReplayExport(ctx context.Context, x *Export) (measures map[string]float64, tools map[string]string, err error)
}

// Export is a task's self-contained description of one result; package
// rlcore/explain writes it as a file.
type Export struct {
	Benchmark string
	// Program is the initial program (for code size: the O0 module's
	// bitcode) and ProgramName a file name for it ("dijkstra.bc").
	Program     []byte
	ProgramName string
	// Result is the resulting program when the actions do not determine
	// it (superopt's rewrite), with a file name; nil otherwise.
	Result     []byte
	ResultName string
	// Tools are the versions of the tools the result depends on
	// ("llvm": "19.1.7", "clang": …).
	Tools map[string]string
	// Actions are the task's action names, Spelling the same actions as
	// the tool spells them (LLVM pipeline texts).
	Actions  []string
	Spelling []string
	// Commands are shell command lines that reproduce measures with the
	// tools alone, run in a folder holding Program as ProgramName; each
	// prints the number of the Expected measure named by its key.
	Commands map[string]string
	// Expected are the measures of the result and of the references
	// ("ic", "ic.o0", "ic.oz", "quality", …).
	Expected map[string]float64
	// Validation says what was checked when the export was made.
	Validation string
}
