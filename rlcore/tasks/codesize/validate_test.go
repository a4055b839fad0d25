package codesize

import (
	"context"
	"errors"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
)

// seqs are pass sequences with sizeable effects, in several spellings.
var seqs = [][]string{
	{"-mem2reg", "-instcombine", "-simplifycfg", "-gvn", "-licm", "-loop-unroll", "-dce"},
	{"sroa", "inline", "loop-mssa(licm)", "-jump-threading", "instcombine<no-verify-fixpoint>", "-adce", "-reg2mem", "-mem2reg"},
}

func TestReplayAndValidate(t *testing.T) {
	ctx := context.Background()
	for _, bench := range []string{"csmith:7", "testdata/suite/crc.c", "builtin:qsort"} {
		for _, seq := range seqs {
			ep := newEpisode(t, shared, bench)
			for _, pass := range seq {
				if err := ep.Apply(ctx, mustPass(t, pass)); err != nil {
					t.Fatal(err)
				}
			}
			ic, err := shared.Replay(ctx, bench, seq)
			if err != nil || ic != ep.ic {
				t.Errorf("%s: Replay(%v) = %d, %v; the episode reported %d", bench, seq, ic, err, ep.ic)
			}
			v, err := shared.Validate(ctx, bench, seq, ep.ic)
			if err != nil {
				t.Fatalf("%s: Validate(%v): %v", bench, seq, err)
			}
			if !v.Ran || v.Output == "" {
				t.Errorf("%s: validation did not run the program: %+v", bench, v)
			}
		}
	}
	if _, err := shared.Validate(ctx, "csmith:7", seqs[0], 1); err == nil || !strings.Contains(err.Error(), "not the reported 1") {
		t.Errorf("Validate with a wrong count: %v, want a mismatch error", err)
	}
	actions := []int{mustPass(t, "-sroa"), mustPass(t, "-instcombine"), mustPass(t, "-simplifycfg")}
	if err := shared.ValidateActions(ctx, "builtin:qsort", actions); err != nil {
		t.Errorf("ValidateActions: %v", err)
	}
	if err := shared.ValidateActions(ctx, "builtin:qsort", []int{len(Passes)}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("ValidateActions out of range: %v", err)
	}
}

