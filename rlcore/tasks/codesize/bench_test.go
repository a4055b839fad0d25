package codesize

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/llvm"
)

// benchPasses is the fixed pass cycle of BenchmarkStep: common code-size
// passes in a plausible agent order.
var benchPasses = []string{
	"-sroa", "-instcombine", "-simplifycfg", "-early-cse", "-gvn", "-licm", "-loop-rotate",
	"-reassociate", "-dse", "-jump-threading", "-sccp", "-adce", "-loop-unroll", "-inline",
	"-globalopt", "-correlated-propagation", "-memcpyopt", "-tailcallelim", "-newgvn", "-mem2reg",
}

// benchResetEvery re-clones the O0 module (outside the timer) every that
// many steps, so that the module does not become trivial: 45 steps, the
// default episode horizon. Each such episode applies the same sequence:
// benchPasses from its start, cycled.
const benchResetEvery = 45

// benchModule is csmith seed 7 of the installed csmith at O0 (~8k instructions).
func benchModule(b *testing.B) *benchmark {
	return prepared(b, "csmith:7")
}

func BenchmarkStep(b *testing.B) {
	bm := benchModule(b)
	pipelines := make([]string, len(benchPasses))
	for i, name := range benchPasses {
		pipelines[i] = Passes[mustPass(b, name)].Pipeline
	}

	b.Run("inprocess", func(b *testing.B) { benchInprocessSteps(b, bm, pipelines, false) })
	// The verifier's cost beside the pass's, timed in the same iteration
	// so that machine load hits both alike: verify-% is the median over
	// steps of verify time / pass time.
	b.Run("inprocess-verify", func(b *testing.B) { benchInprocessSteps(b, bm, pipelines, true) })

	b.Run("opt-subprocess", func(b *testing.B) {
		dir := b.TempDir()
		o0 := filepath.Join(dir, "o0.bc")
		if err := os.WriteFile(o0, bm.bitcode, 0o644); err != nil {
			b.Fatal(err)
		}
		lc := llvm.NewContext()
		defer lc.Dispose()
		cur, next := filepath.Join(dir, "cur.bc"), filepath.Join(dir, "next.bc")
		copyFile(b, o0, cur)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i > 0 && i%benchResetEvery == 0 {
				b.StopTimer()
				copyFile(b, o0, cur)
				b.StartTimer()
			}
			if out, err := exec.Command("opt-19", "-passes="+pipelines[i%benchResetEvery%len(pipelines)], cur, "-o", next).CombinedOutput(); err != nil {
				b.Fatalf("opt-19: %v\n%s", err, out)
			}
			// Count the result's instructions, as the in-process path does.
			data, err := os.ReadFile(next)
			if err != nil {
				b.Fatal(err)
			}
			m, err := lc.Parse(data, next)
			if err != nil {
				b.Fatal(err)
			}
			if m.InstructionCount() <= 0 {
				b.Fatal("empty module")
			}
			m.Dispose()
			cur, next = next, cur
		}
	})

	b.Run("worker", func(b *testing.B) { benchWorkerSteps(b, shared, bm) })
	// The same steps with LLVM's verifier run after every pass.
	b.Run("worker-verify", func(b *testing.B) {
		p, err := Open(Options{CacheDir: testCache, VerifyEachStep: true})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		benchWorkerSteps(b, p, bm)
	})
}

