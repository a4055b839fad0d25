package baselines

import (
	"context"
	"fmt"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Random is CompilerGym's random search: play uniformly random (allowed)
// actions until the episode ends or `horizon` actions, start again, and
// keep the best episode (the Recorder's Best).
var Random = &rlcore.Algorithm{
	Name:   "random",
	Doc:    "random search: random action sequences up to the episode end, best kept",
	Kind:   rlcore.Searcher,
	Params: []rlcore.Param{horizonParam},
	Train:  trainRandom,
}

// horizonParam bounds the episodes of the searches that play them to
// their end (random, greedy).
var horizonParam = rlcore.Param{Name: "horizon", Doc: "most actions per episode (the env may end it sooner)", Default: rlcore.DefaultHorizon, Min: 1, Max: 10000, Log: true, Int: true}

// horizonOf returns the resolved horizonParam of cfg for the algorithm
// name.
func horizonOf(name string, cfg rlcore.TrainConfig) (int, error) {
	horizon := int(cfg.Hyper["horizon"])
	if horizon < 1 {
		return 0, fmt.Errorf("%s: horizon = %g: want at least 1 (resolve the hyperparameters with Algorithm.Resolve)", name, cfg.Hyper["horizon"])
	}
	return horizon, nil
}

func init() {
	rlcore.RegisterAlgorithm(Random)
	rlcore.RegisterAlgorithm(Greedy)
	rlcore.RegisterAlgorithm(Anneal)
	rlcore.RegisterAlgorithm(Genetic)
}

func trainRandom(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	horizon, err := horizonOf("random", cfg)
	if err != nil {
		return nil, err
	}
	rec := rlcore.NewRecorder(ctx, env, cfg)
	p := newPlayer(rec, cfg, 0x72616e646f6d)
	for !rec.Stopped() {
		if _, err := rec.Reset(); err != nil {
			continue
		}
		p.playEpisode(horizon, func() (int, bool) { return p.randomAction(), true })
	}
	return rec.Finish(nil), nil
}
