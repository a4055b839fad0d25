package codesize

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/scratch"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/llvm"
)

// The optional capabilities of rlcore that %explain and %export use.
var (
	_ rlcore.Snapshotter     = (*Episode)(nil)
	_ rlcore.Mixer           = (*Episode)(nil)
	_ rlcore.PrimaryMeasurer = (*Problem)(nil)
	_ rlcore.Exporter        = (*Problem)(nil)
)

// PrimaryMeasure is the measure the quality is computed from.
func (p *Problem) PrimaryMeasure() string { return "ic" }

// Snapshot prints the module as textual IR, one part per defined function
// (named after it) and one part "(module)" for everything else (globals,
// declarations, attributes, metadata).
func (e *Episode) Snapshot(ctx context.Context) ([]rlcore.ProgramPart, error) {
	ir, err := e.IR(ctx)
	if err != nil {
		return nil, err
	}
	return SplitFunctions(ir), nil
}

var defineName = regexp.MustCompile(`@("(?:[^"\\]|\\.)*"|[-a-zA-Z$._0-9]+)\(`)

// SplitFunctions splits textual IR into one part per function definition
// and a "(module)" part with the remaining lines, in order.
func SplitFunctions(ir string) []rlcore.ProgramPart {
	var parts []rlcore.ProgramPart
	var rest, fn strings.Builder
	name := ""
	for _, line := range strings.SplitAfter(ir, "\n") {
		switch {
		case name == "" && strings.HasPrefix(line, "define "):
			name = "?"
			if m := defineName.FindStringSubmatch(line); m != nil {
				name = "@" + m[1]
			}
			fn.Reset()
			fn.WriteString(line)
		case name != "":
			fn.WriteString(line)
			if strings.HasPrefix(line, "}") {
				parts = append(parts, rlcore.ProgramPart{Name: name, Text: fn.String()})
				name = ""
			}
		default:
			rest.WriteString(line)
		}
	}
	if name != "" {
		parts = append(parts, rlcore.ProgramPart{Name: name, Text: fn.String()})
	}
	return append([]rlcore.ProgramPart{{Name: "(module)", Text: rest.String()}}, parts...)
}

// Mix counts the module's instructions per opcode (CompilerGym's InstCount
// without its totals), leaving out opcodes that do not occur.
func (e *Episode) Mix(ctx context.Context) (map[string]int64, error) {
	counts, err := e.InstCount(ctx)
	if err != nil {
		return nil, err
	}
	mix := map[string]int64{}
	for i := 3; i < len(counts) && i < len(llvm.InstCountNames); i++ {
		if counts[i] != 0 {
			mix[llvm.InstCountNames[i]] = counts[i]
		}
	}
	return mix, nil
}

// ExportResult packs the result of actions on benchmark: its O0 bitcode, the
// LLVM and clang versions, the passes as CompilerGym names them and as
// LLVM 19 pipeline texts, the opt-19 command lines that reproduce the
// count and the references, the expected counts and quality, and what
// Validate checked.
func (p *Problem) ExportResult(ctx context.Context, benchmark string, actions []int, _ float64) (*rlcore.Export, error) {
	b, err := p.prepare(ctx, benchmark)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(actions))
	spelling := make([]string, len(actions))
	for i, a := range actions {
		if a < 0 || a >= len(Passes) {
			return nil, fmt.Errorf("codesize: export %s: action %d (step %d) out of range [0, %d)", benchmark, a, i+1, len(Passes))
		}
		names[i], spelling[i] = Passes[a].Name, Passes[a].Pipeline
	}
	v, err := p.Validate(ctx, benchmark, names, -1)
	if err != nil {
		return nil, fmt.Errorf("codesize: export %s: %w", benchmark, err)
	}
	tools, err := p.tools(ctx)
	if err != nil {
		return nil, err
	}
	x := &rlcore.Export{
		Benchmark: b.name, Program: b.bitcode, ProgramName: programFileName(b.name),
		Tools: tools, Actions: names, Spelling: spelling,
		Expected: map[string]float64{
			"ic": float64(v.IC), "quality": b.quality(v.IC),
			"ic.o0": float64(b.base["o0"].IC), "ic.oz": float64(b.base["oz"].IC), "ic.o3": float64(b.base["o3"].IC),
		},
		Validation: validationText(v),
	}
	if x.Commands, err = reproducerCommands(names, x.ProgramName); err != nil {
		return nil, err
	}
	return x, nil
}

