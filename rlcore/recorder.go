package rlcore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Recorder stands between an algorithm and its Env. Every algorithm drives
// its env through one, so that budgets, cancellation, best-episode
// tracking, failure tolerance and events behave the same everywhere:
//
//	rec := rlcore.NewRecorder(ctx, env, cfg)
//	for !rec.Stopped() {
//		obs, err := rec.Reset()
//		if err != nil {
//			continue // recorded; Stopped says whether to go on
//		}
//		for !rec.Stopped() {
//			sr, err := rec.Step(chooseAction(obs))
//			if err != nil || sr.Done() {
//				break
//			}
//			obs = sr.Obs
//		}
//	}
//	return rec.Finish(policy), nil
//
// A Recorder is not safe for concurrent use.
type Recorder struct {
	ctx      context.Context
	env      Env
	scorer   Scorer
	masker   Masker
	cfg      TrainConfig
	maxFails int
	obsDim   int
	nActions int

	start    time.Time
	stats    Stats
	nextBm   int
	fails    int // consecutive failed episodes
	status   Status
	stopped  bool
	err      error
	loss     float64
	lastProg time.Time
	lastStep int

	// current episode
	inEpisode bool
	bench     string
	actions   []int
	ret       float64
	bestQ     float64 // best quality within the episode
	bestLen   int     // actions prefix reaching bestQ
	bestRet   float64 // return of that prefix

	epErrs []string // the first MaxEpisodeErrors episode errors

	best    EpisodeRecord
	hasBest bool
	perBm   map[string]EpisodeRecord
	curve   []CurvePoint
}

// MaxEpisodeErrors is how many episode errors a Result keeps (the first
// ones; Stats.FailedEpisodes counts them all).
const MaxEpisodeErrors = 3

// ErrStopped is returned by Reset and Step once the recorder has stopped.
var ErrStopped = errors.New("rlcore: run stopped")

// NewRecorder wraps env for one training run configured by cfg.
func NewRecorder(ctx context.Context, env Env, cfg TrainConfig) *Recorder {
	r := &Recorder{
		ctx:      ctx,
		env:      env,
		cfg:      cfg,
		maxFails: cfg.MaxConsecutiveFailures,
		obsDim:   env.ObservationSpace().Dim(),
		nActions: env.ActionSpace().N,
		start:    time.Now(),
		loss:     nan,
		perBm:    make(map[string]EpisodeRecord),
	}
	r.lastProg = r.start
	if r.maxFails <= 0 {
		r.maxFails = 10
	}
	r.scorer, _ = env.(Scorer)
	r.masker, _ = env.(Masker)
	return r
}

// Context returns the run's context.
func (r *Recorder) Context() context.Context { return r.ctx }

// Env returns the wrapped environment.
func (r *Recorder) Env() Env { return r.env }

// Stopped reports whether the run must stop: the context is cancelled,
// the budget is spent, or too many episodes failed in a row.
func (r *Recorder) Stopped() bool {
	if r.stopped {
		return true
	}
	if r.ctx.Err() != nil {
		r.stop(Interrupted, nil)
	} else if r.cfg.Budget.Exhausted(r.stats.Steps, r.stats.Episodes, time.Since(r.start)) {
		r.stop(BudgetExhausted, nil)
	}
	return r.stopped
}

// StopFinished marks the run as ended by the algorithm itself (for example
// a grid search that covered its space).
func (r *Recorder) StopFinished() { r.stop(Finished, nil) }

func (r *Recorder) stop(s Status, err error) {
	if r.stopped {
		return
	}
	r.stopped, r.status = true, s
	if err != nil {
		r.err = err
	}
}

