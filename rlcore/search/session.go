package search

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// session holds what Search, Tune, Deploy and Compare share: the opened
// problem, the benchmark split and the store.
type session struct {
	ctx         context.Context
	st          *store.Store
	ownStore    bool
	problem     rlcore.Problem
	ownProblem  bool
	train, test []string
}

func openSession(ctx context.Context, spec Spec, st *store.Store, noStore bool, p rlcore.Problem) (*session, error) {
	s := &session{ctx: ctx, st: st, problem: p}
	if st == nil && !noStore {
		var err error
		if s.st, err = store.Open(""); err != nil {
			return nil, err
		}
		s.ownStore = true
	}
	if noStore {
		s.st = nil
	}
	if s.problem == nil {
		var err error
		if s.problem, err = rlcore.OpenTask(ctx, spec.Task, spec.TaskOptions, spec.Seed, nil); err != nil {
			s.close()
			return nil, err
		}
		s.ownProblem = true
	} else if s.problem.Task() != spec.Task {
		s.close()
		return nil, fmt.Errorf("the given problem is of task %s, the spec's task is %s", s.problem.Task(), spec.Task)
	}
	var err error
	if s.train, s.test, err = spec.Split(ctx, s.problem); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *session) close() {
	if s.ownProblem && s.problem != nil {
		s.problem.Close()
	}
	if s.ownStore && s.st != nil {
		s.st.Close()
	}
}

// runRecorder writes to the store without letting a store error or a
// cancelled context lose the computation: writes use a context that is
// not cancelled with the run's, the store retries them while another
// client holds the file's lock, and a write that still fails is kept and
// tried again before the next one and when the run finishes — it is only
// given up (with an error in the log) when the run ends and it still
// cannot be written. While a run is open, its heartbeat is written every
// store.HeartbeatInterval.
type runRecorder struct {
	st     *store.Store
	ctx    context.Context
	logger *slog.Logger

	mu        sync.Mutex
	pending   []pendingWrite
	heartbeat func() // stops the heartbeat of the open run
}

type pendingWrite struct {
	what string
	f    func(context.Context) error
}

// writeTimeout bounds one attempt at a write (the store retries inside
// it while the file is locked); finishTimeout bounds the last attempt at
// the pending writes when the run finishes.
var (
	writeTimeout  = 30 * time.Second
	finishTimeout = 2 * time.Minute
)

func (s *session) recorder(l *slog.Logger) *runRecorder {
	return &runRecorder{st: s.st, ctx: context.WithoutCancel(s.ctx), logger: l}
}

func (r *runRecorder) do(what string, f func(context.Context) error) {
	if r.st == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushLocked(writeTimeout)
	if len(r.pending) > 0 {
		r.pending = append(r.pending, pendingWrite{what, f}) // keep the order
		return
	}
	if err := r.try(f, writeTimeout); err != nil {
		r.logger.Warn("run store: "+what+" failed; will try again", "err", err)
		r.pending = append(r.pending, pendingWrite{what, f})
	}
}

// insert writes row with add through r.do (what names the write in the
// log) and returns the new row's id, 0 when the write was deferred or
// there is no store.
func insert[T any](r *runRecorder, what string, add func(context.Context, T) (int64, error), row T) int64 {
	var id int64
	r.do(what, func(c context.Context) error {
		var err error
		id, err = add(c, row)
		return err
	})
	return id
}

func (r *runRecorder) try(f func(context.Context) error, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	return f(ctx)
}

// flushLocked writes the pending writes in order, stopping at the first
// that fails again.
func (r *runRecorder) flushLocked(timeout time.Duration) {
	for len(r.pending) > 0 {
		if err := r.try(r.pending[0].f, timeout); err != nil {
			return
		}
		r.pending = r.pending[1:]
	}
}

func (r *runRecorder) createRun(run store.Run) int64 {
	id := insert(r, "creating run", r.st.CreateRun, run)
	r.mu.Lock()
	if len(r.pending) > 0 {
		// Nothing can be stored without the run: wait for it.
		r.flushLocked(finishTimeout)
	}
	if id != 0 {
		r.heartbeat = r.st.KeepAlive(id)
	}
	r.mu.Unlock()
	return id
}

