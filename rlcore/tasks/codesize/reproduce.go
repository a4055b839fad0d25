package codesize

import (
	"fmt"
	"os/exec"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// This file turns what the task does in process into command lines of
// LLVM's own tools that give the same instruction counts: the
// reproducers that crash reports, %explain and %export print. The tests
// in reproduce_test.go run every one of them.

// The reference compilations, exactly as the task computes them.
//
// A C benchmark is compiled once to an O0 module:
//
//	clang-19 -O0 -Xclang -disable-O0-optnone -emit-llvm -c [task cflags] prog.c -o prog.bc
//
// which carries clang's default target triple (x86_64-pc-linux-gnu here)
// and its data layout, and target-cpu/target-features attributes on every
// function (x86-64, the generic CPU). The task then runs the
// new-pass-manager pipeline default<Oz> (or default<O3>) on that module
// with LLVMRunPasses and a target machine for the host triple with
// position-independent code (Debian's clang builds PIE), at the default
// code-generation level; the subtarget of every function comes from its
// target-cpu attribute, so the host CPU does not matter for clang's
// modules. The equivalent opt-19 command is
//
//	opt-19 --relocation-model=pic -passes='default<Oz>' prog.bc -o prog.oz.bc
//
// Plain `opt-19 -Oz` builds a static-relocation target machine and gives
// different counts on some modules (qsort: 447 instead of 441; adpcm: 433
// instead of 327). Do not pass -mcpu to opt-19: it rewrites every
// function's target-cpu attribute and changes the -O3 counts.
const (
	// OptTool and ClangTool are the LLVM 19 binaries the reproducers call.
	OptTool   = "opt-19"
	ClangTool = clang
	// RelocationFlag makes opt-19's target machine match the task's.
	RelocationFlag = "--relocation-model=pic"
	// CountScript prints the IR instruction count (CompilerGym's
	// IrInstructionCount, the task's "ic" measure) of the textual IR on
	// its standard input: the instruction lines inside function bodies.
	CountScript = `awk '/^define /{f=1;next} /^}/{f=0} f && /^  [^ \]]/{n++} END{print n+0}'`
)

// ReferencePipelines are the pipelines of the reference compilations, by
// baseline name ("o0" runs none).
var ReferencePipelines = map[string]string{"o0": "", "oz": "default<Oz>", "o3": "default<O3>"}

// CompileCommand is the clang-19 command that makes a C benchmark's O0
// module, as the task compiles it (cflags are the task's and the
// benchmark's extra flags).
func CompileCommand(src, out string, cflags []string) string {
	parts := append([]string{ClangTool, "-O0", "-Xclang", "-disable-O0-optnone", "-emit-llvm", "-c"}, cflags...)
	parts = append(parts, shellQuote(src), "-o", shellQuote(out))
	return strings.Join(parts, " ")
}

// ReferenceCommand is the opt-19 command line that computes a reference
// compilation ("o0", "oz" or "o3") of the O0 module in, piped into
// CountScript so that it prints the instruction count the task uses.
func ReferenceCommand(ref, in string) (string, error) {
	pipeline, ok := ReferencePipelines[ref]
	if !ok {
		return "", fmt.Errorf("codesize: unknown reference %q: want o0, oz or o3", ref)
	}
	passes := ""
	if pipeline != "" {
		passes = " -passes=" + shellQuote(pipeline)
	}
	return fmt.Sprintf("%s %s%s -S -o - %s | %s", OptTool, RelocationFlag, passes, shellQuote(in), CountScript), nil
}

// passLevel is the pass manager a pipeline text runs in when it is given
// to LLVMRunPasses (or opt-19 -passes=) alone.
type passLevel int

const (
	functionLevel passLevel = iota // also loop(…) and loop-mssa(…): loop passes run in a function adaptor
	cgsccLevel
	moduleLevel
)

// moduleAndCGSCCPasses gives the level of the actions' passes that are
// not function passes (from `opt-19 -print-passes`; a test keeps the
// table honest).
var moduleAndCGSCCPasses = map[string]passLevel{
	"always-inline": moduleLevel, "attributor": moduleLevel, "called-value-propagation": moduleLevel,
	"canonicalize-aliases": moduleLevel, "constmerge": moduleLevel, "coro-cleanup": moduleLevel,
	"coro-early": moduleLevel, "cross-dso-cfi": moduleLevel, "deadargelim": moduleLevel,
	"elim-avail-extern": moduleLevel, "forceattrs": moduleLevel, "insert-gcov-profiling": moduleLevel,
	"globaldce": moduleLevel, "globalopt": moduleLevel, "globalsplit": moduleLevel,
	"hotcoldsplit": moduleLevel, "ipsccp": moduleLevel, "inferattrs": moduleLevel,
	"mergefunc": moduleLevel, "sancov-module": moduleLevel, "name-anon-globals": moduleLevel,
	"partial-inliner": moduleLevel, "rpo-function-attrs": moduleLevel,
	"rewrite-statepoints-for-gc": moduleLevel, "strip-dead-prototypes": moduleLevel,
	"strip-debug-declare": moduleLevel, "strip-nondebug": moduleLevel, "strip": moduleLevel,
	"argpromotion": cgsccLevel, "coro-split": cgsccLevel, "inline": cgsccLevel, "function-attrs": cgsccLevel,
	// Default pipelines are module pipelines.
	"default": moduleLevel,
}

// levelOf classifies one action's pipeline text.
func levelOf(pipeline string) passLevel {
	if strings.HasPrefix(pipeline, "loop(") || strings.HasPrefix(pipeline, "loop-mssa(") {
		return functionLevel
	}
	name := pipeline
	if i := strings.IndexAny(name, "<("); i >= 0 {
		name = name[:i]
	}
	if l, ok := moduleAndCGSCCPasses[name]; ok {
		return l
	}
	return functionLevel
}

// adapted is a pipeline text as a module-level pipeline element: the
// adaptor LLVMRunPasses would add to it implicitly, written out.
func adapted(pipeline string) string {
	switch levelOf(pipeline) {
	case moduleLevel:
		return pipeline
	case cgsccLevel:
		return "cgscc(" + pipeline + ")"
	}
	return "function(" + pipeline + ")"
}

// OptPipeline turns a pass sequence into one opt-19 -passes= pipeline
// that reproduces it: passes are actions as LookupPass accepts them
// (CompilerGym flags "-licm" or "licm", or LLVM 19 pipeline texts). The
// task runs every pass as its own LLVMRunPasses call, which wraps it in
// the adaptor its level needs and starts with no cached analyses; the
// pipeline writes each adaptor out (module passes as they are,
// cgscc(inline), function(instcombine<no-verify-fixpoint>),
// function(loop-mssa(licm))) and separates the passes with
// invalidate<all>, so that no pass sees an analysis a previous call
// would not have left it. A flat "a,b,c" list is not the same thing:
// opt-19 rejects a mix of levels ("unknown function pass 'inline'").
func OptPipeline(passes []string) (string, error) {
	elems := make([]string, 0, 2*len(passes))
	for i, name := range passes {
		a, err := LookupPass(name)
		if err != nil {
			return "", fmt.Errorf("codesize: pass %d: %w", i+1, err)
		}
		if i > 0 {
			elems = append(elems, "invalidate<all>")
		}
		elems = append(elems, adapted(Passes[a].Pipeline))
	}
	return strings.Join(elems, ","), nil
}

// OptCommand is the opt-19 command line that applies passes (see
// OptPipeline) to the O0 module in and writes textual IR to out ("-" for
// standard output).
func OptCommand(passes []string, in, out string) (string, error) {
	pipeline, err := OptPipeline(passes)
	if err != nil {
		return "", err
	}
	if len(passes) == 0 {
		return fmt.Sprintf("%s %s -S -o %s %s", OptTool, RelocationFlag, shellQuote(out), shellQuote(in)), nil
	}
	return fmt.Sprintf("%s %s -passes=%s -S -o %s %s", OptTool, RelocationFlag, shellQuote(pipeline), shellQuote(out), shellQuote(in)), nil
}

// CountCommand is OptCommand to standard output piped into CountScript:
// it prints the instruction count the task reports for passes.
func CountCommand(passes []string, in string) (string, error) {
	cmd, err := OptCommand(passes, in, "-")
	if err != nil {
		return "", err
	}
	return cmd + " | " + CountScript, nil
}

// OptScript is a POSIX shell script that applies passes one opt-19 call
// at a time, exactly as the task does, printing the instruction count
// after each pass; the last module is left in "$2" (default out.ll). Use
// it to find which pass of a sequence crashes LLVM or changes a count.
func OptScript(passes []string) (string, error) {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n# usage: sh script.sh O0-module.bc [out.ll]\n# One opt-19 call per pass, as Supersonic's code-size task applies them.\nset -e\nin=\"$1\"\nout=\"${2:-out.ll}\"\n")
	fmt.Fprintf(&b, "cp \"$in\" \"$out.cur\"\necho \"O0: $(%s %s -S -o - \"$out.cur\" | %s)\"\n", OptTool, RelocationFlag, CountScript)
	for i, name := range passes {
		a, err := LookupPass(name)
		if err != nil {
			return "", fmt.Errorf("codesize: pass %d: %w", i+1, err)
		}
		p := Passes[a]
		fmt.Fprintf(&b, "%s %s -passes=%s -S -o \"$out.next\" \"$out.cur\" && mv \"$out.next\" \"$out.cur\"\n", OptTool, RelocationFlag, shellQuote(p.Pipeline))
		fmt.Fprintf(&b, "echo \"%d %s: $(%s < \"$out.cur\")\"\n", i+1, p.Name, CountScript)
	}
	b.WriteString("mv \"$out.cur\" \"$out\"\n")
	return b.String(), nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// helpPasses is the example pass sequence of the task's help.
var helpPasses = []string{"-mem2reg", "-inline", "-licm"}

// TaskHelp is the long help of the task (%supersonic help codesize): how
// the counts are computed and the commands that reproduce them with
// LLVM's own tools (a test runs every command line it shows).
func TaskHelp() string {
	compile := CompileCommand("prog.c", "prog.bc", nil)
	oz, _ := ReferenceCommand("oz", "prog.bc")
	o3, _ := ReferenceCommand("o3", "prog.bc")
	seq, _ := CountCommand(helpPasses, "prog.bc")
	return `Actions are CompilerGym's LLVM passes under their LLVM 19 names (118; the six
LLVM 19 no longer has are left out). The quality of a result is
(IC_O0 − IC) / (IC_O0 − IC_Oz): 1.0 = as many IR instructions removed as -Oz.

How the numbers are computed, and the same with LLVM's own tools (each opt-19
command prints an instruction count; add option.cflags to clang for old C):
  O0 module: clang's default target triple and data layout (` + hostTriple() + `)
    ` + compile + `
  -Oz reference: default<Oz> on a target machine for the host triple with
  position-independent code (plain opt-19 -Oz uses static relocation and counts
  differently on some programs; do not pass -mcpu, it rewrites target-cpu)
    ` + oz + `
  -O3 reference:
    ` + o3 + `
  a pass sequence (` + strings.Join(helpPasses, " ") + `): every pass is its own LLVMRunPasses call; in one
  call of opt-19 each pass needs its adaptor, and analyses are invalidated between them
    ` + seq + `
%explain RUN BENCH prints this command for a result; %export RUN BENCH writes the
O0 module with every command, and supersonic replay FILE runs them.`
}

// hostTriple is the default target triple of LLVM here.
func hostTriple() string {
	out, err := exec.Command(OptTool, "--version").Output()
	if err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if t, ok := strings.CutPrefix(strings.TrimSpace(line), "Default target:"); ok {
				return strings.TrimSpace(t)
			}
		}
	}
	return "see opt-19 --version"
}

func init() { rlcore.RegisterTaskHelp(TaskName, TaskHelp) }
