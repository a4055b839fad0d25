package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Arm is one row of arms: an arm of a search run and its running tally.
type Arm struct {
	Run        int64
	Index      int
	Name       string
	State      string
	Reward     string
	Actions    string
	Transition string
	Algorithm  string
	Pulls      int
	Failures   int
	// FailedEpisodes counts the episodes that raised errors in the arm's
	// pulls, failed pulls and successful ones alike.
	FailedEpisodes int
	Mean           float64 // NaN before the first successful pull
	Best           float64 // NaN before the first successful pull
	Status         string  // "active" or "retired"
}

// AddArms inserts the arms of a run.
func (s *Store) AddArms(ctx context.Context, arms []Arm) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, a := range arms {
			st := a.Status
			if st == "" {
				st = "active"
			}
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO arms (run, idx, name, state, reward, actions, transition, algorithm, pulls, failures, failed_episodes, mean, best, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				a.Run, a.Index, a.Name, a.State, a.Reward, a.Actions, a.Transition, a.Algorithm, a.Pulls, a.Failures, a.FailedEpisodes, nullFloat(a.Mean), nullFloat(a.Best), st); err != nil {
				return fmt.Errorf("adding arm %s: %w", a.Name, err)
			}
		}
		return nil
	})
}

// UpdateArm stores an arm's tally (Pulls, Failures, FailedEpisodes, Mean,
// Best, Status).
func (s *Store) UpdateArm(ctx context.Context, a Arm) error {
	_, err := s.exec(ctx, `UPDATE arms SET pulls=?, failures=?, failed_episodes=?, mean=?, best=?, status=? WHERE run=? AND idx=?`,
		a.Pulls, a.Failures, a.FailedEpisodes, nullFloat(a.Mean), nullFloat(a.Best), a.Status, a.Run, a.Index)
	if err != nil {
		return fmt.Errorf("updating arm %s: %w", a.Name, err)
	}
	return nil
}

// Arms lists the arms of a run by index.
func (s *Store) Arms(ctx context.Context, run int64) ([]Arm, error) {
	return queryAll(ctx, s, scanArm, fmt.Sprintf("listing arms of run %d", run),
		`SELECT run, idx, name, state, reward, actions, transition, algorithm, pulls, failures, failed_episodes, mean, best, status FROM arms WHERE run=? ORDER BY idx`, run)
}

func scanArm(sc rowScanner) (Arm, error) {
	var a Arm
	var mean, best sql.NullFloat64
	err := sc.Scan(&a.Run, &a.Index, &a.Name, &a.State, &a.Reward, &a.Actions, &a.Transition, &a.Algorithm, &a.Pulls, &a.Failures, &a.FailedEpisodes, &mean, &best, &a.Status)
	a.Mean, a.Best = fromNull(mean), fromNull(best)
	return a, err
}

// Pull is one row of pulls with its learning curve.
type Pull struct {
	ID       int64
	Run      int64
	Seq      int // order in which the pull was started
	Arm      string
	Worker   int
	Seed     int64
	Hyper    map[string]float64
	Budget   string
	Rung     int
	Score    float64 // NaN when the pull produced no score
	Status   string  // ok | failed | interrupted
	Error    string
	Steps    int
	Episodes int
	// FailedEpisodes counts the pull's episodes that raised an error (an
	// LLVM crash, a missing tool, …); EpisodeErrors holds the first few.
	FailedEpisodes int
	EpisodeErrors  []string
	Elapsed        time.Duration
	BestBenchmark  string
	BestActions    []int
	PerBenchmark   map[string]float64
	Started        time.Time
	Curve          []rlcore.CurvePoint
}

// Pull statuses.
// Job is one row of jobs: a pull a run started, recorded when it starts
// so that a run continued after its process died knows which pulls were
// running (see ReopenRun) and can take or redo exactly those.
type Job struct {
	Run      int64
	Seq      int
	ID       string // the job id the executor knows it by
	ArmIndex int
	Arm      string
	Started  time.Time
}

// AddJob records a started job.
func (s *Store) AddJob(ctx context.Context, j Job) error {
	if j.Started.IsZero() {
		j.Started = time.Now()
	}
	_, err := s.exec(ctx, `INSERT INTO jobs (run, seq, id, arm_index, arm, started) VALUES (?,?,?,?,?,?)`,
		j.Run, j.Seq, j.ID, j.ArmIndex, j.Arm, j.Started.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("recording job %s: %w", j.ID, err)
	}
	return nil
}

