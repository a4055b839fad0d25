package codesize

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Solution is a search's answer for one benchmark.
type Solution struct {
	Passes []string // action names, e.g. "-mem2reg"
	// Walltime is the time the policy or search spent on the benchmark
	// (CompilerGym's leaderboard walltime).
	Walltime time.Duration
}

// Score is one benchmark's line of a Report.
type Score struct {
	Benchmark string
	Passes    []string
	ICO0      int64
	ICOz      int64
	IC        int64
	// Score = (IC_O0 − IC) / max(IC_O0 − IC_Oz, 1): CompilerGym's
	// cumulative IrInstructionCountOz reward; 1.0 = as good as -Oz.
	Score    float64
	Walltime time.Duration
	Err      error // replay failed; Score is 0
}

// Report is CompilerGym's llvm-ic-v0 leaderboard metric over a set of
// benchmarks.
type Report struct {
	Scores []Score // sorted by benchmark
	// Geomean is the geometric mean of the scores as CompilerGym computes
	// it: 0 when the set is empty or any score is ≤ 0 (or failed).
	Geomean float64
	// Mean is the arithmetic mean of the scores (useful when Geomean is 0).
	Mean float64
	// NonPositive counts scores ≤ 0, failures included.
	NonPositive  int
	Failed       int
	MeanWalltime time.Duration
}

// Evaluate replays each benchmark's passes from its O0 module on p (any
// Problem whose actions are named and that measures "ic" with "o0" and
// "oz" baselines, such as the codesize task) and computes the leaderboard
// metric. A replay failure counts as a score of 0 and is kept in Score.Err.
// obs (may be nil) receives an EpisodeEnd or EpisodeFailed event per
// benchmark. The error is for a cancelled context; the report so far is
// returned with it.
func Evaluate(ctx context.Context, p rlcore.Problem, solutions map[string]Solution, obs rlcore.Observer) (Report, error) {
	index := map[string]int{}
	for i, name := range p.Actions() {
		index[name] = i
	}
	names := make([]string, 0, len(solutions))
	for b := range solutions {
		names = append(names, b)
	}
	sort.Strings(names)
	start := time.Now()
	var rep Report
	for i, b := range names {
		if err := ctx.Err(); err != nil {
			rep.finish()
			return rep, err
		}
		sol := solutions[b]
		s := Score{Benchmark: b, Passes: sol.Passes, Walltime: sol.Walltime}
		s.Err = scoreOne(ctx, p, index, &s)
		rep.Scores = append(rep.Scores, s)
		if obs != nil {
			ev := rlcore.Event{Kind: rlcore.EpisodeEnd, Run: "evaluate", Elapsed: time.Since(start), Episode: i + 1, Benchmark: b, Quality: s.Score, Return: s.Score}
			if s.Err != nil {
				ev.Kind, ev.Err = rlcore.EpisodeFailed, s.Err
			}
			obs(ev)
		}
	}
	rep.finish()
	return rep, nil
}

func scoreOne(ctx context.Context, p rlcore.Problem, index map[string]int, s *Score) error {
	actions := make([]int, len(s.Passes))
	for i, name := range s.Passes {
		a, ok := index[name]
		if !ok {
			// Accept the other spellings of codesize passes too.
			var err error
			if a, err = LookupPass(name); err != nil || p.Task() != TaskName {
				return fmt.Errorf("benchmark %s: unknown action %q", s.Benchmark, name)
			}
		}
		actions[i] = a
	}
	ep, err := p.NewEpisode(ctx, s.Benchmark)
	if err != nil {
		return err
	}
	defer ep.Close()
	for _, a := range actions {
		if err := ep.Apply(ctx, a); err != nil {
			return err
		}
	}
	ic, err := ep.Measure(ctx, "ic")
	if err != nil {
		return err
	}
	o0, err := rlcore.MeasureReference(ctx, ep, "o0", "ic")
	if err != nil {
		return err
	}
	oz, err := rlcore.MeasureReference(ctx, ep, "oz", "ic")
	if err != nil {
		return err
	}
	s.IC, s.ICO0, s.ICOz = int64(ic), int64(o0), int64(oz)
	s.Score = (o0 - ic) / math.Max(o0-oz, 1)
	return nil
}

func (r *Report) finish() {
	if len(r.Scores) == 0 {
		return
	}
	var logSum, sum float64
	var wall time.Duration
	for _, s := range r.Scores {
		if s.Err != nil {
			r.Failed++
		}
		if s.Score <= 0 {
			r.NonPositive++
		} else {
			logSum += math.Log(s.Score)
		}
		sum += s.Score
		wall += s.Walltime
	}
	n := float64(len(r.Scores))
	r.Mean = sum / n
	r.MeanWalltime = wall / time.Duration(len(r.Scores))
	if r.NonPositive == 0 {
		r.Geomean = math.Exp(logSum / n)
	}
}
