package tensor

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
)

var (
	sharedOnce sync.Once
	shared     *Problem
	sharedErr  error
)

// problem is one Problem for the package's tests (its compile cache lives
// in the user cache directory, shared with the notebooks).
func problem(t *testing.T) *Problem {
	t.Helper()
	sharedOnce.Do(func() {
		o := DefaultOptions
		o.Reps, o.MinTime = 3, 0
		shared, sharedErr = NewProblem(context.Background(), o)
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Close()
	}
	os.Exit(code)
}

func TestPathReachesSchedules(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tu := &tuner{rng: rng}
	for _, op := range kernel.Ops() {
		sp := kernel.NewSpace(op)
		targets := []kernel.Schedule{sp.Default()}
		if ref, err := sp.Reference(); err == nil {
			targets = append(targets, ref)
		}
		for range 30 {
			if s, ok := tu.randomSchedule(sp); ok {
				targets = append(targets, s)
			}
		}
		for _, s := range targets {
			path, err := Path(s)
			if err != nil {
				t.Fatalf("%s: %v", op.Name, err)
			}
			cur := sp.Default()
			for _, a := range path {
				next, ok := cur.Step(kernel.KnobNames[a/2], 1-2*(a%2))
				if !ok {
					t.Fatalf("%s: path step %s did nothing", op.Name, actions[a])
				}
				cur = next
			}
			if !cur.Equal(s) {
				t.Fatalf("%s: path reached %s, want %s", op.Name, cur, s)
			}
		}
	}
}

func TestOptionsAndBenchmarks(t *testing.T) {
	for _, bad := range []map[string]string{{"reps": "0"}, {"nope": "1"}, {"min-time": "soon"}} {
		if p, err := rlcore.OpenTask(context.Background(), TaskName, bad, 1, nil); err == nil {
			p.Close()
			t.Errorf("OpenTask(%v) accepted", bad)
		}
	}
	p := problem(t)
	all, err := p.Benchmarks(context.Background(), "ops:*")
	if err != nil || len(all) != len(kernel.Ops()) {
		t.Fatalf("ops:* = %v, %v", all, err)
	}
	if _, err := p.Benchmarks(context.Background(), "gemm-513"); err == nil || !strings.Contains(err.Error(), "gemm-512") {
		t.Errorf("unknown operator: err = %v, want one listing the operators", err)
	}
	if _, err := p.NewEpisode(context.Background(), "nope"); err == nil {
		t.Error("NewEpisode(nope) succeeded")
	}
}

// TestEpisodeOnSoftmax plays knob steps on the cheapest operator.
func TestEpisodeOnSoftmax(t *testing.T) {
	ctx := context.Background()
	p := problem(t)
	ep, err := p.NewEpisode(ctx, "softmax-bert")
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := ep.Quality(ctx); q != 1 {
		t.Fatalf("default quality %g, want 1", q)
	}
	// (whether the parallel reference beats the naive nest depends on the
	// machine's load; that it is measured does not)
	ref, err := ep.(*Episode).Reference(ctx, "reference", "quality")
	if err != nil || !(ref > 0) {
		t.Fatalf("reference quality %g, %v: want > 0", ref, err)
	}
	idx := func(name string) int {
		for i, a := range p.Actions() {
			if a == name {
				return i
			}
		}
		t.Fatalf("no action %s", name)
		return -1
	}
	e := ep.(*Episode)
	for _, a := range []string{"exp+", "vec+", "fuse+", "recip+", "s1.inner+"} {
		if err := ep.Apply(ctx, idx(a)); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if a == "s1.inner+" && e.Changed() {
			t.Error("s1.inner+ changed a softmax schedule, which has no such knob")
		}
	}
	if got, _ := e.Schedule().Get("exp"); got != 1 {
		t.Errorf("exp = %d after exp+", got)
	}
	f, err := ep.Fork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Apply(ctx, idx("par+")); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.Schedule().Get("par"); v != 0 {
		t.Error("applying to a fork changed the original")
	}
	for _, m := range []string{"time", "speedup", "gflops"} {
		if v, err := ep.Measure(ctx, m); err != nil || !(v > 0) {
			t.Errorf("measure %s = %g, %v", m, v, err)
		}
	}
	if _, err := ep.Measure(ctx, "ic"); err == nil {
		t.Error("measure ic accepted")
	}
}

// TestRandomSchedulesComputeTheRightThing compiles random schedules of
// every contraction and checks their output (the measurement does).
func TestRandomSchedulesComputeTheRightThing(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and times two dozen kernels")
	}
	ctx := context.Background()
	p := problem(t)
	rng := rand.New(rand.NewPCG(7, 8))
	tu := &tuner{rng: rng}
	for _, name := range []string{"batch-matmul-bert", "depthwise-mobilenetv2", "dense-bert", "conv2d-resnet18", "softmax-bert"} {
		sp, err := p.Space(name)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			s, ok := tu.randomSchedule(sp)
			if !ok {
				t.Fatal("no random schedule")
			}
			// keep slow schedules off: parallel, accumulate, vectorize
			if s, err = s.With("vec", 1); err != nil {
				t.Fatal(err)
			}
			if s.Valid() != nil {
				continue
			}
			r, err := p.Measure(ctx, s)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", name, s, err, s.C())
			}
			t.Logf("%s %s: speedup %.2f, max err %.1g", name, s, r.Speedup, r.MaxErr)
		}
	}
}

