package search_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/baselines" // random, greedy, anneal, genetic
	_ "github.com/supersonic-rl/supersonic/rlcore/pg"        // ppo, a2c, reinforce
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/store/storetest"
	_ "github.com/supersonic-rl/supersonic/rlcore/tasks/codesize"
)

const codesizeTask = `
task: codesize
benchmarks: builtin:crc32, builtin:bitcount ; test: builtin:base64, builtin:md5
states: autophase, instcount-norm
rewards: ic-oz
algorithms: reinforce, ppo
horizon: 20
pull: 120steps
`

// TestCodesizeEndToEnd runs the four phases on the real code-size task
// (libLLVM-19) with a tiny budget: search, tune, deploy (replay-validated)
// and compare with -Oz and the search baselines.
func TestCodesizeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end on libLLVM: skipped with -short")
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st := storetest.Open(t)
	spec, err := search.ParseSpec("cs", codesizeTask)
	if err != nil {
		t.Fatal(err)
	}
	problem, err := rlcore.OpenTask(ctx, "codesize", nil, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer problem.Close()

	res, err := search.Search(ctx, spec, search.Options{Budget: rlcore.Budget{Pulls: 8}, Workers: 2, Store: st, Problem: problem, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res.Winner == nil || res.Status != rlcore.BudgetExhausted {
		t.Fatalf("search: status %v, winner %v, err %v", res.Status, res.Winner, res.Err)
	}
	for _, p := range res.Pulls {
		if !p.OK() || len(p.PerBenchmark) != 2 || p.Score <= -1 || p.Score > 2 {
			t.Fatalf("pull %d of %s: %s %v, score %v over %v", p.Seq, p.Arm, p.Status, p.Err, p.Score, p.PerBenchmark)
		}
	}
	t.Logf("winner %s: mean %.4f over %d pulls", res.Winner.Name, res.Winner.Mean, res.Winner.Pulls)

	tr, err := search.Tune(ctx, search.TuneOptions{Run: "cs", Store: st, Problem: problem, Trials: 4, Rungs: 2, Workers: 2, Logger: quiet})
	if err != nil || tr.Err != nil {
		t.Fatalf("tune: %v %v", err, tr.Err)
	}
	t.Logf("tuned %s: %v score %.4f", tr.Algorithm, tr.Best, tr.BestScore)

	dep, err := search.Deploy(ctx, search.DeployOptions{Run: "cs", Store: st, Problem: problem, Budget: rlcore.Budget{Steps: 200}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if !dep.Tuned || dep.Arm.String() != res.Winner.Name {
		t.Fatalf("deployed %s (tuned %v), want the tuned winner %s", dep.Arm, dep.Tuned, res.Winner.Name)
	}
	for _, d := range dep.Results {
		if !d.Validated || d.Err != nil || math.IsNaN(d.Quality) {
			t.Fatalf("deployment on %s: quality %v validated %v: %v", d.Benchmark, d.Quality, d.Validated, d.Err)
		}
		t.Logf("deployed on %s: quality %.4f with %s", d.Benchmark, d.Quality, strings.Join(d.ActionNames, " "))
	}
	// The deployment warm-started from the weights of the tuning trial that
	// found the tuned configuration; --from-scratch starts fresh. Both say
	// so, in the result and in the store.
	scratch, err := search.Deploy(ctx, search.DeployOptions{Run: "cs", Store: st, Problem: problem, Budget: rlcore.Budget{Steps: 200}, FromScratch: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dep        *search.DeployResult
		wantPolicy bool
		want       string
	}{
		{dep, true, fmt.Sprintf("warm start from policy %d (tune run %d, pull ", dep.Policy, tr.RunID)},
		{scratch, false, "fresh: trained from scratch (--from-scratch)"},
	} {
		rows, err := st.Deployments(ctx, tc.dep.RunID)
		if err != nil || len(rows) != 2 {
			t.Fatalf("stored deployments of run %d: %v, %v", tc.dep.RunID, rows, err)
		}
		if (tc.dep.Policy != 0) != tc.wantPolicy || !strings.HasPrefix(tc.dep.Weights, tc.want) || rows[0].Policy != tc.dep.Policy || rows[0].Weights != tc.dep.Weights {
			t.Fatalf("deploy run %d: policy %d, weights %q, stored %d %q; want %q", tc.dep.RunID, tc.dep.Policy, tc.dep.Weights, rows[0].Policy, rows[0].Weights, tc.want)
		}
		if tc.wantPolicy {
			p, err := st.PolicyByID(ctx, tc.dep.Policy)
			if err != nil || p.Run != tr.RunID || p.Source != store.SourceTrial || p.Hyper["lr"] != tr.Best["lr"] {
				t.Fatalf("the policy deployed from: %+v, %v; want the tuned trial's (%v)", p, err, tr.Best)
			}
		}
	}

	// Train across programs (two built-ins and a csmith program generated
	// on the fly; the held-out fold is the test set), then apply the
	// policy zero-shot.
	trained, err := search.Train(ctx, search.TrainOptions{Run: "cs", Store: st, Problem: problem, Corpus: []string{"builtin:crc32,bitcount,base64", "csmith:10001"},
		Budget: rlcore.Budget{Steps: 240}, Rounds: 2, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if trained.Err != nil || trained.Policy == 0 || len(trained.Rounds) != 2 || strings.Join(trained.Corpus, " ") != "builtin:crc32 builtin:bitcount csmith:10001" {
		t.Fatalf("train: %+v; want 2 rounds, a stored policy, the corpus without the held-out base64", trained)
	}
	for _, r := range trained.Rounds {
		if r.Err != nil || math.IsNaN(r.Score) || len(r.PerBenchmark) != 2 || r.Policy == 0 {
			t.Fatalf("train round %+v", r)
		}
	}
	zs, err := search.Deploy(ctx, search.DeployOptions{Run: "cs", Store: st, Problem: problem, ZeroShot: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if zs.Policy != trained.Policy || !strings.Contains(zs.Weights, fmt.Sprintf("zero-shot with policy %d (train run %d", trained.Policy, trained.RunID)) {
		t.Fatalf("zero-shot deploy used policy %d (%s), want the trained %d", zs.Policy, zs.Weights, trained.Policy)
	}
	for _, d := range zs.Results {
		if !d.Validated || d.Err != nil || math.IsNaN(d.Quality) || d.Result != nil {
			t.Fatalf("zero-shot on %s: %+v", d.Benchmark, d)
		}
		t.Logf("zero-shot on %s: quality %.4f in %v", d.Benchmark, d.Quality, d.Walltime)
	}
	if _, err := search.Deploy(ctx, search.DeployOptions{Run: "cs", Store: st, Problem: problem, ZeroShot: true, FromScratch: true, Logger: quiet}); err == nil || !strings.Contains(err.Error(), "exclude each other") {
		t.Fatalf("--zero-shot --from-scratch: %v", err)
	}
	// A trained deployment now starts from the policy trained across
	// programs and first applies it without training (here its greedy
	// rollout only): it is at least as good as that greedy rollout, and
	// its curve starts with the rollout's point.
	greedy, err := search.Deploy(ctx, search.DeployOptions{Run: "cs", Store: st, Problem: problem, ZeroShot: true, Samples: -1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	warm, err := search.Deploy(ctx, search.DeployOptions{Run: "cs", Store: st, Problem: problem, Budget: rlcore.Budget{Steps: 60}, Samples: -1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("warm start from policy %d (train run %d across programs", trained.Policy, trained.RunID); warm.Policy != trained.Policy || !strings.HasPrefix(warm.Weights, want) {
		t.Fatalf("deploy after training: policy %d (%s); want %q", warm.Policy, warm.Weights, want)
	}
	for i, d := range warm.Results {
		g := greedy.Results[i]
		if d.Err != nil || !d.Validated || d.Quality < g.Quality || len(d.Result.Curve) == 0 || d.Result.Curve[0].Episode != 0 || d.Result.Curve[0].Quality > g.Quality+1e-12 {
			t.Fatalf("warm deploy on %s: quality %v (greedy rollout %v), err %v, curve %v", d.Benchmark, d.Quality, g.Quality, d.Err, d.Result.Curve[:min(2, len(d.Result.Curve))])
		}
	}
	pols, err := st.Policies(ctx, res.RunID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pols {
		if p.Arm == res.Winner.Name {
			continue
		}
		_, err := search.Deploy(ctx, search.DeployOptions{Run: "cs", Store: st, Problem: problem, Budget: rlcore.Budget{Steps: 20}, Policy: p.ID, Logger: quiet})
		if err == nil || !strings.Contains(err.Error(), "not of the deployed arm") {
			t.Fatalf("deploying %s from policy %d of arm %s: %v; want a clear error", res.Winner.Name, p.ID, p.Arm, err)
		}
		break
	}

	cmp, err := search.Compare(ctx, search.CompareOptions{Run: "cs", Store: st, Problem: problem, Budget: rlcore.Budget{Duration: 500 * time.Millisecond}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("comparison:\n%s", cmp.Table())
	if !strings.Contains(cmp.ClientWeights, fmt.Sprintf("train run %d across programs", trained.RunID)) {
		t.Fatalf("the comparison's client RL started from %q, want the trained policy", cmp.ClientWeights)
	}
	if cmp.Geomean["oz"] != 1 || len(cmp.Methods) != 7 || cmp.Methods[6] != search.ZeroShotMethod || len(cmp.Overheads) != 4 {
		t.Fatalf("comparison: methods %v, geomeans %v", cmp.Methods, cmp.Geomean)
	}
	for _, m := range cmp.Methods {
		for _, b := range cmp.Benchmarks {
			r := cmp.Results[m][b]
			if r == nil {
				t.Fatalf("%s on %s: no result", m, b)
			}
			// A search baseline may finish no sequence within this tiny
			// budget on a loaded machine (greedy tries every pass per
			// step); that is recorded, not fatal. The client RL and -Oz
			// must have results.
			if (m == search.ClientMethod || m == "oz" || m == search.ZeroShotMethod) && (r.Err != nil || math.IsNaN(r.Quality)) {
				t.Fatalf("%s on %s: %+v", m, b, r)
			}
			if r.Err == nil && math.IsNaN(r.Quality) || r.Err != nil && !math.IsNaN(r.Quality) {
				t.Fatalf("%s on %s: quality %v with error %v", m, b, r.Quality, r.Err)
			}
		}
	}
}

// BenchmarkCodesizeSearchOverhead measures the paper's search overhead on
// the code-size task: a short search picks the client RL and ASHA tunes it
// (6 configurations, 2 rungs), then the client RL and the baselines run on the same 4 unseen benchmarks with the same
// wall-clock budget each (SUPERSONIC_OVERHEAD_BUDGET, default 5s), one at a
// time. It reports, per baseline, the geomean over benchmarks of (time the
// baseline needs to reach the best baseline's quality) ÷ (time the client
// RL needs), and the client RL's and -Oz's geomean quality. One iteration
// takes about 6 methods × 4 benchmarks × the budget.
func BenchmarkCodesizeSearchOverhead(b *testing.B) {
	budget := 5 * time.Second
	if v := os.Getenv("SUPERSONIC_OVERHEAD_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("SUPERSONIC_OVERHEAD_BUDGET=%q: %v", v, err)
		}
		budget = d
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st := storetest.Open(b)
	spec, err := search.ParseSpec("overhead", `
task: codesize
benchmarks: builtin:crc32, builtin:bitcount, builtin:qsort
test: builtin:base64, builtin:md5, builtin:dijkstra, builtin:sha256
states: autophase, instcount-norm
rewards: ic-oz, quality
algorithms: reinforce, ppo, a2c
horizon: 45
pull: 3s
`)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := search.Search(ctx, spec, search.Options{Budget: rlcore.Budget{Pulls: 24}, Workers: 2, Store: st, Logger: quiet})
		if err != nil || res.Winner == nil {
			b.Fatalf("search: %v %v", err, res.Err)
		}
		tr, err := search.Tune(ctx, search.TuneOptions{Run: "overhead", Store: st, Trials: 6, Rungs: 2, MinBudget: rlcore.Budget{Duration: 2 * time.Second}, Workers: 2, Logger: quiet})
		if err != nil || tr.Err != nil {
			b.Fatalf("tune: %v %v", err, tr.Err)
		}
		fmt.Printf("tuned %s: %v (score %.4f at rung %d)\n", tr.Algorithm, tr.Best, tr.BestScore, tr.BestRung)
		cmp, err := search.Compare(ctx, search.CompareOptions{Run: "overhead", Store: st, Budget: rlcore.Budget{Duration: budget}, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		// Printed rather than logged: benchmark logs are truncated.
		fmt.Printf("winner %s (mean %.4f over %d pulls)\n%s", res.Winner.Name, res.Winner.Mean, res.Winner.Pulls, cmp.Table())
		for _, o := range cmp.Overheads {
			if !math.IsNaN(o.Geomean) {
				b.ReportMetric(o.Geomean, "overhead-"+o.Method)
			}
		}
		b.ReportMetric(cmp.Geomean[search.ClientMethod], "quality-client")
	}
}
