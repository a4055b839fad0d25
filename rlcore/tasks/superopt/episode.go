package superopt

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/smt"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/stoke"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// Episode is one benchmark being superoptimized: the current rewrite, the
// episode's random generator, its test cases and the best proved rewrite.
type Episode struct {
	p    *Problem
	b    *bench
	seed [2]uint64
	pcg  *rand.PCG
	rng  *rand.Rand
	ev   *stoke.Evaluator

	prog  x86.Program
	score stoke.Score
	// unproven: the current rewrite passes the tests and is faster than
	// the best proved one, but z3 refuted it through undefined values or
	// gave up.
	unproven bool
	// best is the fastest rewrite proved equivalent (the target at first).
	best    x86.Program
	bestLat int

	scratch   x86.Program // proposal buffer
	changed   bool        // whether the last Apply changed the program
	lastMove  stoke.Move  // the move the last Apply drew
	proposals int
}

var _ rlcore.Episode = (*Episode)(nil)

func (e *Episode) Benchmark() string { return e.b.target.Name }

// Seed identifies the episode's generator (see Problem.NewEpisodeSeeded).
func (e *Episode) Seed() [2]uint64 { return e.seed }

// Program returns the current rewrite (shared: do not modify).
func (e *Episode) Program() x86.Program { return e.prog }

// Score returns the current rewrite's cost terms.
func (e *Episode) Score() stoke.Score { return e.score }

// Evaluator returns the episode's evaluator (its test cases).
func (e *Episode) Evaluator() *stoke.Evaluator { return e.ev }

// Changed reports whether the last Apply changed the program (a proposal
// can fail, e.g. an opcode move on an instruction with no alternative).
func (e *Episode) Changed() bool { return e.changed }

// Apply draws a proposal of move kind action (an index into
// stoke.MoveNames) and makes it the current rewrite. Acceptance is the
// transition function's business.
func (e *Episode) Apply(ctx context.Context, action int) error {
	if action < 0 || action >= int(stoke.NumMoves) {
		return fmt.Errorf("superopt: action %d out of range [0, %d)", action, stoke.NumMoves)
	}
	e.proposals++
	e.prog, e.changed, e.lastMove = e.b.proposer.Apply(e.prog, stoke.Move(action), e.rng)
	if !e.changed {
		return nil
	}
	return e.rescore(ctx)
}

// rescore scores the current rewrite and, when it passes the tests and
// beats the best proved rewrite, proves or refutes it with z3.
func (e *Episode) rescore(ctx context.Context) error {
	e.score = e.ev.Score(e.prog)
	return e.verifyIfBetter(ctx)
}

// verifyIfBetter proves the current rewrite when it passes the tests and
// beats the best proved one.
func (e *Episode) verifyIfBetter(ctx context.Context) error {
	e.unproven = false
	if !e.score.Correct() || e.score.Latency >= e.bestLat {
		return nil
	}
	if !e.p.opts.Verify {
		e.best, e.bestLat = stoke.Compact(e.prog), e.score.Latency
		return nil
	}
	rw := stoke.Compact(e.prog)
	key := rw.String()
	e.b.mu.Lock()
	pf, known := e.b.proofs[key]
	e.b.mu.Unlock()
	if !known {
		res, err := smt.Check(ctx, smt.Query{Target: e.b.target.Code, Rewrite: rw, LiveOut: e.b.spec.LiveOut, OutWidth: e.b.spec.OutWidth}, e.p.opts.VerifyTimeout)
		if err != nil {
			return fmt.Errorf("superopt: verifying a rewrite of %s: %w", e.b.target.Name, err)
		}
		pf = proof{verdict: res.Verdict, cex: res.Counterexample}
		if pf.verdict == smt.Different {
			pf.cex.Noise = e.rng.Uint64()
		}
		e.b.mu.Lock()
		e.b.proofs[key] = pf
		if pf.verdict == smt.Different {
			e.b.tests = append(e.b.tests, pf.cex)
		}
		e.b.mu.Unlock()
	}
	switch pf.verdict {
	case smt.Equivalent:
		e.best, e.bestLat = rw, e.score.Latency
		e.b.mu.Lock()
		if e.b.bestProved == nil || e.score.Latency < e.b.bestProved.Latency() {
			e.b.bestProved = rw
		}
		e.b.mu.Unlock()
		recordProved(e.b, rw)
	case smt.Different:
		e.ev.AddTest(pf.cex)
		e.score = e.ev.Score(e.prog)
		e.unproven = e.score.Correct()
	default:
		e.unproven = true
	}
	return nil
}

// proof is a cached z3 verdict on a rewrite.
type proof struct {
	verdict smt.Verdict
	cex     x86.State
}

// Measure reads cost, latency, correctness (the eq term: wrong output
// bits over the test cases) or length (instructions other than nops).
func (e *Episode) Measure(_ context.Context, metric string) (float64, error) {
	return measure(metric, e.score, e.prog)
}

