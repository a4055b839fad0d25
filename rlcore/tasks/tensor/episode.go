package tensor

import (
	"context"
	"fmt"
	"math"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
)

// Episode is one operator being scheduled: the current schedule, its
// measurement, and the episode's recent measurements.
type Episode struct {
	p     *Problem
	st    *opState
	sched kernel.Schedule
	cur   *Result
	// best is the best speedup of the episode before the last action
	// (prevBest) and after it (best); recent the speedups after each
	// action, latest last.
	prevBest, best float64
	recent         []float64
	changed        bool
}

var _ rlcore.Episode = (*Episode)(nil)

// NewEpisode starts from the naive loop nest. The first episode of an
// operator compiles its reference and default schedules and times the
// default (the naive GEMM takes about a second per run).
func (p *Problem) NewEpisode(ctx context.Context, benchmark string) (rlcore.Episode, error) {
	st, err := p.opState(benchmark)
	if err != nil {
		return nil, err
	}
	return p.NewEpisodeAt(ctx, st.space.Default())
}

// NewEpisodeAt starts an episode at schedule s.
func (p *Problem) NewEpisodeAt(ctx context.Context, s kernel.Schedule) (*Episode, error) {
	st, err := p.opState(s.Space.Op.Name)
	if err != nil {
		return nil, err
	}
	e := &Episode{p: p, st: st, sched: s.Clone()}
	if e.cur, err = p.Measure(ctx, s); err != nil {
		return nil, err
	}
	e.best, e.prevBest = e.cur.Speedup, e.cur.Speedup
	return e, nil
}

func (e *Episode) Benchmark() string { return e.st.op.Name }

// Schedule returns the current schedule.
func (e *Episode) Schedule() kernel.Schedule { return e.sched.Clone() }

// Result returns the current schedule's measurement.
func (e *Episode) Result() *Result { return e.cur }

// Changed reports whether the last Apply changed the schedule.
func (e *Episode) Changed() bool { return e.changed }

// Apply moves one knob one step (action 2k is knob k "+", 2k+1 its "−")
// and measures the new schedule. A knob the operator does not have, or a
// step past the last valid value, leaves the schedule unchanged.
func (e *Episode) Apply(ctx context.Context, action int) error {
	if action < 0 || action >= len(actions) {
		return fmt.Errorf("tensor: action %d out of range [0, %d)", action, len(actions))
	}
	dir := 1
	if action%2 == 1 {
		dir = -1
	}
	next, ok := e.sched.Step(kernel.KnobNames[action/2], dir)
	e.changed = ok
	e.prevBest = e.best
	if ok {
		r, err := e.p.Measure(ctx, next)
		if err != nil {
			return err
		}
		e.sched, e.cur = next, r
		e.best = max(e.best, r.Speedup)
	}
	e.recent = append(e.recent, e.cur.Speedup)
	return nil
}

// Measure reads "time" (estimated seconds), "speedup" (over the default
// schedule) or "gflops".
func (e *Episode) Measure(_ context.Context, metric string) (float64, error) {
	return resultMetric(e.cur, metric)
}

func resultMetric(r *Result, metric string) (float64, error) {
	switch metric {
	case "time":
		return r.Seconds, nil
	case "speedup":
		return r.Speedup, nil
	case "gflops":
		return r.GFLOPS(), nil
	}
	return 0, fmt.Errorf("tensor: unknown measure %q; known: time, speedup, gflops", metric)
}

// Reference reads a metric of a reference schedule: "default" (the naive
// loop nest) or "reference" (hand-blocked); "quality" is its speedup over
// the default (rlcore.Referencer).
func (e *Episode) Reference(ctx context.Context, ref, metric string) (float64, error) {
	s, err := e.p.Reference(e.st.op.Name, ref)
	if err != nil {
		return 0, err
	}
	r, err := e.p.Measure(ctx, s)
	if err != nil {
		return 0, err
	}
	if metric == "quality" {
		return r.Speedup, nil
	}
	return resultMetric(r, metric)
}

// Quality is the current schedule's speedup over the default.
func (e *Episode) Quality(context.Context) (float64, error) { return e.cur.Speedup, nil }

// Fork copies the episode.
func (e *Episode) Fork(context.Context) (rlcore.Episode, error) {
	f := *e
	f.sched = e.sched.Clone()
	f.recent = append([]float64(nil), e.recent...)
	return &f, nil
}

func (e *Episode) Close() error { return nil }

// Path returns task actions that lead from the default schedule of s's
// operator to s (knob by knob, in the space's order, each moved by single
// steps). Tiles are set before the knobs whose validity depends on them.
func Path(s kernel.Schedule) ([]int, error) {
	cur := s.Space.Default()
	var path []int
	for pass := 0; pass < 3 && !cur.Equal(s); pass++ {
		for i, k := range s.Space.Knobs {
			ai := -1
			for j, n := range kernel.KnobNames {
				if n == k.Name {
					ai = 2 * j
				}
			}
			for guard := 0; cur.Values[i] != s.Values[i] && guard < len(k.Values); guard++ {
				dir, a := 1, ai
				if idx(k.Values, s.Values[i]) < idx(k.Values, cur.Values[i]) {
					dir, a = -1, ai+1
				}
				next, ok := cur.Step(k.Name, dir)
				if !ok {
					break
				}
				// never step past the target (an invalid value in between may
				// be skipped, the target itself is valid)
				if (idx(k.Values, next.Values[i])-idx(k.Values, s.Values[i]))*dir > 0 {
					break
				}
				cur = next
				path = append(path, a)
			}
		}
	}
	if !cur.Equal(s) {
		return path, fmt.Errorf("tensor: no path of single knob steps from the default to %s (reached %s)", s, cur)
	}
	return path, nil
}

func idx(vals []int, v int) int {
	for i, x := range vals {
		if x == v {
			return i
		}
	}
	return -1
}

// observation is the tensor-features state: the schedule's features, then
// log2 of the current speedup, of the episode's best, and of the last
// step's change.
func (e *Episode) observation() []float64 {
	obs := append(e.sched.Features(), math.Log2(e.cur.Speedup), math.Log2(e.best), 0)
	if n := len(e.recent); n >= 2 {
		obs[len(obs)-1] = math.Log2(e.recent[n-1] / e.recent[n-2])
	}
	return obs
}

const numObservation = kernel.NumFeatures + 3

// ScheduleAfter replays task actions (indices into the task's actions, as
// a deployment or a comparison stores them) from the default schedule of
// benchmark, without measuring anything.
func ScheduleAfter(benchmark string, taskActions []int) (kernel.Schedule, error) {
	op, err := kernel.Lookup(benchmark)
	if err != nil {
		return kernel.Schedule{}, fmt.Errorf("tensor: %w", err)
	}
	s := kernel.NewSpace(op).Default()
	for _, a := range taskActions {
		if a < 0 || a >= len(actions) {
			return s, fmt.Errorf("tensor: action %d out of range [0, %d)", a, len(actions))
		}
		s, _ = s.Step(kernel.KnobNames[a/2], 1-2*(a%2))
	}
	return s, nil
}