// reopened starts the heartbeat of a run continued by this process.
func (r *runRecorder) reopened(id int64) {
	if r.st == nil || id == 0 {
		return
	}
	r.mu.Lock()
	r.heartbeat = r.st.KeepAlive(id)
	r.mu.Unlock()
}

func (r *runRecorder) finishRun(id int64, status rlcore.Status, err error) {
	if id == 0 {
		return
	}
	r.do("finishing run", func(c context.Context) error { return r.st.FinishRun(c, id, status.String(), err) })
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.heartbeat != nil {
		r.heartbeat()
		r.heartbeat = nil
	}
	r.flushLocked(finishTimeout)
	for _, w := range r.pending {
		r.logger.Error("run store: "+w.what+" is lost: the store stayed unwritable", "run", id, "store", r.st.Path())
	}
	r.pending = nil
}

func (r *runRecorder) addPull(run int64, p *PullResult) int64 {
	if run == 0 {
		return 0
	}
	row := store.Pull{Run: run, Seq: p.Seq, Arm: p.Arm.String(), Worker: p.Worker, Seed: p.Seed, Hyper: p.Hyper,
		Budget: p.Budget.String(), Rung: p.Rung, Score: p.Score, Status: p.Status, Started: p.Started, Elapsed: p.Elapsed,
		PerBenchmark: p.PerBenchmark, FailedEpisodes: p.FailedEpisodes, EpisodeErrors: p.EpisodeErrors}
	if p.Err != nil {
		row.Error = p.Err.Error()
	}
	if res := p.Result; res != nil {
		row.Steps, row.Episodes = res.Stats.Steps, res.Stats.Episodes
		row.BestBenchmark, row.BestActions = res.Best.Benchmark, res.Best.Actions
		row.Curve = res.Curve
	}
	return insert(r, "storing pull", r.st.AddPull, row)
}

// addPolicy stores pol's weights (row says where they came from) and
// returns the new row's id, 0 when nothing was stored. The write is not
// deferred: its id is wanted now.
func (r *runRecorder) addPolicy(row store.Policy, pol rlcore.Policy) int64 {
	if row.Run == 0 || pol == nil {
		return 0
	}
	w, err := pol.MarshalBinary()
	if err != nil {
		r.logger.Warn("run store: saving policy", "arm", row.Arm, "err", err)
		return 0
	}
	row.Weights = w
	return r.addRawPolicy(row)
}

// policyRow describes the weights a pull or trial trained.
func policyRow(run, pull int64, source string, pr *PullResult) store.Policy {
	alg := pr.Arm.Algorithm
	if spec, err := ParseAlgorithm(alg); err == nil {
		alg = spec.Name
	}
	return store.Policy{Run: run, Pull: pull, Arm: pr.Arm.String(), Source: source, Algorithm: alg, Hyper: pr.Hyper, Score: pr.Score}
}

func (r *runRecorder) addRawPolicy(row store.Policy) int64 {
	if row.Run == 0 || len(row.Weights) == 0 {
		return 0
	}
	return insert(r, "storing policy", r.st.AddPolicy, row)
}

// unfinishedRunWarnings says so when the search run a tune, deploy or
// compare works from did not finish (it still runs, was interrupted,
// failed, or was abandoned by a killed process): its winner is then the
// leader of the pulls it stored, not the result of the search asked for.
func unfinishedRunWarnings(run store.Run) []string {
	if run.ID == 0 || !run.Unfinished() {
		return nil
	}
	var msg string
	switch run.Status {
	case store.StatusRunning:
		msg = fmt.Sprintf("search run %d (%s) is still running (%s): its winner %s is the leader so far and may change", run.ID, run.Name, run.Owner, run.Winner)
	case store.StatusAbandoned:
		msg = fmt.Sprintf("search run %d (%s) was abandoned (its process ended without finishing it); its winner %s is the best of the pulls it stored before", run.ID, run.Name, run.Winner)
	default:
		msg = fmt.Sprintf("search run %d (%s) did not finish (status %s); its winner %s is the best of the pulls it stored before it stopped", run.ID, run.Name, run.Status, run.Winner)
	}
	if run.Error != "" {
		msg += "; its error: " + firstLines(run.Error, 1)
	}
	return []string{msg}
}

func logWarnings(l *slog.Logger, phase string, ws []string) {
	for _, w := range ws {
		l.Warn(phase + ": " + w)
	}
}