// Jobs lists the jobs a run started, by seq.
func (s *Store) Jobs(ctx context.Context, run int64) ([]Job, error) {
	return queryAll(ctx, s, func(sc rowScanner) (Job, error) {
		var j Job
		var started string
		err := sc.Scan(&j.Run, &j.Seq, &j.ID, &j.ArmIndex, &j.Arm, &started)
		j.Started = parseTime(started)
		return j, err
	}, fmt.Sprintf("listing jobs of run %d", run), `SELECT run, seq, id, arm_index, arm, started FROM jobs WHERE run=? ORDER BY seq`, run)
}

const (
	PullOK          = "ok"
	PullFailed      = "failed"
	PullInterrupted = "interrupted"
)

// AddPull writes a finished pull and its curve in one transaction and
// returns its id.
func (s *Store) AddPull(ctx context.Context, p Pull) (int64, error) {
	if p.Started.IsZero() {
		p.Started = time.Now()
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO pulls (run, seq, arm, worker, seed, hyper, budget, rung, score, status, error, steps, episodes, failed_episodes, episode_errors, elapsed, best_benchmark, best_actions, per_benchmark, started) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			p.Run, p.Seq, p.Arm, p.Worker, p.Seed, mustJSON(p.Hyper, "{}"), p.Budget, p.Rung, nullFloat(p.Score), p.Status, p.Error,
			p.Steps, p.Episodes, p.FailedEpisodes, mustJSON(p.EpisodeErrors, "[]"), p.Elapsed.Seconds(), p.BestBenchmark, mustJSON(p.BestActions, "[]"), mustJSON(p.PerBenchmark, "{}"),
			p.Started.UTC().Format(time.RFC3339Nano))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if len(p.Curve) == 0 {
			return nil
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO curves (pull, idx, step, episode, elapsed, return, quality, best) VALUES (?,?,?,?,?,?,?,?)`)
		if err != nil {
			return fmt.Errorf("curve: %w", err)
		}
		defer stmt.Close()
		for i, c := range p.Curve {
			if _, err := stmt.ExecContext(ctx, id, i, c.Step, c.Episode, c.Elapsed.Seconds(), nullFloat(c.Return), nullFloat(c.Quality), nullFloat(c.Best)); err != nil {
				return fmt.Errorf("curve: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("adding pull of %s: %w", p.Arm, err)
	}
	return id, nil
}

// Pulls lists the pulls of a run in start order; withCurves loads curves.
func (s *Store) Pulls(ctx context.Context, run int64, withCurves bool) ([]Pull, error) {
	out, err := queryAll(ctx, s, scanPull, fmt.Sprintf("listing pulls of run %d", run),
		`SELECT id, run, seq, arm, worker, seed, hyper, budget, rung, score, status, error, steps, episodes, failed_episodes, episode_errors, elapsed, best_benchmark, best_actions, per_benchmark, started FROM pulls WHERE run=? ORDER BY seq, id`, run)
	if err != nil {
		return nil, err
	}
	if withCurves {
		for i := range out {
			c, err := s.Curve(ctx, out[i].ID)
			if err != nil {
				return nil, err
			}
			out[i].Curve = c
		}
	}
	return out, nil
}

func scanPull(sc rowScanner) (Pull, error) {
	var p Pull
	var hyper, actions, perBm, started, epErrs string
	var score sql.NullFloat64
	var elapsed float64
	if err := sc.Scan(&p.ID, &p.Run, &p.Seq, &p.Arm, &p.Worker, &p.Seed, &hyper, &p.Budget, &p.Rung, &score, &p.Status, &p.Error, &p.Steps, &p.Episodes, &p.FailedEpisodes, &epErrs, &elapsed, &p.BestBenchmark, &actions, &perBm, &started); err != nil {
		return p, err
	}
	p.Score = fromNull(score)
	p.Elapsed = seconds(elapsed)
	p.Started = parseTime(started)
	_ = json.Unmarshal([]byte(hyper), &p.Hyper)
	_ = json.Unmarshal([]byte(actions), &p.BestActions)
	_ = json.Unmarshal([]byte(perBm), &p.PerBenchmark)
	_ = json.Unmarshal([]byte(epErrs), &p.EpisodeErrors)
	return p, nil
}

// Curve returns the learning curve of a pull.
func (s *Store) Curve(ctx context.Context, pull int64) ([]rlcore.CurvePoint, error) {
	return queryAll(ctx, s, func(sc rowScanner) (rlcore.CurvePoint, error) {
		var c rlcore.CurvePoint
		var el float64
		var ret, q, b sql.NullFloat64
		err := sc.Scan(&c.Step, &c.Episode, &el, &ret, &q, &b)
		c.Elapsed, c.Return, c.Quality, c.Best = seconds(el), fromNull(ret), fromNull(q), fromNull(b)
		return c, err
	}, fmt.Sprintf("reading curve of pull %d", pull), `SELECT step, episode, elapsed, return, quality, best FROM curves WHERE pull=? ORDER BY idx`, pull)
}

// Tuned is one row of tuned: the best configuration a tune run found for
// a search run's winner.
type Tuned struct {
	ID        int64
	Run       int64 // the tune run
	SearchRun int64
	Arm       string
	Algorithm string
	Hyper     map[string]float64
	Score     float64
	Budget    string
	Created   time.Time
}

// AddTuned stores a tuned configuration.
func (s *Store) AddTuned(ctx context.Context, t Tuned) (int64, error) {
	var sr any
	if t.SearchRun != 0 {
		sr = t.SearchRun
	}
	res, err := s.exec(ctx, `INSERT INTO tuned (run, search_run, arm, algorithm, hyper, score, budget, created) VALUES (?,?,?,?,?,?,?,?)`,
		t.Run, sr, t.Arm, t.Algorithm, mustJSON(t.Hyper, "{}"), nullFloat(t.Score), t.Budget, now())
	if err != nil {
		return 0, fmt.Errorf("storing tuned config of %s: %w", t.Arm, err)
	}
	return res.LastInsertId()
}

// LatestTuned returns the newest tuned configuration for searchRun's arm,
// and false when there is none.
func (s *Store) LatestTuned(ctx context.Context, searchRun int64, arm string) (Tuned, bool, error) {
	var t Tuned
	var hyper, created string
	var score sql.NullFloat64
	var sr sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT id, run, search_run, arm, algorithm, hyper, score, budget, created FROM tuned WHERE search_run=? AND arm=? ORDER BY id DESC LIMIT 1`, searchRun, arm).
		Scan(&t.ID, &t.Run, &sr, &t.Arm, &t.Algorithm, &hyper, &score, &t.Budget, &created)
	if err == sql.ErrNoRows {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("reading tuned config of run %d: %w", searchRun, err)
	}
	t.SearchRun = sr.Int64
	t.Score = fromNull(score)
	t.Created = parseTime(created)
	if err := json.Unmarshal([]byte(hyper), &t.Hyper); err != nil {
		return t, false, fmt.Errorf("tuned config %d: %w", t.ID, err)
	}
	return t, true, nil
}