func TestCrashIsolation(t *testing.T) {
	ctx := context.Background()
	ep := newEpisode(t, shared, "csmith:7")
	for _, pass := range []string{"-mem2reg", "-instcombine"} {
		if err := ep.Apply(ctx, mustPass(t, pass)); err != nil {
			t.Fatal(err)
		}
	}
	fork, err := ep.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fork.Close()
	// abort() in the worker, as a failed LLVM check does.
	_, err = ep.w.Call(ctx, isolate.FaultAbort, nil)
	err = ep.check(err, opApply)
	if err == nil || !errors.Is(err, ErrCrashed) {
		t.Fatalf("abort in the worker: %v, want ErrCrashed", err)
	}
	for _, want := range []string{"csmith:7", "-mem2reg", "instcombine<no-verify-fixpoint>", "signal: aborted", "reproduce with: opt-19"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("crash error %q does not mention %q", err, want)
		}
	}
	// The reproducer names a kept input file and is a command opt-19
	// accepts (the injected abort is not LLVM's, so it succeeds).
	var ce *isolate.CrashError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reproducer, filepath.Join(testCache, "crashes")) {
		t.Fatalf("crash error %v: want a reproducer with the module in the crash folder", err)
	}
	if out, err := exec.Command("bash", "-o", "pipefail", "-c", ce.Reproducer).CombinedOutput(); err != nil {
		t.Errorf("reproducer %q: %v\n%s", ce.Reproducer, err, out)
	}
	if err := ep.Apply(ctx, mustPass(t, "-gvn")); !errors.Is(err, ErrCrashed) {
		t.Errorf("Apply after the crash: %v, want the crash error", err)
	}
	if _, err := ep.Quality(ctx); err == nil {
		t.Errorf("Quality after the crash: no error")
	}
	if err := fork.Apply(ctx, mustPass(t, "-gvn")); !errors.Is(err, ErrCrashed) {
		t.Errorf("the fork shares the dead worker: Apply gave %v, want the crash error", err)
	}
	// The problem goes on with a new worker.
	next := newEpisode(t, shared, "csmith:7")
	if err := next.Apply(ctx, mustPass(t, "-mem2reg")); err != nil {
		t.Fatalf("episode after the crash: %v", err)
	}
	if q, _ := next.Quality(ctx); q <= 0 {
		t.Errorf("episode after the crash: quality %v, want > 0", q)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	names, skipped, err := shared.Resolve(ctx, "testdata/broken.c testdata/suite testdata/empty.ll")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || len(skipped) != 2 {
		t.Fatalf("Resolve: names %v, skipped %v; want the 2 suite programs and 2 skipped", names, skipped)
	}
	if msg := skipped[0].Err.Error(); !strings.Contains(msg, "broken.c") || !strings.Contains(msg, "undeclared_variable") {
		t.Errorf("broken C: %q, want clang's diagnostics", msg)
	}
	if msg := skipped[1].Err.Error(); !strings.Contains(msg, "no instructions") {
		t.Errorf("empty module: %q, want 'no instructions'", msg)
	}
	if _, err := shared.Benchmarks(ctx, "testdata/broken.c"); err == nil || !strings.Contains(err.Error(), "no usable benchmark") {
		t.Errorf("only broken benchmarks: %v, want 'no usable benchmark'", err)
	}

	for _, tc := range []struct{ spec, want string }{
		{"testdata/does-not-exist.c", "does not exist"},
		{"builtin:no-such-program", "unknown built-in benchmark"},
		{"csmith:9-1", "FROM ≤ TO"},
		{"csmith:x", "bad csmith seed"},
		{"testdata/suite/../../main_test.go", "unsupported extension"},
		{"", "empty benchmark spec"},
	} {
		if _, err := shared.Benchmarks(ctx, tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Benchmarks(%q): %v, want an error containing %q", tc.spec, err, tc.want)
		}
	}
	if _, err := shared.NewEpisode(ctx, "testdata/empty.ll"); err == nil || !strings.Contains(err.Error(), "no instructions") {
		t.Errorf("episode on an empty module: %v", err)
	}

	for _, tc := range []struct{ pass, want string }{
		{"-no-such-pass", "unknown pass"},
		{"-prune-eh", "not available in LLVM 19"},
	} {
		if _, err := shared.Replay(ctx, "csmith:7", []string{"-mem2reg", tc.pass}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Replay with %s: %v, want %q", tc.pass, err, tc.want)
		}
	}
	ep := newEpisode(t, shared, "csmith:7")
	if err := ep.Apply(ctx, len(Passes)); err == nil {
		t.Errorf("Apply out of range: no error")
	}
	if _, err := ep.Measure(ctx, "cycles"); err == nil || !strings.Contains(err.Error(), "want ic, textsize or runtime") {
		t.Errorf("unknown measure: %v", err)
	}
	if _, err := ep.Reference(ctx, "o2", "ic"); err == nil || !strings.Contains(err.Error(), "o0, oz or o3") {
		t.Errorf("unknown reference: %v", err)
	}

	if _, err := rlcore.OpenTask(ctx, TaskName, map[string]string{"cflag": "-O2"}, 1, nil); err == nil || !strings.Contains(err.Error(), "options: cflags (string), cache (string), call-timeout (duration), prepare-timeout (duration), memory (string)") {
		t.Errorf("unknown option: %v", err)
	}
}

