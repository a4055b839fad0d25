package codesize

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// reproSequences are real pass sequences: -Oz-like prefixes, inlining,
// loop passes in both loop adaptors, module passes between function
// passes, and random draws from the whole action space.
var reproSequences = func() [][]string {
	seqs := [][]string{
		{"-inline"},
		{"-mem2reg", "-inline", "-instcombine", "-simplifycfg"},
		{"-sroa", "-early-cse-memssa", "-inline", "-functionattrs", "-argpromotion", "-globalopt", "-gvn", "-licm", "-loop-rotate", "-indvars", "-loop-deletion", "-loop-unroll", "-dce"},
		{"-mem2reg", "-loop-rotate", "-licm", "-loop-unswitch", "-simple-loop-unswitch", "-indvars", "-loop-idiom", "-loop-reduce", "-loop-instsimplify", "-loop-simplifycfg"},
		{"-reg2mem", "-mem2reg", "-ipsccp", "-deadargelim", "-globaldce", "-strip-dead-prototypes", "-constmerge", "-mergefunc"},
		{"-mem2reg", "-partial-inliner", "-always-inline", "-inline", "-tailcallelim", "-jump-threading", "-correlated-propagation", "-adce"},
		{"-sroa", "-loop-vectorize", "-slp-vectorizer", "-instcombine", "-loop-unroll-and-jam", "-loop-distribute", "-loop-load-elim", "-loop-sink"},
		{"-mem2reg", "-newgvn", "-gvn-hoist", "-mldst-motion", "-dse", "-memcpyopt", "-bdce", "-aggressive-instcombine", "-reassociate", "-nary-reassociate"},
		{"-attributor", "-rpo-functionattrs", "-inferattrs", "-called-value-propagation", "-hotcoldsplit", "-mem2reg", "-inline", "-flattencfg", "-lowerswitch", "-mergereturn", "-simplifycfg"},
	}
	rng := rand.New(rand.NewPCG(16, 1))
	for len(seqs) < 16 {
		seq := make([]string, 10+rng.IntN(20))
		for i := range seq {
			seq[i] = Passes[rng.IntN(len(Passes))].Name
		}
		seqs = append(seqs, seq)
	}
	return seqs
}()

// runShell runs a command line with sh and returns its trimmed stdout.
func runShell(t *testing.T, dir, cmdline string) string {
	t.Helper()
	cmd := exec.Command("sh", "-c", cmdline)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s: %v\n%s", cmdline, err, stderr)
	}
	return strings.TrimSpace(string(out))
}

func writeO0(t *testing.T, dir, bench string) string {
	t.Helper()
	b := prepared(t, bench)
	path := filepath.Join(dir, "o0.bc")
	if err := os.WriteFile(path, b.bitcode, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOptPipelineReproducesCounts(t *testing.T) {
	ctx := context.Background()
	for _, bench := range []string{"builtin:qsort", "csmith:3"} {
		dir := t.TempDir()
		writeO0(t, dir, bench)
		for i, seq := range reproSequences {
			want, err := shared.Replay(ctx, bench, seq)
			if err != nil {
				t.Fatalf("%s seq %d: %v", bench, i, err)
			}
			cmd, err := CountCommand(seq, "o0.bc")
			if err != nil {
				t.Fatal(err)
			}
			got := runShell(t, dir, cmd)
			if got != strconv.FormatInt(want, 10) {
				t.Errorf("%s seq %d %v: opt-19 counts %s, the task %d\n%s", bench, i, seq, got, want, cmd)
			}
		}
	}
}

// TestOptScriptReproducesEveryStep runs the one-call-per-pass script and
// compares the count it prints after every pass with the task's.
func TestOptScriptReproducesEveryStep(t *testing.T) {
	ctx := context.Background()
	const bench = "csmith:3"
	dir := t.TempDir()
	writeO0(t, dir, bench)
	seq := reproSequences[2]
	script, err := OptScript(seq)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "repro.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(runShell(t, dir, "sh repro.sh o0.bc final.ll"), "\n")
	if len(lines) != len(seq)+1 {
		t.Fatalf("the script printed %d lines for %d passes:\n%s", len(lines), len(seq), strings.Join(lines, "\n"))
	}
	ep := newEpisode(t, shared, bench)
	want := []string{fmt.Sprintf("O0: %d", ep.ic)}
	for i, pass := range seq {
		if err := ep.Apply(ctx, mustPass(t, pass)); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%d %s: %d", i+1, Passes[mustPass(t, pass)].Name, ep.ic))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("script line %d = %q, the task: %q", i+1, lines[i], want[i])
		}
	}
	if got := runShell(t, dir, CountScript+" < final.ll"); got != strconv.FormatInt(ep.ic, 10) {
		t.Errorf("final.ll counts %s instructions, want %d", got, ep.ic)
	}
}

// TestReferenceCommands compiles C benchmarks with CompileCommand and
// checks that ReferenceCommand counts what the task's baselines say.
func TestReferenceCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, bench := range []string{"testdata/suite/crc.c", "benchmarks/csrc/adpcm.c", "benchmarks/csrc/qsort.c"} {
		src, err := filepath.Abs(bench)
		if err != nil {
			t.Fatal(err)
		}
		runShell(t, dir, CompileCommand(src, "o0.bc", nil))
		for _, ref := range []string{"o0", "oz", "o3"} {
			want, err := shared.ReferenceOf(ctx, bench, ref, "ic")
			if err != nil {
				t.Fatal(err)
			}
			cmd, err := ReferenceCommand(ref, "o0.bc")
			if err != nil {
				t.Fatal(err)
			}
			if got := runShell(t, dir, cmd); got != strconv.FormatInt(int64(want), 10) {
				t.Errorf("%s %s: %s counts %s, the task %v", bench, ref, cmd, got, want)
			}
		}
	}
	if _, err := ReferenceCommand("o2", "x.bc"); err == nil || !strings.Contains(err.Error(), "want o0, oz or o3") {
		t.Errorf("ReferenceCommand(o2): %v, want an error naming the references", err)
	}
}

