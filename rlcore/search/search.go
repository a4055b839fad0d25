package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// Options configures Search. Zero values mean the documented defaults.
type Options struct {
	// Strategy names a strategy of Strategies(); default "bandit".
	Strategy string
	// Budget limits the search in pulls and wall time (rlcore.SearchUnits;
	// other units are an error). No pull starts after the wall time; pulls
	// running then finish, and Result.Overrun says by how much that took
	// the search past its budget. Zero means Pulls = 2 × the number of
	// arms.
	Budget rlcore.Budget
	// PullBudget is one pull's training budget; zero means the Spec's
	// (which defaults to DefaultPullBudget).
	PullBudget rlcore.Budget
	// Workers is the number of pulls run in parallel; default
	// runtime.NumCPU(), or the Executor's capacity.
	Workers int
	// Executor runs the pulls; nil is the local pool (Workers goroutines
	// in this process). See package rlcore/search/cluster.
	Executor Executor
	// MinPulls is how many successful pulls the winner needs (fewer when
	// no arm has that many); default 2.
	MinPulls int
	// MaxFailures retires an arm once it has failed that many times and
	// more often than it succeeded; default 3.
	MaxFailures int

	// Resume continues the newest search run of the spec's name instead
	// of starting a new one. It must have been interrupted, or its process
	// must have died (the run is abandoned, or still marked running by a
	// process that is gone), and its spec must be this one. The pulls it
	// stored are kept, not redone; the pulls it had started are run again
	// under their job ids, so an executor whose jobs outlive the process
	// (JetStream) hands over the results of those that finished meanwhile
	// and runs only the rest. Strategy, Budget and PullBudget left zero are
	// the run's own; given, the first two must match it. The budget counts
	// the stored pulls; a wall-time budget counts from the resume. The
	// strategy starts from the stored pulls (its random choices continue
	// from the seed and the number of pulls started).
	Resume bool

	// Store persists the run; nil opens store.DefaultPath() unless NoStore.
	Store   *store.Store
	NoStore bool
	// Problem is an already opened problem of the Spec's task to share
	// (not closed by Search); nil opens one for the search.
	Problem rlcore.Problem

	// Observer receives every pull's training events (Run = arm name),
	// from several worker goroutines at once: it must be safe for
	// concurrent use and must not block.
	Observer rlcore.Observer
	// OnPull receives the leaderboard after every pull, from the search's
	// own goroutine (one call at a time).
	OnPull func(PullEvent)
	// Logger gets one line per pull when neither Observer nor OnPull is
	// set (terminal progress); default slog.Default().
	Logger *slog.Logger
}

// PullEvent reports a finished pull and the leaderboard after it.
type PullEvent struct {
	Search  string
	RunID   int64
	Pull    *PullResult
	Arm     ArmStats // the pulled arm's tally after the pull
	Winner  ArmStats // Index -1 when there is none yet
	Pulls   int      // successful pulls so far
	Started int      // pulls started so far
	Elapsed time.Duration
	// Leaderboard is every arm, best mean first (unpulled arms last).
	Leaderboard []ArmStats
}

// Result is what Search returns: everything found, also when interrupted.
type Result struct {
	RunID    int64 // 0 when not stored
	Name     string
	Strategy string
	Status   rlcore.Status
	Err      error
	// Winner is the best arm (see Board.Winner); nil when no pull succeeded.
	Winner  *ArmStats
	Arms    []ArmStats
	Pulls   []*PullResult
	Train   []string
	Test    []string
	Elapsed time.Duration
	// Overrun is how far Elapsed went past the wall budget, and
	// OverrunWhy the reason (pulls running at the deadline finish).
	Overrun    time.Duration
	OverrunWhy string
}

