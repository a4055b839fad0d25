package superopt

import (
	"context"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/baselines"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/hd"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/smt"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/stoke"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/timing"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"z3", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

func open(t *testing.T, seed int64, opts map[string]string) *Problem {
	t.Helper()
	p, err := rlcore.OpenTask(context.Background(), TaskName, opts, seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Problem)
}

func TestRegistration(t *testing.T) {
	for _, c := range []struct {
		kind rlcore.Kind
		name string
	}{
		{rlcore.KindState, "superopt-features"}, {rlcore.KindReward, "superopt-cost-delta"},
		{rlcore.KindReward, "superopt-improvement"}, {rlcore.KindReward, "superopt-success"},
		{rlcore.KindTransition, "superopt-mh"}, {rlcore.KindTransition, "superopt-greedy"},
		{rlcore.KindMeasure, "cost"}, {rlcore.KindMeasure, "latency"}, {rlcore.KindMeasure, "correctness"},
		{rlcore.KindActions, "superopt-basic"},
	} {
		found := false
		for _, info := range rlcore.List(c.kind, TaskName) {
			found = found || info.Name == c.name
		}
		if !found {
			t.Errorf("%s %s is not registered for task superopt", c.kind, c.name)
		}
	}
	for _, bad := range []map[string]string{{"colour": "red"}, {"beta": "-1"}, {"tests": "0"}, {"verify": "maybe"}} {
		if _, err := rlcore.OpenTask(context.Background(), TaskName, bad, 1, nil); err == nil {
			t.Errorf("Open(%v) succeeded, want an error", bad)
		}
	}
}

func TestBenchmarks(t *testing.T) {
	p := open(t, 1, nil)
	ctx := context.Background()
	for spec, want := range map[string]int{"hd:*": 25, "hd:p01-p10": 10, "p07": 1, "hd:p03,hd:p20-p21": 3} {
		got, err := p.Benchmarks(ctx, spec)
		if err != nil || len(got) != want {
			t.Errorf("Benchmarks(%q) = %v, %v; want %d names", spec, got, err, want)
		}
	}
	for _, bad := range []string{"p26", "hd:p10-p03", "builtin:*"} {
		if _, err := p.Benchmarks(ctx, bad); err == nil {
			t.Errorf("Benchmarks(%q) succeeded", bad)
		}
	}
}

func TestEpisodeBasics(t *testing.T) {
	needTools(t)
	p := open(t, 3, nil)
	ctx := context.Background()
	ep, err := p.NewEpisode(ctx, "p01")
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := ep.Quality(ctx); q != 1 {
		t.Errorf("initial quality %v, want 1", q)
	}
	if lat, err := ep.(rlcore.Referencer).Reference(ctx, "o3", "latency"); err != nil || lat != 2 {
		t.Errorf("o3 latency = %v, %v; want 2 (lea; and)", lat, err)
	}
	if q, err := ep.(rlcore.Referencer).Reference(ctx, "o3", "quality"); err != nil || q != 3 {
		t.Errorf("o3 quality = %v, %v; want 3", q, err)
	}
	if _, err := ep.Measure(ctx, "speed"); err == nil {
		t.Error("unknown measure accepted")
	}
	if err := ep.Apply(ctx, 99); err == nil {
		t.Error("action 99 accepted")
	}
	// A fork evolves independently and deterministically.
	f1, _ := ep.Fork(ctx)
	f2, _ := ep.Fork(ctx)
	for i := range 200 {
		a := i % int(stoke.NumMoves)
		if err := f1.Apply(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := f2.Apply(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if f1.(*Episode).Program().String() != f2.(*Episode).Program().String() {
		t.Error("forks of one episode diverged under the same actions")
	}
	if ep.(*Episode).Program().String() != hd.All()[0].Code.String() {
		t.Error("applying moves to a fork changed the original")
	}
}

// TestO3MatchesTargets proves with z3 that gcc -O3's compilation of each
// C specification is equivalent to our naive target, tying the targets to
// the C programs.
func TestO3MatchesTargets(t *testing.T) {
	needTools(t)
	p := open(t, 1, nil)
	ctx := context.Background()
	for _, tg := range hd.All() {
		o3, err := p.O3(ctx, tg.Name)
		if err != nil {
			t.Errorf("%s: %v", tg.Name, err)
			continue
		}
		res, err := smt.Check(ctx, smt.Query{Target: tg.Code, Rewrite: o3, LiveOut: x86.RAX, OutWidth: x86.W32}, 3*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", tg.Name, err)
		}
		switch res.Verdict {
		case smt.Different:
			t.Errorf("%s: gcc -O3 code differs from the target on rdi=%#x rsi=%#x", tg.Name, res.Counterexample.R[x86.RDI], res.Counterexample.R[x86.RSI])
		case smt.Unknown:
			t.Logf("%s: z3 gave up within 3s", tg.Name)
		}
	}
}

// TestMHTransitionFindsP01 drives the task through rlcore's TaskEnv with
// the weighted move only (a STOKE run, 1000 proposals per step) and checks
// the proved result.
func TestMHTransitionFindsP01(t *testing.T) {
	needTools(t)
	p := open(t, 1, map[string]string{"per-step": "1000"})
	ctx := context.Background()
	env, err := rlcore.NewTaskEnv(p, rlcore.TaskEnvConfig{Horizon: 4000, Arm: rlcore.Arm{
		State: "superopt-features", Reward: "superopt-cost-delta", Transition: "superopt-mh", Algorithm: "stoke"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Reset(ctx, "p01"); err != nil {
		t.Fatal(err)
	}
	weighted := slices.Index(p.Actions(), "weighted")
	for i := range 4000 {
		sr, err := env.Step(ctx, weighted)
		if err != nil {
			t.Fatal(err)
		}
		if env.Quality() >= 3 || sr.Done() {
			t.Logf("quality %.2f after %d steps", env.Quality(), i+1)
			break
		}
	}
	r, err := env.Episode().(*Episode).Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Proved || r.Latency > 2 {
		t.Fatalf("result latency %d proved %v, want ≤ 2:\n%s", r.Latency, r.Proved, r.Program)
	}
}

// TestAlgorithmsFindP01 trains rlcore's random-search algorithm over the
// move kinds on p01, 500 proposals per step (2M in all), and expects a
// z3-proved rewrite at least as fast as gcc -O3's. (PPO with the same
// budget settled on the latency-3 rewrite in our runs: its policy
// concentrates on few move kinds early.)
func TestAlgorithmsFindP01(t *testing.T) {
	needTools(t)
	for _, alg := range []*rlcore.Algorithm{baselines.Random} {
		t.Run(alg.Name, func(t *testing.T) {
			p := open(t, 5, map[string]string{"per-step": "500"})
			ctx := context.Background()
			env, err := rlcore.NewTaskEnv(p, rlcore.TaskEnvConfig{Horizon: 400, Arm: rlcore.Arm{
				State: "superopt-features", Reward: "superopt-cost-delta", Actions: "superopt-basic", Transition: "superopt-mh", Algorithm: alg.Name}})
			if err != nil {
				t.Fatal(err)
			}
			hyper := rlcore.Hyper{}
			if alg == baselines.Random {
				hyper["horizon"] = 400
			}
			h, err := alg.Resolve(hyper)
			if err != nil {
				t.Fatal(err)
			}
			res, err := alg.Train(ctx, env, rlcore.TrainConfig{Hyper: h, Budget: rlcore.Budget{Steps: 4000}, Seed: 7, Benchmarks: []string{"p01"}})
			if err != nil {
				t.Fatal(err)
			}
			best, err := p.BestProved("p01")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d steps, best quality %.2f, proved rewrite (latency %d):\n%s", alg.Name, res.Stats.Steps, res.Best.Quality, best.Latency, best.Program)
			if best.Latency > 2 || res.Best.Quality < 3 {
				t.Errorf("%s: proved latency %d, best quality %.2f; want latency ≤ 2 (gcc -O3), quality ≥ 3", alg.Name, best.Latency, res.Best.Quality)
			}
		})
	}
}

// TestTimingP01 emits the target, the proved rewrite and gcc -O3's code as
// real functions and times them; checksums show that all compute p01.
func TestTimingP01(t *testing.T) {
	needTools(t)
	tg, _ := hd.Lookup("p01")
	rw := x86.MustParse("lea eax, [rdi-1]\nand eax, edi")
	ts, err := timing.Measure(context.Background(), 1, []timing.Function{{Name: "p01_target", Code: tg.Code}, {Name: "p01_rewrite", Code: rw}},
		tg.C, []string{"p01"}, []string{"-O3"}, timing.Config{Iterations: 20000, Runs: 11})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		t.Logf("%-12s %.3f ns/call checksum %d", x.Name, x.NsPerOp, x.Checksum)
		if x.Checksum != ts[0].Checksum {
			t.Errorf("%s checksum %d differs from the target's %d", x.Name, x.Checksum, ts[0].Checksum)
		}
		if x.NsPerOp <= 0 {
			t.Errorf("%s: non-positive time", x.Name)
		}
	}
}

// TestWrongRewriteNeverOutscoresTheBestProved: a short rewrite that is
// wrong on the tests gets partial credit, but never a quality above the
// best proved rewrite's, so a stored quality always stands for a proved
// rewrite (CI once exported p16 at a quality of 8.87 no rewrite had).
func TestWrongRewriteNeverOutscoresTheBestProved(t *testing.T) {
	p := open(t, 3, nil)
	ctx := context.Background()
	for _, name := range []string{"p01", "p16"} {
		ep, err := p.NewEpisode(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		e := ep.(*Episode)
		wrong, err := x86.Parse("mov eax, edi")
		if err != nil {
			t.Fatal(err)
		}
		e.prog = wrong
		if err := e.rescore(ctx); err != nil {
			t.Fatal(err)
		}
		if e.score.Correct() {
			t.Fatalf("%s: %q passes the tests", name, wrong)
		}
		q, _ := e.Quality(ctx)
		if best := float64(e.ev.TLat) / float64(e.bestLat); q <= 0 || q > best/2 {
			t.Errorf("%s: wrong rewrite of latency %d scores %.3f; want in (0, %.3f], half the best proved (latency %d)", name, e.score.Latency, q, best/2, e.bestLat)
		}
	}
}
