package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// resumePoint is what a continued search starts from: its run, the pulls
// it stored and the jobs it had started without storing their pull.
type resumePoint struct {
	run     store.Run
	nonce   string       // the run's job-key nonce (see runKey)
	pulls   []store.Pull // stored, in seq order
	pending []store.Job  // started, no pull stored: redone or taken
	nextSeq int
}

// searchOptions is the part of a search run's stored options that a
// continued search reads back.
type searchOptions struct {
	Strategy   string `json:"strategy"`
	Budget     string `json:"budget"`
	PullBudget string `json:"pull_budget"`
	Nonce      string `json:"job_nonce"`
}

// loadResume finds the search run to continue (the newest one named
// spec.Name), checks that it can be continued with spec and opt, fills
// opt's zero Strategy, Budget and PullBudget with the run's own, and
// reads what it stored.
func loadResume(ctx context.Context, st *store.Store, spec Spec, opt *Options) (*resumePoint, error) {
	run, err := st.FindRun(ctx, spec.Name, store.KindSearch)
	if errors.Is(err, store.ErrNoRun) {
		return nil, fmt.Errorf("nothing to resume: %w", err)
	}
	if err != nil {
		return nil, err
	}
	if !run.Unfinished() || run.Status == store.StatusFailed {
		return nil, fmt.Errorf("nothing to resume: the last run of %s (run %d) ended with status %s; only an interrupted or abandoned search continues (without --resume a new run starts)",
			spec.Name, run.ID, run.Status)
	}
	if diff := specDiff(run.Spec, specJSON(spec)); diff != "" {
		return nil, fmt.Errorf("cannot resume run %d: its spec differs from %s's now (%s); declare it as it was, or start a new run without --resume", run.ID, spec.Name, diff)
	}
	var so searchOptions
	if err := json.Unmarshal(run.Options, &so); err != nil {
		return nil, fmt.Errorf("run %d: reading its options: %w", run.ID, err)
	}
	if opt.Strategy == "" {
		opt.Strategy = run.Strategy
	} else if opt.Strategy != run.Strategy {
		return nil, fmt.Errorf("cannot resume run %d with strategy %s: it was started with %s (leave the strategy out to keep it)", run.ID, opt.Strategy, run.Strategy)
	}
	stored, err := rlcore.ParseBudget(so.PullBudget)
	if err != nil {
		return nil, fmt.Errorf("run %d: its pull budget %q: %w", run.ID, so.PullBudget, err)
	}
	if opt.PullBudget.IsZero() {
		opt.PullBudget = stored
	} else if opt.PullBudget != stored {
		return nil, fmt.Errorf("cannot resume run %d with a pull budget of %v: its pulls had %v, and pulls of different lengths do not compare (leave it out to keep it)", run.ID, opt.PullBudget, stored)
	}
	if opt.Budget.IsZero() && so.Budget != "" {
		if opt.Budget, err = rlcore.ParseBudget(so.Budget); err != nil {
			return nil, fmt.Errorf("run %d: its budget %q: %w", run.ID, so.Budget, err)
		}
	}
	rp := &resumePoint{run: run, nonce: so.Nonce}
	if rp.pulls, err = st.Pulls(ctx, run.ID, false); err != nil {
		return nil, err
	}
	jobs, err := st.Jobs(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	done := map[int]bool{}
	for _, p := range rp.pulls {
		done[p.Seq] = true
		rp.nextSeq = max(rp.nextSeq, p.Seq+1)
	}
	for _, j := range jobs {
		if !done[j.Seq] {
			rp.pending = append(rp.pending, j)
		}
		rp.nextSeq = max(rp.nextSeq, j.Seq+1)
	}
	if err := st.ReopenRun(ctx, run.ID); err != nil {
		return nil, err
	}
	return rp, nil
}

// specDiff names the fields of two specs' JSON that differ ("" when
// none).
func specDiff(was, now json.RawMessage) string {
	var a, b map[string]any
	if json.Unmarshal(was, &a) != nil || json.Unmarshal(now, &b) != nil {
		return "the stored spec is unreadable"
	}
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(mergeKeys(a, b))) {
		if !reflect.DeepEqual(a[k], b[k]) {
			x, _ := json.Marshal(a[k])
			y, _ := json.Marshal(b[k])
			diffs = append(diffs, fmt.Sprintf("%s was %s, is %s", k, x, y))
		}
	}
	return strings.Join(diffs, "; ")
}

