// Package superopt registers the "superopt" task with rlcore: STOKE-style
// superoptimization of the 25 Hacker's Delight programs (case study 4 of
// the SuperSonic paper). The agent picks the kind of rewrite move at every
// step (opcode, operand, local_swap, global_swap, instruction, rotate,
// add_nops, delete, or STOKE's weighted mix); the move's random details
// come from a seeded generator the episode owns; a transition function
// (superopt-mh: Metropolis-Hastings as in STOKE, superopt-greedy) accepts
// or reverts the proposal.
//
// Quality. An episode's quality is target latency / rewrite latency when
// the rewrite is right on every test case and not refuted by z3 (1 = as
// fast as the naive -O0 target; gcc -O3 reaches 2–5 on most programs),
// and below that otherwise (see stoke.Evaluator.Quality: at most half, a
// wrong rewrite's latency counted as no lower than the best proved
// one's). Whenever a
// rewrite is right on the tests and faster than the best proved one, the
// episode asks z3 to prove it equivalent to the target for all inputs; a
// counterexample becomes a test case of the benchmark, shared by later
// episodes. So a quality above that of the best proved rewrite is never
// reported, and Episode.Result returns the best proved rewrite only.
//
// Episodes are seeded from the problem's seed (the run's seed, given to
// Open), the benchmark and the
// number of episodes started on it, so runs are reproducible, but the
// rewrite is not a function of the action sequence alone: replaying
// actions in a fresh episode (replay-from-scratch) draws different details.
package superopt

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/hd"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/smt"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/stoke"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/timing"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// TaskName is the registered name.
const TaskName = "superopt"

// options are the task's options (rlcore.Task.Options).
var options = []rlcore.Option{
	{Name: "beta", Type: rlcore.OptFloat, Default: "1", Doc: "inverse temperature of superopt-mh (STOKE's is 1); positive"},
	{Name: "tests", Type: rlcore.OptInt, Default: "32", Doc: "random test cases per benchmark, 1..4096"},
	{Name: "verify", Type: rlcore.OptBool, Default: "true", Doc: "prove improving rewrites with z3"},
	{Name: "verify-timeout", Type: rlcore.OptDuration, Default: "10s", Doc: "z3 time limit per query"},
	{Name: "per-step", Type: rlcore.OptInt, Default: "1", Doc: "proposals of the chosen move kind per step under superopt-mh/greedy, 1..1000000"},
}

// references are the task's reference compilations (rlcore.Task.References).
var references = []rlcore.Reference{
	{Name: "o0", Doc: "the naive target program itself (quality 1)"},
	{Name: "o3", Doc: "gcc -O3's code for the benchmark's C specification, read back into the x86 subset"},
}

// Options are the task's configuration, as Open reads them.
type Options struct {
	// Seed seeds the benchmarks' test cases and the episodes' generators.
	Seed          uint64
	Beta          float64
	Tests         int
	Verify        bool
	VerifyTimeout time.Duration
	// PerStep is the number of proposals the superopt-mh and
	// superopt-greedy transitions make per step (the agent picks the move
	// kind for that block of proposals).
	PerStep int
}

// DefaultOptions are the declared options' defaults with seed 1, for
// NewProblem.
var DefaultOptions = Options{Seed: 1, Beta: 1, Tests: 32, Verify: true, VerifyTimeout: 10 * time.Second, PerStep: 1}

// optionsOf reads the validated options of cfg and checks their ranges.
func optionsOf(cfg rlcore.OpenConfig) (Options, error) {
	v := cfg.Options
	o := Options{Seed: uint64(cfg.Seed), Beta: v.Float("beta"), Tests: v.Int("tests"), Verify: v.Bool("verify"),
		VerifyTimeout: v.Duration("verify-timeout"), PerStep: v.Int("per-step")}
	switch {
	case o.Beta <= 0:
		return o, fmt.Errorf("superopt: option beta = %g: must be positive", o.Beta)
	case o.Tests < 1 || o.Tests > 4096:
		return o, fmt.Errorf("superopt: option tests = %d: want 1..4096", o.Tests)
	case o.PerStep < 1 || o.PerStep > 1000000:
		return o, fmt.Errorf("superopt: option per-step = %d: want 1..1000000", o.PerStep)
	case o.VerifyTimeout <= 0:
		return o, fmt.Errorf("superopt: option verify-timeout = %v: must be positive", o.VerifyTimeout)
	}
	return o, nil
}

// Problem is an opened superopt task. It is safe for concurrent use.
type Problem struct {
	opts Options
	mu   sync.Mutex
	// per benchmark
	benches map[string]*bench
}

// bench is what episodes of one benchmark share.
type bench struct {
	target   *hd.Target
	spec     stoke.Spec
	proposer *stoke.Proposer
	mu       sync.Mutex
	tests    []x86.State // random tests plus counterexamples
	episodes uint64
	proofs   map[string]proof // rewrite text → z3 verdict
	// bestProved is the fastest rewrite any episode proved (nil: none).
	bestProved x86.Program

	o3Once sync.Once
	o3     x86.Program
	o3Err  error
}

// Open opens the task (registered as Task.Open). With verification on
// (the default) it checks that z3 is installed: without it every episode
// that finds a better rewrite would fail.
func Open(_ context.Context, cfg rlcore.OpenConfig) (rlcore.Problem, error) {
	o, err := optionsOf(cfg)
	if err != nil {
		return nil, err
	}
	if o.Verify {
		if err := smt.Available(); err != nil {
			return nil, fmt.Errorf("superopt: %w; or set option verify: false to search without proofs", err)
		}
	}
	return NewProblem(o), nil
}

