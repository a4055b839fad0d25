package stoke

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/smt"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// AcceptMH is STOKE's Metropolis-Hastings acceptance: a proposal of cost
// next replacing one of cost cur is accepted with probability
// min(1, exp(-β·(next-cur))).
func AcceptMH(cur, next, beta float64, rng *rand.Rand) bool {
	if next <= cur {
		return true
	}
	return rng.Float64() < math.Exp(-beta*(next-cur))
}

// AcceptGreedy accepts proposals that do not increase the cost.
func AcceptGreedy(cur, next float64) bool { return next <= cur }

// Threshold draws the acceptance decision before the proposal is scored,
// as STOKE does: the proposal is accepted exactly when its cost is at most
// the returned value (cur - ln(u)/β for MH with u uniform in (0, 1], cur
// for greedy). Equivalent to AcceptMH and AcceptGreedy, it lets the
// evaluation stop early.
func Threshold(cur, beta float64, greedy bool, rng *rand.Rand) float64 {
	if greedy {
		return cur
	}
	u := 1 - rng.Float64() // (0, 1]
	return cur - math.Log(u)/beta
}

// Verifier proves rewrites equivalent to a target with z3 and turns
// refutations into test cases.
type Verifier struct {
	Spec    Spec
	Target  x86.Program
	Timeout time.Duration // per query; zero means 20 s
	Calls   int
}

// Verify checks rewrite against the target for all inputs.
func (v *Verifier) Verify(ctx context.Context, rewrite x86.Program) (smt.Result, error) {
	v.Calls++
	q := smt.Query{Target: v.Target, Rewrite: Compact(rewrite), LiveOut: v.Spec.LiveOut, OutWidth: v.Spec.OutWidth}
	return smt.Check(ctx, q, v.Timeout)
}

// Config configures Search. Zero values take the defaults noted.
type Config struct {
	// Move is what every proposal does; MoveWeighted (the default, the zero
	// value is MoveOpcode so set it) draws STOKE's mix.
	Move Move
	// Beta is the MH inverse temperature; zero means STOKE's default 1.
	Beta float64
	// Greedy accepts only proposals that do not raise the cost.
	Greedy bool
	// Proposals and Duration bound the search (zero: no limit; at least
	// one must be set).
	Proposals int
	Duration  time.Duration
	Seed      uint64
	Tests     int // random test cases; zero means 32
	Weights   Weights
	// VerifyTimeout bounds each z3 query (zero: 20 s).
	VerifyTimeout time.Duration
	Observer      rlcore.Observer
	Run           string // label of the events
	// Empty starts from len(target) nops instead of the target (STOKE's
	// synthesis start, --init empty).
	Empty bool
	// Restart starts a new chain every Restart proposals (STOKE's cycle
	// timeout), alternating between the target and the empty program;
	// zero means never. Test cases and proofs carry over.
	Restart int
	// Goal stops the search (Status Finished) once a rewrite of latency
	// at most Goal is proved; zero means search the whole budget.
	Goal int
	// GiveUp: after GiveUp z3 time-outs on candidates of some latency L,
	// candidates of latency L or more are no longer sent to z3 (only
	// faster ones are). Zero means 3.
	GiveUp int
}

// Result is what Search returns.
type Result struct {
	// Rewrite is the best rewrite z3 proved equivalent to the target (its
	// nops removed); the target itself when nothing better was proved.
	Rewrite x86.Program
	Latency int
	// Verified is true when Rewrite is the target or z3 proved it.
	Verified        bool
	Status          rlcore.Status
	Proposals       int
	Accepted        int
	Verifications   int
	Unknown         int // verifications z3 could not decide in time
	Counterexamples int
	Evaluations     int
	Elapsed         time.Duration
}

