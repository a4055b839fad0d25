package search

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Executor runs the jobs of every phase — the search's pulls, the tuning
// trials, the deployments and the comparison's training runs. The default
// is the local pool: the phase's own goroutines train on the problem the
// phase opened. Package rlcore/search/cluster runs them on NATS JetStream
// workers instead.
//
// Run is called from several goroutines at once (as many as the phase's
// Workers option); it returns when the job has finished, failed or been
// interrupted by ctx, and never returns nil. The phase, not the executor,
// writes the run store.
type Executor interface {
	Run(ctx context.Context, j Job, obs rlcore.Observer) *JobResult
}

// Capacity is an optional interface of an Executor that knows how many
// jobs it can run at once (the connected workers' slots); a phase whose
// Workers option is zero keeps that many jobs in flight.
type Capacity interface {
	Capacity(ctx context.Context) int
}

// JobKind tells what a Job does.
type JobKind string

const (
	// JobPull trains an arm on Benchmarks and scores it (a search pull or
	// a tuning trial): JobResult.Pull.
	JobPull JobKind = "pull"
	// JobDeploy trains an arm on one benchmark and validates its best
	// action sequence (a deployment, or a client-RL or search-baseline
	// run of a comparison): JobResult.Deployment.
	JobDeploy JobKind = "deploy"
)

// Job is one unit of work, self-contained so that it can run in another
// process: the task and its options, the arm, hyperparameters, seed,
// budget and benchmarks.
type Job struct {
	// ID identifies the job across redeliveries (run, phase and sequence
	// number); a result is counted once per ID.
	ID string
	// Run names the phase's run the job belongs to (see runKey); a
	// continued run keeps it. An executor may group results by it.
	Run         string `json:",omitempty"`
	Kind        JobKind
	Task        string
	TaskOptions map[string]string `json:",omitempty"`
	// TaskSeed is the run's seed, which the task's Open receives.
	TaskSeed int64 `json:",omitempty"`
	Horizon  int
	Arm      rlcore.Arm
	// Hyper overrides the arm's own hyperparameters.
	Hyper      rlcore.Hyper `json:",omitempty"`
	Seed       int64
	Budget     rlcore.Budget
	Benchmarks []string
	// Label is the Run of the job's training events (an arm's name).
	Label string
	// Init holds the weights training starts from (a warm start, see
	// rlcore.TrainConfig.Init); nil trains from scratch.
	Init []byte `json:",omitempty"`
	// Rollouts, for a deploy job with Init, first applies Init without
	// training: a greedy rollout and Rollouts-1 sampled ones, within
	// the first half of a wall-clock budget at most; training then goes
	// on from Init for the rest of the budget, and the best of both is
	// kept. Steps and episodes budgets count training's only. 0: no
	// rollouts.
	Rollouts int `json:",omitempty"`
	// Guided, for a deploy job with Init, is policy-guided search: the
	// whole wall budget goes to rollouts of Init (a greedy one, then
	// sampled ones) and nothing is trained.
	Guided bool `json:",omitempty"`
	// Temperature divides the policy's logits in those sampled rollouts
	// (DeployOptions.Temperature); 0 leaves them as they are.
	Temperature float64 `json:",omitempty"`
	// Seq, ArmIndex and Rung are the search's bookkeeping, returned in
	// the PullResult.
	Seq, ArmIndex, Rung int
}

// JobResult is what a job produced: Pull for JobPull, Deployment for
// JobDeploy. Runner names who ran it ("local" or a remote worker).
type JobResult struct {
	Pull       *PullResult
	Deployment *Deployment
	Runner     string
}

// RunJob runs j on problem p, in this process; it never panics. It is
// the local pool's work and a remote worker's.
func RunJob(ctx context.Context, p rlcore.Problem, j Job, obs rlcore.Observer) *JobResult {
	switch j.Kind {
	case JobPull:
		pl := &puller{problem: p, benchmarks: j.Benchmarks, horizon: j.Horizon, observer: obs}
		return &JobResult{Pull: pl.pull(ctx, j)}
	case JobDeploy:
		d := &deployer{problem: p, horizon: j.Horizon, observer: obs, temperature: j.Temperature}
		bench := ""
		if len(j.Benchmarks) == 1 {
			bench = j.Benchmarks[0]
		}
		dep := d.deploy(ctx, j.Arm, j.Hyper, bench, j.Budget, j.Seed, j.Init, j.Rollouts, j.Guided)
		if len(j.Benchmarks) != 1 {
			dep.Err = fmt.Errorf("a deploy job needs exactly one benchmark, got %d", len(j.Benchmarks))
		}
		return &JobResult{Deployment: &dep}
	}
	return &JobResult{Pull: &PullResult{Seq: j.Seq, ArmIndex: j.ArmIndex, Rung: j.Rung, Arm: j.Arm, Status: pullFailed,
		Err: fmt.Errorf("unknown job kind %q; allowed: %s, %s", j.Kind, JobPull, JobDeploy)}}
}

