package rlcore

import (
	"context"
	"fmt"
	"strconv"
)

// The task-independent components: they work with every Problem.
func init() {
	RegisterState(&State{
		Name:  "action-history",
		Doc:   "the last N actions, one-hot encoded, most recent first, zero padded",
		Usage: "action-history(N)",
		New: func(p Problem, args []string) (StateFunc, error) {
			n := 8
			if len(args) > 1 {
				return nil, fmt.Errorf("want at most one argument, got %d", len(args))
			}
			if len(args) == 1 {
				v, err := strconv.Atoi(args[0])
				if err != nil || v < 1 || v > 1024 {
					return nil, fmt.Errorf("N = %q: want an integer in [1, 1024]", args[0])
				}
				n = v
			}
			return &historyState{n: n, actions: len(p.Actions())}, nil
		},
	})
	RegisterActionSpace(&ActionSpace{
		Name: "all",
		Doc:  "every action of the task",
		Select: func(p Problem) ([]int, error) {
			idx := make([]int, len(p.Actions()))
			for i := range idx {
				idx[i] = i
			}
			return idx, nil
		},
	})
	RegisterReward(&Reward{
		Name: "quality-delta",
		Doc:  "change of the task quality in the step (for code size this equals IrInstructionCountOz)",
		Func: func(s *RewardSignal) (float64, error) { return s.Quality - s.PrevQuality, nil },
	})
	RegisterReward(&Reward{
		Name: "quality",
		Doc:  "the task quality after the step (dense, the original SuperSonic's 'identity' reward)",
		Func: func(s *RewardSignal) (float64, error) { return s.Quality, nil },
	})
	RegisterReward(&Reward{
		Name: "quality-binary",
		Doc:  "1 when the step improved the task quality, 0 otherwise",
		Func: func(s *RewardSignal) (float64, error) {
			if s.Quality > s.PrevQuality {
				return 1, nil
			}
			return 0, nil
		},
	})
	RegisterTransition(&Transition{
		Name: "apply",
		Doc:  "apply the action to the current program",
		Step: func(ctx context.Context, in TransitionInput) (Episode, bool, error) {
			return in.Episode, true, in.Episode.Apply(ctx, in.Action)
		},
	})
	RegisterTransition(&Transition{
		Name: "apply-mask-unchanged",
		Doc:  "apply the action; an action that left the quality unchanged is masked until the quality changes",
		Step: func(ctx context.Context, in TransitionInput) (Episode, bool, error) {
			return in.Episode, true, in.Episode.Apply(ctx, in.Action)
		},
		MaskUnchanged: true,
	})
	RegisterTransition(&Transition{
		Name: "revert-if-worse",
		Doc:  "apply the action, undo it when the task quality drops (costs a fork per step)",
		Step: revertIfWorse,
	})
	RegisterTransition(&Transition{
		Name: "replay-from-scratch",
		Doc:  "rebuild the program from the benchmark by replaying the history plus the action",
		Step: replayFromScratch,
	})
}

func revertIfWorse(ctx context.Context, in TransitionInput) (Episode, bool, error) {
	before, err := in.Episode.Quality(ctx)
	if err != nil {
		return in.Episode, false, err
	}
	saved, err := in.Episode.Fork(ctx)
	if err != nil {
		return in.Episode, false, err
	}
	if err := in.Episode.Apply(ctx, in.Action); err != nil {
		in.Episode.Close()
		return saved, false, err
	}
	after, err := in.Episode.Quality(ctx)
	if err != nil {
		saved.Close()
		return in.Episode, true, err
	}
	if after < before {
		in.Episode.Close()
		return saved, false, nil
	}
	saved.Close()
	return in.Episode, true, nil
}

func replayFromScratch(ctx context.Context, in TransitionInput) (Episode, bool, error) {
	fresh, err := in.Problem.NewEpisode(ctx, in.Episode.Benchmark())
	if err != nil {
		return in.Episode, false, err
	}
	for i, a := range append(append([]int(nil), in.History...), in.Action) {
		if err := fresh.Apply(ctx, a); err != nil {
			fresh.Close()
			return in.Episode, false, fmt.Errorf("replaying action %d of %d: %w", i+1, len(in.History)+1, err)
		}
	}
	in.Episode.Close()
	return fresh, true, nil
}

type historyState struct{ n, actions int }

func (h *historyState) Space() Space { return NewBox(h.n*h.actions, 0, 1) }

func (h *historyState) Observe(_ context.Context, _ Episode, history []int) ([]float64, error) {
	obs := make([]float64, h.n*h.actions)
	for i := 0; i < h.n && i < len(history); i++ {
		obs[i*h.actions+history[len(history)-1-i]] = 1
	}
	return obs, nil
}

// concatState concatenates the observations of several state functions.
type concatState []StateFunc

func (c concatState) Space() Space {
	var low, high []float64
	for _, s := range c {
		switch sp := s.Space().(type) {
		case Box:
			low, high = append(low, sp.Low...), append(high, sp.High...)
		default:
			b := NewBox(sp.Dim(), -1e300, 1e300)
			low, high = append(low, b.Low...), append(high, b.High...)
		}
	}
	return Box{Low: low, High: high}
}

func (c concatState) Observe(ctx context.Context, ep Episode, history []int) ([]float64, error) {
	var out []float64
	for _, s := range c {
		o, err := s.Observe(ctx, ep, history)
		if err != nil {
			return nil, err
		}
		out = append(out, o...)
	}
	return out, nil
}
