package halide

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
)

// Episode is one pipeline's schedule being edited. Every edit is compiled
// and timed at once; an edit whose schedule fails (Halide rejects it, the
// worker crashes or times out, or the output is wrong) is undone and
// counted in Failures.
type Episode struct {
	p      *Problem
	pipe   *schedule.Pipeline
	sched  schedule.Schedule
	cursor int
	cur    Measurement
	// best and prevBest are the best speedup of the episode after and
	// before the last step (for the best-improvement reward).
	best, prevBest float64
	// Failures counts failed measurements; LastFailure is the last reason.
	Failures    int
	LastFailure string
}

var (
	_ rlcore.Episode    = (*Episode)(nil)
	_ rlcore.Referencer = (*Episode)(nil)
)

// Benchmark is the pipeline's name.
func (e *Episode) Benchmark() string { return e.pipe.Name }

// Schedule returns a copy of the current schedule.
func (e *Episode) Schedule() schedule.Schedule { return e.sched.Clone() }

// Cursor is the index of the stage the edit actions apply to.
func (e *Episode) Cursor() int { return e.cursor }

// Current is the measurement of the current schedule (Speedup 1 and no
// times for the default schedule before anything was measured).
func (e *Episode) Current() Measurement { return e.cur }

// Apply performs one action: a cursor move, or an edit that is measured
// at once and undone if its measurement fails.
func (e *Episode) Apply(ctx context.Context, action int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	next := e.sched.Clone()
	cursor, changed, err := next.Apply(action, e.cursor)
	if err != nil {
		return err
	}
	e.prevBest = e.best
	if cursor != e.cursor || !changed {
		e.cursor = cursor
		return nil
	}
	m, err := e.p.Measure(ctx, next)
	if err != nil {
		return err
	}
	if m.Err != "" {
		e.Failures++
		e.LastFailure = fmt.Sprintf("%s: %s", next, m.Err)
		slog.Debug("halide: schedule failed", "schedule", next.String(), "reason", m.Err)
		return nil
	}
	e.sched, e.cur = next, m
	e.best = max(e.best, m.Speedup)
	return nil
}

// Measure reads "time" (ms) or "speedup" of the current schedule.
func (e *Episode) Measure(ctx context.Context, metric string) (float64, error) {
	switch metric {
	case "speedup":
		return e.cur.Speedup, nil
	case "time":
		if e.cur.TimeMs == 0 { // the default schedule, not yet timed
			m, err := e.p.defaultTiming(ctx, e.pipe)
			if err != nil {
				return 0, err
			}
			return m.TimeMs, nil
		}
		return e.cur.TimeMs, nil
	}
	return 0, fmt.Errorf("halide: no measure %q; there are time, speedup", metric)
}

// Quality is the current schedule's speedup over the default schedule.
func (e *Episode) Quality(context.Context) (float64, error) { return e.cur.Speedup, nil }

// Reference measures the benchmark under a reference compilation: metric
// "quality" or "speedup" (over the default schedule) or "time" (ms).
func (e *Episode) Reference(ctx context.Context, ref, metric string) (float64, error) {
	var m Measurement
	var err error
	switch ref {
	case "default":
		if metric == "quality" || metric == "speedup" {
			return 1, nil
		}
		m, err = e.p.defaultTiming(ctx, e.pipe)
	default:
		if _, ok := AutoSchedulers[ref]; !ok {
			return 0, fmt.Errorf("halide: no reference %q; there are default, adams2019, li2018, mullapudi2016", ref)
		}
		m, err = e.p.AutoSchedule(ctx, e.pipe.Name, ref)
		if err == nil && m.Err != "" {
			err = fmt.Errorf("halide: the %s auto-scheduler's schedule of %s failed: %s", ref, e.pipe.Name, m.Err)
		}
	}
	if err != nil {
		return 0, err
	}
	switch metric {
	case "quality", "speedup":
		return m.Speedup, nil
	case "time":
		return m.TimeMs, nil
	}
	return 0, fmt.Errorf("halide: no measure %q; there are time, speedup, quality", metric)
}

// Fork copies the episode.
func (e *Episode) Fork(ctx context.Context) (rlcore.Episode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := *e
	f.sched = e.sched.Clone()
	return &f, nil
}

// Close implements io.Closer.
func (e *Episode) Close() error { return nil }
