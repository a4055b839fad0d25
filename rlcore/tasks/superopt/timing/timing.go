// Package timing measures superoptimized code on the real machine: it emits
// x86 programs of package x86 as SysV functions in an Intel-syntax .s file,
// compiles C (for instance a specification with gcc -O3) beside them,
// links a C harness with gcc and times every function side by side, and
// reads gcc -O3's code back as an x86 program for the latency model.
package timing

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// Function is an x86 program to emit as a function taking Params unsigned
// arguments and returning unsigned.
type Function struct {
	Name string
	Code x86.Program
}

var calleeSaved = []x86.Reg{x86.RBX, x86.RBP, x86.R12, x86.R13, x86.R14, x86.R15}

// Assembly renders the functions as a GNU as source in Intel syntax. A
// function that writes callee-saved registers saves and restores them.
func Assembly(fns []Function) string {
	var b strings.Builder
	b.WriteString(".intel_syntax noprefix\n.text\n")
	for _, f := range fns {
		used := map[x86.Reg]bool{}
		for _, in := range f.Code {
			used[in.Dst] = true
			if in.Op == x86.XchgRR {
				used[in.Src] = true
			}
		}
		var saved []x86.Reg
		for _, r := range calleeSaved {
			if used[r] {
				saved = append(saved, r)
			}
		}
		fmt.Fprintf(&b, ".globl %s\n.type %s, @function\n.p2align 4\n%s:\n", f.Name, f.Name, f.Name)
		for _, r := range saved {
			fmt.Fprintf(&b, "\tpush %s\n", r.Name(x86.W64))
		}
		for _, in := range f.Code {
			if in.Op == x86.Nop {
				continue
			}
			b.WriteString("\t" + in.String() + "\n")
		}
		for i := len(saved) - 1; i >= 0; i-- {
			fmt.Fprintf(&b, "\tpop %s\n", saved[i].Name(x86.W64))
		}
		fmt.Fprintf(&b, "\tret\n.size %s, .-%s\n", f.Name, f.Name)
	}
	b.WriteString(".section .note.GNU-stack,\"\",@progbits\n")
	return b.String()
}

func run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

var funcRe = regexp.MustCompile(`(?s)\n([A-Za-z_][A-Za-z0-9_]*):\n(.*?)\n\s*ret\b`)

// CompileO3 compiles C source with gcc -O3 (default x86-64 target) to
// Intel-syntax assembly and parses the function fn back into an x86
// program. It fails when gcc uses an instruction outside the subset or a
// branch.
func CompileO3(ctx context.Context, csrc, fn string) (x86.Program, string, error) {
	dir, err := os.MkdirTemp("", "superopt-o3-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "f.c"), []byte(csrc), 0o644); err != nil {
		return nil, "", err
	}
	if _, err := run(ctx, dir, "gcc", "-O3", "-S", "-masm=intel", "-fno-asynchronous-unwind-tables", "-fcf-protection=none", "-o", "f.s", "f.c"); err != nil {
		return nil, "", err
	}
	asm, err := os.ReadFile(filepath.Join(dir, "f.s"))
	if err != nil {
		return nil, "", err
	}
	for _, m := range funcRe.FindAllStringSubmatch("\n"+string(asm), -1) {
		if m[1] != fn {
			continue
		}
		body := m[2]
		p, err := x86.Parse(body)
		if err != nil {
			return nil, body, fmt.Errorf("gcc -O3 code of %s is outside the subset: %w", fn, err)
		}
		return p, body, nil
	}
	return nil, string(asm), fmt.Errorf("function %s with a single ret not found in gcc -O3 output", fn)
}

// Config configures Measure.
type Config struct {
	Iterations int // calls per timed run; zero means 100,000
	Runs       int // timed runs per function; zero means 151
	Seed       uint32
}

// Timing is the median time of one call of a function.
type Timing struct {
	Name    string
	NsPerOp float64 // median over the runs
	// MinNsPerOp is the fastest run, the estimate least disturbed by other
	// load on a shared machine.
	MinNsPerOp float64
	Runs       []float64
	// Checksum is the last value of the call chain: functions that compute
	// the same function have equal checksums.
	Checksum uint32
}

