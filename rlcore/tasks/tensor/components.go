package tensor

import (
	"context"
	"math"

	"github.com/supersonic-rl/supersonic/rlcore"
)

func init() {
	rlcore.RegisterTask(&rlcore.Task{
		Name:             TaskName,
		Doc:              "schedules of NN operators (GEMM, dense, conv2d, depthwise, batch matmul, softmax) as C, compiled with clang-19 and timed",
		Options:          options,
		References:       references,
		DefaultReference: "reference",
		Measures: []rlcore.Measure{
			{Name: "time", Doc: "estimated seconds of the schedule: its time ratio to the yardstick (the reference on one thread; fastest interleaved runs) × the yardstick's fastest run"},
			{Name: "speedup", Doc: "speedup over the default schedule (the naive loop nest), from interleaved timing"},
			{Name: "gflops", Doc: "estimated GFLOP/s of the schedule"},
		},
		Open: Open,
	})
	rlcore.RegisterState(&rlcore.State{
		Name: "tensor-features", Task: TaskName,
		Doc: "knob vector and loop-nest features of the schedule (log2 tiles, order, pragmas, accumulator size, innermost loop) plus log2 of the current and best speedup and of the last step's change",
		New: rlcore.EpisodeState("tensor-features", rlcore.NewBox(numObservation, -64, 64),
			func(e *Episode, _ context.Context, _ []int) ([]float64, error) { return e.observation(), nil }),
	})
	rlcore.RegisterReward(&rlcore.Reward{
		Name: "tensor-speedup-delta", Task: TaskName, Metric: "time",
		Doc: "log of the step's speedup: ln(time before / time after)",
		Func: func(s *rlcore.RewardSignal) (float64, error) {
			if !(s.Prev > 0 && s.Cur > 0) {
				return 0, nil
			}
			return math.Log(s.Prev / s.Cur), nil
		},
	})
	rlcore.RegisterReward(&rlcore.Reward{
		Name: "tensor-best-improvement", Task: TaskName, Metric: "speedup",
		Doc: "ln(speedup / best speedup of the episode so far) when the step beats it, else 0",
		Func: func(s *rlcore.RewardSignal) (float64, error) {
			e, err := rlcore.EpisodeAs[*Episode](s.Episode, "tensor-best-improvement")
			if err != nil {
				return 0, err
			}
			if s.Cur > e.prevBest {
				return math.Log(s.Cur / e.prevBest), nil
			}
			return 0, nil
		},
	})
	rlcore.RegisterAlgorithm(CostModel)
	rlcore.RegisterAlgorithm(Grid)
	rlcore.RegisterAlgorithm(ModelPPO)
}