// Search runs a client-RL architecture search over spec's arm space and
// returns the leaderboard and its winner. It persists the run, each pull as
// it finishes, in the store; when ctx is cancelled it stops starting pulls,
// lets the running ones end early, marks the run interrupted and returns
// what it has.
func Search(ctx context.Context, spec Spec, opt Options) (*Result, error) {
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("search %s: %w", spec.Name, err)
	}
	spec = spec.withDefaults()
	var resume *resumePoint
	if opt.Resume {
		if opt.NoStore {
			return nil, fmt.Errorf("search %s: resuming needs the run store (NoStore is set)", spec.Name)
		}
		if opt.Store == nil {
			st, err := store.Open("")
			if err != nil {
				return nil, fmt.Errorf("search %s: %w", spec.Name, err)
			}
			defer st.Close()
			opt.Store = st
		}
		var err error
		if resume, err = loadResume(ctx, opt.Store, spec, &opt); err != nil {
			return nil, fmt.Errorf("search %s: %w", spec.Name, err)
		}
	}
	if opt.Strategy == "" {
		opt.Strategy = "bandit"
	}
	if opt.MinPulls <= 0 {
		opt.MinPulls = 2
	}
	if opt.MaxFailures <= 0 {
		opt.MaxFailures = 3
	}
	if opt.PullBudget.IsZero() {
		opt.PullBudget = spec.PullBudget
	}
	arms := spec.Arms()
	if opt.Budget.IsZero() {
		opt.Budget = rlcore.Budget{Pulls: 2 * len(arms)}
	}
	if err := opt.Budget.Check("a search", rlcore.SearchUnits...); err != nil {
		return nil, fmt.Errorf("search %s: %w", spec.Name, err)
	}
	if err := opt.PullBudget.Check("a pull", rlcore.TrainingUnits...); err != nil {
		return nil, fmt.Errorf("search %s: %w", spec.Name, err)
	}
	board := newBoard(arms, spec.dims(), opt.MinPulls)
	stratSeed := spec.Seed
	if resume != nil {
		stratSeed = int64(pullSeed(spec.Seed, -1-resume.nextSeq)) // not the choices of the first part again
	}
	strat, err := NewStrategy(opt.Strategy, board, opt.Budget, stratSeed)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", spec.Name, err)
	}
	sess, err := openSession(ctx, spec, opt.Store, opt.NoStore, opt.Problem)
	if err != nil {
		if resume != nil {
			_ = opt.Store.FinishRun(context.WithoutCancel(ctx), resume.run.ID, resume.run.Status, errors.New(resume.run.Error))
		}
		return nil, fmt.Errorf("search %s: %w", spec.Name, err)
	}
	defer sess.close()
	exec := sess.executorFor(opt.Executor)
	opt.Workers = workersFor(ctx, opt.Workers, exec, runtime.NumCPU())
	res := &Result{Name: spec.Name, Strategy: opt.Strategy, Train: sess.train, Test: sess.test}
	if len(sess.train) == 0 {
		return nil, fmt.Errorf("search %s: no training benchmarks", spec.Name)
	}
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	quiet := opt.Observer != nil || opt.OnPull != nil

	rec := sess.recorder(logger)
	policyScore := map[int]float64{} // per arm, the score of its stored policy
	nonce := newNonce()
	var pending []store.Job // a resumed run's started pulls, run first
	nextSeq := 0
	if resume == nil {
		optJSON, _ := json.Marshal(map[string]any{"strategy": opt.Strategy, "budget": opt.Budget.String(),
			"pull_budget": opt.PullBudget.String(), "workers": opt.Workers, "min_pulls": opt.MinPulls, "max_failures": opt.MaxFailures,
			"train": sess.train, "test": sess.test, "job_nonce": nonce})
		res.RunID = rec.createRun(store.Run{Name: spec.Name, Kind: store.KindSearch, Task: spec.Task, Strategy: opt.Strategy, Spec: specJSON(spec), Options: optJSON})
		if rec.st != nil {
			rows := make([]store.Arm, len(board.Arms))
			for i, a := range board.Arms {
				rows[i] = armRow(res.RunID, &a)
			}
			rec.do("storing arms", func(c context.Context) error { return rec.st.AddArms(c, rows) })
		}
	} else {
		res.RunID, nonce = resume.run.ID, resume.nonce
		rec.reopened(res.RunID)
		res.Pulls = resume.replay(board, strat, opt.MaxFailures)
		pending, nextSeq = resume.pending, resume.nextSeq
		for _, p := range res.Pulls {
			if sc, ok := policyScore[p.ArmIndex]; p.OK() && (!ok || p.Score > sc) {
				policyScore[p.ArmIndex] = p.Score // stored with its policy before
			}
		}
		logger.Info("search resumed", "search", spec.Name, "run", res.RunID, "stored_pulls", len(resume.pulls), "rerun_or_taken", len(pending),
			"was", resume.run.Status)
	}

	start := time.Now()
	key := runKey(spec.Name, res.RunID, nonce)
	if resume != nil && resume.nonce == "" {
		key = fmt.Sprintf("%s.%d", spec.Name, res.RunID) // a run stored before job nonces
	}
	pool := startPullPool(ctx, exec, opt.Observer, opt.Workers, opt.Budget.Duration)
	defer pool.close()
	fallback := rand.New(rand.NewPCG(uint64(spec.Seed), 0xfa11))
	winner := -1
	for {
		for pool.mayStart() {
			if (opt.Budget.Pulls > 0 && board.Started >= opt.Budget.Pulls) || opt.Budget.Overrun(time.Since(start)) > 0 {
				pool.stop(rlcore.BudgetExhausted)
				break
			}
			if len(board.ActiveArms()) == 0 {
				pool.stop(rlcore.Failed)
				res.Err = errors.New("every arm was retired after repeated failures")
				break
			}
			var j Job
			if len(pending) > 0 {
				// A pull the resumed run had started: the same job again.
				p := pending[0]
				pending = pending[1:]
				if p.ArmIndex < 0 || p.ArmIndex >= len(board.Arms) {
					continue
				}
				j = sess.pullJob(spec, jobRef{run: key, id: p.ID}, p.Seq, p.ArmIndex, board.Arms[p.ArmIndex].Arm, nil, opt.PullBudget,
					pullSeed(spec.Seed, p.Seq), 0)
			} else {
				arm, ok := strat.Next(board)
				if ok && (arm < 0 || arm >= len(board.Arms) || !board.Active(arm)) {
					// A strategy proposed a retired (or no) arm: pull an active
					// one instead.
					arm, ok = randomActive(board, fallback, false)
				}
				if !ok {
					if pool.inflight == 0 {
						pool.stopping = true // the strategy has covered its space
					}
					break
				}
				j = sess.pullJob(spec, jobID(key, "pull", nextSeq), nextSeq, arm, board.Arms[arm].Arm, nil, opt.PullBudget,
					pullSeed(spec.Seed, nextSeq), 0)
				nextSeq++
				if rec.st != nil {
					row := store.Job{Run: res.RunID, Seq: j.Seq, ID: j.ID, ArmIndex: arm, Arm: j.Arm.String()}
					rec.do("recording a started pull", func(c context.Context) error { return rec.st.AddJob(c, row) })
				}
			}
			arm := j.ArmIndex
			board.Started++
			board.Arms[arm].InFlight++
			pool.start(j)
		}
		pr, ok := pool.next()
		if !ok {
			break
		}
		a := &board.Arms[pr.ArmIndex]
		a.InFlight--
		steps := 0
		if pr.Result != nil {
			steps = pr.Result.Stats.Steps
		}
		tally(board, pr, steps, opt.MaxFailures)
		if pr.OK() && pr.Score >= a.Best && pr.Result != nil {
			a.BestBenchmark, a.BestActions = pr.Result.Best.Benchmark, pr.Result.Best.Actions
		}
		if pr.Status != pullInterrupted {
			strat.Observe(board, pr)
		}
		res.Pulls = append(res.Pulls, pr)
		pullID := rec.addPull(res.RunID, pr)
		if rec.st != nil {
			row := armRow(res.RunID, a)
			rec.do("updating arm", func(c context.Context) error { return rec.st.UpdateArm(c, row) })
		}
		if sc, ok := policyScore[pr.ArmIndex]; pr.OK() && (!ok || pr.Score > sc) && pr.Result != nil && pr.Result.Policy != nil {
			// Each arm keeps the weights of its best pull: Deploy warm-starts
			// the winner from them.
			policyScore[pr.ArmIndex] = pr.Score
			rec.addPolicy(policyRow(res.RunID, pullID, store.SourcePull, pr), pr.Result.Policy)
		}
		if w := board.Winner(); w >= 0 && (w != winner || w == pr.ArmIndex) {
			winner = w
			if rec.st != nil {
				wa := board.Arms[w]
				rec.do("setting winner", func(c context.Context) error { return rec.st.SetWinner(c, res.RunID, wa.Name, wa.Mean) })
			}
		}
		ev := PullEvent{Search: spec.Name, RunID: res.RunID, Pull: pr, Arm: *a, Winner: ArmStats{Index: -1}, Pulls: board.Pulls, Started: board.Started, Elapsed: time.Since(start)}
		if winner >= 0 {
			ev.Winner = board.Arms[winner]
		}
		if opt.OnPull != nil {
			ev.Leaderboard = leaderboard(board)
			opt.OnPull(ev)
		}
		if !quiet {
			logPull(logger, ev)
		} else if pr.OK() && pr.FailedEpisodes > 0 {
			// Crashed episodes inside a successful pull are not silent.
			logger.Warn("pull succeeded, but some of its episodes failed", "search", spec.Name, "pull", pr.Seq, "arm", pr.Arm.String(),
				"failed_episodes", pr.FailedEpisodes, "episode_errors", pr.EpisodeErrors)
		}
	}
	status := pool.status
	if status == rlcore.Finished && board.Pulls == 0 && len(res.Pulls) > 0 {
		status = rlcore.Failed
		res.Err = fmt.Errorf("no pull succeeded; the last error: %w", lastErr(res.Pulls))
	}
	if saver, ok := strat.(interface{ weights() []byte }); ok && rec.st != nil {
		rec.addRawPolicy(store.Policy{Run: res.RunID, Arm: "meta:" + opt.Strategy, Weights: saver.weights(), Score: math.NaN()})
	}
	res.Status = status
	res.Elapsed = time.Since(start)
	if res.Overrun = opt.Budget.Overrun(res.Elapsed); res.Overrun > 0 {
		res.OverrunWhy = letFinish(pool.runningAtDeadline, "pull") + fmt.Sprintf(" (a pull's budget is %v); no pull started after it", opt.PullBudget)
		logOverrun(logger, quiet, "search ran past its wall budget", res.Overrun, res.OverrunWhy, "search", spec.Name)
	}
	res.Arms = append([]ArmStats(nil), board.Arms...)
	if w := board.Winner(); w >= 0 {
		ws := board.Arms[w]
		res.Winner = &ws
	} else if res.Err == nil && status != rlcore.Interrupted {
		res.Status = rlcore.Failed
		res.Err = errors.New("no pull succeeded")
		if len(res.Pulls) > 0 {
			res.Err = fmt.Errorf("no pull succeeded; the last error: %w", lastErr(res.Pulls))
		}
	}
	rec.finishRun(res.RunID, res.Status, res.Err)
	if !quiet {
		logDone(logger, res)
	}
	return res, nil
}

