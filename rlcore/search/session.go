package search

import (
	"context"
	"fmt"
	"log/slog"
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
		task, err := rlcore.LookupTask(spec.Task)
		if err != nil {
			s.close()
			return nil, err
		}
		if s.problem, err = task.Open(ctx, spec.TaskOptions); err != nil {
			s.close()
			return nil, fmt.Errorf("opening task %s: %w", spec.Task, err)
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
// not cancelled with the run's, and failures are logged.
type runRecorder struct {
	st     *store.Store
	ctx    context.Context
	logger *slog.Logger
}

func (s *session) recorder(l *slog.Logger) *runRecorder {
	return &runRecorder{st: s.st, ctx: context.WithoutCancel(s.ctx), logger: l}
}

func (r *runRecorder) do(what string, f func(context.Context) error) {
	if r.st == nil {
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	if err := f(ctx); err != nil {
		r.logger.Warn("run store: "+what, "err", err)
	}
}

func (r *runRecorder) createRun(run store.Run) int64 {
	var id int64
	r.do("creating run", func(c context.Context) error {
		var err error
		id, err = r.st.CreateRun(c, run)
		return err
	})
	return id
}

func (r *runRecorder) finishRun(id int64, status rlcore.Status, err error) {
	if id == 0 {
		return
	}
	r.do("finishing run", func(c context.Context) error { return r.st.FinishRun(c, id, status.String(), err) })
}

func (r *runRecorder) addPull(run int64, p *PullResult) int64 {
	if run == 0 {
		return 0
	}
	row := store.Pull{Run: run, Seq: p.Seq, Arm: p.Arm.String(), Worker: p.Worker, Seed: p.Seed, Hyper: p.Hyper,
		Budget: p.Budget.String(), Rung: p.Rung, Score: p.Score, Status: p.Status, Started: p.Started, Elapsed: p.Elapsed,
		PerBenchmark: p.PerBenchmark}
	if p.Err != nil {
		row.Error = p.Err.Error()
	}
	if res := p.Result; res != nil {
		row.Steps, row.Episodes = res.Stats.Steps, res.Stats.Episodes
		row.BestBenchmark, row.BestActions = res.Best.Benchmark, res.Best.Actions
		row.Curve = storeCurve(res.Curve)
	}
	var id int64
	r.do("storing pull", func(c context.Context) error {
		var err error
		id, err = r.st.AddPull(c, row)
		return err
	})
	return id
}

func (r *runRecorder) addPolicy(run, pull int64, arm string, pol rlcore.Policy) {
	if run == 0 {
		return
	}
	w, err := pol.MarshalBinary()
	if err != nil {
		r.logger.Warn("run store: saving policy", "arm", arm, "err", err)
		return
	}
	r.addRawPull(run, pull, arm, w)
}

func (r *runRecorder) addRaw(run int64, arm string, w []byte) { r.addRawPull(run, 0, arm, w) }

func (r *runRecorder) addRawPull(run, pull int64, arm string, w []byte) {
	if run == 0 || len(w) == 0 {
		return
	}
	r.do("storing policy", func(c context.Context) error {
		_, err := r.st.AddPolicy(c, run, pull, arm, w)
		return err
	})
}

func storeCurve(c []rlcore.CurvePoint) []store.CurvePoint {
	out := make([]store.CurvePoint, len(c))
	for i, p := range c {
		out[i] = store.CurvePoint{Step: p.Step, Episode: p.Episode, Elapsed: p.Elapsed, Return: p.Return, Quality: p.Quality, Best: p.Best}
	}
	return out
}
