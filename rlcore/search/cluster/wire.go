package cluster

import (
	"errors"
	"math"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

// jobMsg is a job on the work queue.
type jobMsg struct {
	Job search.Job
	// Session is the token of the job's run (see Executor.token):
	// results go to results.SESSION, training events to events.SESSION.
	Session string
	// Files maps a benchmark that is a file on the coordinator's machine
	// to the SHA-256 of its content in the benchmarks object store.
	Files map[string]string
	// MaxAttempts: a job delivered more often than this (its workers died
	// on it) is reported failed instead of being run again.
	MaxAttempts int
	// Quiet: no one watches the job's training events (the phase has no
	// Observer), so the worker does not send them.
	Quiet bool `cbor:",omitempty"`
}

// resultMsg is a job's result.
type resultMsg struct {
	JobID   string
	Worker  string
	Attempt int
	// Refused says why the worker did not run the job (it lacks the task
	// or a component, or the job kept killing its workers).
	Refused    string
	Pull       *wirePull
	Deployment *wireDeployment
}

// eventMsg is a training event of a running job.
type eventMsg struct {
	JobID  string
	Worker string
	Event  wireEvent
}

type wireEvent struct {
	Kind      rlcore.EventKind
	Run       string
	Elapsed   time.Duration
	Step      int
	Episode   int
	Benchmark string
	Return    float64
	Quality   float64
	Best      float64
	Loss      float64
	StepsPerS float64
	Status    rlcore.Status
	Err       string
}

type wireResult struct {
	Status        rlcore.Status
	Err           string
	Best          rlcore.EpisodeRecord
	PerBenchmark  map[string]rlcore.EpisodeRecord
	Curve         []rlcore.CurvePoint
	Policy        []byte
	Stats         rlcore.Stats
	EpisodeErrors []string
}

type wirePull struct {
	Seq, ArmIndex, Rung int
	Arm                 rlcore.Arm
	Seed                int64
	Hyper               rlcore.Hyper
	Budget              rlcore.Budget
	Score               float64
	PerBenchmark        map[string]float64
	Status, Err         string
	FailedEpisodes      int
	EpisodeErrors       []string
	Result              *wireResult
	Started             time.Time
	Elapsed             time.Duration
}

type wireDeployment struct {
	Benchmark   string
	Arm         rlcore.Arm
	Hyper       rlcore.Hyper
	Quality     float64
	Actions     []int
	TaskActions []int
	ActionNames []string
	Walltime    time.Duration
	Found       time.Duration
	Validated   bool
	Err         string
	Result      *wireResult
}

// Messages are CBOR (RFC 8949): self-describing like gob, but a codec
// whose type information is compiled once per process, not once per
// message (a fresh gob decoder per message took a quarter of the
// coordinator's and worker's CPU with no-op jobs). NaN scores travel as
// NaN; times keep their nanoseconds.
var (
	encMode = mustMode(cbor.EncOptions{Time: cbor.TimeRFC3339Nano}.EncMode())
	decMode = mustMode(cbor.DecOptions{MaxArrayElements: math.MaxInt32, MaxMapPairs: math.MaxInt32, MaxNestedLevels: 64}.DecMode())
)

func mustMode[M any](m M, err error) M {
	if err != nil {
		panic(err)
	}
	return m
}

func encode(v any) ([]byte, error) { return encMode.Marshal(v) }

func decode(data []byte, v any) error { return decMode.Unmarshal(data, v) }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func textErr(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}

func toWireEvent(e rlcore.Event) wireEvent {
	return wireEvent{Kind: e.Kind, Run: e.Run, Elapsed: e.Elapsed, Step: e.Step, Episode: e.Episode, Benchmark: e.Benchmark, Return: e.Return,
		Quality: e.Quality, Best: e.Best, Loss: e.Loss, StepsPerS: e.StepsPerS, Status: e.Status, Err: errText(e.Err)}
}

func (w wireEvent) event() rlcore.Event {
	return rlcore.Event{Kind: w.Kind, Run: w.Run, Elapsed: w.Elapsed, Step: w.Step, Episode: w.Episode, Benchmark: w.Benchmark, Return: w.Return,
		Quality: w.Quality, Best: w.Best, Loss: w.Loss, StepsPerS: w.StepsPerS, Status: w.Status, Err: textErr(w.Err)}
}

func toWireResult(r *rlcore.Result) (*wireResult, error) {
	if r == nil {
		return nil, nil
	}
	w := &wireResult{Status: r.Status, Err: errText(r.Err), Best: r.Best, PerBenchmark: r.PerBenchmark, Curve: r.Curve, Stats: r.Stats, EpisodeErrors: r.EpisodeErrors}
	if r.Policy != nil {
		var err error
		if w.Policy, err = r.Policy.MarshalBinary(); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (w *wireResult) result() (*rlcore.Result, error) {
	if w == nil {
		return nil, nil
	}
	r := &rlcore.Result{Status: w.Status, Err: textErr(w.Err), Best: w.Best, PerBenchmark: w.PerBenchmark, Curve: w.Curve, Stats: w.Stats, EpisodeErrors: w.EpisodeErrors}
	if len(w.Policy) > 0 {
		var err error
		if r.Policy, err = search.DecodePolicy(w.Policy); err != nil {
			return r, err
		}
	}
	return r, nil
}

func toWirePull(p *search.PullResult) (*wirePull, error) {
	res, err := toWireResult(p.Result)
	return &wirePull{Seq: p.Seq, ArmIndex: p.ArmIndex, Rung: p.Rung, Arm: p.Arm, Seed: p.Seed, Hyper: p.Hyper, Budget: p.Budget, Score: p.Score,
		PerBenchmark: p.PerBenchmark, Status: p.Status, Err: errText(p.Err), FailedEpisodes: p.FailedEpisodes, EpisodeErrors: p.EpisodeErrors,
		Result: res, Started: p.Started, Elapsed: p.Elapsed}, err
}

func (w *wirePull) pull() *search.PullResult {
	p := &search.PullResult{Seq: w.Seq, ArmIndex: w.ArmIndex, Rung: w.Rung, Arm: w.Arm, Seed: w.Seed, Hyper: w.Hyper, Budget: w.Budget, Score: w.Score,
		PerBenchmark: w.PerBenchmark, Status: w.Status, Err: textErr(w.Err), FailedEpisodes: w.FailedEpisodes, EpisodeErrors: w.EpisodeErrors,
		Started: w.Started, Elapsed: w.Elapsed}
	var err error
	if p.Result, err = w.Result.result(); err != nil && p.Err == nil {
		p.Err = err
	}
	return p
}

func toWireDeployment(d *search.Deployment) (*wireDeployment, error) {
	res, err := toWireResult(d.Result)
	return &wireDeployment{Benchmark: d.Benchmark, Arm: d.Arm, Hyper: d.Hyper, Quality: d.Quality, Actions: d.Actions, TaskActions: d.TaskActions,
		ActionNames: d.ActionNames, Walltime: d.Walltime, Found: d.Found, Validated: d.Validated, Err: errText(d.Err), Result: res}, err
}

func (w *wireDeployment) deployment() *search.Deployment {
	d := &search.Deployment{Benchmark: w.Benchmark, Arm: w.Arm, Hyper: w.Hyper, Quality: w.Quality, Actions: w.Actions, TaskActions: w.TaskActions,
		ActionNames: w.ActionNames, Walltime: w.Walltime, Found: w.Found, Validated: w.Validated, Err: textErr(w.Err)}
	var err error
	if d.Result, err = w.Result.result(); err != nil && d.Err == nil {
		d.Err = err
	}
	return d
}