// Policy is one row of policies: trained weights (what
// rlcore.Policy.MarshalBinary wrote) and where they came from.
type Policy struct {
	ID   int64
	Run  int64
	Pull int64 // the pull or tuning trial that trained them; 0 for none
	Arm  string
	// Source says what trained them: a search pull, a tuning trial, a
	// deployment, a training run across programs (the Source… constants),
	// or a search strategy's own network ("" in stores before schema 3).
	Source    string
	Algorithm string
	Hyper     map[string]float64
	Score     float64 // the pull's or trial's score; NaN when unknown
	Weights   []byte
	Created   time.Time
}

// Policy sources.
const (
	SourcePull   = "pull"
	SourceTrial  = "trial"
	SourceDeploy = "deploy"
	SourceTrain  = "train"
)

// AddPolicy stores trained policy weights and returns their id.
func (s *Store) AddPolicy(ctx context.Context, p Policy) (int64, error) {
	var pull any
	if p.Pull != 0 {
		pull = p.Pull
	}
	res, err := s.exec(ctx, `INSERT INTO policies (run, pull, arm, weights, created, source, algorithm, hyper, score) VALUES (?,?,?,?,?,?,?,?,?)`,
		p.Run, pull, p.Arm, p.Weights, now(), p.Source, p.Algorithm, mustJSON(p.Hyper, "{}"), nullFloat(p.Score))
	if err != nil {
		return 0, fmt.Errorf("storing policy of %s: %w", p.Arm, err)
	}
	return res.LastInsertId()
}

const policyCols = `id, run, COALESCE(pull,0), arm, weights, created, source, algorithm, hyper, score`