func lastErr(ps []*PullResult) error {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Err != nil {
			return ps[i].Err
		}
	}
	return errors.New("unknown")
}

// pullSeed derives pull seq's seed from the search seed (splitmix64).
func pullSeed(seed int64, seq int) int64 {
	z := uint64(seed) + uint64(seq+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int64((z ^ (z >> 31)) >> 1)
}

// leaderboard copies the arms, best mean first, unpulled arms last.
func leaderboard(b *Board) []ArmStats {
	out := append([]ArmStats(nil), b.Arms...)
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := out[i].Pulls > 0, out[j].Pulls > 0
		if pi != pj {
			return pi
		}
		return pi && out[i].Mean > out[j].Mean
	})
	return out
}

func armRow(run int64, a *ArmStats) store.Arm {
	st := "active"
	if a.Retired {
		st = "retired"
	}
	return store.Arm{Run: run, Index: a.Index, Name: a.Name, State: a.Arm.State, Reward: a.Arm.Reward, Actions: a.Arm.Actions,
		Transition: a.Arm.Transition, Algorithm: a.Arm.Algorithm, Pulls: a.Pulls, Failures: a.Failures, FailedEpisodes: a.FailedEpisodes,
		Mean: a.Mean, Best: a.Best, Status: st}
}

func specJSON(s Spec) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil {
		return nil
	}
	return b
}

