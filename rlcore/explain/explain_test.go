package explain

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/supersonic-rl/supersonic/rlcore/all"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize"
)

// storedDeployment writes a deploy run of the codesize task with one
// result per sequence into a fresh store, as %deploy would.
func storedDeployment(t *testing.T, seqs map[string][]string) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "supersonic.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	spec, err := search.ParseSpec("cs", "task: codesize\nbenchmarks: builtin:crc32\ntest: builtin:qsort, builtin:dijkstra\nstates: autophase\nrewards: ic-oz\nalgorithms: ppo\n")
	if err != nil {
		t.Fatal(err)
	}
	specJSON, _ := json.Marshal(spec)
	run, err := st.CreateRun(ctx, store.Run{Name: "cs", Kind: store.KindDeploy, Task: "codesize", Spec: specJSON})
	if err != nil {
		t.Fatal(err)
	}
	p, err := codesize.Open(codesize.Options{CacheDir: filepath.Join(dir, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for bench, seq := range seqs {
		actions := make([]int, len(seq))
		for i, s := range seq {
			if actions[i], err = codesize.LookupPass(s); err != nil {
				t.Fatal(err)
			}
		}
		ep, err := p.NewEpisode(ctx, bench)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range actions {
			if err := ep.Apply(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		q, _ := ep.Quality(ctx)
		ep.Close()
		if _, err := st.AddDeployment(ctx, store.Deployment{Run: run, Benchmark: bench, Arm: "a", Quality: q, Actions: actions, ActionNames: seq, Validated: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.FinishRun(ctx, run, store.StatusFinished, nil); err != nil {
		t.Fatal(err)
	}
	return st, dir
}

var qsortSeq = []string{"-mem2reg", "-mem2reg", "-inline", "-instcombine", "-simplifycfg", "-licm", "-loop-rotate", "-gvn", "-dce"}

func TestExplainWaterfallMixAndDiff(t *testing.T) {
	ctx := context.Background()
	st, _ := storedDeployment(t, map[string][]string{"builtin:qsort": qsortSeq})
	x, err := Explain(ctx, Options{Run: "cs", Benchmark: "qsort", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if x.Measure != "ic" || len(x.Steps) != len(qsortSeq) {
		t.Fatalf("measure %q, %d steps; want ic and %d", x.Measure, len(x.Steps), len(qsortSeq))
	}
	if !x.Steps[0].Changed || x.Steps[0].Delta() >= 0 {
		t.Errorf("mem2reg should remove instructions: %+v", x.Steps[0])
	}
	if x.Steps[1].Changed || x.Steps[1].Delta() != 0 {
		t.Errorf("a second mem2reg changes nothing, got %+v", x.Steps[1])
	}
	if x.Final != x.Steps[len(x.Steps)-1].After || x.FinalQuality != x.Quality {
		t.Errorf("final %v quality %v, recorded quality %v", x.Final, x.FinalQuality, x.Quality)
	}
	var total int64
	for _, r := range x.Mix() {
		total += r.After
	}
	if float64(total) != x.Final {
		t.Errorf("the mix after adds up to %d instructions, the count is %v", total, x.Final)
	}
	text := x.Text()
	for _, want := range []string{"no change", "-mem2reg", "Load", "opt-19 --relocation-model=pic -passes="} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	if x.LargestStep() != 1 {
		t.Errorf("the largest step is %d, want 1 (mem2reg)", x.LargestStep())
	}
	// The printed reproducer runs and counts what the waterfall ends with.
	dir := t.TempDir()
	p, err := codesize.Open(codesize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	exp, err := p.ExportResult(ctx, x.Benchmark, x.Actions, x.Quality)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, exp.ProgramName), exp.Program, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := runCommand(ctx, dir, "ic", x.Reproducer, x.Final); !got.OK {
		t.Errorf("the reproducer %s printed %s, the waterfall ends at %v", x.Reproducer, got.Got, x.Final)
	}
	if h := x.HTML(); !strings.Contains(h, "<table") || !strings.Contains(h, "no change") {
		t.Errorf("HTML lacks the waterfall table:\n%s", h)
	}
	diffs, err := x.Diff(1, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) == 0 || len(diffs) != len(x.Steps[0].Touched) {
		t.Fatalf("diff of step 1 has %d parts, the step touched %v", len(diffs), x.Steps[0].Touched)
	}
	d := DiffText(diffs)
	if !strings.Contains(d, "\n-") || !strings.Contains(d, "alloca") {
		t.Errorf("mem2reg's diff should remove allocas:\n%s", d)
	}
	full, _ := x.Diff(1, true)
	if len(DiffText(full)) <= len(d) {
		t.Errorf("the full diff is not longer than the short one")
	}
	if h := DiffHTML(diffs); !strings.Contains(h, "background:#ffe0e0") {
		t.Errorf("the HTML diff does not highlight removed lines")
	}
	if d, _ := x.Diff(2, false); len(d) != 0 {
		t.Errorf("a no-op step has a diff: %v", d)
	}
	if _, err := x.Diff(len(x.Steps)+1, false); err == nil || !strings.Contains(err.Error(), "steps 1 to") {
		t.Errorf("diff of a missing step: %v", err)
	}
}

func TestLocateErrors(t *testing.T) {
	ctx := context.Background()
	st, _ := storedDeployment(t, map[string][]string{"builtin:qsort": {"-mem2reg"}})
	for _, tc := range []struct {
		opt  Options
		want string
	}{
		{Options{Run: "nosuch"}, `no deploy or compare run named "nosuch"`},
		{Options{Run: "cs", Benchmark: "sha256"}, "no benchmark \"sha256\"; the run has: builtin:qsort"},
		{Options{Run: "cs", Method: "genetic"}, `no method "genetic"; it has: supersonic`},
	} {
		tc.opt.Store = st
		_, err := Explain(ctx, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Explain(%+v): %v, want %q", tc.opt, err, tc.want)
		}
	}
}

func TestExportAndReplay(t *testing.T) {
	ctx := context.Background()
	st, dir := storedDeployment(t, map[string][]string{"builtin:dijkstra": {"-sroa", "-inline", "-instcombine", "-licm", "-simplifycfg", "-globaldce"}})
	path, f, err := Export(ctx, Options{Store: st}, filepath.Join(dir, "x.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Expected["ic"] >= f.Expected["ic.o0"] || f.Program.Name != "dijkstra.o0.bc" || f.Tools["llvm"] == "" || len(f.Spelling) != 6 {
		t.Errorf("export: %+v", f)
	}
	r, err := Replay(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Fatalf("replay differs:\n%s", r.Text())
	}
	replayInFreshDirectory(t, path, true)
	// A tampered file: replay says what differs.
	f.Expected["ic"]++
	data, _ := json.Marshal(f)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, data, 0o644)
	r, err = Replay(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	want := "DIFFERS  ic: expected " + fmtMeasure(f.Expected["ic"]) + ", got " + fmtMeasure(f.Expected["ic"]-1)
	if r.OK || !strings.Contains(r.Text(), want) {
		t.Errorf("replay of a tampered file:\n%s\nwant a line %q", r.Text(), want)
	}
	if out := replayInFreshDirectory(t, bad, false); !strings.Contains(out, want) {
		t.Errorf("supersonic replay of a tampered file:\n%s\nwant a line %q", out, want)
	}
	f.Program.Data = f.Program.Data[:len(f.Program.Data)-8] + "AAAAAAA="
	data, _ = json.Marshal(f)
	os.WriteFile(bad, data, 0o644)
	if _, err := Replay(ctx, bad); err == nil {
		t.Errorf("replay of a corrupt program succeeded")
	}
}

var (
	buildOnce sync.Once
	bin       string
	buildErr  error
)

// replayInFreshDirectory builds the supersonic command, copies the export
// into an empty folder and runs `supersonic replay FILE` there with an
// empty cache and home, as on another machine with the same tools.
func replayInFreshDirectory(t *testing.T, export string, wantOK bool) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "supersonic-bin-*")
		if err != nil {
			buildErr = err
			return
		}
		bin = filepath.Join(dir, "supersonic")
		if out, err := exec.Command("go", "build", "-o", bin, "../../kernel/cmd/supersonic").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build supersonic: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	fresh := t.TempDir()
	data, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fresh, "result.supersonic.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "replay", "result.supersonic.json")
	cmd.Dir = fresh
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
	out, err := cmd.CombinedOutput()
	if (err == nil) != wantOK {
		t.Fatalf("supersonic replay (want success %v): %v\n%s", wantOK, err, out)
	}
	t.Logf("supersonic replay:\n%s", out)
	if wantOK && !strings.Contains(string(out), "checks reproduce the export") {
		t.Errorf("supersonic replay says:\n%s", out)
	}
	return string(out)
}
