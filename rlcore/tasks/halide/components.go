package halide

import (
	"context"
	"math"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
)

func init() {
	rlcore.RegisterState(&rlcore.State{
		Name: "halide-schedule", Task: TaskName,
		Doc: "the cursor stage (its shape and its directives), the share of stages per directive, and the log speedups now and at best",
		New: rlcore.NoArgs(scheduleState{}),
	})
	rlcore.RegisterReward(&rlcore.Reward{
		Name: "halide-log-speedup", Task: TaskName,
		Doc: "log(speedup after the step / speedup before it): an episode's return is the log of its final speedup over the default",
		Func: func(s *rlcore.RewardSignal) (float64, error) {
			return math.Log(math.Max(s.Quality, 1e-9) / math.Max(s.PrevQuality, 1e-9)), nil
		},
	})
	rlcore.RegisterReward(&rlcore.Reward{
		Name: "halide-best-improvement", Task: TaskName,
		Doc: "how much the step raised the episode's best speedup over the default (0 when it did not)",
		Func: func(s *rlcore.RewardSignal) (float64, error) {
			e, err := rlcore.EpisodeAs[*Episode](s.Episode, "halide-best-improvement")
			if err != nil {
				return 0, err
			}
			return math.Max(0, s.Quality-e.prevBest), nil
		},
	})
}

// stateSize is the length of the halide-schedule observation.
const stateSize = 30

type scheduleState struct{}

func (scheduleState) Space() rlcore.Space { return rlcore.NewBox(stateSize, -4, 4) }

func (scheduleState) Observe(_ context.Context, ep rlcore.Episode, _ []int) ([]float64, error) {
	e, err := rlcore.EpisodeAs[*Episode](ep, "halide-schedule")
	if err != nil {
		return nil, err
	}
	return e.features(), nil
}

func log2p(v int) float64 { return math.Log2(float64(v) + 1) }

// features describes the episode for a policy (see halide-schedule).
func (e *Episode) features() []float64 {
	s := e.sched
	n := len(s.Stages)
	f := make([]float64, 0, stateSize)
	st, fn := s.Stages[e.cursor], s.Pipeline.Stages[e.cursor]
	for c := schedule.Root; c <= schedule.Tiles; c++ {
		f = append(f, b2f(st.Compute == c))
	}
	f = append(f, b2f(st.StoreRoot), log2p(st.TileX)/8, log2p(st.TileY)/8, float64(st.Vector)/16, b2f(st.Parallel), float64(st.Unroll)/4)
	for o := schedule.Natural; o <= schedule.ROuter; o++ {
		f = append(f, b2f(st.Order == o))
	}
	f = append(f, b2f(fn.Updates > 0), b2f(fn.PureUpdates), float64(len(fn.Vars))/4, float64(len(fn.Consumers))/4,
		float64(e.cursor)/math.Max(1, float64(n-1)), b2f(e.cursor == n-1))
	var kinds [4]float64
	var vec, par, tiled float64
	for _, t := range s.Stages {
		kinds[t.Compute]++
		vec += b2f(t.Vector > 0)
		par += b2f(t.Parallel)
		tiled += b2f(t.TileX > 0 || t.TileY > 0)
	}
	for _, k := range kinds {
		f = append(f, k/float64(n))
	}
	f = append(f, vec/float64(n), par/float64(n), tiled/float64(n), float64(n)/40)
	f = append(f, math.Log2(math.Max(e.cur.Speedup, 1e-3))/4, math.Log2(math.Max(e.best, 1e-3))/4, float64(e.Failures)/16)
	return f
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
