package baselines

import (
	"context"
	"fmt"
	"math"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Anneal is simulated annealing (Kirkpatrick, Gelatt & Vecchi, 1983) over
// action sequences of a fixed length: change one position of the current
// sequence to another action, play the candidate from Reset, accept it
// when it scores at least as well, or with probability exp(Δ/T) when it
// scores Δ worse (Metropolis), and cool T geometrically: T ← cooling·T
// after every candidate. Positions after the env ended the episode are
// never mutated (they have no effect).
var Anneal = &rlcore.Algorithm{
	Name: "anneal",
	Doc:  "simulated annealing over fixed-length action sequences (one-position moves, Metropolis, geometric cooling)",
	Kind: rlcore.Searcher,
	Params: []rlcore.Param{
		lengthParam,
		{Name: "temperature", Doc: "initial temperature, in units of the score", Default: 1, Min: 1e-6, Max: 1e6, Log: true},
		{Name: "cooling", Doc: "factor applied to the temperature after every candidate", Default: 0.995, Min: 0.5, Max: 0.999999},
	},
	Train: trainAnneal,
}

// lengthParam is the sequence length of the searches over fixed-length
// sequences (anneal, genetic).
var lengthParam = rlcore.Param{Name: "length", Doc: "actions per sequence (the env may end an episode sooner)", Default: rlcore.DefaultHorizon, Min: 1, Max: 10000, Log: true, Int: true}

func trainAnneal(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	h := cfg.Hyper
	length, temp, cooling := int(h["length"]), h["temperature"], h["cooling"]
	if length < 1 || !(temp > 0) || !(cooling > 0 && cooling < 1) {
		return nil, fmt.Errorf("anneal: length = %g, temperature = %g, cooling = %g: want length ≥ 1, temperature > 0, cooling in (0, 1) (resolve the hyperparameters with Anneal.Resolve)", h["length"], temp, cooling)
	}
	rec := rlcore.NewRecorder(ctx, env, cfg)
	p := newPlayer(rec, cfg, 0x616e6e65616c)
	cur := p.randomSequence(length)
	curOut, ok := p.play(cur)
	for ok {
		cand := append([]int(nil), cur...)
		span := curOut.played
		if span < 1 || span > length {
			span = length
		}
		pos := p.rng.IntN(span)
		cand[pos] = p.otherAction(cand[pos])
		var out outcome
		if out, ok = p.play(cand); !ok {
			break
		}
		delta := out.score - curOut.score
		if math.IsInf(curOut.score, -1) || delta >= 0 || p.rng.Float64() < math.Exp(delta/temp) {
			cur, curOut = cand, out
		}
		temp *= cooling
	}
	return rec.Finish(nil), nil
}
