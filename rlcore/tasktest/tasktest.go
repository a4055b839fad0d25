// Package tasktest is the conformance suite of the task contract (see
// package rlcore): every task runs it from its own test with one call,
//
//	func TestConformance(t *testing.T) {
//		tasktest.Run(t, tasktest.Config{Task: "mytask", Benchmarks: []string{"b1", "b2"}})
//	}
//
// and it checks, through the registered Task only, what the search relies
// on: the declaration is consistent (options validated generically,
// declared measures and reference compilations answer, undeclared ones are
// errors); episodes are deterministic under a seed; a fork is independent
// of its parent; concurrent episodes are safe (run the test with -race);
// replaying the best actions reproduces the recorded quality (or, for a
// task that is a rlcore.ResultChecker, the recorded result checks); a
// cancelled context is honoured promptly and does not poison the problem;
// a bad benchmark is a clear error for that call only, and one failing
// episode does not stop the others.
package tasktest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Config says which task to check and on what.
type Config struct {
	// Task is the registered task name.
	Task string
	// Options are task options for Open (the declared defaults fill the
	// rest).
	Options map[string]string
	// Benchmarks are benchmark names (or specs) that NewEpisode accepts;
	// at least one, two or more to check concurrency across benchmarks.
	Benchmarks []string
	// BadBenchmark is a benchmark NewEpisode must reject; default
	// "no-such-benchmark".
	BadBenchmark string
	// Steps is the length of the episodes played; default 6.
	Steps int
	// Seed is given to Open; default 1.
	Seed int64
	// SkipMeasures names declared measures not to read (for example one
	// that needs a benchmark with a main function).
	SkipMeasures []string
	// CancelWithin bounds how long an operation may take once its context
	// is cancelled; default 10s.
	CancelWithin time.Duration
}

func (c *Config) defaults() {
	if c.BadBenchmark == "" {
		c.BadBenchmark = "no-such-benchmark"
	}
	if c.Steps <= 0 {
		c.Steps = 6
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.CancelWithin <= 0 {
		c.CancelWithin = 10 * time.Second
	}
}

// Run checks the task named by cfg.Task against the contract, one subtest
// per property.
func Run(t *testing.T, cfg Config) {
	t.Helper()
	cfg.defaults()
	task, err := rlcore.LookupTask(cfg.Task)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Benchmarks) == 0 {
		t.Fatal("tasktest: Config.Benchmarks is empty")
	}
	c := &checker{cfg: cfg, task: task}
	t.Run("Declaration", c.declaration)
	t.Run("Measures", c.measures)
	t.Run("References", c.references)
	t.Run("Deterministic", c.deterministic)
	t.Run("Fork", c.fork)
	t.Run("Concurrent", c.concurrent)
	t.Run("Replay", c.replay)
	t.Run("Cancel", c.cancel)
	t.Run("BadBenchmark", c.badBenchmark)
}

type checker struct {
	cfg  Config
	task *rlcore.Task
}

