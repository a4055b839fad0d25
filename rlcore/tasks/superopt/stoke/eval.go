// Package stoke is STOKE-style stochastic superoptimization (Schkufza,
// Sharma, Aiken, "Stochastic Superoptimization", ASPLOS 2013) over the x86
// subset of package x86: test cases, the cost function (correctness on the
// test cases plus static latency), the proposal moves, Metropolis-Hastings
// and greedy acceptance, and a search loop whose results are verified for
// all inputs with z3 (package smt) before they are reported.
package stoke

import (
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// Spec says what a rewrite must preserve: the live-in registers (the
// arguments) and the live-out register at its width.
type Spec struct {
	LiveIn   []x86.Reg
	LiveOut  x86.Reg
	OutWidth x86.Width
}

// Weights are the coefficients of the cost function
//
//	cost(R) = Eq·eq(R; T) + Perf·latency(R)
//
// where eq(R; T) is STOKE's correctness term: summed over the test cases,
// the Hamming distance between the live-out value the target produces and
// the closest value the rewrite leaves in any candidate register, plus
// Misalign if that register is not the live-out one (STOKE's "misalignment
// penalty", which rewards computing the right value in the wrong place).
// With Misalign ≥ 1, eq = 0 exactly when the rewrite is right on every test.
//
// Wrong is a constant added to the cost of a rewrite that is wrong on any
// test (negative: the target's latency). Our addition to STOKE's cost: for
// boolean outputs (p10–p12, p18) a wrong bit is cheap, and without it a
// one-instruction program that is wrong on a few tests costs less than the
// correct target, so the chain leaves the correct programs for good. With
// Wrong = target latency, no wrong rewrite costs less than the target.
type Weights struct {
	Eq, Perf float64
	Misalign int
	Wrong    float64
}

// DefaultWeights: STOKE's unit weights and misalignment penalty 1, and the
// wrong-rewrite penalty set to the target's latency.
var DefaultWeights = Weights{Eq: 1, Perf: 1, Misalign: 1, Wrong: -1}

// Evaluator scores rewrites of one target on a set of test cases. It is not
// safe for concurrent use (it reuses a scratch state); Clone makes a copy.
type Evaluator struct {
	Spec    Spec
	Target  x86.Program
	Weights Weights
	// Regs are the registers a misaligned result may be found in.
	Regs  []x86.Reg
	tests []x86.State
	want  []uint64
	TLat  int // the target's latency
	Evals int // rewrites evaluated so far
	Insts int // instructions executed so far
	maxEq int
}

// NewEvaluator builds an evaluator whose test cases are tests (initial
// machine states); the target's outputs on them are computed here.
func NewEvaluator(spec Spec, target x86.Program, regs []x86.Reg, tests []x86.State, w Weights) *Evaluator {
	e := &Evaluator{Spec: spec, Target: target.Clone(), Weights: w, Regs: regs, TLat: target.Latency()}
	if e.Weights.Wrong < 0 {
		e.Weights.Wrong = float64(e.TLat)
	}
	for _, t := range tests {
		e.AddTest(t)
	}
	return e
}

// Clone returns an evaluator with its own copy of the test cases.
func (e *Evaluator) Clone() *Evaluator {
	c := *e
	c.tests = append([]x86.State(nil), e.tests...)
	c.want = append([]uint64(nil), e.want...)
	return &c
}

// AddTest adds a test case (a counterexample, say).
func (e *Evaluator) AddTest(s x86.State) {
	t := s
	e.Target.Run(&t)
	e.tests = append(e.tests, s)
	e.want = append(e.want, t.R[e.Spec.LiveOut]&e.Spec.OutWidth.Mask())
	e.maxEq = len(e.tests) * int(e.Spec.OutWidth)
}

// Tests returns the test cases (shared: do not modify).
func (e *Evaluator) Tests() []x86.State { return e.tests }

// MaxEq is the largest possible correctness term without misalignment
// (every bit of every test wrong).
func (e *Evaluator) MaxEq() int { return e.maxEq }

// Eq computes the correctness term of p.
func (e *Evaluator) Eq(p x86.Program) int { return e.EqBounded(p, math.MaxInt) }

// EqBounded computes the correctness term of p, but stops running test
// cases as soon as the sum exceeds bound and returns that partial sum
// (STOKE's early termination: a proposal whose cost already exceeds the
// acceptance threshold is rejected without running the remaining tests).
func (e *Evaluator) EqBounded(p x86.Program, bound int) int {
	mask := e.Spec.OutWidth.Mask()
	out := e.Spec.LiveOut
	eq := 0
	var s x86.State
	for i := range e.tests {
		s = e.tests[i]
		for j := range p {
			s.Step(&p[j], j)
		}
		want := e.want[i]
		d := bits.OnesCount64((s.R[out] ^ want) & mask)
		if d > 0 && e.Weights.Misalign > 0 {
			for _, r := range e.Regs {
				if r == out {
					continue
				}
				if dr := bits.OnesCount64((s.R[r]^want)&mask) + e.Weights.Misalign; dr < d {
					d = dr
				}
			}
		}
		eq += d
		if eq > bound {
			e.Evals++
			e.Insts += len(p) * (i + 1)
			return eq
		}
	}
	e.Evals++
	e.Insts += len(p) * len(e.tests)
	return eq
}

// Score is the cost of a rewrite with its two terms.
type Score struct {
	Cost    float64
	Eq      int
	Latency int
}

// Correct reports whether the rewrite is right on every test case.
func (s Score) Correct() bool { return s.Eq == 0 }

// Score evaluates p.
func (e *Evaluator) Score(p x86.Program) Score {
	s, _ := e.ScoreBounded(p, math.Inf(1))
	return s
}

// ScoreBounded evaluates p unless its cost exceeds maxCost, in which case
// it reports false (and a partial score) as early as it can tell.
func (e *Evaluator) ScoreBounded(p x86.Program, maxCost float64) (Score, bool) {
	lat := p.Latency()
	s := Score{Latency: lat, Cost: e.Weights.Perf * float64(lat)}
	if s.Cost > maxCost {
		return s, false
	}
	bound := math.MaxInt
	if rem := maxCost - s.Cost; !math.IsInf(maxCost, 1) && e.Weights.Eq > 0 {
		if rem < e.Weights.Wrong+e.Weights.Eq {
			bound = 0 // any wrong bit already exceeds maxCost
		} else {
			bound = int(math.Floor((rem - e.Weights.Wrong) / e.Weights.Eq))
		}
	}
	s.Eq = e.EqBounded(p, bound)
	s.Cost += e.Weights.Eq * float64(s.Eq)
	if s.Eq > 0 {
		s.Cost += e.Weights.Wrong
	}
	return s, s.Cost <= maxCost
}

// Quality is the normalized score used as the task quality: the target's
// latency divided by the rewrite's when the rewrite is right on every test
// case (1 = as fast as the naive target, 3 = three times faster); otherwise
// that ratio times half the fraction of correct output bits, which is always
// below the ratio the rewrite would have if it were correct.
func (e *Evaluator) Quality(s Score) float64 {
	ratio := float64(e.TLat) / float64(max(s.Latency, 1))
	if s.Eq == 0 {
		return ratio
	}
	frac := 1 - float64(s.Eq)/float64(e.maxEq)
	return ratio * 0.5 * max(frac, 0)
}

// edgeArgs are argument values every test set contains.
var edgeArgs = []uint64{0, 1, 2, 0xffffffff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0x55555555, 0xaaaaaaaa, 31, 32}

// RandomTests makes n test cases for spec: every register random (so a
// rewrite that reads a register it should not is caught), the live-ins
// biased to edge values, random flags and noise.
func RandomTests(spec Spec, n int, rng *rand.Rand) []x86.State {
	var out []x86.State
	for i := range n {
		var s x86.State
		for r := range s.R {
			s.R[r] = rng.Uint64()
		}
		for j, r := range spec.LiveIn {
			switch {
			case i < len(edgeArgs):
				s.R[r] = rng.Uint64()<<32 | edgeArgs[(i+j*5)%len(edgeArgs)]
			case rng.IntN(4) == 0:
				s.R[r] = rng.Uint64()<<32 | edgeArgs[rng.IntN(len(edgeArgs))]
			case rng.IntN(3) == 0:
				s.R[r] = rng.Uint64()<<32 | uint64(rng.IntN(64))
			}
		}
		s.Flags = x86.Flags(rng.Uint32()) & x86.AllFlags
		s.Noise = rng.Uint64()
		out = append(out, s)
	}
	return out
}