// Reset starts the next episode on the next benchmark of the rotation.
func (r *Recorder) Reset() ([]float64, error) {
	if r.Stopped() {
		return nil, ErrStopped
	}
	if r.inEpisode {
		r.closeEpisode(false)
	}
	bench := ""
	if n := len(r.cfg.Benchmarks); n > 0 {
		bench = r.cfg.Benchmarks[r.nextBm%n]
		r.nextBm++
	}
	obs, err := r.env.Reset(r.ctx, bench)
	if err == nil && len(obs) != r.obsDim {
		err = fmt.Errorf("observation has length %d, but the observation space %v has dimension %d", len(obs), r.env.ObservationSpace(), r.obsDim)
	}
	if err != nil {
		return nil, r.fail(bench, fmt.Errorf("reset: %w", err))
	}
	r.inEpisode = true
	r.bench = bench
	r.actions = r.actions[:0]
	r.ret, r.bestRet, r.bestLen = 0, 0, 0
	r.bestQ = math.Inf(-1)
	if r.scorer != nil {
		r.bestQ = r.scorer.Quality()
	}
	return obs, nil
}

// Benchmark is the benchmark of the current episode.
func (r *Recorder) Benchmark() string { return r.bench }

// Mask returns the env's action mask for the current state (nil when the
// env has none), reusing dst.
func (r *Recorder) Mask(dst []bool) []bool {
	if r.masker == nil {
		return nil
	}
	return r.masker.ActionMask(dst)
}

// Step applies action to the env. An error from the env ends the episode
// and is recorded; the caller should Reset and go on while !Stopped().
func (r *Recorder) Step(action int) (StepResult, error) {
	if r.Stopped() {
		return StepResult{}, ErrStopped
	}
	if !r.inEpisode {
		return StepResult{}, errors.New("rlcore: Step called before Reset")
	}
	if action < 0 || action >= r.nActions {
		return StepResult{}, r.fail(r.bench, fmt.Errorf("step %d: action %d outside the action space %v", len(r.actions), action, r.env.ActionSpace()))
	}
	sr, err := r.env.Step(r.ctx, action)
	if err == nil && (math.IsNaN(sr.Reward) || math.IsInf(sr.Reward, 0)) {
		err = fmt.Errorf("reward is %v", sr.Reward)
	}
	if err == nil && len(sr.Obs) != r.obsDim {
		err = fmt.Errorf("observation has length %d, want %d", len(sr.Obs), r.obsDim)
	}
	if err != nil {
		return sr, r.fail(r.bench, fmt.Errorf("step %d (action %d): %w", len(r.actions), action, err))
	}
	r.stats.Steps++
	r.actions = append(r.actions, action)
	r.ret += sr.Reward
	if r.scorer != nil {
		if q := r.scorer.Quality(); q > r.bestQ {
			r.bestQ, r.bestLen, r.bestRet = q, len(r.actions), r.ret
		}
	}
	if sr.Done() {
		r.closeEpisode(true)
	}
	r.maybeProgress()
	return sr, nil
}

// EndEpisode ends the current episode as complete although the env did not
// report Done: a searcher whose action sequences have a fixed length (random
// search with a horizon, simulated annealing, a genetic algorithm, greedy
// search that found no improving action) calls it after the sequence's last
// action. The episode then counts towards Budget.Episodes, resets the
// consecutive-failure count, appears on the curve and sends an EpisodeEnd
// event, exactly like an episode the env ended. It does nothing when no
// episode is in progress (the env already ended it, or a step failed).
func (r *Recorder) EndEpisode() {
	if r.inEpisode {
		r.closeEpisode(true)
	}
}

// ReportLoss records the latest training loss for progress events.
func (r *Recorder) ReportLoss(loss float64) { r.loss = loss }

// Stats returns the counts so far.
func (r *Recorder) Stats() Stats {
	s := r.stats
	s.Elapsed = time.Since(r.start)
	return s
}

// Best returns the best episode so far and whether there is one.
func (r *Recorder) Best() (EpisodeRecord, bool) { return r.best, r.hasBest }