// reproducerCommands are the opt-19 command lines that print the count of
// passes and of the references on the module in file.
func reproducerCommands(passes []string, file string) (map[string]string, error) {
	cmds := map[string]string{}
	var err error
	if cmds["ic"], err = CountCommand(passes, file); err != nil {
		return nil, err
	}
	for _, ref := range []string{"o0", "oz", "o3"} {
		if cmds["ic."+ref], err = ReferenceCommand(ref, file); err != nil {
			return nil, err
		}
	}
	return cmds, nil
}

func validationText(v *Validation) string {
	s := fmt.Sprintf("replayed the %d passes from the O0 module in a fresh worker: %d instructions; LLVM's verifier accepted the module", len(v.Passes), v.IC)
	if v.Ran {
		return s + "; compiled it to the host's object code, linked and ran it: same stdout and exit status as the O0 build (clang-19's)"
	}
	return s + "; not run (the benchmark has no main)"
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// programFileName names the O0 module's file after the benchmark
// ("builtin:dijkstra" → "dijkstra.o0.bc").
func programFileName(bench string) string {
	base := filepath.Base(strings.TrimPrefix(strings.TrimPrefix(bench, "builtin:"), "csmith:"))
	if strings.HasPrefix(bench, "csmith:") {
		base = "csmith" + base
	}
	base = strings.TrimSuffix(base, filepath.Ext(base))
	base = strings.Trim(unsafeFileChars.ReplaceAllString(base, "_"), "_.")
	if base == "" {
		base = "module"
	}
	return base + ".o0.bc"
}

// tools are the versions of the LLVM tools the results depend on, and
// the target the task optimizes for.
func (p *Problem) tools(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for key, tool := range map[string]string{"clang": clang, "llvm": OptTool} {
		v, err := p.toolVersion(ctx, tool)
		if err != nil {
			return nil, err
		}
		out[key] = versionLine(v)
		if tool == OptTool {
			for _, line := range strings.Split(v, "\n") {
				if t, ok := strings.CutPrefix(strings.TrimSpace(line), "Default target:"); ok {
					out["target"] = strings.TrimSpace(t) + ", position-independent"
				}
			}
		}
	}
	return out, nil
}

// versionLine picks the line of `tool --version` that holds the version.
func versionLine(v string) string {
	for _, line := range strings.Split(v, "\n") {
		if strings.Contains(line, "version") {
			return strings.TrimSpace(line)
		}
	}
	return strings.TrimSpace(v)
}

// ReplayExport re-applies an export from its own O0 module (written to a
// temporary file and opened as a .bc benchmark): it validates the passes
// as Export did and returns the instruction counts, the quality and the
// tool versions here.
func (p *Problem) ReplayExport(ctx context.Context, x *rlcore.Export) (map[string]float64, map[string]string, error) {
	dir, err := scratch.Dir(replayPrefix)
	if err != nil {
		return nil, nil, fmt.Errorf("codesize: replay: %w", err)
	}
	defer os.RemoveAll(dir)
	name := strings.Trim(unsafeFileChars.ReplaceAllString(filepath.Base(x.ProgramName), "_"), "_.")
	if !strings.HasSuffix(name, ".bc") {
		name += ".bc"
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, x.Program, 0o644); err != nil {
		return nil, nil, fmt.Errorf("codesize: replay: %w", err)
	}
	b, err := p.prepare(ctx, path)
	if err != nil {
		return nil, nil, fmt.Errorf("codesize: replay: the exported module: %w", err)
	}
	v, err := p.Validate(ctx, path, x.Actions, -1)
	if err != nil {
		return nil, nil, fmt.Errorf("codesize: replay: %w", err)
	}
	tools, err := p.tools(ctx)
	if err != nil {
		return nil, nil, err
	}
	return map[string]float64{
		"ic": float64(v.IC), "quality": b.quality(v.IC),
		"ic.o0": float64(b.base["o0"].IC), "ic.oz": float64(b.base["oz"].IC), "ic.o3": float64(b.base["o3"].IC),
	}, tools, nil
}
