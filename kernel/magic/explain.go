package magic

import (
	"fmt"
	"strconv"
	"strings"
)

// %explain and %export: a stored result step by step, and taken away as
// one self-contained file (package rlcore/explain).

const explainImport = "github.com/supersonic-rl/supersonic/rlcore/explain"

var methodFlag = Flag{Name: "method", Value: "M", Doc: "a compare run's method (default supersonic, the client RL)", Values: []string{"supersonic", "random", "greedy", "anneal", "genetic"}}

func init() {
	Register(&Magic{
		Name:  "explain",
		Usage: "%explain [RUN] [BENCH] [--method M] [--step N|largest [--full]]",
		Doc:   "a result step by step: the measure after every action, no-op steps, the mix before and after, the diff of a step",
		Help: `Replays a deployed or compared result on a fresh episode of its task and
shows the waterfall: the task's measure (IR instructions for code size) and
quality after every step, with the instructions each pass removed or added and
the passes that changed nothing marked "no change"; then the mix of the
program before and after (instructions per opcode), the task's own views of
steps and of the result, and a command line of the task's own tools that
reproduces the final count (opt-19 for code size; the O0 module comes from
%export).

RUN is a deploy or compare run (id or name; a name means its newest deploy or
compare run; default the newest); BENCH one of its benchmarks, in full
(builtin:qsort) or by its last part (qsort); default the run's first.
--step N shows the diff of step N instead (--step largest: the step that
changed the measure most): only the parts it touched (the LLVM functions it
changed), highlighted, with three lines of context; add --full for the whole
text of those parts.

Go: explain.Explain(ctx, explain.Options{Run: RUN, Benchmark: BENCH}), then
x.Text(), x.HTML(), x.Diff(N, full).`,
		Flags: []Flag{methodFlag,
			{Name: "step", Value: "N|largest", Doc: "show the diff of step N (1 = the first action), or of the step that changed the measure most", Values: []string{"largest", "1"}},
			{Name: "full", Doc: "with --step: the whole text of the touched parts, not only the changes"}},
		Parse: parseExplain,
	})
	Register(&Magic{
		Name:  "export",
		Usage: "%export [RUN] [BENCH] [--method M] [--to FILE]",
		Doc:   "write a result to one self-contained file that `supersonic replay FILE` re-applies and checks",
		Help: `Writes one result (RUN and BENCH as for %explain) to a JSON file with
everything needed to re-apply it on any machine with the same tools: the task
and its options, the benchmark's initial program (for code size the O0 module,
gzip-compressed) and its SHA-256, the tool versions (LLVM, clang), the actions
in the task's names and in the tool's own spelling (LLVM pipeline texts), the
command lines that reproduce every count with the tools alone (opt-19 for the
result, -Oz, -O3 and O0), the expected measures and the validation performed
(replayed, verified, built and run).

  supersonic replay FILE

re-applies it (in process and with the printed commands), checks every number
and tool version, and says precisely what differs. The default FILE is
RUN-BENCH.supersonic.json in the notebook's folder.

Go: explain.Export(ctx, explain.Options{Run: RUN, Benchmark: BENCH}, FILE) and
explain.Replay(ctx, FILE).`,
		Flags: []Flag{methodFlag, {Name: "to", Value: "FILE", Doc: "the file to write (default RUN-BENCH.supersonic.json)"}},
		Parse: parseExport,
	})
}

// resultRef is RUN, BENCH and --method, shared by %explain and %export.
type resultRef struct{ run, bench, method string }

func parseResultRef(c *Call) (resultRef, error) {
	var r resultRef
	if len(c.Args) > 2 {
		return r, fmt.Errorf("want at most a run and a benchmark, got %q; usage: %s", strings.Join(c.Args, " "), c.Magic.Usage)
	}
	if len(c.Args) > 0 {
		r.run = c.Args[0]
		if err := checkRunRef(r.run); err != nil {
			return r, err
		}
	}
	if len(c.Args) > 1 {
		r.bench = c.Args[1]
	}
	r.method = c.Flags["method"]
	return r, nil
}

