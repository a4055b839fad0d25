package search

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
)

// PullResult is one pull: an arm's algorithm trained briefly on the
// training benchmarks and scored.
//
// Score is the mean, over the training benchmarks the pull reached, of the
// best task quality found on each (Result.PerBenchmark[b].Quality; for code
// size CompilerGym's normalized metric, 1.0 = as many instructions removed
// as -Oz). It is not clipped: 1.07 and 1.30 stay different.
type PullResult struct {
	Seq    int // order in which the pull was started
	Worker int // the phase's job slot that ran it
	// Runner names who ran it: "local", or the remote worker (see
	// Executor).
	Runner   string
	ArmIndex int
	Arm      rlcore.Arm
	Seed     int64
	Hyper    rlcore.Hyper // resolved hyperparameters
	Budget   rlcore.Budget
	Rung     int // ASHA rung (tuning only)
	Score    float64
	// PerBenchmark is the best quality reached on each training benchmark.
	PerBenchmark map[string]float64
	Status       string // store.PullOK, PullFailed or PullInterrupted
	Err          error
	// FailedEpisodes counts the episodes of the pull that raised an error;
	// EpisodeErrors are the first few (see rlcore.MaxEpisodeErrors). A pull
	// with more failed episodes than completed ones is failed (see
	// TooManyFailedEpisodes).
	FailedEpisodes int
	EpisodeErrors  []string
	Result         *rlcore.Result // nil when the pull could not start
	Started        time.Time
	Elapsed        time.Duration
}

// OK reports whether the pull produced a score.
func (p *PullResult) OK() bool { return p.Status == pullOK }

const (
	pullOK          = "ok"
	pullFailed      = "failed"
	pullInterrupted = "interrupted"
)

// puller runs pulls on a shared, opened problem.
type puller struct {
	problem    rlcore.Problem
	benchmarks []string
	horizon    int
	observer   rlcore.Observer
}

// pull runs one job. It never panics: a panic in the algorithm or the task
// is recovered and recorded as the pull's error.
func (p *puller) pull(ctx context.Context, j Job) (out *PullResult) {
	out = &PullResult{Seq: j.Seq, ArmIndex: j.ArmIndex, Arm: j.Arm, Seed: j.Seed, Budget: j.Budget,
		Rung: j.Rung, Score: math.NaN(), Started: time.Now()}
	defer func() {
		if r := recover(); r != nil {
			out.Status = pullFailed
			out.Err = fmt.Errorf("pull of %s panicked: %v\n%s", j.Arm, r, firstLines(string(debug.Stack()), 12))
		}
		out.Elapsed = time.Since(out.Started)
	}()
	label := j.Label
	if label == "" {
		label = j.Arm.String()
	}
	res, hyper, err := p.train(ctx, j.Arm, j.Hyper, j.Budget, j.Seed, p.benchmarks, label, j.Init)
	out.Hyper, out.Result = hyper, res
	if res != nil {
		out.FailedEpisodes, out.EpisodeErrors = res.Stats.FailedEpisodes, res.EpisodeErrors
	}
	if err != nil {
		out.Status, out.Err = pullFailed, err
		if ctx.Err() != nil {
			out.Status = pullInterrupted
		}
		return out
	}
	out.Score, out.PerBenchmark = score(res, p.benchmarks)
	switch {
	case res.Status == rlcore.Failed:
		out.Status, out.Err = pullFailed, fmt.Errorf("training %s failed: %w", j.Arm, res.Err)
	case res.Status == rlcore.Interrupted:
		out.Status, out.Err = pullInterrupted, context.Cause(ctx)
	case TooManyFailedEpisodes(res.Stats):
		out.Status, out.Err = pullFailed, failedEpisodesError("a pull", res)
	case math.IsNaN(out.Score):
		out.Status = pullFailed
		out.Err = fmt.Errorf("no episode reached any training benchmark within the pull budget %v", j.Budget)
		if res.Err != nil {
			out.Err = fmt.Errorf("%w; last error: %w", out.Err, res.Err)
		}
	default:
		out.Status = pullOK
	}
	return out
}