// benchWorkerSteps applies benchPasses through episodes of p on bm. Beside
// wall time it reports cpu-ns/step, the CPU time of this process and the
// worker per step, which machine load disturbs much less.
func benchWorkerSteps(b *testing.B, p *Problem, bm *benchmark) {
	ctx := context.Background()
	actions := make([]int, len(benchPasses))
	for i, name := range benchPasses {
		actions[i] = mustPass(b, name)
	}
	ep, err := p.newEpisode(ctx, bm.name)
	if err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	cpuOf := func() time.Duration { return selfCPU() + procCPU(b, ep.w.Pid()) }
	b.ResetTimer()
	start := cpuOf()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%benchResetEvery == 0 {
			b.StopTimer()
			cpu += cpuOf() - start
			ep.Close()
			if ep, err = p.newEpisode(ctx, bm.name); err != nil {
				b.Fatal(err)
			}
			start = cpuOf()
			b.StartTimer()
		}
		if err := ep.Apply(ctx, actions[i%benchResetEvery%len(actions)]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu += cpuOf() - start
	ep.Close()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/step")
}

// procCPU is the user+system CPU time of a process, from /proc (in clock
// ticks of 10 ms: sum it over many steps).
func procCPU(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(data)[strings.LastIndexByte(string(data), ')')+2:])
	user, _ := strconv.ParseInt(f[11], 10, 64)
	sys, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(user+sys) * 10 * time.Millisecond // USER_HZ = 100
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchInprocessSteps applies pipelines (cycled, from O0 every
// benchResetEvery steps) to bm in this process, and with verify runs the
// verifier after each pass, reporting its cost relative to the pass.
func benchInprocessSteps(b *testing.B, bm *benchmark, pipelines []string, verify bool) {
	// LLVM allocates per thread: keep its work on one OS thread, as the
	// worker process does.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	o0, tm, dispose := parseInProcess(b, bm.bitcode, bm.name)
	defer dispose()
	cur := o0.Clone()
	b.ReportMetric(float64(o0.InstructionCount()), "O0-insts")
	steps := make([]time.Duration, 0, b.N)
	ratios := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%benchResetEvery == 0 {
			b.StopTimer()
			cur.Dispose()
			cur = o0.Clone()
			b.StartTimer()
		}
		t0 := time.Now()
		if err := cur.RunPasses(pipelines[i%benchResetEvery%len(pipelines)], tm, llvm.PassOptions{}); err != nil {
			b.Fatal(err)
		}
		if cur.InstructionCount() <= 0 {
			b.Fatal("empty module")
		}
		step := time.Since(t0)
		steps = append(steps, step)
		if verify {
			t1 := time.Now()
			if err := cur.Verify(); err != nil {
				b.Fatal(err)
			}
			ratios = append(ratios, float64(time.Since(t1))/float64(step))
		}
	}
	b.StopTimer()
	cur.Dispose()
	reportMedian(b, steps)
	if verify {
		slices.Sort(ratios)
		b.ReportMetric(100*ratios[len(ratios)/2], "verify-%")
	}
}

// BenchmarkReset measures starting an episode on csmith:7: through a pooled
// worker (NewEpisode + Close), and the in-process clone of the O0 module it
// costs inside the worker.
func BenchmarkReset(b *testing.B) {
	bm := benchModule(b)
	ctx := context.Background()
	b.Run("worker", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ep, err := shared.newEpisode(ctx, bm.name)
			if err != nil {
				b.Fatal(err)
			}
			ep.Close()
		}
	})
	b.Run("inprocess-clone", func(b *testing.B) {
		o0, _, dispose := parseInProcess(b, bm.bitcode, bm.name)
		defer dispose()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			o0.Clone().Dispose()
		}
	})
	b.Run("fork", func(b *testing.B) {
		ep, err := shared.newEpisode(ctx, bm.name)
		if err != nil {
			b.Fatal(err)
		}
		defer ep.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			f, err := ep.Fork(ctx)
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}

func copyFile(b *testing.B, from, to string) {
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// reportMedian adds the median single-step time of the run (ns/op is the
// mean).
func reportMedian(b *testing.B, steps []time.Duration) {
	if len(steps) == 0 {
		return
	}
	slices.Sort(steps)
	b.ReportMetric(float64(steps[len(steps)/2].Nanoseconds()), "median-ns/step")
}

// BenchmarkObserve measures the observations and the textsize measure of
// the csmith:7 O0 module through the worker.
func BenchmarkObserve(b *testing.B) {
	bm := benchModule(b)
	ctx := context.Background()
	ep, err := shared.newEpisode(ctx, bm.name)
	if err != nil {
		b.Fatal(err)
	}
	defer ep.Close()
	for _, tc := range []struct {
		name string
		get  func() error
	}{
		{"instcount", func() error { _, err := ep.InstCount(ctx); return err }},
		{"autophase", func() error { _, err := ep.Autophase(ctx); return err }},
		{"textsize", func() error { ep.size = -1; _, err := ep.Measure(ctx, "textsize"); return err }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := tc.get(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