func (c *checker) open(t *testing.T) rlcore.Problem {
	t.Helper()
	p, err := rlcore.OpenTask(context.Background(), c.cfg.Task, c.cfg.Options, c.cfg.Seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func (c *checker) episode(t *testing.T, p rlcore.Problem, bench string) rlcore.Episode {
	t.Helper()
	ep, err := p.NewEpisode(context.Background(), bench)
	if err != nil {
		t.Fatalf("NewEpisode(%s): %v", bench, err)
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}

// actions is a seeded random action sequence.
func (c *checker) actions(p rlcore.Problem, salt uint64) []int {
	rng := rand.New(rand.NewPCG(uint64(c.cfg.Seed), salt))
	seq := make([]int, c.cfg.Steps)
	for i := range seq {
		seq[i] = rng.IntN(len(p.Actions()))
	}
	return seq
}

// play applies seq and returns the quality after each action.
func play(ctx context.Context, ep rlcore.Episode, seq []int) ([]float64, error) {
	var qs []float64
	for i, a := range seq {
		if err := ep.Apply(ctx, a); err != nil {
			return qs, fmt.Errorf("step %d (action %d): %w", i, a, err)
		}
		q, err := ep.Quality(ctx)
		if err != nil {
			return qs, fmt.Errorf("quality after step %d: %w", i, err)
		}
		if math.IsNaN(q) {
			return qs, fmt.Errorf("quality after step %d is NaN", i)
		}
		qs = append(qs, q)
	}
	return qs, nil
}

func same(a, b float64) bool { return a == b || math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) }

func (c *checker) declaration(t *testing.T) {
	task := c.task
	if task.Name != c.cfg.Task || task.Doc == "" || task.Open == nil {
		t.Errorf("task %q: want its Name, a Doc and an Open function", c.cfg.Task)
	}
	if _, err := task.ParseOptions(map[string]string{"no-such-option": "1"}); err == nil || !strings.Contains(err.Error(), "no-such-option") {
		t.Errorf("an unknown option: error %v, want one naming it", err)
	}
	for _, o := range task.Options {
		if o.Doc == "" {
			t.Errorf("option %s has no Doc", o.Name)
		}
		if o.Type != rlcore.OptString && o.Type != rlcore.OptList {
			if _, err := task.ParseOptions(map[string]string{o.Name: "%not-a-value%"}); err == nil {
				t.Errorf("option %s (%s) accepted a malformed value", o.Name, o.Type)
			}
		}
	}
	p := c.open(t)
	if p.Task() != task.Name {
		t.Errorf("Problem.Task() = %q, want %q", p.Task(), task.Name)
	}
	if len(p.Actions()) == 0 {
		t.Fatal("the problem has no actions")
	}
	for _, b := range c.cfg.Benchmarks {
		if _, err := p.Benchmarks(context.Background(), b); err != nil {
			t.Errorf("Benchmarks(%q): %v", b, err)
		}
	}
	if _, err := p.Benchmarks(context.Background(), c.cfg.BadBenchmark); err == nil {
		t.Errorf("Benchmarks(%q) accepted a bad spec", c.cfg.BadBenchmark)
	}
	if len(task.Measures) == 0 {
		t.Error("the task declares no Measures")
	}
}

func (c *checker) measures(t *testing.T) {
	ctx := context.Background()
	p := c.open(t)
	ep := c.episode(t, p, c.cfg.Benchmarks[0])
	skip := map[string]bool{}
	for _, m := range c.cfg.SkipMeasures {
		skip[m] = true
	}
	for _, m := range c.task.Measures {
		if skip[m.Name] {
			continue
		}
		if m.Doc == "" {
			t.Errorf("measure %s has no Doc", m.Name)
		}
		if v, err := ep.Measure(ctx, m.Name); err != nil || math.IsNaN(v) {
			t.Errorf("declared measure %s: %v, %v", m.Name, v, err)
		}
	}
	if _, err := ep.Measure(ctx, "no-such-measure"); err == nil {
		t.Error("an undeclared measure was answered; Measure must reject names the task does not declare")
	}
}

func (c *checker) references(t *testing.T) {
	ctx := context.Background()
	p := c.open(t)
	ep := c.episode(t, p, c.cfg.Benchmarks[0])
	_, isRef := ep.(rlcore.Referencer)
	if len(c.task.References) == 0 {
		if isRef {
			t.Error("episodes implement rlcore.Referencer but the task declares no References")
		}
		return
	}
	if !isRef {
		t.Fatal("the task declares References but its episodes do not implement rlcore.Referencer")
	}
	for _, r := range c.task.References {
		if r.Doc == "" {
			t.Errorf("reference %s has no Doc", r.Name)
		}
		if q, err := rlcore.MeasureReference(ctx, ep, r.Name, "quality"); err != nil || math.IsNaN(q) {
			t.Errorf("declared reference %s: quality %v, %v", r.Name, q, err)
		}
	}
	if _, err := rlcore.MeasureReference(ctx, ep, "no-such-reference", "quality"); err == nil {
		t.Error("an undeclared reference compilation was answered")
	}
}

func (c *checker) deterministic(t *testing.T) {
	ctx := context.Background()
	var runs [2][]float64
	for i := range runs {
		p := c.open(t)
		seq := c.actions(p, 1)
		ep := c.episode(t, p, c.cfg.Benchmarks[0])
		q0, err := ep.Quality(ctx)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := play(ctx, ep, seq)
		if err != nil {
			t.Fatal(err)
		}
		runs[i] = append([]float64{q0}, qs...)
	}
	for k := range runs[0] {
		if !same(runs[0][k], runs[1][k]) {
			t.Fatalf("two problems opened with seed %d gave qualities %v and %v for the same actions", c.cfg.Seed, runs[0], runs[1])
		}
	}
}

func (c *checker) fork(t *testing.T) {
	ctx := context.Background()
	p := c.open(t)
	seq := c.actions(p, 2)
	ep := c.episode(t, p, c.cfg.Benchmarks[0])
	if _, err := play(ctx, ep, seq[:len(seq)/2]); err != nil {
		t.Fatal(err)
	}
	before, err := ep.Quality(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ep.Fork(ctx)
	if err != nil {
		t.Fatalf("Fork: %v", err)
	}
	defer f.Close()
	if q, err := f.Quality(ctx); err != nil || !same(q, before) {
		t.Fatalf("the fork starts at quality %v (%v), its parent is at %v", q, err, before)
	}
	if f.Benchmark() != ep.Benchmark() {
		t.Errorf("fork of %s is on benchmark %s", ep.Benchmark(), f.Benchmark())
	}
	if _, err := play(ctx, f, seq[len(seq)/2:]); err != nil {
		t.Fatal(err)
	}
	if q, err := ep.Quality(ctx); err != nil || !same(q, before) {
		t.Fatalf("stepping the fork moved its parent from quality %v to %v (%v)", before, q, err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("closing the fork: %v", err)
	}
	if _, err := play(ctx, ep, seq[len(seq)/2:]); err != nil {
		t.Fatalf("the parent after its fork closed: %v", err)
	}
}

// concurrent plays episodes on every benchmark at once, two per benchmark,
// plus one on the bad benchmark that must fail alone.
func (c *checker) concurrent(t *testing.T) {
	ctx := context.Background()
	p := c.open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(c.cfg.Benchmarks)+1)
	for i, b := range append(append([]string{}, c.cfg.Benchmarks...), c.cfg.Benchmarks...) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ep, err := p.NewEpisode(ctx, b)
			if err != nil {
				errs <- fmt.Errorf("NewEpisode(%s): %w", b, err)
				return
			}
			defer ep.Close()
			if _, err := play(ctx, ep, c.actions(p, uint64(10+i))); err != nil {
				errs <- fmt.Errorf("%s: %w", b, err)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if ep, err := p.NewEpisode(ctx, c.cfg.BadBenchmark); err == nil {
			ep.Close()
			errs <- fmt.Errorf("NewEpisode(%s) accepted a bad benchmark", c.cfg.BadBenchmark)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func (c *checker) replay(t *testing.T) {
	ctx := context.Background()
	p := c.open(t)
	bench := c.cfg.Benchmarks[0]
	seq := c.actions(p, 3)
	ep := c.episode(t, p, bench)
	qs, err := play(ctx, ep, seq)
	if err != nil {
		t.Fatal(err)
	}
	best := 0
	for i, q := range qs {
		if q > qs[best] {
			best = i
		}
	}
	if rc, ok := p.(rlcore.ResultChecker); ok {
		if err := rc.CheckResult(ctx, bench, qs[best]); err != nil {
			t.Fatalf("CheckResult of the best quality %v reached: %v", qs[best], err)
		}
		if err := rc.CheckResult(ctx, bench, qs[best]+1000); err == nil {
			t.Errorf("CheckResult accepted quality %v, never reached", qs[best]+1000)
		}
		return
	}
	again := c.episode(t, p, bench)
	rq, err := play(ctx, again, seq[:best+1])
	if err != nil {
		t.Fatal(err)
	}
	if got := rq[len(rq)-1]; !same(got, qs[best]) {
		t.Fatalf("replaying the best %d actions %v reached quality %v, the episode recorded %v", best+1, seq[:best+1], got, qs[best])
	}
	if v, ok := p.(rlcore.Validator); ok {
		if err := v.ValidateActions(ctx, bench, seq[:best+1]); err != nil {
			t.Errorf("ValidateActions of a replayed sequence: %v", err)
		}
	}
}

// cancel checks that operations under a cancelled context return within
// CancelWithin, and that the problem works afterwards.
func (c *checker) cancel(t *testing.T) {
	p := c.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() {
		ep, err := p.NewEpisode(ctx, c.cfg.Benchmarks[len(c.cfg.Benchmarks)-1])
		if err != nil {
			done <- err
			return
		}
		defer ep.Close()
		_, err = play(ctx, ep, c.actions(p, 4))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("under a cancelled context: %v (an error that does not wrap context.Canceled)", err)
		}
	case <-time.After(c.cfg.CancelWithin):
		t.Fatalf("an episode under a cancelled context did not return within %v", c.cfg.CancelWithin)
	}
	ep := c.episode(t, p, c.cfg.Benchmarks[0])
	if _, err := play(context.Background(), ep, c.actions(p, 5)); err != nil {
		t.Fatalf("the problem after a cancelled episode: %v", err)
	}
}

func (c *checker) badBenchmark(t *testing.T) {
	ctx := context.Background()
	p := c.open(t)
	for range 2 {
		ep, err := p.NewEpisode(ctx, c.cfg.BadBenchmark)
		if err == nil {
			ep.Close()
			t.Fatalf("NewEpisode(%q) succeeded", c.cfg.BadBenchmark)
		}
		name := c.cfg.BadBenchmark[strings.LastIndexByte(c.cfg.BadBenchmark, ':')+1:]
		if !strings.Contains(err.Error(), name) {
			t.Errorf("NewEpisode(%q): error %q does not name the benchmark", c.cfg.BadBenchmark, err)
		}
	}
	ep := c.episode(t, p, c.cfg.Benchmarks[0])
	if _, err := play(ctx, ep, c.actions(p, 6)); err != nil {
		t.Fatalf("the problem after a bad benchmark: %v", err)
	}
}

// MissingTools opens the task named task with options on an empty PATH
// and checks that Open fails with an error that mentions each of want:
// the tools the task needs and how to install them ("./install.sh",
// "apt-get install …"), as rlcore.NeedTool says. PATH stays empty for
// the rest of the test.
func MissingTools(t *testing.T, task string, options map[string]string, want ...string) {
	t.Helper()
	t.Setenv("PATH", t.TempDir())
	p, err := rlcore.OpenTask(context.Background(), task, options, 1, nil)
	if err == nil {
		p.Close()
		t.Fatalf("%s opened without its tools on PATH", task)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}
