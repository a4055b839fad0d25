package searchview

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/baselines" // random is a registered algorithm
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/store/storetest"
	"github.com/supersonic-rl/supersonic/widgets"
)

func TestArmRows(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		arm   search.ArmStats
		final bool
		want  widgets.ArmStatus
	}{
		{"unpulled", search.ArmStats{Mean: nan}, false, widgets.ArmWaiting},
		{"training", search.ArmStats{Pulls: 1, InFlight: 1, Mean: 1}, false, widgets.ArmRunning},
		{"between pulls", search.ArmStats{Pulls: 2, Mean: 1}, false, widgets.ArmIdle},
		{"over", search.ArmStats{Pulls: 2, InFlight: 1, Mean: 1}, true, widgets.ArmDone},
		{"eliminated", search.ArmStats{Pulls: 1, Pruned: true, Mean: 1}, true, widgets.ArmPruned},
		{"failing", search.ArmStats{Failures: 3, Retired: true, Mean: nan}, false, widgets.ArmFailed},
	}
	for _, tt := range tests {
		rows := ArmRows([]search.ArmStats{tt.arm}, tt.final)
		if len(rows) != 1 || rows[0].Status != tt.want {
			t.Errorf("%s: status %v, want %v", tt.name, rows[0].Status, tt.want)
		}
		if got, want := rows[0].Pulls, tt.arm.Pulls+tt.arm.Failures; got != want {
			t.Errorf("%s: %d pulls shown, want %d (failed pulls count)", tt.name, got, want)
		}
	}
	if rows := ArmRows([]search.ArmStats{{Pulls: 1, Mean: 1, Steps: 420}}, true); rows[0].Steps != 420 {
		t.Errorf("steps %d shown, want the arm's 420", rows[0].Steps)
	}
}

// Issue 14: an arm whose only pull was cut short by Stop read "182 steps,
// 0 pulls". Its cells say which part was cut, in the table, its text and
// the headline alike.
func TestArmRowsSayWhatWasCut(t *testing.T) {
	nan := math.NaN()
	arms := []search.ArmStats{
		{Name: "dqn · autophase", Cut: 1, CutSteps: 182, Mean: nan, Best: nan},
		{Name: "ppo · autophase", Pulls: 2, Steps: 1200, Cut: 1, CutSteps: 34, Mean: 1.1, Best: 1.2},
	}
	rows := ArmRows(arms, true)
	for i, want := range []struct {
		pulls, steps string
		status       widgets.ArmStatus
	}{{"0 + 1 cut", "0 + 182 cut", widgets.ArmStopped}, {"2 + 1 cut", "1.2k + 34 cut", widgets.ArmDone}} {
		if r := rows[i]; r.PullsCell() != want.pulls || r.StepsCell() != want.steps || r.Status != want.status {
			t.Errorf("%s: pulls %q, steps %q, status %s; want %q, %q, %s", r.Arm, r.PullsCell(), r.StepsCell(), r.Status, want.pulls, want.steps, want.status)
		}
	}
	var text strings.Builder
	if err := widgets.WriteLeaderboardText(&text, "arms", rows); err != nil {
		t.Fatal(err)
	}
	html := widgets.LeaderboardHTML("arms", rows)
	for _, want := range []string{"0 + 182 cut", "2 + 1 cut", "stopped"} {
		if !strings.Contains(text.String(), want) || !strings.Contains(html, want) {
			t.Errorf("the leaderboard lacks %q:\n%s", want, text.String())
		}
	}
	if h := Leader(arms); !strings.Contains(h, "2 pulls + 1 cut") {
		t.Errorf("headline %q does not count the cut pull as the table does", h)
	}
	res := &search.Result{Name: "qs", Status: rlcore.Interrupted, Winner: &arms[1],
		Pulls: []*search.PullResult{{Status: store.PullOK}, {Status: store.PullOK}, {Status: store.PullInterrupted}, {Status: store.PullInterrupted}}}
	if s := SearchSummary(res); !strings.Contains(s, "after 2 pulls + 2 cut") || !strings.Contains(s, "best 1.2000, 2 pulls + 1 cut") {
		t.Errorf("the summary does not count pulls as the table does:\n%s", s)
	}
}

// Issue 18, item 6: failed episodes of an arm are shown in its
// leaderboard row, also when its pulls succeeded.
func TestArmRowsShowFailedEpisodes(t *testing.T) {
	rows := ArmRows([]search.ArmStats{{Pulls: 2, Mean: 1, Best: 1.2, FailedEpisodes: 5, FirstEpisodeError: "LLVM crashed in gvn"}}, true)
	if d := rows[0].Detail; !strings.Contains(d, "5 failed episodes") || !strings.Contains(d, "LLVM crashed in gvn") || rows[0].Best != 1.2 {
		t.Fatalf("detail %q, best %v (the best pull has a column of its own)", d, rows[0].Best)
	}
	if d := ArmRows([]search.ArmStats{{Pulls: 1, Mean: 1}}, true)[0].Detail; strings.Contains(d, "failed") {
		t.Fatalf("detail %q of an arm without failed episodes", d)
	}
}