// localExecutor is the default: jobs run in this process on the phase's
// problem.
type localExecutor struct{ problem rlcore.Problem }

func (l localExecutor) Run(ctx context.Context, j Job, obs rlcore.Observer) *JobResult {
	r := RunJob(ctx, l.problem, j, obs)
	r.Runner = "local"
	return r
}

// executorFor returns e, or the local pool on the session's problem.
func (s *session) executorFor(e Executor) Executor {
	if e == nil {
		return localExecutor{s.problem}
	}
	return e
}

// workersFor is the number of jobs a phase keeps in flight: n when set,
// the executor's capacity when it reports one, else def.
func workersFor(ctx context.Context, n int, e Executor, def int) int {
	if n > 0 {
		return n
	}
	if c, ok := e.(Capacity); ok {
		if k := c.Capacity(ctx); k > 0 {
			return k
		}
	}
	return def
}

// pullJob is the Job of a search pull or a tuning trial.
func (s *session) pullJob(spec Spec, id jobRef, seq, arm int, a rlcore.Arm, hyper rlcore.Hyper, budget rlcore.Budget, seed int64, rung int) Job {
	return Job{ID: id.id, Run: id.run, Kind: JobPull, Task: spec.Task, TaskOptions: spec.TaskOptions, TaskSeed: spec.Seed, Horizon: spec.Horizon, Arm: a, Hyper: hyper,
		Seed: seed, Budget: budget, Benchmarks: s.train, Label: a.String(), Seq: seq, ArmIndex: arm, Rung: rung}
}

// deployJob is the Job of training arm on one benchmark.
func deployJob(spec Spec, id jobRef, arm rlcore.Arm, hyper rlcore.Hyper, bench string, budget rlcore.Budget, seed int64, init []byte, rollouts int) Job {
	return Job{ID: id.id, Run: id.run, Kind: JobDeploy, Task: spec.Task, TaskOptions: spec.TaskOptions, TaskSeed: spec.Seed, Horizon: spec.Horizon, Arm: arm, Hyper: hyper,
		Seed: seed, Budget: budget, Benchmarks: []string{bench}, Label: arm.String() + " @ " + bench, Init: init, Rollouts: rollouts}
}

// runKey names a phase's run in its job ids: NAME.RUNID.NONCE for a
// stored run, NAME.tNONCE for one without a store. The nonce (see
// newNonce) keeps apart runs of one name and id in two store files, or in
// one file deleted and made again, that share a NATS server; a continued
// search keeps its run's nonce, hence its job ids.
func runKey(name string, run int64, nonce string) string {
	if run == 0 {
		return fmt.Sprintf("%s.t%s", name, nonce)
	}
	return fmt.Sprintf("%s.%d.%s", name, run, nonce)
}

// newNonce is the time in base 36: an identifier, not a random choice.
func newNonce() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

// jobRef is a job's id and the key of the run it belongs to.
type jobRef struct{ run, id string }

// jobID names job seq of a phase's run.
func jobID(key, phase string, seq int) jobRef {
	return jobRef{run: key, id: fmt.Sprintf("%s.%s.%d", key, phase, seq)}
}

// Check reports whether this process can run j: its task and every
// component of its arm are registered here. A remote worker calls it
// before running a job, so that a job naming a task or a component the
// worker was not built with (a reward written in a notebook cell, say) is
// refused with the registry's list of what it has.
func (j Job) Check() error {
	alg, err := ParseAlgorithm(j.Arm.Algorithm)
	if err != nil {
		return err
	}
	s := Spec{Name: j.ID, Task: j.Task, Benchmarks: j.Benchmarks, States: []string{j.Arm.State}, Rewards: []string{j.Arm.Reward},
		Actions: []string{j.Arm.Actions}, Transitions: []string{j.Arm.Transition}, Algorithms: []AlgorithmSpec{alg}}
	return s.validate(false)
}