func scanPolicy(sc rowScanner) (Policy, error) {
	var p Policy
	var created, hyper string
	var score sql.NullFloat64
	if err := sc.Scan(&p.ID, &p.Run, &p.Pull, &p.Arm, &p.Weights, &created, &p.Source, &p.Algorithm, &hyper, &score); err != nil {
		return p, err
	}
	p.Created, p.Score = parseTime(created), fromNull(score)
	_ = json.Unmarshal([]byte(hyper), &p.Hyper)
	return p, nil
}

// ErrNoPolicy is returned (wrapped) when no stored policy matches.
var ErrNoPolicy = errors.New("no stored policy")

// BestPolicy returns the stored policy of arm in run with the highest
// score (the newest among equal or unknown scores); the error wraps
// ErrNoPolicy when run stored none for arm.
func (s *Store) BestPolicy(ctx context.Context, run int64, arm string) (Policy, error) {
	return s.findPolicy(ctx, run, arm, `score IS NULL, score DESC, id DESC`)
}

// LatestPolicy returns the newest stored policy of arm in run; the error
// wraps ErrNoPolicy when run stored none for arm.
func (s *Store) LatestPolicy(ctx context.Context, run int64, arm string) (Policy, error) {
	return s.findPolicy(ctx, run, arm, `id DESC`)
}

func (s *Store) findPolicy(ctx context.Context, run int64, arm, order string) (Policy, error) {
	p, err := scanPolicy(s.db.QueryRowContext(ctx, `SELECT `+policyCols+` FROM policies WHERE run=? AND arm=? ORDER BY `+order+` LIMIT 1`, run, arm))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w of %s in run %d", ErrNoPolicy, arm, run)
	}
	if err != nil {
		return p, fmt.Errorf("reading policy of %s in run %d: %w", arm, run, err)
	}
	return p, nil
}

// Policies lists the policies a run stored, oldest first, without their
// weights.
func (s *Store) Policies(ctx context.Context, run int64) ([]Policy, error) {
	return queryAll(ctx, s, scanPolicy, fmt.Sprintf("listing policies of run %d", run),
		`SELECT `+strings.Replace(policyCols, "weights", "x''", 1)+` FROM policies WHERE run=? ORDER BY id`, run)
}

