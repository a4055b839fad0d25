package codesize

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/scratch"
)

// RunTimeout bounds each run of a benchmark program during validation.
const RunTimeout = 30 * time.Second

// Replay applies passes (CompilerGym flags such as "-mem2reg", with or
// without the dash, or LLVM 19 pipeline texts) to the benchmark's O0
// module in a fresh worker episode and returns the resulting instruction
// count.
func (p *Problem) Replay(ctx context.Context, benchmark string, passes []string) (int64, error) {
	ep, err := p.replay(ctx, benchmark, passes)
	if err != nil {
		return 0, err
	}
	defer ep.Close()
	return ep.ic, nil
}

func (p *Problem) replay(ctx context.Context, benchmark string, passes []string) (*Episode, error) {
	actions := make([]int, len(passes))
	for i, name := range passes {
		a, err := LookupPass(name)
		if err != nil {
			return nil, fmt.Errorf("codesize: replay %s: pass %d: %w", benchmark, i+1, err)
		}
		actions[i] = a
	}
	ep, err := p.newEpisode(ctx, benchmark)
	if err != nil {
		return nil, err
	}
	for _, a := range actions {
		if err := ep.Apply(ctx, a); err != nil {
			ep.Close()
			return nil, err
		}
	}
	return ep, nil
}

// Validation is the outcome of Validate.
type Validation struct {
	Benchmark string
	Passes    []string
	IC        int64 // instruction count after replaying Passes
	// Ran: the benchmark defines main, and both the O0 build and the
	// optimized build were run; their outputs and exit codes matched.
	Ran    bool
	Output string // the optimized program's stdout, when Ran
}

// Validate checks a result: replaying passes from the O0 module must give
// wantIC instructions (skip the check with wantIC < 0) and a module that
// LLVM's verifier accepts, and for runnable benchmarks (with a main) the
// optimized program must print the same stdout and exit with the same
// status as the O0 build, each run with RunTimeout. The optimized program
// is the worker's object code for the module (the code the textsize
// measure reads) linked by linker(); the O0 build is clang-19's, built
// and run once per benchmark (o0Run). The error says which check failed.
func (p *Problem) Validate(ctx context.Context, benchmark string, passes []string, wantIC int64) (*Validation, error) {
	ep, err := p.replay(ctx, benchmark, passes)
	if err != nil {
		return nil, err
	}
	defer ep.Close()
	v := &Validation{Benchmark: ep.b.name, Passes: passes, IC: ep.ic}
	if wantIC >= 0 && ep.ic != wantIC {
		return v, fmt.Errorf("codesize: validate %s: replaying %d passes gives %d instructions, not the reported %d", benchmark, len(passes), ep.ic, wantIC)
	}
	return v, ep.validate(ctx, v)
}

// validate checks the episode's current module, which passes (v.Passes)
// made from the O0 module: LLVM's verifier, and for runnable benchmarks
// the optimized program's run against the O0 build's (see Validate).
func (e *Episode) validate(ctx context.Context, v *Validation) error {
	benchmark, passes := e.b.name, v.Passes
	if err := e.Verify(ctx); err != nil {
		return err
	}
	if !e.b.runnable {
		return nil
	}
	want, err := e.b.o0Run(ctx)
	if err != nil {
		return fmt.Errorf("codesize: validate %s: %w", benchmark, err)
	}
	obj, err := e.object(ctx)
	if err != nil {
		return err
	}
	dir, err := scratch.Dir(validatePrefix)
	if err != nil {
		return fmt.Errorf("codesize: validate: %w", err)
	}
	defer os.RemoveAll(dir)
	exe, err := linkObject(ctx, dir, "opt", obj)
	if err != nil {
		return fmt.Errorf("codesize: validate %s after %s: optimized build: %w", benchmark, strings.Join(passes, " "), err)
	}
	got, err := run(ctx, dir, exe)
	if err != nil {
		return fmt.Errorf("codesize: validate %s after %s: optimized build: %w", benchmark, strings.Join(passes, " "), err)
	}
	if got.stdout != want.stdout || got.exit != want.exit {
		return fmt.Errorf("codesize: validate %s after %s: the optimized program behaves differently: exit %d, stdout %q; the O0 program: exit %d, stdout %q",
			benchmark, strings.Join(passes, " "), got.exit, clip(got.stdout), want.exit, clip(want.stdout))
	}
	v.Ran, v.Output = true, got.stdout
	return nil
}

type runResult struct {
	stdout string
	exit   int
}

// o0Run builds the benchmark's O0 module with clang-19 and runs it, once
// per benchmark: every validation compares its optimized program with
// this run (a benchmark's program must print the same on every run for
// validation to mean anything, so one run stands for all). A failure is
// not kept: the next validation tries again.
func (b *benchmark) o0Run(ctx context.Context) (runResult, error) {
	b.o0mu.Lock()
	defer b.o0mu.Unlock()
	if b.o0 != nil {
		return *b.o0, nil
	}
	dir, err := scratch.Dir(validatePrefix)
	if err != nil {
		return runResult{}, fmt.Errorf("O0 build: %w", err)
	}
	defer os.RemoveAll(dir)
	bcPath, exe := filepath.Join(dir, "o0.bc"), filepath.Join(dir, "o0")
	if err := os.WriteFile(bcPath, b.bitcode, 0o644); err != nil {
		return runResult{}, fmt.Errorf("O0 build: %w", err)
	}
	if out, err := combinedOutput(exec.CommandContext(ctx, clang, "-O0", "-w", bcPath, "-o", exe, "-lm")); err != nil {
		return runResult{}, fmt.Errorf("O0 build: link with %s: %w\n%s", clang, err, strings.TrimSpace(string(out)))
	}
	res, err := run(ctx, dir, exe)
	if err != nil {
		return runResult{}, fmt.Errorf("O0 build: %w", err)
	}
	b.o0 = &res
	return res, nil
}

