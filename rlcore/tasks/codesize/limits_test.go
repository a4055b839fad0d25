package codesize

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
)

// TestInvalidModule: IR that parses but that the verifier rejects is a
// clear error when the benchmark is prepared, not a worker crash later.
func TestInvalidModule(t *testing.T) {
	_, err := shared.Benchmarks(context.Background(), "testdata/invalid.ll")
	if err == nil || errors.Is(err, ErrCrashed) {
		t.Fatalf("invalid module: %v, want a verifier error without a crash", err)
	}
	for _, want := range []string{"invalid.ll", "not valid LLVM IR", "Instruction does not dominate all uses"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// TestPrepareTimeout: preparing a benchmark stops at the prepare timeout
// with an error that says where it was and how to raise the limit.
func TestPrepareTimeout(t *testing.T) {
	p, err := Open(Options{CacheDir: t.TempDir(), PrepareTimeout: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	_, err = p.Benchmarks(context.Background(), "builtin:qsort")
	if err == nil || !strings.Contains(err.Error(), "preparation stopped after 30ms while") || !strings.Contains(err.Error(), "prepare-timeout") {
		t.Errorf("preparation past its timeout: %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("stopping took %v", took)
	}
}

// TestCallTimeout: an LLVM call past the episode's call limit kills the
// worker, ends the episode with ErrTimeout and a crash report, and the
// problem goes on.
func TestCallTimeout(t *testing.T) {
	ctx := context.Background()
	p, err := Open(Options{CacheDir: testCache, CallTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ep := newEpisode(t, p, "csmith:7")
	if err := ep.Apply(ctx, mustPass(t, "-mem2reg")); err != nil {
		t.Fatal(err)
	}
	_, err = ep.w.Call(ctx, isolate.FaultHang, nil)
	err = ep.check(err, opApply)
	if !errors.Is(err, isolate.ErrTimeout) || !strings.Contains(err.Error(), "timed out after 3s") || !strings.Contains(err.Error(), "csmith:7") {
		t.Fatalf("hung call: %v, want a timeout that names the benchmark", err)
	}
	if _, err := ep.Quality(ctx); !errors.Is(err, ErrCrashed) {
		t.Errorf("the episode goes on after its worker was killed: %v", err)
	}
	// A budget's deadline bounds calls too: one already past fails the
	// step without killing anything.
	late := isolate.WithCallDeadline(ctx, time.Now().Add(-time.Second))
	next := newEpisode(t, p, "csmith:7")
	if err := next.Apply(late, mustPass(t, "-gvn")); !errors.Is(err, isolate.ErrTimeout) || errors.Is(err, ErrCrashed) {
		t.Errorf("step past the budget's deadline: %v, want ErrTimeout without a crash", err)
	}
	if err := next.Apply(ctx, mustPass(t, "-gvn")); err != nil {
		t.Errorf("step after a refused one: %v", err)
	}
	// A call still running at that deadline is stopped: the episode ends,
	// but as a budget cut, not as a crash of LLVM with a reproducer.
	soon := isolate.WithCallDeadline(ctx, time.Now().Add(300*time.Millisecond))
	_, err = next.w.Call(soon, isolate.FaultHang, nil)
	err = next.check(err, opApply)
	if !errors.Is(err, isolate.ErrDeadline) || strings.Contains(err.Error(), "crashed") || strings.Contains(err.Error(), "reproduce") {
		t.Errorf("call stopped at the deadline: %v, want a budget cut without a crash report", err)
	}
}

func TestVerifyEachStep(t *testing.T) {
	ctx := context.Background()
	p, err := Open(Options{CacheDir: testCache, VerifyEachStep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ep := newEpisode(t, p, "csmith:7")
	for _, pass := range seqs[0] {
		if err := ep.Apply(ctx, mustPass(t, pass)); err != nil {
			t.Fatal(err)
		}
	}
	if ep.ic >= int64(ep.b.base["o0"].IC) {
		t.Errorf("verified passes did not shrink the module: %d", ep.ic)
	}
}

func TestLimitOptions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"6GiB", 6 << 30, ""}, {"512MiB", 512 << 20, ""}, {"2G", 2 << 30, ""}, {"1.5GiB", 3 << 29, ""}, {"none", -1, ""},
		{"1000000", 1000000, ""}, {"lots", 0, "not a memory size"}, {"-3G", 0, "not a memory size"}, {"5TB", 0, "not a memory size"},
	} {
		got, err := parseMemory(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseMemory(%q) = %d, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseMemory(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for opts, want := range map[string]string{
		"call-timeout=0s":       "not a positive duration",
		"prepare-timeout=later": "not a duration",
		"memory=plenty":         "not a memory size",
	} {
		k, v, _ := strings.Cut(opts, "=")
		if _, err := rlcore.OpenTask(context.Background(), TaskName, map[string]string{k: v, "cache": testCache}, 1, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("option %s: %v, want %q", opts, err, want)
		}
	}
	p, err := rlcore.OpenTask(context.Background(), TaskName, map[string]string{"cache": testCache, "call-timeout": "2m", "memory": "6GiB"}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if cfg := p.(*Problem).pool.Config(); cfg.CallTimeout != 2*time.Minute || cfg.MemoryLimit != 6<<30 {
		t.Errorf("options call-timeout=2m memory=6GiB gave the pool %+v", cfg)
	}
}
