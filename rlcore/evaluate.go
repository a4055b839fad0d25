package rlcore

import (
	"context"
	"fmt"
)

// Evaluate plays episodes with the greedy actions of policy, respecting
// the env's action mask, and returns the mean return. newEnv makes the env
// of each episode (numbered from 0), so that every episode can have its own
// seed or benchmark; envs that implement io.Closer are closed. Episodes
// must end on their own (Terminated or Truncated).
func Evaluate(ctx context.Context, newEnv func(episode int) Env, policy Policy, episodes int) (float64, error) {
	if episodes <= 0 {
		return 0, fmt.Errorf("evaluate: %d episodes, want at least 1", episodes)
	}
	total := 0.0
	var mask []bool
	for ep := range episodes {
		ret, err := evaluateEpisode(ctx, newEnv(ep), policy, &mask)
		if err != nil {
			return 0, fmt.Errorf("evaluate: episode %d: %w", ep, err)
		}
		total += ret
	}
	return total / float64(episodes), nil
}

func evaluateEpisode(ctx context.Context, env Env, policy Policy, mask *[]bool) (float64, error) {
	if c, ok := env.(interface{ Close() error }); ok {
		defer c.Close()
	}
	masker, _ := env.(Masker)
	obs, err := env.Reset(ctx, "")
	if err != nil {
		return 0, err
	}
	ret := 0.0
	for {
		var m []bool
		if masker != nil {
			*mask = masker.ActionMask(*mask)
			m = *mask
		}
		sr, err := env.Step(ctx, policy.Act(obs, m))
		if err != nil {
			return ret, err
		}
		ret += sr.Reward
		if sr.Done() {
			return ret, nil
		}
		obs = sr.Obs
	}
}