// TooManyFailedEpisodes is the rule that fails a pull (or a deployment)
// whose training "succeeded" on the few episodes that did not fail: half
// or more of its episodes failed (at least one did, and no more completed
// than failed). A search whose
// episodes all fail on a missing tool is then a failed search with the
// reason, not a winner at quality 1.
func TooManyFailedEpisodes(s rlcore.Stats) bool {
	return s.FailedEpisodes > 0 && s.FailedEpisodes >= s.Episodes
}

// failedEpisodesError says why what (a pull, a deployment) failed under
// TooManyFailedEpisodes.
func failedEpisodesError(what string, res *rlcore.Result) error {
	return fmt.Errorf("%d of %d episodes failed (%s fails when half or more of its episodes fail); the first error: %s",
		res.Stats.FailedEpisodes, res.Stats.FailedEpisodes+res.Stats.Episodes, what, firstOr(res.EpisodeErrors, res.Err))
}

func firstOr(errs []string, err error) string {
	if len(errs) > 0 {
		return errs[0]
	}
	if err != nil {
		return err.Error()
	}
	return "unknown"
}

// train opens an env for arm and trains the arm's algorithm with the arm's
// overrides plus extra on benchmarks, from the weights init when not nil
// (rlcore.TrainConfig.Init).
func (p *puller) train(ctx context.Context, arm rlcore.Arm, extra rlcore.Hyper, budget rlcore.Budget, seed int64, benchmarks []string, run string, init []byte) (*rlcore.Result, rlcore.Hyper, error) {
	spec, alg, err := armAlgorithm(arm)
	if err != nil {
		return nil, nil, err
	}
	h := rlcore.Hyper{}
	for k, v := range spec.Hyper {
		h[k] = v
	}
	for k, v := range extra {
		h[k] = v
	}
	hyper, err := alg.Resolve(h)
	if err != nil {
		return nil, nil, err
	}
	env, err := rlcore.NewTaskEnv(p.problem, rlcore.TaskEnvConfig{Arm: arm, Horizon: p.horizon})
	if err != nil {
		return nil, hyper, fmt.Errorf("arm %s: %w", arm, err)
	}
	defer env.Close()
	if budget.Duration > 0 {
		// Budgets are checked between steps: a native call (one LLVM pass)
		// must not hold the run far past its wall-clock budget. A call
		// still running at the deadline kills its worker and costs that
		// episode; the algorithm then stops on its budget with its best.
		ctx = isolate.WithCallDeadline(ctx, time.Now().Add(budget.Duration+callGrace(budget.Duration)))
	}
	cfg := rlcore.TrainConfig{Hyper: hyper, Budget: budget, Seed: seed, Benchmarks: benchmarks, Observer: p.observer, Run: run, Init: init}
	if err := alg.CheckInit(cfg); err != nil {
		return nil, hyper, err
	}
	if err := alg.CheckEnv(env.Env()); err != nil {
		return nil, hyper, err
	}
	res, err := alg.Train(ctx, env.Env(), cfg)
	if err != nil {
		return nil, hyper, fmt.Errorf("%s cannot train on arm %s: %w", spec.Name, arm, err)
	}
	if res == nil {
		return nil, hyper, fmt.Errorf("%s returned no result", spec.Name)
	}
	return res, hyper, nil
}

// callGrace is how long a native call may run past a training run's wall
// budget: a tenth of the budget plus a second, at most 30 s.
func callGrace(budget time.Duration) time.Duration {
	return min(budget/10+time.Second, 30*time.Second)
}

// score is the mean best quality over the benchmarks the run reached.
func score(res *rlcore.Result, benchmarks []string) (float64, map[string]float64) {
	per := map[string]float64{}
	if len(benchmarks) == 0 {
		if len(res.PerBenchmark) == 0 {
			return math.NaN(), per
		}
		for b, r := range res.PerBenchmark {
			per[b] = r.Quality
		}
	}
	for _, b := range benchmarks {
		if r, ok := res.PerBenchmark[b]; ok && !math.IsNaN(r.Quality) && !math.IsInf(r.Quality, 0) {
			per[b] = r.Quality
		}
	}
	if len(per) == 0 {
		return math.NaN(), per
	}
	var s float64
	for _, q := range per {
		s += q
	}
	return s / float64(len(per)), per
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