// NewProblem opens the task with o.
func NewProblem(o Options) *Problem { return &Problem{opts: o, benches: map[string]*bench{}} }

func (p *Problem) Task() string { return TaskName }

// Actions are the move names (stoke.MoveNames order).
func (p *Problem) Actions() []string { return stoke.MoveNames() }

func (p *Problem) Close() error { return nil }

var rangeRe = regexp.MustCompile(`^p(\d\d)-p(\d\d)$`)

// Benchmarks resolves "hd:*" (all 25), "hd:p01-p10" (a range), "hd:p07"
// or "p07", or a comma-separated list of those.
func (p *Problem) Benchmarks(_ context.Context, spec string) ([]string, error) {
	return expandSpec(spec)
}

// checkSpec is the task's CheckBenchmark: specs name built-in programs
// only, so checking one is resolving it.
func checkSpec(spec string) error {
	_, err := expandSpec(spec)
	return err
}

// expandSpec resolves a benchmark spec ("hd:*", "hd:p01-p10", "p03") into
// program names.
func expandSpec(spec string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "hd:")
		switch {
		case part == "*":
			for _, t := range hd.All() {
				out = append(out, t.Name)
			}
		case rangeRe.MatchString(part):
			m := rangeRe.FindStringSubmatch(part)
			lo, _ := strconv.Atoi(m[1])
			hi, _ := strconv.Atoi(m[2])
			if lo < 1 || hi > 25 || lo > hi {
				return nil, fmt.Errorf("benchmark range %q: want pAA-pBB with 01 ≤ AA ≤ BB ≤ 25", part)
			}
			for i := lo; i <= hi; i++ {
				out = append(out, fmt.Sprintf("p%02d", i))
			}
		default:
			if _, err := hd.Lookup(part); err != nil {
				return nil, fmt.Errorf("benchmark spec %q: %w (or use hd:* or hd:p01-p10)", spec, err)
			}
			out = append(out, part)
		}
	}
	return out, nil
}

func (p *Problem) bench(name string) (*bench, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.benches[name]; ok {
		return b, nil
	}
	t, err := hd.Lookup(name)
	if err != nil {
		return nil, err
	}
	spec := stoke.Spec{LiveIn: t.LiveIn, LiveOut: t.LiveOut, OutWidth: t.OutWidth}
	h := fnv.New64a()
	h.Write([]byte(name))
	rng := rand.New(rand.NewPCG(p.opts.Seed, h.Sum64()))
	b := &bench{target: t, spec: spec, proposer: stoke.NewProposer(t.Code, t.LiveIn, t.LiveOut),
		tests: stoke.RandomTests(spec, p.opts.Tests, rng), proofs: map[string]proof{}}
	p.benches[name] = b
	return b, nil
}

// BestProved returns the fastest rewrite of benchmark that any episode of
// this problem proved equivalent to the target with z3, or the target
// itself (Proved is true in both cases).
func (p *Problem) BestProved(benchmark string) (Rewrite, error) {
	b, err := p.bench(benchmark)
	if err != nil {
		return Rewrite{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r := Rewrite{Benchmark: benchmark, Program: b.target.Code.Clone(), TargetLatency: b.target.Code.Latency(), Proved: true}
	if b.bestProved != nil {
		r.Program = b.bestProved.Clone()
	}
	r.Latency = r.Program.Latency()
	return r, nil
}

// O3 returns gcc -O3's code for the benchmark's C specification, read back
// into the x86 subset (compiled once per problem).
func (p *Problem) O3(ctx context.Context, benchmark string) (x86.Program, error) {
	b, err := p.bench(benchmark)
	if err != nil {
		return nil, err
	}
	b.o3Once.Do(func() {
		b.o3, _, b.o3Err = timing.CompileO3(ctx, b.target.C, b.target.Name)
	})
	return b.o3, b.o3Err
}

// NewEpisode starts from the benchmark's naive target.
func (p *Problem) NewEpisode(_ context.Context, benchmark string) (rlcore.Episode, error) {
	b, err := p.bench(benchmark)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	n := b.episodes
	b.episodes++
	tests := append([]x86.State(nil), b.tests...)
	b.mu.Unlock()
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", benchmark, n)
	return p.newEpisode(b, p.opts.Seed, h.Sum64(), tests), nil
}

// NewEpisodeSeeded starts an episode whose generator is seeded with seed
// (see Episode.Seed), to re-run one episode exactly.
func (p *Problem) NewEpisodeSeeded(benchmark string, seed [2]uint64) (*Episode, error) {
	b, err := p.bench(benchmark)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	tests := append([]x86.State(nil), b.tests...)
	b.mu.Unlock()
	return p.newEpisode(b, seed[0], seed[1], tests), nil
}

func (p *Problem) newEpisode(b *bench, s1, s2 uint64, tests []x86.State) *Episode {
	e := &Episode{p: p, b: b, seed: [2]uint64{s1, s2}, pcg: rand.NewPCG(s1, s2)}
	e.rng = rand.New(e.pcg)
	e.ev = stoke.NewEvaluator(b.spec, b.target.Code, stoke.CallerSaved, tests, stoke.DefaultWeights)
	e.prog = b.target.Code.Clone()
	e.score = e.ev.Score(e.prog)
	e.best = e.prog.Clone()
	e.bestLat = e.score.Latency
	return e
}