// Measure assembles fns, compiles csrc (C functions, e.g. the gcc -O3
// specification, whose names are listed in cfns) with cflags, links them
// with a generated harness, and times each function: calls chained through
// the first argument (x = f(a[i] ^ x, b[i], …)) on pseudo-random
// arguments, clock_gettime around each run, runs interleaved across
// functions; the median and the minimum of the runs are reported. On a
// shared machine many short runs and the minimum are the stable estimate
// (the median drifts with the other load). All functions take params
// unsigned arguments.
func Measure(ctx context.Context, params int, fns []Function, csrc string, cfns []string, cflags []string, cfg Config) ([]Timing, error) {
	if cfg.Iterations <= 0 {
		cfg.Iterations = 100_000
	}
	if cfg.Runs <= 0 {
		cfg.Runs = 151
	}
	if params < 1 || params > 4 {
		return nil, fmt.Errorf("timing: %d parameters, want 1..4", params)
	}
	dir, err := os.MkdirTemp("", "superopt-timing-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	names := make([]string, 0, len(fns)+len(cfns))
	for _, f := range fns {
		names = append(names, f.Name)
	}
	names = append(names, cfns...)
	var h strings.Builder
	h.WriteString("#include <stdio.h>\n#include <time.h>\n")
	proto := strings.TrimSuffix(strings.Repeat("unsigned, ", params), ", ")
	for _, n := range names {
		fmt.Fprintf(&h, "unsigned %s(%s);\n", n, proto)
	}
	fmt.Fprintf(&h, "typedef unsigned (*fn)(%s);\nstatic fn fns[] = {%s};\n", proto, strings.Join(names, ", "))
	fmt.Fprintf(&h, "#define NF %d\n#define RUNS %d\n#define ITERS %d\n", len(names), cfg.Runs, cfg.Iterations)
	h.WriteString("static unsigned A[4][1024];\nstatic double ns[NF][RUNS];\nstatic unsigned sum[NF];\n")
	var call strings.Builder
	call.WriteString("f(A[0][i & 1023] ^ x")
	for p := 1; p < params; p++ {
		fmt.Fprintf(&call, ", A[%d][i & 1023]", p)
	}
	call.WriteString(")")
	fmt.Fprintf(&h, `static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(void) {
  unsigned s = %du | 1u;
  for (int p = 0; p < 4; p++) for (int i = 0; i < 1024; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; A[p][i] = (i & 7) == 0 ? (s & 31) : s; }
  unsigned sink = 0;
  for (int r = -1; r < RUNS; r++) for (int k = 0; k < NF; k++) {
    fn f = fns[k]; unsigned x = 0;
    double t0 = now();
    for (int i = 0; i < ITERS; i++) x = %s;
    double t1 = now();
    sink ^= x; sum[k] = x;
    if (r >= 0) ns[k][r] = (t1 - t0) / ITERS;
  }
  for (int k = 0; k < NF; k++) { printf("%%u ", sum[k]); for (int r = 0; r < RUNS; r++) printf("%%.4f ", ns[k][r]); printf("\n"); }
  fprintf(stderr, "%%u\n", sink);
  return 0;
}
`, cfg.Seed, call.String())
	files := map[string]string{"fns.s": Assembly(fns), "spec.c": csrc, "main.c": h.String()}
	for n, src := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(src), 0o644); err != nil {
			return nil, err
		}
	}
	if _, err := run(ctx, dir, "gcc", append(append([]string{"-c"}, cflags...), "-o", "spec.o", "spec.c")...); err != nil {
		return nil, err
	}
	if _, err := run(ctx, dir, "gcc", "-O2", "-o", "bench", "main.c", "fns.s", "spec.o"); err != nil {
		return nil, err
	}
	out, err := run(ctx, dir, "./bench")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(names) {
		return nil, fmt.Errorf("timing harness printed %d lines for %d functions", len(lines), len(names))
	}
	res := make([]Timing, len(names))
	for k, line := range lines {
		t := Timing{Name: names[k]}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			return nil, fmt.Errorf("timing harness output %q: want a checksum and run times", line)
		}
		sum, err := strconv.ParseUint(fields[0], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("timing harness checksum %q: %w", fields[0], err)
		}
		t.Checksum = uint32(sum)
		for _, f := range fields[1:] {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, fmt.Errorf("timing harness output %q: %w", line, err)
			}
			t.Runs = append(t.Runs, v)
		}
		sorted := append([]float64(nil), t.Runs...)
		sort.Float64s(sorted)
		t.NsPerOp = sorted[len(sorted)/2]
		t.MinNsPerOp = sorted[0]
		res[k] = t
	}
	return res, nil
}