func TestCFlags(t *testing.T) {
	ctx := context.Background()
	if _, err := shared.Benchmarks(ctx, "testdata/oldstyle.c"); err == nil || !strings.Contains(err.Error(), "implicit int") {
		t.Fatalf("K&R C without flags: %v, want clang's implicit-int error", err)
	}
	p, err := Open(Options{CacheDir: testCache, CFlags: []string{"-std=gnu89", "-Wno-error=implicit-function-declaration", "-Wno-error=implicit-int"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	v, err := p.Validate(ctx, "testdata/oldstyle.c", []string{"-mem2reg", "-inline"}, -1)
	if err != nil || v.Output != "42\n" {
		t.Fatalf("K&R C with gnu89 flags: %+v, %v", v, err)
	}
}

func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	sol := map[string]Solution{
		"csmith:7":             {Passes: seqs[0]},
		"testdata/suite/fib.c": {Passes: []string{"-mem2reg", "-instcombine", "-simplifycfg"}},
	}
	var events []rlcore.Event
	rep, err := Evaluate(ctx, shared, sol, func(e rlcore.Event) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Scores) != 2 || len(events) != 2 || rep.Failed != 0 {
		t.Fatalf("report %+v, %d events", rep, len(events))
	}
	var logs float64
	for _, s := range rep.Scores {
		want := float64(s.ICO0-s.IC) / float64(s.ICO0-s.ICOz)
		if s.Score != want || s.Score <= 0 {
			t.Errorf("%s: score %v, want (O0−IC)/(O0−Oz) = %v > 0", s.Benchmark, s.Score, want)
		}
		logs += math.Log(s.Score)
	}
	if math.Abs(rep.Geomean-math.Exp(logs/2)) > 1e-12 {
		t.Errorf("geomean %v, want %v", rep.Geomean, math.Exp(logs/2))
	}

	// An empty sequence scores 0, which zeroes the geomean as in CompilerGym;
	// an unknown pass is a failure that counts as 0 too.
	sol["testdata/suite/fib.c"] = Solution{}
	sol["testdata/suite/crc.c"] = Solution{Passes: []string{"-frobnicate"}}
	rep, err = Evaluate(ctx, shared, sol, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Geomean != 0 || rep.NonPositive != 2 || rep.Failed != 1 || rep.Mean <= 0 {
		t.Errorf("with a zero score and a failure: geomean %v, non-positive %d, failed %d, mean %v", rep.Geomean, rep.NonPositive, rep.Failed, rep.Mean)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ep := newEpisode(t, shared, "csmith:7")
	cancel()
	if err := ep.Apply(ctx, mustPass(t, "-mem2reg")); !errors.Is(err, context.Canceled) {
		t.Errorf("Apply with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := shared.Benchmarks(ctx, "csmith:100-101"); !errors.Is(err, context.Canceled) {
		t.Errorf("Benchmarks with a cancelled context: %v, want context.Canceled", err)
	}
	// The episode is still usable with a live context.
	if err := ep.Apply(context.Background(), mustPass(t, "-mem2reg")); err != nil {
		t.Errorf("Apply after a cancelled call: %v", err)
	}
}

func TestRuntimeMeasure(t *testing.T) {
	ctx := context.Background()
	ep := newEpisode(t, shared, "builtin:crc32")
	o0, err := ep.Measure(ctx, "runtime")
	if err != nil || o0 <= 0 || o0 > RunTimeout.Seconds() {
		t.Fatalf("runtime at O0 = %v s, %v", o0, err)
	}
	ll := newEpisode(t, shared, "llvm/testdata/diamond.ll")
	if _, err := ll.Measure(ctx, "runtime"); err == nil || !strings.Contains(err.Error(), "no main") {
		t.Errorf("runtime of a module without main: %v", err)
	}
}

// TestValidateComparesWithTheO0Run checks that validation compares the
// optimized program's output with the O0 build's kept run: a yardstick that
// says otherwise fails it.
func TestValidateComparesWithTheO0Run(t *testing.T) {
	ctx := context.Background()
	b := prepared(t, "builtin:qsort")
	want, err := b.o0Run(ctx)
	if err != nil || want.stdout == "" {
		t.Fatalf("O0 run: %+v, %v", want, err)
	}
	b.o0mu.Lock()
	b.o0 = &runResult{stdout: "not what qsort prints\n", exit: want.exit}
	b.o0mu.Unlock()
	defer func() {
		b.o0mu.Lock()
		b.o0 = &want
		b.o0mu.Unlock()
	}()
	if _, err := shared.Validate(ctx, "builtin:qsort", seqs[0], -1); err == nil || !strings.Contains(err.Error(), "behaves differently") {
		t.Errorf("Validate against another O0 output: %v, want a behaviour mismatch", err)
	}
}

// A saved state validates like the replay of its passes, without applying
// them again; a state of another quality, or bytes that are no module,
// are refused with errors that say so.
func TestValidateSavedState(t *testing.T) {
	ctx := context.Background()
	const bench = "builtin:qsort"
	actions := []int{mustPass(t, "-sroa"), mustPass(t, "-instcombine"), mustPass(t, "-simplifycfg")}
	ep := newEpisode(t, shared, bench)
	for _, a := range actions {
		if err := ep.Apply(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	state, err := ep.SaveState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ep.Quality(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		state   []byte
		actions []int
		quality float64
		wantErr string
	}{
		{"the saved state", state, actions, q, ""},
		{"another quality", state, actions, q + 0.5, "not the recorded quality"},
		{"no module", []byte("not bitcode"), actions, q, "reading the saved state"},
		{"an unknown action", state, []int{len(Passes)}, q, "out of range"},
	} {
		err := shared.ValidateSavedState(ctx, bench, tc.state, tc.actions, tc.quality)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	// Saving changed nothing: the episode goes on as a replay does.
	if err := ep.Apply(ctx, mustPass(t, "-gvn")); err != nil {
		t.Fatal(err)
	}
	if ic, err := shared.Replay(ctx, bench, []string{"-sroa", "-instcombine", "-simplifycfg", "-gvn"}); err != nil || ic != ep.ic {
		t.Errorf("after saving its state the episode has %d instructions, the replay %d (%v)", ep.ic, ic, err)
	}
}
