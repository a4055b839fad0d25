package search

import (
	"context"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// pullPool runs the pull jobs of a phase that keeps up to workers of them
// in flight and decides what to start next from the results (Search's
// pulls, Tune's trials) on workers goroutines through an Executor. The
// phase starts jobs while mayStart says it may, and next hands back the
// finished ones. The pool turns the caller's cancellation and the end of
// the wall budget into the phase's stopping status; the jobs running at
// that moment are let finish (interrupted by ctx, or within their own
// budgets).
type pullPool struct {
	ctx      context.Context
	jobs     chan Job
	results  chan *PullResult
	deadline <-chan time.Time
	timer    *time.Timer
	workers  int
	inflight int
	// stopping: no more jobs start; status is the phase's so far.
	stopping bool
	status   rlcore.Status
	// runningAtDeadline counts the jobs that were running when the wall
	// budget ran out.
	runningAtDeadline int
}

// startPullPool starts workers goroutines that run jobs through exec; the
// wall budget (0: none) counts from now. Close it when done.
func startPullPool(ctx context.Context, exec Executor, obs rlcore.Observer, workers int, wall time.Duration) *pullPool {
	p := &pullPool{ctx: ctx, jobs: make(chan Job), results: make(chan *PullResult, workers), workers: workers, status: rlcore.Finished}
	for w := range workers {
		go func() {
			for j := range p.jobs {
				jr := exec.Run(ctx, j, obs)
				jr.Pull.Worker, jr.Pull.Runner = w, jr.Runner
				p.results <- jr.Pull
			}
		}()
	}
	if wall > 0 {
		p.timer = time.NewTimer(wall)
		p.deadline = p.timer.C
	}
	return p
}

// close ends the workers (after the jobs in flight) and the budget's timer.
func (p *pullPool) close() {
	close(p.jobs)
	if p.timer != nil {
		p.timer.Stop()
	}
}

// stop starts no more jobs; the phase ends with status.
func (p *pullPool) stop(status rlcore.Status) {
	p.stopping, p.status = true, status
}

// mayStart reports whether the phase may start a job now: it is not
// stopping, a worker is free, and ctx is not cancelled (which stops the
// phase as Interrupted).
func (p *pullPool) mayStart() bool {
	if p.stopping || p.inflight >= p.workers {
		return false
	}
	if p.ctx.Err() != nil {
		p.stop(rlcore.Interrupted)
		return false
	}
	return true
}

// start hands j to a free worker.
func (p *pullPool) start(j Job) {
	p.inflight++
	p.jobs <- j
}

// next waits for the next finished job; ok is false when none is running.
// The wall budget's end stops the phase (BudgetExhausted, unless it was
// stopping already) and cancellation stops it as Interrupted; either way
// next goes on waiting for the jobs that are running.
func (p *pullPool) next() (pr *PullResult, ok bool) {
	for p.inflight > 0 {
		select {
		case pr = <-p.results:
		case <-p.deadline:
			p.deadline = nil
			p.runningAtDeadline = p.inflight
			if !p.stopping {
				p.stop(rlcore.BudgetExhausted)
			}
			continue
		case <-p.ctx.Done():
			p.stop(rlcore.Interrupted)
			pr = <-p.results
		}
		p.inflight--
		return pr, true
	}
	return nil, false
}