func logPull(l *slog.Logger, ev PullEvent) {
	p := ev.Pull
	attrs := []any{"search", ev.Search, "pull", p.Seq, "worker", p.Worker, "arm", p.Arm.String(), "status", p.Status,
		"score", round4(p.Score), "arm_mean", round4(ev.Arm.Mean), "arm_pulls", ev.Arm.Pulls, "elapsed", p.Elapsed.Round(time.Millisecond)}
	if ev.Winner.Index >= 0 {
		attrs = append(attrs, "leader", ev.Winner.Name, "leader_mean", round4(ev.Winner.Mean))
	}
	if p.Err != nil {
		attrs = append(attrs, "err", p.Err.Error())
	}
	if p.FailedEpisodes > 0 {
		attrs = append(attrs, "failed_episodes", p.FailedEpisodes, "episode_errors", p.EpisodeErrors)
		if p.OK() {
			l.Warn("pull", attrs...)
			return
		}
	}
	l.Info("pull", attrs...)
}

func logDone(l *slog.Logger, r *Result) {
	attrs := []any{"search", r.Name, "status", r.Status.String(), "pulls", len(r.Pulls), "elapsed", r.Elapsed.Round(time.Millisecond)}
	if r.Winner != nil {
		attrs = append(attrs, "winner", r.Winner.Name, "mean", round4(r.Winner.Mean), "pulls_of_winner", r.Winner.Pulls)
	}
	if r.Err != nil {
		attrs = append(attrs, "err", r.Err.Error())
	}
	l.Info("search done", attrs...)
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