func (r resultRef) options() string {
	opts := []string{"Run: " + strconv.Quote(r.run)}
	if r.bench != "" {
		opts = append(opts, "Benchmark: "+strconv.Quote(r.bench))
	}
	if r.method != "" {
		opts = append(opts, "Method: "+strconv.Quote(r.method))
	}
	return "explain.Options{" + strings.Join(opts, ", ") + "}"
}

type explainCommand struct {
	ref  resultRef
	step int // 0: the waterfall; largestStep: the step that changed most
	full bool
}

const largestStep = -1

func parseExplain(c *Call) (Command, error) {
	ref, err := parseResultRef(c)
	if err != nil {
		return nil, err
	}
	e := explainCommand{ref: ref, full: c.Flags["full"] == "true"}
	if c.Flags["step"] == "largest" {
		e.step = largestStep
	} else if n, ok, err := parseIntFlag(c, "step", 1, 1_000_000); err != nil {
		return nil, fmt.Errorf("%w, or largest", err)
	} else if ok {
		e.step = n
	}
	if e.full && e.step == 0 {
		return nil, fmt.Errorf("--full goes with --step N (the full text of the parts step N touched)")
	}
	return e, nil
}

func (e explainCommand) Validate() error { return nil }

// showHTML is the Go that displays text (plain) and page (HTML) in a
// notebook, or prints text elsewhere.
const showHTML = `if gonbui.IsNotebook {
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMETextPlain: text,
		protocol.MIMETextHTML:  page,
	}})
} else {
	fmt.Print(text)
}`

func (e explainCommand) Expand() (Source, error) {
	imports := append(CoreImports(), "context", "fmt", "os", explainImport, GonbUIImport, `protocol "github.com/janpfeifer/gonb/gonbui/protocol"`)
	main := `x, err := explain.Explain(context.Background(), ` + e.ref.options() + `)
` + errorCheck + `
`
	if e.step == 0 {
		main += `text, page := x.Text(), x.HTML()
`
	} else {
		step := strconv.Itoa(e.step)
		if e.step == largestStep {
			main += `step := x.LargestStep()
if step == 0 {
	fmt.Println("no step changed the program")
	return
}
`
			step = "step"
		}
		main += `diffs, err := x.Diff(` + step + `, ` + strconv.FormatBool(e.full) + `)
` + errorCheck + `
s := x.Steps[` + step + `-1]
head := fmt.Sprintf("step %d of %s on %s: %s, %s %v -> %v", s.Index, x.Method, x.Benchmark, s.Action, x.Measure, s.Before, s.After)
if !s.Changed {
	head += " (no change)"
}
text := head + "\n" + explain.DiffText(diffs)
page := "<p><b>" + head + "</b></p>" + explain.DiffHTML(diffs)
`
	}
	return Source{Imports: imports, Main: main + showHTML}, nil
}

type exportCommand struct {
	ref resultRef
	to  string
}

func parseExport(c *Call) (Command, error) {
	ref, err := parseResultRef(c)
	if err != nil {
		return nil, err
	}
	return exportCommand{ref: ref, to: c.Flags["to"]}, nil
}

func (e exportCommand) Validate() error { return nil }

func (e exportCommand) Expand() (Source, error) {
	return Source{
		Imports: append(CoreImports(), "context", "fmt", "os", "sort", explainImport),
		Main: `path, f, err := explain.Export(context.Background(), ` + e.ref.options() + `, ` + strconv.Quote(e.to) + `)
` + errorCheck + `
fmt.Printf("wrote %s: %s on %s (%s run %d), %d actions, program %s (%d bytes, sha256 %.12s…)\n", path, f.Method, f.Benchmark, f.Run.Kind, f.Run.ID, len(f.Actions), f.Program.Name, f.Program.Size, f.Program.SHA256)
fmt.Printf("validation: %s\n", f.Validation)
keys := make([]string, 0, len(f.Expected))
for k := range f.Expected {
	keys = append(keys, k)
}
sort.Strings(keys)
for _, k := range keys {
	fmt.Printf("expected %-8s %v\n", k, f.Expected[k])
}
fmt.Printf("check it anywhere with the same tools: supersonic replay %s\n", path)`,
	}, nil
}