// PolicyByID returns stored policy id.
func (s *Store) PolicyByID(ctx context.Context, id int64) (Policy, error) {
	p, err := scanPolicy(s.db.QueryRowContext(ctx, `SELECT `+policyCols+` FROM policies WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w with id %d", ErrNoPolicy, id)
	}
	if err != nil {
		return p, fmt.Errorf("reading policy %d: %w", id, err)
	}
	return p, nil
}

// Policy returns the newest stored weights of arm in run.
func (s *Store) Policy(ctx context.Context, run int64, arm string) ([]byte, error) {
	var w []byte
	err := s.db.QueryRowContext(ctx, `SELECT weights FROM policies WHERE run=? AND arm=? ORDER BY id DESC LIMIT 1`, run, arm).Scan(&w)
	if err != nil {
		return nil, fmt.Errorf("reading policy of %s in run %d: %w", arm, run, err)
	}
	return w, nil
}

// Deployment is one row of deployments: the deployed client RL's result
// on one unseen benchmark.
type Deployment struct {
	ID          int64
	Run         int64
	Benchmark   string
	Arm         string
	Hyper       map[string]float64
	Quality     float64
	Actions     []int
	ActionNames []string
	Walltime    time.Duration // the whole training run on the benchmark
	Found       time.Duration // when the best sequence was found
	Validated   bool
	Error       string
	// Policy is the stored policy the deployment started from (0: none);
	// Weights says in words which weights were used ("from scratch",
	// "warm start from policy 7 (search run 3, pull 12)", …).
	Policy  int64
	Weights string
}

// AddDeployment stores a deployment result.
func (s *Store) AddDeployment(ctx context.Context, d Deployment) (int64, error) {
	var pol any
	if d.Policy != 0 {
		pol = d.Policy
	}
	res, err := s.exec(ctx, `INSERT INTO deployments (run, benchmark, arm, hyper, quality, actions, action_names, walltime, found, validated, error, policy, weights) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		d.Run, d.Benchmark, d.Arm, mustJSON(d.Hyper, "{}"), nullFloat(d.Quality), mustJSON(d.Actions, "[]"), mustJSON(d.ActionNames, "[]"),
		d.Walltime.Seconds(), d.Found.Seconds(), d.Validated, d.Error, pol, d.Weights)
	if err != nil {
		return 0, fmt.Errorf("storing deployment on %s: %w", d.Benchmark, err)
	}
	return res.LastInsertId()
}

// Deployments lists the results of a deploy run.
func (s *Store) Deployments(ctx context.Context, run int64) ([]Deployment, error) {
	return queryAll(ctx, s, func(sc rowScanner) (Deployment, error) {
		var d Deployment
		var hyper, actions, names string
		var q sql.NullFloat64
		var wall, found float64
		if err := sc.Scan(&d.ID, &d.Run, &d.Benchmark, &d.Arm, &hyper, &q, &actions, &names, &wall, &found, &d.Validated, &d.Error, &d.Policy, &d.Weights); err != nil {
			return d, err
		}
		d.Quality, d.Walltime, d.Found = fromNull(q), seconds(wall), seconds(found)
		_ = json.Unmarshal([]byte(hyper), &d.Hyper)
		_ = json.Unmarshal([]byte(actions), &d.Actions)
		_ = json.Unmarshal([]byte(names), &d.ActionNames)
		return d, nil
	}, fmt.Sprintf("listing deployments of run %d", run),
		`SELECT id, run, benchmark, arm, hyper, quality, actions, action_names, walltime, found, validated, error, COALESCE(policy,0), weights FROM deployments WHERE run=? ORDER BY id`, run)
}

// Baseline is one row of baselines: one method's result on one benchmark
// in a comparison.
type Baseline struct {
	ID           int64
	Run          int64
	Benchmark    string
	Method       string
	Quality      float64
	Walltime     time.Duration
	Found        time.Duration
	TimeToTarget time.Duration // -1 when the target was never reached
	Actions      []int
	Curve        [][2]float64 // (elapsed seconds, best quality so far)
	Error        string
}

// AddBaseline stores one method's result in a comparison.
func (s *Store) AddBaseline(ctx context.Context, b Baseline) (int64, error) {
	var ttt any
	if b.TimeToTarget >= 0 {
		ttt = b.TimeToTarget.Seconds()
	}
	res, err := s.exec(ctx, `INSERT INTO baselines (run, benchmark, method, quality, walltime, found, time_to_target, actions, curve, error) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		b.Run, b.Benchmark, b.Method, nullFloat(b.Quality), b.Walltime.Seconds(), b.Found.Seconds(), ttt, mustJSON(b.Actions, "[]"), mustJSON(b.Curve, "[]"), b.Error)
	if err != nil {
		return 0, fmt.Errorf("storing %s on %s: %w", b.Method, b.Benchmark, err)
	}
	return res.LastInsertId()
}

// SetTimeToTarget records when a comparison result reached the target,
// which is known once every method has run on the benchmark.
func (s *Store) SetTimeToTarget(ctx context.Context, id int64, ttt time.Duration) error {
	var v any
	if ttt >= 0 {
		v = ttt.Seconds()
	}
	if _, err := s.exec(ctx, `UPDATE baselines SET time_to_target=? WHERE id=?`, v, id); err != nil {
		return fmt.Errorf("storing time to target of result %d: %w", id, err)
	}
	return nil
}

// Baselines lists the results of a compare run.
func (s *Store) Baselines(ctx context.Context, run int64) ([]Baseline, error) {
	return queryAll(ctx, s, func(sc rowScanner) (Baseline, error) {
		var b Baseline
		var q, ttt sql.NullFloat64
		var wall, found float64
		var actions, curve string
		if err := sc.Scan(&b.ID, &b.Run, &b.Benchmark, &b.Method, &q, &wall, &found, &ttt, &actions, &curve, &b.Error); err != nil {
			return b, err
		}
		b.Quality, b.Walltime, b.Found = fromNull(q), seconds(wall), seconds(found)
		b.TimeToTarget = -1
		if ttt.Valid {
			b.TimeToTarget = seconds(ttt.Float64)
		}
		_ = json.Unmarshal([]byte(actions), &b.Actions)
		_ = json.Unmarshal([]byte(curve), &b.Curve)
		return b, nil
	}, fmt.Sprintf("listing baselines of run %d", run),
		`SELECT id, run, benchmark, method, quality, walltime, found, time_to_target, actions, curve, error FROM baselines WHERE run=? ORDER BY id`, run)
}

// nullFloat stores NaN and ±Inf as NULL.
func nullFloat(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func fromNull(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func mustJSON(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}