// Finish ends the run: the episode in progress counts towards the best
// found (not towards the episode count); when it raised the best, the
// curve gets a last point at that best, so that the curve ends where
// Result.Best does. A RunDone event is sent, and the Result is returned.
// policy may be nil.
func (r *Recorder) Finish(policy Policy) *Result {
	if !r.Stopped() {
		r.stop(Finished, nil)
	}
	if r.inEpisode {
		hadBest, before := r.hasBest, r.best.Quality
		r.closeEpisode(false)
		if r.hasBest && (!hadBest || r.best.Quality > before) {
			r.curve = append(r.curve, CurvePoint{Step: r.stats.Steps, Episode: r.stats.Episodes, Elapsed: time.Since(r.start),
				Return: r.best.Return, Quality: r.best.Quality, Best: r.best.Quality})
		}
	}
	stats := r.Stats()
	res := &Result{
		Status:       r.status,
		Err:          r.err,
		Best:         r.best,
		PerBenchmark: r.perBm,
		Curve:        r.curve,
		Policy:       policy,
		Stats:        stats,

		EpisodeErrors: r.epErrs,
	}
	r.emit(Event{Kind: RunDone, Status: r.status, Err: r.err, Best: r.best.Quality})
	return res
}

func (r *Recorder) fail(bench string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || r.ctx.Err() != nil {
		r.stop(Interrupted, nil)
		r.inEpisode = false
		return err
	}
	err = fmt.Errorf("episode %d on benchmark %q: %w", r.stats.Episodes+r.stats.FailedEpisodes+1, bench, err)
	if r.inEpisode {
		r.closeEpisode(false) // keep what the episode reached before failing
	}
	r.stats.FailedEpisodes++
	r.fails++
	r.err = err
	if len(r.epErrs) < MaxEpisodeErrors {
		r.epErrs = append(r.epErrs, err.Error())
	}
	r.emit(Event{Kind: EpisodeFailed, Benchmark: bench, Err: err})
	if r.fails >= r.maxFails {
		r.stop(Failed, fmt.Errorf("%d episodes in a row failed; the last: %w", r.fails, err))
	}
	return err
}

// closeEpisode folds the current episode into the best-so-far records;
// complete episodes also go on the curve.
func (r *Recorder) closeEpisode(complete bool) {
	r.inEpisode = false
	q, n, ret := r.bestQ, r.bestLen, r.bestRet
	if r.scorer == nil {
		q, n, ret = r.ret, len(r.actions), r.ret
	}
	if complete {
		r.stats.Episodes++
		r.fails = 0
	}
	if n > 0 || complete {
		rec := EpisodeRecord{
			Benchmark: r.bench,
			Actions:   append([]int(nil), r.actions[:n]...),
			Return:    ret,
			Quality:   q,
			Found:     time.Since(r.start),
		}
		if old, ok := r.perBm[r.bench]; !ok || rec.Quality > old.Quality {
			r.perBm[r.bench] = rec
		}
		if !r.hasBest || rec.Quality > r.best.Quality {
			r.best, r.hasBest = rec, true
		}
	}
	if !complete {
		return
	}
	p := CurvePoint{
		Step: r.stats.Steps, Episode: r.stats.Episodes, Elapsed: time.Since(r.start),
		Return: r.ret, Quality: q, Best: r.best.Quality,
	}
	r.curve = append(r.curve, p)
	r.emit(Event{Kind: EpisodeEnd, Benchmark: r.bench, Return: r.ret, Quality: q, Best: r.best.Quality})
}

// progressEvery is the interval between Progress events.
const progressEvery = 250 * time.Millisecond

func (r *Recorder) maybeProgress() {
	if r.cfg.Observer == nil || r.stats.Steps&63 != 0 {
		return
	}
	now := time.Now()
	dt := now.Sub(r.lastProg)
	if dt < progressEvery {
		return
	}
	sps := float64(r.stats.Steps-r.lastStep) / dt.Seconds()
	r.lastProg, r.lastStep = now, r.stats.Steps
	r.emit(Event{Kind: Progress, StepsPerS: sps, Best: r.best.Quality})
}

func (r *Recorder) emit(e Event) {
	if r.cfg.Observer == nil {
		return
	}
	e.Run = r.cfg.Run
	e.Elapsed = time.Since(r.start)
	e.Step = r.stats.Steps
	e.Episode = r.stats.Episodes
	e.Loss = r.loss
	r.cfg.Observer(e)
}