func mergeKeys(a, b map[string]any) map[string]bool {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

// replay puts the stored pulls on the board and shows them to the
// strategy, as if they had just finished, and returns them as results.
func (rp *resumePoint) replay(board *Board, strat Strategy, maxFailures int) []*PullResult {
	index := map[string]int{}
	for i, a := range board.Arms {
		index[a.Name] = i
	}
	var out []*PullResult
	for _, p := range rp.pulls {
		i, ok := index[p.Arm]
		if !ok {
			continue // cannot happen: the spec, hence the arms, are the same
		}
		pr := &PullResult{Seq: p.Seq, ArmIndex: i, Arm: board.Arms[i].Arm, Seed: p.Seed, Hyper: p.Hyper, Rung: p.Rung, Score: p.Score,
			PerBenchmark: p.PerBenchmark, Status: p.Status, Err: textErr(p.Error), FailedEpisodes: p.FailedEpisodes, EpisodeErrors: p.EpisodeErrors,
			Worker: p.Worker, Runner: "stored", Started: p.Started, Elapsed: p.Elapsed}
		if p.Status != pullInterrupted {
			board.Started++
		}
		tally(board, pr, p.Steps, maxFailures)
		a := &board.Arms[i]
		if pr.OK() && pr.Score >= a.Best {
			a.BestBenchmark, a.BestActions = p.BestBenchmark, p.BestActions
		}
		if pr.Status != pullInterrupted {
			strat.Observe(board, pr)
		}
		out = append(out, pr)
	}
	return out
}

// tally adds a finished pull (that trained steps steps) to its arm's
// counts on the board. It is the one place a pull becomes an arm's
// numbers: the live search, a resumed one and a stored one shown again
// (StoredArms) all count through it.
func tally(board *Board, pr *PullResult, steps, maxFailures int) {
	a := &board.Arms[pr.ArmIndex]
	a.FailedEpisodes += pr.FailedEpisodes
	if a.FirstEpisodeError == "" && len(pr.EpisodeErrors) > 0 {
		a.FirstEpisodeError = pr.EpisodeErrors[0]
	}
	switch pr.Status {
	case pullOK:
		a.Steps += steps
		a.add(pr.Score)
		board.Pulls++
	case pullFailed:
		a.Steps += steps
		a.Failures++
		if a.Failures >= maxFailures && a.Failures > a.Pulls {
			a.Retired = true
		}
	case pullInterrupted: // cut short: stored, not scored
		a.Cut++
		a.CutSteps += steps
	}
}

// StoredArms tallies a stored search's pulls onto its arms the way the
// live search did, so that a leaderboard shown again (%show) has the
// numbers the live one had: score, best, pulls, cut pulls, steps. An
// arm's retirement is taken from the store.
func StoredArms(arms []store.Arm, pulls []store.Pull) []ArmStats {
	board := &Board{}
	index := map[string]int{}
	for i, a := range arms {
		board.Arms = append(board.Arms, ArmStats{Index: a.Index, Name: a.Name, Mean: math.NaN(), Best: math.NaN(), Retired: a.Status == "retired",
			Arm: rlcore.Arm{Algorithm: a.Algorithm, State: a.State, Reward: a.Reward, Actions: a.Actions, Transition: a.Transition}})
		index[a.Name] = i
	}
	sorted := slices.Clone(pulls)
	slices.SortStableFunc(sorted, func(a, b store.Pull) int { return a.Seq - b.Seq })
	for _, p := range sorted {
		i, ok := index[p.Arm]
		if !ok {
			continue
		}
		tally(board, &PullResult{ArmIndex: i, Score: p.Score, Status: p.Status, FailedEpisodes: p.FailedEpisodes, EpisodeErrors: p.EpisodeErrors},
			p.Steps, math.MaxInt)
		if a := &board.Arms[i]; p.Status == pullOK && p.Score >= a.Best {
			a.BestBenchmark, a.BestActions = p.BestBenchmark, p.BestActions
		}
	}
	return board.Arms
}

func textErr(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}