func measure(metric string, s stoke.Score, p x86.Program) (float64, error) {
	switch metric {
	case "cost":
		return s.Cost, nil
	case "latency":
		return float64(s.Latency), nil
	case "correctness":
		return float64(s.Eq), nil
	case "length":
		return float64(p.Len()), nil
	}
	return 0, fmt.Errorf("superopt: unknown measure %q; known: cost, latency, correctness, length", metric)
}

// Reference reads a metric of the target ("o0" or "target") or of gcc
// -O3's code ("o3"); the metric "quality" is that program's Quality
// (rlcore.Referencer).
func (e *Episode) Reference(ctx context.Context, ref, metric string) (float64, error) {
	var p x86.Program
	switch ref {
	case "o0", "target":
		p = e.b.target.Code
	case "o3":
		var err error
		if p, err = e.p.O3(ctx, e.b.target.Name); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("superopt: unknown reference compilation %q; known: o0 (= target), o3", ref)
	}
	s := stoke.Score{Latency: p.Latency(), Cost: float64(p.Latency()) * e.ev.Weights.Perf}
	if metric == "quality" {
		return e.ev.Quality(s), nil
	}
	return measure(metric, s, p)
}

// Quality is the normalized score of the package comment.
func (e *Episode) Quality(context.Context) (float64, error) { return e.quality(), nil }

func (e *Episode) quality() float64 {
	s := e.score
	if !s.Correct() {
		// A wrong rewrite's partial credit counts its latency as no lower
		// than the best proved one's: shorter wrong code must not outscore
		// (or stand for) a proved rewrite that does not exist.
		s.Latency = max(s.Latency, e.bestLat)
	}
	q := e.ev.Quality(s)
	if e.unproven {
		q = min(q, float64(e.ev.TLat)/float64(max(e.bestLat, 1)))
	}
	return q
}

// Fork copies the episode: program, generator state, test cases.
func (e *Episode) Fork(context.Context) (rlcore.Episode, error) { return e.fork(), nil }

func (e *Episode) fork() *Episode {
	f := *e
	pcg := *e.pcg
	f.pcg = &pcg
	f.rng = rand.New(f.pcg)
	f.ev = e.ev.Clone()
	f.prog = e.prog.Clone()
	f.scratch = nil
	return &f
}

func (e *Episode) Close() error { return nil }

// Rewrite is a proved result.
type Rewrite struct {
	Benchmark     string
	Program       x86.Program
	Latency       int
	TargetLatency int
	// Proved is true when z3 proved Program equivalent to the target (or
	// Program is the target).
	Proved bool
}

// Result returns the best rewrite of the episode that z3 proved
// equivalent to the target for all inputs (the target when none was).
// With verification off, it proves the best test-passing rewrite now and
// falls back to the target if that fails.
func (e *Episode) Result(ctx context.Context) (Rewrite, error) {
	r := Rewrite{Benchmark: e.b.target.Name, Program: e.best.Clone(), Latency: e.bestLat, TargetLatency: e.ev.TLat, Proved: true}
	if e.p.opts.Verify || e.bestLat == e.ev.TLat {
		return r, nil
	}
	res, err := smt.Check(ctx, smt.Query{Target: e.b.target.Code, Rewrite: e.best, LiveOut: e.b.spec.LiveOut, OutWidth: e.b.spec.OutWidth}, e.p.opts.VerifyTimeout)
	if err != nil {
		return r, fmt.Errorf("superopt: verifying the result for %s: %w", r.Benchmark, err)
	}
	if res.Verdict != smt.Equivalent {
		r.Program, r.Latency = e.b.target.Code.Clone(), e.ev.TLat
	}
	return r, nil
}

// propose draws one proposal of move kind action and accepts it when its
// cost is within the threshold drawn by stoke.Threshold (MH or greedy),
// scoring it with early termination; a rejected proposal is reverted.
func (e *Episode) propose(ctx context.Context, action int, greedy bool) (bool, error) {
	if action < 0 || action >= int(stoke.NumMoves) {
		return false, fmt.Errorf("superopt: action %d out of range [0, %d)", action, stoke.NumMoves)
	}
	e.proposals++
	e.scratch = append(e.scratch[:0], e.prog...)
	next, changed, drawn := e.b.proposer.Apply(e.scratch, stoke.Move(action), e.rng)
	e.lastMove = drawn
	if !changed {
		e.scratch = next
		return false, nil
	}
	s, ok := e.ev.ScoreBounded(next, stoke.Threshold(e.score.Cost, e.p.opts.Beta, greedy, e.rng))
	if !ok {
		e.scratch = next
		return false, nil
	}
	e.prog, e.scratch = next, e.prog
	e.score = s
	return true, e.verifyIfBetter(ctx)
}
