package codesize

import (
	"context"
	"fmt"
	"math"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/llvm"
)

func init() {
	rlcore.RegisterTask(&rlcore.Task{
		Name:             TaskName,
		Doc:              "LLVM pass ordering for code size (CompilerGym's LLVM environment) on libLLVM-19, in supervised worker processes",
		Options:          taskOptions,
		References:       taskReferences,
		DefaultReference: "oz",
		Measures: []rlcore.Measure{
			{Name: "ic", Doc: "IR instruction count of the module"},
			{Name: "textsize", Doc: "bytes of executable code (.text) in the object file for the host"},
			{Name: "runtime", Doc: "seconds: median of 3 runs of the program built from the module (benchmarks with a main)"},
		},
		CheckBenchmark: checkSpec,
		Open:           openTask,
	})

	rlcore.RegisterState(&rlcore.State{
		Name: "instcount", Task: TaskName,
		Doc: "CompilerGym InstCount: TotalInsts, TotalBlocks, TotalFuncs and 67 per-opcode counts (70)",
		New: featureState(llvm.InstCountDim, (*Episode).InstCount, nil),
	})
	rlcore.RegisterState(&rlcore.State{
		Name: "instcount-norm", Task: TaskName,
		Doc: "CompilerGym InstCountNorm: InstCount[1:] / max(TotalInsts, 1) (69)",
		New: featureState(llvm.InstCountDim-1, (*Episode).InstCount, normalizeInstCount),
	})
	rlcore.RegisterState(&rlcore.State{
		Name: "autophase", Task: TaskName,
		Doc: "Autophase features of Huang et al. (FCCM 2019) as CompilerGym computes them (56)",
		New: featureState(llvm.AutophaseDim, (*Episode).Autophase, nil),
	})

	for _, m := range []struct{ metric, cg string }{{"ic", "IrInstructionCount"}, {"textsize", "ObjectTextSizeBytes"}} {
		rlcore.RegisterReward(&rlcore.Reward{
			Name: m.metric, Task: TaskName, Metric: m.metric,
			Doc:  fmt.Sprintf("CompilerGym %s: previous − current %s", m.cg, m.metric),
			Func: func(s *rlcore.RewardSignal) (float64, error) { return s.Prev - s.Cur, nil },
		})
		rlcore.RegisterReward(&rlcore.Reward{
			Name: m.metric + "-norm", Task: TaskName, Metric: m.metric, Reference: "o0",
			Doc: fmt.Sprintf("CompilerGym %sNorm: (previous − current %s) / O0 %s", m.cg, m.metric, m.metric),
			Func: func(s *rlcore.RewardSignal) (float64, error) {
				return (s.Prev - s.Cur) / math.Max(s.Reference, 1), nil
			},
		})
		for _, ref := range []string{"oz", "o3"} {
			rlcore.RegisterReward(&rlcore.Reward{
				Name: m.metric + "-" + ref, Task: TaskName, Metric: m.metric, Reference: ref,
				Doc: fmt.Sprintf("CompilerGym %s%s: (previous − current %s) / max(O0 − %s %s, 1)",
					m.cg, map[string]string{"oz": "Oz", "o3": "O3"}[ref], m.metric, map[string]string{"oz": "Oz", "o3": "O3"}[ref], m.metric),
				Func: improvementReward(m.metric),
			})
		}
	}

	rlcore.RegisterActionSpace(&rlcore.ActionSpace{
		Name: "oz-passes", Task: TaskName,
		Doc:    fmt.Sprintf("the %d actions whose pass LLVM 19's own -Oz pipeline runs", len(ozSubset())),
		Select: func(rlcore.Problem) ([]int, error) { return ozSubset(), nil },
	})
}

// improvementReward is CompilerGym's BaselineImprovementNormalizedReward:
// the step's cost decrease divided by max(cost_O0 − cost_baseline, 1).
func improvementReward(metric string) func(s *rlcore.RewardSignal) (float64, error) {
	return func(s *rlcore.RewardSignal) (float64, error) {
		o0, err := rlcore.MeasureReference(s.Ctx, s.Episode, "o0", metric)
		if err != nil {
			return 0, err
		}
		return (s.Prev - s.Cur) / math.Max(o0-s.Reference, 1), nil
	}
}

func normalizeInstCount(c []int64) []float64 {
	total := math.Max(float64(c[0]), 1)
	out := make([]float64, len(c)-1)
	for i, v := range c[1:] {
		out[i] = float64(v) / total
	}
	return out
}

// featureState builds a state function from an Episode feature vector
// (converted to float64, or by transform when it is not nil).
func featureState(dim int, get func(*Episode, context.Context) ([]int64, error), transform func([]int64) []float64) func(rlcore.Problem, []string) (rlcore.StateFunc, error) {
	return rlcore.EpisodeState("a codesize state function", rlcore.NewBox(dim, 0, math.Inf(1)),
		func(e *Episode, ctx context.Context, _ []int) ([]float64, error) {
			c, err := get(e, ctx)
			if err != nil {
				return nil, err
			}
			if transform != nil {
				return transform(c), nil
			}
			out := make([]float64, len(c))
			for i, v := range c {
				out[i] = float64(v)
			}
			return out, nil
		})
}