// linker links the object files of validation and runtime builds: gcc
// when it is installed (install.sh installs it; its driver starts in
// about a third of the time clang-19's takes, which loads libLLVM, and
// validation links one program per result), else clang-19.
var linker = sync.OnceValue(func() string {
	if _, err := exec.LookPath("gcc"); err == nil {
		return "gcc"
	}
	return clang
})

// linkObject writes an object file to dir and links it into the program
// dir/name with the C library and libm.
func linkObject(ctx context.Context, dir, name string, obj []byte) (exe string, err error) {
	path, exe := filepath.Join(dir, name+".o"), filepath.Join(dir, name)
	if err := os.WriteFile(path, obj, 0o644); err != nil {
		return "", err
	}
	if out, err := combinedOutput(exec.CommandContext(ctx, linker(), path, "-o", exe, "-lm")); err != nil {
		return "", fmt.Errorf("link with %s: %w\n%s", linker(), err, strings.TrimSpace(string(out)))
	}
	return exe, nil
}

// run runs a program with RunTimeout and returns its stdout and exit code.
func run(ctx context.Context, dir, exe string) (runResult, error) {
	rctx, cancel := context.WithTimeout(ctx, RunTimeout)
	defer cancel()
	var stdout bytes.Buffer
	cmd := exec.CommandContext(rctx, exe)
	cmd.Stdout = &stdout
	cmd.Dir = dir
	err := isolate.RunChild(cmd)
	if rctx.Err() != nil {
		return runResult{}, fmt.Errorf("run: no result within %v", RunTimeout)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return runResult{stdout: stdout.String()}, nil
	case errors.As(err, &exit):
		return runResult{stdout: stdout.String(), exit: exit.ExitCode()}, nil
	}
	return runResult{}, fmt.Errorf("run: %w", err)
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// RuntimeRuns is how many times the runtime measure runs a program.
const RuntimeRuns = 3

// runtime builds the current module (object code from the worker's target
// machine, linked by linker()) and times RuntimeRuns runs.
func (e *Episode) runtime(ctx context.Context) (float64, error) {
	if !e.b.runnable {
		return 0, fmt.Errorf("codesize: benchmark %s has no main: no runtime to measure", e.b.name)
	}
	obj, err := e.object(ctx)
	if err != nil {
		return 0, err
	}
	dir, err := scratch.Dir(runtimePrefix)
	if err != nil {
		return 0, fmt.Errorf("codesize: runtime: %w", err)
	}
	defer os.RemoveAll(dir)
	exe, err := linkObject(ctx, dir, "prog", obj)
	if err != nil {
		return 0, fmt.Errorf("codesize: runtime of %s: %w", e.b.name, err)
	}
	times := make([]float64, RuntimeRuns)
	for i := range times {
		start := time.Now()
		if _, err := run(ctx, dir, exe); err != nil {
			return 0, fmt.Errorf("codesize: runtime of %s: %w", e.b.name, err)
		}
		times[i] = time.Since(start).Seconds()
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// Problem implements the optional validation capabilities of rlcore.
var (
	_ rlcore.Validator           = (*Problem)(nil)
	_ rlcore.SavedStateValidator = (*Problem)(nil)
	_ rlcore.StateSaver          = (*Episode)(nil)
)

// ValidateActions validates a sequence of action indices (into Actions)
// as Validate does, without a count to compare: the optional Validator
// interface that the search's Deploy calls.
func (p *Problem) ValidateActions(ctx context.Context, benchmark string, actions []int) error {
	names, err := passNames(benchmark, actions)
	if err != nil {
		return err
	}
	_, err = p.Validate(ctx, benchmark, names, -1)
	return err
}

// ValidateSavedState validates the module that Episode.SaveState saved after
// actions (indices into Actions) were applied to the benchmark's O0
// module, as Validate validates their replay but without applying them
// again (rlcore.SavedStateValidator): its quality must be quality, LLVM's
// verifier must accept it, and a runnable benchmark's optimized program
// must behave like the O0 build.
func (p *Problem) ValidateSavedState(ctx context.Context, benchmark string, state []byte, actions []int, quality float64) error {
	names, err := passNames(benchmark, actions)
	if err != nil {
		return err
	}
	b, err := p.prepare(ctx, benchmark)
	if err != nil {
		return err
	}
	w, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	resp, err := callLLVM(ctx, w, &request{Op: opParse, Bitcode: state})
	if err != nil {
		w.Release()
		return fmt.Errorf("codesize: validate %s: reading the saved state: %w", benchmark, err)
	}
	ep := &Episode{p: p, b: b, w: w, handle: resp.Handle, ic: resp.IC, size: -1, names: names}
	defer ep.Close()
	if q := b.quality(ep.ic); math.Abs(q-quality) > 1e-9*math.Max(1, math.Abs(quality)) {
		return fmt.Errorf("codesize: validate %s: the saved state after %d passes has %d instructions (quality %g), not the recorded quality %g", benchmark, len(names), ep.ic, q, quality)
	}
	return ep.validate(ctx, &Validation{Benchmark: b.name, Passes: names, IC: ep.ic})
}

// passNames names task actions (indices into Passes).
func passNames(benchmark string, actions []int) ([]string, error) {
	names := make([]string, len(actions))
	for i, a := range actions {
		if a < 0 || a >= len(Passes) {
			return nil, fmt.Errorf("codesize: validate %s: action %d (step %d) out of range [0, %d)", benchmark, a, i+1, len(Passes))
		}
		names[i] = Passes[a].Name
	}
	return names, nil
}