func TestCompileCache(t *testing.T) {
	p := problem(t)
	c := p.Compiler()
	src := "const long tensor_packed_len = 0; /* cache test */"
	a, err := c.Compile(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Compile(context.Background(), src)
	if err != nil || !b.Cached || b.Path != a.Path {
		t.Fatalf("second compile: %+v, %v; want the cached %s", b, err, a.Path)
	}
	if filepath.Dir(a.Path) != c.Dir {
		t.Errorf("object %s outside the cache %s", a.Path, c.Dir)
	}
	if _, err := c.Compile(context.Background(), "this is not C"); err == nil || !strings.Contains(err.Error(), "clang-19") {
		t.Errorf("bad C: err = %v", err)
	}
}

// TestTunersReplay runs the cost-model tuner and the model-based client RL
// on softmax with a budget of 8 measurements and replays the best
// schedule's actions through a task environment.
func TestTunersReplay(t *testing.T) {
	for _, tc := range []struct {
		alg   *rlcore.Algorithm
		hyper rlcore.Hyper
	}{
		{CostModel, rlcore.Hyper{"init": 4, "batch": 2, "candidates": 64}},
		{ModelPPO, rlcore.Hyper{"init": 4, "batch": 2, "model_steps": 256}},
	} {
		t.Run(tc.alg.Name, func(t *testing.T) {
			ctx := context.Background()
			p := problem(t)
			env, err := rlcore.NewTaskEnv(p, rlcore.TaskEnvConfig{Arm: rlcore.Arm{State: "tensor-features", Reward: "tensor-speedup-delta", Actions: "all", Transition: "apply", Algorithm: tc.alg.Name}, Horizon: 100})
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			h, err := tc.alg.Resolve(tc.hyper)
			if err != nil {
				t.Fatal(err)
			}
			res, err := tc.alg.Train(ctx, env, rlcore.TrainConfig{Hyper: h, Budget: rlcore.Budget{Steps: 8}, Seed: 3, Benchmarks: []string{"softmax-bert"}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Stats.Steps != 8 || res.Status != rlcore.BudgetExhausted {
				t.Fatalf("steps %d status %v (%v), want 8 measurements and budget", res.Stats.Steps, res.Status, res.Err)
			}
			if (res.Policy != nil) != (tc.alg.Kind == rlcore.Learner) {
				t.Errorf("policy %v for a %s", res.Policy, tc.alg.Kind)
			}
			if _, err := env.Reset(ctx, "softmax-bert"); err != nil {
				t.Fatal(err)
			}
			for _, a := range res.Best.Actions {
				if _, err := env.Step(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			if q := env.Quality(); q != res.Best.Quality {
				t.Fatalf("replay reached %g, the tuner recorded %g", q, res.Best.Quality)
			}
		})
	}
}

func TestGridWalksTheSpaceInOrder(t *testing.T) {
	sp := kernel.NewSpace(mustOp(t, "softmax-bert"))
	b := &benchTuner{space: sp, seen: map[uint64]bool{}, next: sp.Default()}
	n := 0
	for {
		s, ok := b.gridNext()
		if !ok {
			break
		}
		if n == 0 && !s.Equal(sp.Default()) {
			t.Fatalf("grid starts at %s, want the default", s)
		}
		n++
	}
	if want := 2 * 2 * 2 * 2 * 4 * 2; n != want {
		t.Fatalf("grid enumerated %d softmax schedules, want %d", n, want)
	}
}

func mustOp(t *testing.T, name string) *kernel.Op {
	t.Helper()
	op, err := kernel.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return op
}
