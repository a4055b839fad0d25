package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/store/storetest"
)

func TestInterruptKeepsPullsSoFar(t *testing.T) {
	st, ctx, cancel, spec := stoppableSearch(t, "interrupted")
	spec.Algorithms = []AlgorithmSpec{{Name: "syn-a", Hyper: rlcore.Hyper{"work": 2000}}, {Name: "syn-b", Hyper: rlcore.Hyper{"work": 2000}}}
	var seen atomic.Int64
	res, err := Search(ctx, spec, Options{Strategy: "random", Budget: rlcore.Budget{Pulls: 1000}, Workers: 2, Store: st,
		OnPull: func(ev PullEvent) {
			if seen.Add(1) == 6 {
				cancel() // a kernel interrupt mid-search
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != rlcore.Interrupted {
		t.Fatalf("status = %v, want interrupted", res.Status)
	}
	if len(res.Pulls) < 6 || len(res.Pulls) > 8 || res.Winner == nil {
		t.Fatalf("%d pulls, winner %v: want the 6 finished before the interrupt plus at most the 2 in flight", len(res.Pulls), res.Winner)
	}
	run, err := st.FindRun(context.Background(), "interrupted", store.KindSearch)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.StatusInterrupted || run.ID != res.RunID || run.Winner != res.Winner.Name {
		t.Fatalf("stored run = %+v, want interrupted with winner %s", run, res.Winner.Name)
	}
	pulls, err := st.Pulls(context.Background(), run.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(pulls) != len(res.Pulls) {
		t.Fatalf("store has %d pulls, the search made %d", len(pulls), len(res.Pulls))
	}
	ok := 0
	for _, p := range pulls {
		if p.Status == store.PullOK {
			ok++
			if len(p.Curve) == 0 || len(p.BestActions) == 0 || math.IsNaN(p.Score) {
				t.Fatalf("pull %d stored without curve, actions or score: %+v", p.Seq, p)
			}
		}
	}
	if ok < 6 {
		t.Fatalf("%d successful pulls stored, want at least 6", ok)
	}
}

func TestFailingArmsDoNotStopTheSearch(t *testing.T) {
	st := storetest.Open(t)
	spec := synSpec("failing")
	spec.Algorithms = []AlgorithmSpec{{Name: "syn-fail"}, {Name: "syn-panic"}, {Name: "syn-a"}}
	// 16 failing arms retire after 2 failed pulls each and the 8 syn-a
	// arms need one pull each: 40 pulls. One worker: with two, a slow
	// first failure (a panic) can still be in flight when the other worker
	// has started the last pull, and its arm is never retried.
	res, err := Search(context.Background(), spec, Options{Strategy: "bandit", Budget: rlcore.Budget{Pulls: 40}, Workers: 1, MaxFailures: 2, Store: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != rlcore.BudgetExhausted || len(res.Pulls) != 40 {
		t.Fatalf("status %v after %d pulls, want budget after 40", res.Status, len(res.Pulls))
	}
	if res.Winner == nil || !strings.HasPrefix(res.Winner.Name, "syn-a ") {
		t.Fatalf("winner = %+v, want a syn-a arm", res.Winner)
	}
	var panics, fails int
	for _, p := range res.Pulls {
		if p.Status == "failed" && p.Err != nil {
			fails++
			if strings.Contains(p.Err.Error(), "panicked") {
				panics++
			}
		}
	}
	if panics == 0 || fails < 16 {
		t.Fatalf("%d failed pulls (%d panics); want every failing arm tried", fails, panics)
	}
	for _, a := range res.Arms {
		failing := !strings.HasPrefix(a.Name, "syn-a ")
		if failing != a.Retired {
			t.Errorf("arm %s: retired = %v", a.Name, a.Retired)
		}
	}
	arms, _ := st.Arms(context.Background(), res.RunID)
	retired := 0
	for _, a := range arms {
		if a.Status == "retired" {
			retired++
		}
	}
	if retired != 16 {
		t.Fatalf("store has %d retired arms, want 16", retired)
	}
}

func TestEveryArmFailingFailsTheSearch(t *testing.T) {
	spec := synSpec("allfail")
	spec.States, spec.Rewards, spec.Transitions = spec.States[:1], spec.Rewards[:1], spec.Transitions[:1]
	spec.Algorithms = []AlgorithmSpec{{Name: "syn-fail"}}
	res, err := Search(context.Background(), spec, Options{Budget: rlcore.Budget{Pulls: 20}, Workers: 2, NoStore: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != rlcore.Failed || res.Winner != nil || res.Err == nil || len(res.Pulls) < 3 || len(res.Pulls) > 4 {
		t.Fatalf("status %v, winner %v, err %v after %d pulls; want failed after 3 pulls, 4 with the one in flight", res.Status, res.Winner, res.Err, len(res.Pulls))
	}
}

func TestParallelWorkersAreIsolated(t *testing.T) {
	st := storetest.Open(t)
	spec := synSpec("parallel")
	var events atomic.Int64
	res, err := Search(context.Background(), spec, Options{Strategy: "grid", Budget: rlcore.Budget{Pulls: 48}, Workers: 4, Store: st,
		Observer: func(rlcore.Event) { events.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	workers := map[int]bool{}
	for _, p := range res.Pulls {
		if !p.OK() {
			t.Fatalf("pull %d failed: %v", p.Seq, p.Err)
		}
		workers[p.Worker] = true
		// Each pull's score is its own arm's known quality plus noise:
		// a pull scored with another worker's env would be off.
		if want := synQuality(p.Arm, []string{"ex0", "ex1"}); math.Abs(p.Score-want) > 0.3 {
			t.Fatalf("pull of %s scored %.3f, its arm's quality is %.3f", p.Arm, p.Score, want)
		}
	}
	if len(workers) < 2 || events.Load() == 0 {
		t.Fatalf("workers used %v, %d events", workers, events.Load())
	}
	steps := map[string]int{}
	for _, p := range res.Pulls {
		steps[p.Arm.String()] += p.Result.Stats.Steps
	}
	for _, a := range res.Arms {
		if a.Pulls != 2 {
			t.Fatalf("grid pulled %s %d times in 48 pulls over 24 arms", a.Name, a.Pulls)
		}
		if a.Steps == 0 || a.Steps != steps[a.Name] {
			t.Fatalf("arm %s counts %d steps, its pulls took %d", a.Name, a.Steps, steps[a.Name])
		}
	}
	pulls, _ := st.Pulls(context.Background(), res.RunID, false)
	if len(pulls) != 48 {
		t.Fatalf("stored %d pulls", len(pulls))
	}
}

func TestSearchRejectsBadInput(t *testing.T) {
	spec := synSpec("bad")
	for _, tc := range []struct {
		name string
		mut  func(*Spec, *Options)
		want string
	}{
		{"strategy", func(s *Spec, o *Options) { o.Strategy = "hill" }, "unknown strategy \"hill\"; known: bandit, drl"},
		{"algorithm", func(s *Spec, o *Options) { s.Algorithms = []AlgorithmSpec{{Name: "nope"}} }, "unknown algorithm \"nope\""},
		{"hyper", func(s *Spec, o *Options) {
			s.Algorithms = []AlgorithmSpec{{Name: "syn-a", Hyper: rlcore.Hyper{"lr": 5}}}
		}, "outside its range"},
		{"state", func(s *Spec, o *Options) { s.States = []string{"autofase"} }, "unknown state \"autofase\""},
		{"benchmark", func(s *Spec, o *Options) { s.Benchmarks = []string{"cbench"} }, "unknown benchmark \"cbench\""},
		{"task", func(s *Spec, o *Options) { s.Task = "halide9" }, "unknown task \"halide9\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, o := spec, Options{NoStore: true, Logger: quiet}
			tc.mut(&s, &o)
			_, err := Search(context.Background(), s, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestTuneDeployAndCompareUseTheStoredWinner(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	spec := synSpec("pipeline")
	spec.Algorithms = []AlgorithmSpec{{Name: "syn-a", Hyper: rlcore.Hyper{"noise": 0, "work": 0}}, {Name: "syn-c", Hyper: rlcore.Hyper{"noise": 0, "work": 0}}}
	res, err := Search(ctx, spec, Options{Budget: rlcore.Budget{Pulls: 24}, Workers: 2, Store: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res.Winner == nil || !isBest(res.Winner.Name) {
		t.Fatalf("winner %v", res.Winner)
	}

	// Deploy before tuning: the stored winner with its own hyperparameters.
	dep, err := Deploy(ctx, DeployOptions{Run: "pipeline", Store: st, Budget: rlcore.Budget{Steps: 42}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if dep.Arm.String() != res.Winner.Name || dep.Tuned || len(dep.Results) != 2 {
		t.Fatalf("deployed %s (tuned %v) on %d benchmarks, want the winner %s on the 2 test benchmarks", dep.Arm, dep.Tuned, len(dep.Results), res.Winner.Name)
	}
	for _, d := range dep.Results {
		want := synQuality(dep.Arm, []string{d.Benchmark})
		if !d.Validated || d.Err != nil || math.Abs(d.Quality-want) > 0.05 || len(d.ActionNames) != len(d.Actions) || !strings.Contains(strings.Join(d.ActionNames, " "), "bit") {
			t.Fatalf("deployment on %s: %+v (want quality ≈ %.3f, validated)", d.Benchmark, d, want)
		}
	}

	// Tune the winner: only lr is free (noise and work are fixed in the arm).
	tr, err := Tune(ctx, TuneOptions{Run: "pipeline", Store: st, Trials: 12, Workers: 2, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Err != nil || tr.Arm.String() != res.Winner.Name || len(tr.Trials) < 12 || tr.BestRung < 1 {
		t.Fatalf("tune: %+v", tr)
	}
	if lr := tr.Best["lr"]; lr < 0.002 || lr > 0.05 || tr.Best["noise"] != 0 {
		t.Fatalf("tuned lr = %g, noise = %g; want lr near 0.01 (the fixture's optimum), noise fixed at 0", lr, tr.Best["noise"])
	}
	dep2, err := Deploy(ctx, DeployOptions{Run: "pipeline", Store: st, Budget: rlcore.Budget{Steps: 42}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if !dep2.Tuned || dep2.Hyper["lr"] != tr.Best["lr"] {
		t.Fatalf("second deploy: tuned %v, hyper %v; want the tuned %v", dep2.Tuned, dep2.Hyper, tr.Best)
	}
	rows, _ := st.Deployments(ctx, dep2.RunID)
	if len(rows) != 2 || !rows[0].Validated || rows[0].Hyper["lr"] != tr.Best["lr"] {
		t.Fatalf("stored deployments %+v", rows)
	}

	cmp, err := Compare(ctx, CompareOptions{Run: "pipeline", Store: st, With: []string{"unit", "syn-c", "syn-b"}, Budget: rlcore.Budget{Steps: 84}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cmp.Methods, ","); got != "supersonic,unit,syn-c,syn-b" {
		t.Fatalf("methods %s", got)
	}
	if cmp.Geomean["unit"] != 1 || !(cmp.Geomean["supersonic"] > cmp.Geomean["syn-b"]) || !(cmp.Geomean["syn-b"] > cmp.Geomean["syn-c"]) {
		t.Fatalf("geomeans %v: want unit = 1 and supersonic > syn-b > syn-c", cmp.Geomean)
	}
	t.Logf("comparison:\n%s", cmp.Table())
	for _, o := range cmp.Overheads {
		if o.Method == "syn-c" && o.Missed != 2 {
			t.Fatalf("syn-c should never reach syn-b's quality: %+v", o)
		}
		if o.Method == "syn-b" && !(o.Geomean > 0) {
			t.Fatalf("syn-b overhead %+v", o)
		}
	}
	table := cmp.Table()
	for _, want := range []string{"ex2", "geomean", "search overhead", "syn-b"} {
		if !strings.Contains(table, want) {
			t.Fatalf("table lacks %q:\n%s", want, table)
		}
	}
	for _, bad := range [][]string{{"o9"}, {"unit", "unit"}, {"supersonic"}, {"syn-b@pizza"}, {"o9@all"}} {
		if _, err := Compare(ctx, CompareOptions{Run: "pipeline", Store: st, With: bad, Logger: quiet}); err == nil {
			t.Fatalf("Compare with baselines %v: no error", bad)
		} else if bad[0] == "o9" && !strings.Contains(err.Error(), "neither a reference compilation of task example (unit), a search method") ||
			bad[0] == "syn-b@pizza" && !strings.Contains(err.Error(), `method "syn-b@pizza" searches action space "pizza"`) ||
			bad[0] == "o9@all" && !strings.Contains(err.Error(), `method "o9@all"`) {
			t.Fatalf("Compare with baselines %v: %v", bad, err)
		}
	}
	bs, _ := st.Baselines(ctx, cmp.RunID)
	if len(bs) != 8 {
		t.Fatalf("stored %d comparison rows, want 8", len(bs))
	}
	runs, _ := st.Runs(ctx, "", 0)
	kinds := ""
	for _, r := range runs {
		kinds = r.Kind + " " + kinds
		if r.Status != store.StatusFinished && r.Status != store.StatusBudget {
			t.Fatalf("run %d (%s) ended %s: %s", r.ID, r.Kind, r.Status, r.Error)
		}
	}
	if kinds != "search deploy tune deploy compare " {
		t.Fatalf("runs: %s", kinds)
	}
	if table := RunsTable(runs); strings.Count(table, "\n") != 6 || !strings.Contains(table, res.Winner.Name) {
		t.Fatalf("runs table:\n%s", table)
	}
	for _, tc := range []struct{ ref, want string }{
		{"1", "search"}, {"2", "validated"}, {"3", "best: map[lr:"}, {"", "search overhead"},
	} {
		rep, err := Load(ctx, st, tc.ref)
		if err != nil {
			t.Fatal(err)
		}
		if sum := rep.Summary(); !strings.Contains(sum, tc.want) || rep.Spec == nil || rep.Spec.Task != "example" {
			t.Fatalf("summary of run %q lacks %q:\n%s", tc.ref, tc.want, sum)
		}
	}
	if rep, _ := Load(ctx, st, ""); rep.Summary() != rep.Summary() || !strings.Contains(rep.Summary(), "syn-b") {
		t.Fatal("compare summary lacks a baseline")
	}
	// METHOD@ACTIONS: the search method on a named action space.
	cmpAll, err := Compare(ctx, CompareOptions{Run: "pipeline", Store: st, With: []string{"syn-b@all"}, Budget: rlcore.Budget{Steps: 42}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if r := cmpAll.Results["syn-b@all"]["ex2"]; r == nil || r.Err != nil || !(r.Quality > 0) || len(cmpAll.Overheads) != 1 {
		t.Fatalf("syn-b@all on ex2: %+v; overheads %+v", r, cmpAll.Overheads)
	}
}

func TestDeployValidationHook(t *testing.T) {
	spec := synSpec("validate")
	spec.TaskOptions = map[string]string{"reject": "true"}
	arm := spec.Arms()[0]
	dep, err := Deploy(context.Background(), DeployOptions{Spec: &spec, Arm: &arm, Store: storetest.Open(t), Budget: rlcore.Budget{Steps: 21}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dep.Results {
		if d.Validated || d.Err == nil || !strings.Contains(d.Err.Error(), "rejects everything") || math.IsNaN(d.Quality) {
			t.Fatalf("deployment %+v: want the task's validator to reject it, quality kept", d)
		}
	}
}

func TestDeployWithoutSearchRunIsAClearError(t *testing.T) {
	_, err := Deploy(context.Background(), DeployOptions{Run: "never-ran", Store: storetest.Open(t)})
	if !errors.Is(err, store.ErrNoRun) || !strings.Contains(err.Error(), "never-ran") {
		t.Fatalf("error = %v", err)
	}
}

func TestWallTimeBudgetAndDRLMetaPolicy(t *testing.T) {
	st := storetest.Open(t)
	spec := synSpec("walltime")
	res, err := Search(context.Background(), spec, Options{Strategy: "drl", Budget: rlcore.Budget{Duration: 200 * time.Millisecond}, Workers: 2, Store: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != rlcore.BudgetExhausted || len(res.Pulls) == 0 || res.Winner == nil {
		t.Fatalf("status %v after %d pulls", res.Status, len(res.Pulls))
	}
	w, err := st.Policy(context.Background(), res.RunID, "meta:drl")
	if err != nil || !strings.Contains(string(w), "drl-meta-policy") {
		t.Fatalf("stored meta policy %q, %v", w, err)
	}
}

func TestTuneInterruptedKeepsTrials(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	spec := synSpec("tune-int")
	spec.Algorithms = []AlgorithmSpec{{Name: "syn-a", Hyper: rlcore.Hyper{"noise": 0, "work": 3000}}}
	if _, err := Search(ctx, spec, Options{Budget: rlcore.Budget{Pulls: 8}, Workers: 2, Store: st, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	var unstored []string
	tr, err := Tune(cctx, TuneOptions{Run: "tune-int", Store: st, Trials: 100, Workers: 2, OnTrial: func(ev TrialEvent) {
		// The best so far is in the store as soon as it is found, so
		// that a kill -9 keeps it.
		if ev.Best != nil {
			sr, _ := st.FindRun(ctx, "tune-int", store.KindSearch)
			if got, ok, err := st.LatestTuned(ctx, sr.ID, ev.Trial.Pull.Arm.String()); err != nil || !ok || got.Score != ev.BestScore {
				unstored = append(unstored, fmt.Sprintf("trial %d: stored best %v (ok %v, %v), best so far %v", n, got.Score, ok, err, ev.BestScore))
			}
		}
		if n++; n == 5 {
			cancel()
		}
	}})
	if len(unstored) > 0 {
		t.Errorf("the best configuration was not stored as it improved:\n%s", strings.Join(unstored, "\n"))
	}
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != rlcore.Interrupted || len(tr.Trials) < 5 || tr.Best == nil {
		t.Fatalf("tune: status %v, %d trials, best %v", tr.Status, len(tr.Trials), tr.Best)
	}
	run, err := st.FindRun(ctx, "tune-int", store.KindTune)
	if err != nil || run.Status != store.StatusInterrupted {
		t.Fatalf("stored tune run %+v, %v", run, err)
	}
	pulls, _ := st.Pulls(ctx, run.ID, false)
	if len(pulls) != len(tr.Trials) {
		t.Fatalf("stored %d trials of %d", len(pulls), len(tr.Trials))
	}
	if _, ok, _ := st.LatestTuned(ctx, run.Parent, tr.Arm.String()); !ok {
		t.Fatal("the best configuration so far was not stored")
	}
}