// comparison builds a comparison of the client, the compiler default and
// random search on two benchmarks.
func comparison() *search.Comparison {
	res := func(m, b string, q float64, curve ...[2]float64) *search.MethodResult {
		r := &search.MethodResult{Method: m, Benchmark: b, Quality: q}
		for _, p := range curve {
			r.Curve = append(r.Curve, rlcore.CurvePoint{Elapsed: time.Duration(p[0] * float64(time.Second)), Best: p[1]})
		}
		return r
	}
	return &search.Comparison{
		Benchmarks: []string{"a", "b"},
		Methods:    []string{search.ClientMethod, "oz", "random"},
		Results: map[string]map[string]*search.MethodResult{
			search.ClientMethod: {"a": res(search.ClientMethod, "a", 1.2, [2]float64{1, 1.0}, [2]float64{3, 1.2}), "b": res(search.ClientMethod, "b", 0.9, [2]float64{2, 0.9})},
			"oz":                {"a": res("oz", "a", 1), "b": res("oz", "b", 1)},
			"random":            {"a": res("random", "a", -0.5), "b": res("random", "b", math.NaN())},
		},
	}
}

func TestComparisonChartIsRelativeToTheCompilerDefault(t *testing.T) {
	wc := ComparisonChart(comparison())
	if err := wc.Validate(); err != nil {
		t.Fatal(err)
	}
	if wc.Reference != "-Oz" || len(wc.Methods) != 2 || wc.Methods[0] != search.ClientMethod || wc.Methods[1] != "random" {
		t.Fatalf("reference %q, methods %v; want -Oz and the two methods other than oz", wc.Reference, wc.Methods)
	}
	if wc.Values[0][0] != 1.2 || wc.Values[0][1] != 0.9 {
		t.Errorf("client ratios %v, want [1.2 0.9]", wc.Values[0])
	}
	// A quality below zero (worse than O0) and a missing one are left empty.
	if !math.IsNaN(wc.Values[1][0]) || !math.IsNaN(wc.Values[1][1]) {
		t.Errorf("random ratios %v, want both empty", wc.Values[1])
	}
}

func TestTimeToQualityAveragesBenchmarks(t *testing.T) {
	series := TimeToQuality(comparison())
	if len(series) != 1 || series[0].Name != search.ClientMethod {
		t.Fatalf("series %+v, want the client's only (the others have no curves)", series)
	}
	// At 1 s: a=1.0, b not started (counts its first value 0.9); at 2 s: a=1.0, b=0.9; at 3 s: a=1.2, b=0.9.
	want := []float64{0.95, 0.95, 1.05}
	pts := series[0].Points
	if len(pts) != len(want) {
		t.Fatalf("%d points, want %d", len(pts), len(want))
	}
	for i, p := range pts {
		if math.Abs(p.Best-want[i]) > 1e-12 {
			t.Errorf("point %d at %v: %v, want %v", i, p.Elapsed, p.Best, want[i])
		}
	}
}