// Search runs STOKE's optimization from the target: proposals from the
// configured move, MH (or greedy) acceptance on cost = eq + latency, and
// verification of every rewrite that beats the best proved one on the
// test cases. It returns the best proved rewrite, also when ctx is
// cancelled.
func Search(ctx context.Context, spec Spec, target x86.Program, cfg Config) (*Result, error) {
	if cfg.Proposals <= 0 && cfg.Duration <= 0 {
		return nil, fmt.Errorf("stoke search: no budget: set Proposals or Duration")
	}
	if len(target) == 0 {
		return nil, fmt.Errorf("stoke search: the target program is empty: give the x86-64 code to optimize, at least one instruction (x86.Parse reads Intel syntax)")
	}
	if cfg.Beta == 0 {
		cfg.Beta = 1
	}
	if cfg.Tests == 0 {
		cfg.Tests = 32
	}
	if cfg.Weights == (Weights{}) {
		cfg.Weights = DefaultWeights
	}
	if cfg.GiveUp == 0 {
		cfg.GiveUp = 3
	}
	unknownAt := map[int]int{} // latency → z3 time-outs
	hopeless := math.MaxInt    // candidates this slow are not sent to z3
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	ev := NewEvaluator(spec, target, CallerSaved, RandomTests(spec, cfg.Tests, rng), cfg.Weights)
	pr := NewProposer(target, spec.LiveIn, spec.LiveOut)
	ver := &Verifier{Spec: spec, Target: target, Timeout: cfg.VerifyTimeout}
	start := time.Now()
	res := &Result{Rewrite: target.Clone(), Latency: target.Latency(), Verified: true, Status: rlcore.BudgetExhausted}
	refuted := map[string]bool{}

	empty := cfg.Empty
	var cur x86.Program
	var curScore Score
	restart := func() {
		if empty {
			cur = make(x86.Program, len(target))
		} else {
			cur = target.Clone()
		}
		curScore = ev.Score(cur)
		empty = !empty
	}
	restart()
	next := make(x86.Program, 0, pr.MaxLen)
	lastReport := start
	for {
		if err := ctx.Err(); err != nil {
			res.Status = rlcore.Interrupted
			break
		}
		if res.Status == rlcore.Finished || (cfg.Proposals > 0 && res.Proposals >= cfg.Proposals) || (cfg.Duration > 0 && time.Since(start) >= cfg.Duration) {
			break
		}
		res.Proposals++
		if cfg.Restart > 0 && res.Proposals%cfg.Restart == 0 {
			restart()
		}
		next = append(next[:0], cur...)
		var changed bool
		next, changed, _ = pr.Apply(next, cfg.Move, rng)
		if !changed {
			continue
		}
		s, ok := ev.ScoreBounded(next, Threshold(curScore.Cost, cfg.Beta, cfg.Greedy, rng))
		if !ok {
			continue
		}
		res.Accepted++
		cur, next = next, cur
		curScore = s
		if s.Correct() && s.Latency < res.Latency && s.Latency < hopeless {
			key := Compact(cur).String()
			if refuted[key] {
				continue
			}
			v, err := ver.Verify(ctx, cur)
			res.Verifications++
			if err != nil {
				return res, fmt.Errorf("verifying a rewrite: %w", err)
			}
			switch v.Verdict {
			case smt.Equivalent:
				res.Rewrite, res.Latency = Compact(cur), s.Latency
				if s.Latency <= cfg.Goal {
					res.Status = rlcore.Finished
				}
			case smt.Different:
				refuted[key] = true
				cex := v.Counterexample
				cex.Noise = rng.Uint64()
				ev.AddTest(cex)
				res.Counterexamples++
				curScore = ev.Score(cur)
			default:
				refuted[key] = true
				res.Unknown++
				if unknownAt[s.Latency]++; unknownAt[s.Latency] >= cfg.GiveUp {
					hopeless = min(hopeless, s.Latency)
				}
			}
		}
		if cfg.Observer != nil && time.Since(lastReport) > 200*time.Millisecond {
			lastReport = time.Now()
			el := time.Since(start)
			cfg.Observer(rlcore.Event{Kind: rlcore.Progress, Run: cfg.Run, Elapsed: el, Step: res.Proposals,
				Best: float64(ev.TLat) / float64(max(res.Latency, 1)), Loss: math.NaN(),
				StepsPerS: float64(res.Proposals) / el.Seconds()})
		}
	}
	res.Elapsed = time.Since(start)
	res.Evaluations = ev.Evals
	if cfg.Observer != nil {
		cfg.Observer(rlcore.Event{Kind: rlcore.RunDone, Run: cfg.Run, Elapsed: res.Elapsed, Step: res.Proposals,
			Best: float64(ev.TLat) / float64(max(res.Latency, 1)), Loss: math.NaN(), Status: res.Status})
	}
	return res, nil
}