// TestPassLevelsMatchOpt checks the module/CGSCC/function table against
// `opt-19 -print-passes`: a pass opt lists as a module or CGSCC pass must
// be in the table at that level, and every pass in the table must be one.
func TestPassLevelsMatchOpt(t *testing.T) {
	out, err := exec.Command(OptTool, "-print-passes").Output()
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]map[string]bool{}
	var section string
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, " ") {
			section = strings.TrimSuffix(strings.TrimSuffix(line, ":"), " with params")
			continue
		}
		name := strings.TrimSpace(line)
		if i := strings.IndexByte(name, '<'); i >= 0 {
			name = name[:i]
		}
		if sections[section] == nil {
			sections[section] = map[string]bool{}
		}
		sections[section][name] = true
	}
	if len(sections["Module passes"]) == 0 || len(sections["CGSCC passes"]) == 0 {
		t.Fatalf("cannot read opt-19 -print-passes:\n%s", out)
	}
	for _, p := range Passes {
		name := basePassName(p.Pipeline)
		var want passLevel
		switch {
		case strings.Contains(p.Pipeline, "("):
			want = functionLevel
			if !sections["Loop passes"][name] && !sections["LoopNest passes"][name] {
				t.Errorf("%s: %s runs in a loop adaptor but opt-19 lists no loop pass %s", p.Name, p.Pipeline, name)
			}
		case sections["Module passes"][name]:
			want = moduleLevel
		case sections["CGSCC passes"][name]:
			want = cgsccLevel
		case sections["Function passes"][name]:
			want = functionLevel
		default:
			t.Errorf("%s: opt-19 does not list %s", p.Name, name)
			continue
		}
		if got := levelOf(p.Pipeline); got != want {
			t.Errorf("%s (%s): level %d, opt-19 says %d", p.Name, p.Pipeline, got, want)
		}
	}
}

func TestOptPipelineText(t *testing.T) {
	for _, tc := range []struct {
		passes []string
		want   string
	}{
		{nil, ""},
		{[]string{"-inline"}, "cgscc(inline)"},
		{[]string{"-mem2reg", "inline", "-licm", "-globaldce", "loop(indvars)"},
			"function(mem2reg),invalidate<all>,cgscc(inline),invalidate<all>,function(loop-mssa(licm)),invalidate<all>,globaldce,invalidate<all>,function(loop(indvars))"},
	} {
		got, err := OptPipeline(tc.passes)
		if err != nil || got != tc.want {
			t.Errorf("OptPipeline(%q) = %q, %v; want %q", tc.passes, got, err, tc.want)
		}
	}
	if _, err := OptPipeline([]string{"-mem2reg", "-die"}); err == nil || !strings.Contains(err.Error(), "pass 2") {
		t.Errorf("OptPipeline with a removed pass: %v, want an error naming pass 2", err)
	}
}

// TestTaskHelpCommandsRun runs every command line of the task's help on a
// real program and compares what it prints with the task's counts.
func TestTaskHelpCommandsRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, err := filepath.Abs("testdata/suite/crc.c")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prog.c"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, line := range strings.Split(TaskHelp(), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, ClangTool+" ") || strings.HasPrefix(l, OptTool+" ") {
			cmds = append(cmds, l)
		}
	}
	if len(cmds) != 4 {
		t.Fatalf("the help shows %d commands, want 4:\n%s", len(cmds), TaskHelp())
	}
	runShell(t, dir, cmds[0])
	const bench = "testdata/suite/crc.c"
	seq, err := shared.Replay(ctx, bench, helpPasses)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "oz", "o3"}
	for i, cmd := range cmds[1:] {
		w := seq
		if i < 2 {
			v, err := shared.ReferenceOf(ctx, bench, want[i+1], "ic")
			if err != nil {
				t.Fatal(err)
			}
			w = int64(v)
		}
		if got := runShell(t, dir, cmd); got != strconv.FormatInt(w, 10) {
			t.Errorf("%s printed %s, the task counts %d", cmd, got, w)
		}
	}
}