func TestShowRunRedrawsAStoredComparison(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	id, err := st.CreateRun(ctx, store.Run{Name: "cmp", Kind: "compare", Task: "codesize"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []store.Baseline{
		{Run: id, Benchmark: "a", Method: search.ClientMethod, Quality: 1.1, Actions: []int{1, 2}, Curve: [][2]float64{{0.5, 1.0}, {1, 1.1}}, TimeToTarget: time.Second},
		{Run: id, Benchmark: "a", Method: "oz", Quality: 1, TimeToTarget: -1},
		{Run: id, Benchmark: "a", Method: "random", Quality: 1.05, Actions: []int{3}, Curve: [][2]float64{{2, 1.05}}, TimeToTarget: 2 * time.Second},
	} {
		if _, err := st.AddBaseline(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.FinishRun(ctx, id, store.StatusFinished, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ShowRun(ctx, st, "cmp", widgets.Output{Display: widgets.Headless, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"run-1-comparison.svg", "run-1-comparison.png", "run-1-time-to-quality.svg"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if err := ShowRun(ctx, st, "nosuch", widgets.Output{Display: widgets.Headless}); err == nil {
		t.Error("ShowRun of an unknown run succeeded")
	}
}

func TestLeaderboardNamesRemoteWorkers(t *testing.T) {
	var a armWorkers
	a.observe(rlcore.Event{Run: "ppo · autophase", Worker: "b-17"})
	a.observe(rlcore.Event{Run: "a2c · autophase"}) // trained in this process
	rows := a.annotate([]widgets.ArmRow{{Arm: "ppo · autophase", Detail: "best 0.9 ± 0.1"}, {Arm: "a2c · autophase"}})
	if rows[0].Detail != "best 0.9 ± 0.1  on b-17" || rows[1].Detail != "" {
		t.Fatalf("details %q, %q", rows[0].Detail, rows[1].Detail)
	}
}

func TestRunsHTML(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	html := RunsHTML([]store.Run{
		{ID: 1, Name: "qs", Kind: "search", Task: "codesize", Strategy: "bandit", Status: "budget", Started: start, Finished: start.Add(45 * time.Second), Winner: "ppo · autophase", WinnerScore: 1.0917},
		{ID: 2, Name: "qs", Kind: "deploy", Task: "codesize", Status: "finished", Started: start, Finished: start.Add(8 * time.Second), WinnerScore: math.NaN()},
	})
	for _, want := range []string{"<table", "done (budget spent)", "<span style=\"white-space:nowrap\">autophase</span></code>", "1.0917", "45s", "text-align:left"} {
		if !strings.Contains(html, want) {
			t.Errorf("runs table lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<td style=\"padding:2px 10px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap\"><code></code>") {
		t.Error("a run without a winner shows an empty winner")
	}
}

// Issue 14: %show of a stored search shows its leaderboard once, with the
// steps of each arm's pulls (the column was always "–").
func TestShowRunShowsAStoredLeaderboardOnceWithSteps(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	id, err := st.CreateRun(ctx, store.Run{Name: "qs", Kind: "search", Task: "codesize"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddArms(ctx, []store.Arm{{Run: id, Index: 0, Name: "ppo · autophase", Pulls: 2, Mean: 1.1, Best: 1.2},
		{Run: id, Index: 1, Name: "dqn · autophase"}}); err != nil {
		t.Fatal(err)
	}
	for i, steps := range []int{1200, 34} {
		if _, err := st.AddPull(ctx, store.Pull{Run: id, Seq: i + 1, Arm: "ppo · autophase", Score: 1.1, Status: store.PullOK, Steps: steps}); err != nil {
			t.Fatal(err)
		}
	}
	// Stopped while its first pull trained: 182 steps, no finished pull.
	if _, err := st.AddPull(ctx, store.Pull{Run: id, Seq: 3, Arm: "dqn · autophase", Score: 1.3, Status: store.PullInterrupted, Steps: 182}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, id, store.StatusFinished, nil); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	stdout := captureStdout(t, func() {
		if err := ShowRun(ctx, st, "qs", widgets.Output{Display: widgets.Headless, Text: &text}); err != nil {
			t.Error(err)
		}
	})
	if !strings.Contains(text.String(), "1.234k") {
		t.Errorf("leaderboard lacks the arm's 1234 steps:\n%s", text.String())
	}
	if !strings.Contains(text.String(), "0 + 1 cut") || !strings.Contains(text.String(), "0 + 182 cut") || strings.Contains(text.String(), "1.3000") {
		t.Errorf("leaderboard does not say that dqn's only pull (182 steps) was cut and not scored:\n%s", text.String())
	}
	if strings.Contains(stdout, "rank") || !strings.Contains(stdout, "qs") {
		t.Errorf("the summary repeats the leaderboard or lacks the run line:\n%s", stdout)
	}
	// Headless (a program outside the notebook): the same leaderboard, as
	// text on stdout.
	stdout = captureStdout(t, func() {
		if err := ShowRun(ctx, st, "qs", widgets.Output{Display: widgets.Headless}); err != nil {
			t.Error(err)
		}
	})
	if !strings.Contains(stdout, "0 + 182 cut") || !strings.Contains(stdout, "1.234k") || strings.Count(stdout, "ppo · autophase") != 1 {
		t.Errorf("headless %%show does not print the leaderboard once:\n%s", stdout)
	}
}

// captureStdout returns what f prints on os.Stdout.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		done <- b.String()
	}()
	f()
	os.Stdout = old
	w.Close()
	return <-done
}

// Issue 11: a phase that ran past its wall budget says by how much and
// why, in one line of its summary.
func TestSummariesSayTheOverrun(t *testing.T) {
	res := &search.Result{Name: "qs", Status: rlcore.BudgetExhausted, Winner: &search.ArmStats{Name: "a", Pulls: 1, Mean: 1, Best: 1},
		Overrun: 7400 * time.Millisecond, OverrunWhy: "2 pulls running at the wall budget were let finish"}
	if s := SearchSummary(res); !strings.Contains(s, "over budget by 7.4s: 2 pulls running") {
		t.Errorf("search summary %q does not say the overrun", s)
	}
	res.Overrun, res.OverrunWhy = 0, ""
	if s := SearchSummary(res); strings.Contains(s, "over budget") || strings.HasSuffix(s, "\n") {
		t.Errorf("search summary %q within budget", s)
	}
}
