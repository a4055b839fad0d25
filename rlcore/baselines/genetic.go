package baselines

import (
	"context"
	"fmt"
	"sort"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Genetic is a generational genetic algorithm over action sequences of a
// fixed length: a random initial population; each generation keeps the
// `elite` best sequences unchanged and fills the rest with children of
// two parents chosen by tournaments of `tournament` sequences, crossed at
// one random point with probability `crossover` (else a copy of the first
// parent), each position then mutated to a random action with probability
// `mutation`. Every new sequence is played once from Reset.
var Genetic = &rlcore.Algorithm{
	Name: "genetic",
	Doc:  "genetic algorithm over fixed-length action sequences (tournament, one-point crossover, mutation, elitism)",
	Kind: rlcore.Searcher,
	Params: []rlcore.Param{
		lengthParam,
		{Name: "population", Doc: "sequences per generation", Default: 20, Min: 2, Max: 10000, Log: true, Int: true},
		{Name: "tournament", Doc: "sequences per parent tournament", Default: 3, Min: 1, Max: 100, Int: true},
		{Name: "crossover", Doc: "probability that a child crosses its parents", Default: 0.9, Min: 0, Max: 1},
		{Name: "mutation", Doc: "probability that a child's position is mutated", Default: 0.05, Min: 0, Max: 1},
		{Name: "elite", Doc: "best sequences copied unchanged to the next generation (at most population−1)", Default: 2, Min: 0, Max: 1000, Int: true},
	},
	Train: trainGenetic,
}

type individual struct {
	seq   []int
	score float64
}

func trainGenetic(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	h := cfg.Hyper
	length, size, tour := int(h["length"]), int(h["population"]), int(h["tournament"])
	cross, mut, elite := h["crossover"], h["mutation"], int(h["elite"])
	elite = min(elite, size-1)
	if length < 1 || size < 2 || tour < 1 || elite < 0 || !(cross >= 0 && cross <= 1) || !(mut >= 0 && mut <= 1) {
		return nil, fmt.Errorf("genetic: length = %d, population = %d, tournament = %d, elite = %d, crossover = %g, mutation = %g: want length ≥ 1, population ≥ 2, tournament ≥ 1, elite ≥ 0, crossover and mutation in [0, 1] (resolve the hyperparameters with Genetic.Resolve)",
			length, size, tour, elite, cross, mut)
	}
	rec := rlcore.NewRecorder(ctx, env, cfg)
	p := newPlayer(rec, cfg, 0x67656e65746963)
	pop := make([]individual, 0, size)
	for range size {
		seq := p.randomSequence(length)
		out, ok := p.play(seq)
		if !ok {
			return rec.Finish(nil), nil
		}
		pop = append(pop, individual{seq, out.score})
	}
	for {
		sort.SliceStable(pop, func(i, j int) bool { return pop[i].score > pop[j].score })
		next := append(make([]individual, 0, size), pop[:elite]...)
		for len(next) < size {
			a, b := p.tournament(pop, tour), p.tournament(pop, tour)
			child := append([]int(nil), a.seq...)
			if length > 1 && p.rng.Float64() < cross {
				cut := 1 + p.rng.IntN(length-1)
				copy(child[cut:], b.seq[cut:])
			}
			for i := range child {
				if p.rng.Float64() < mut {
					child[i] = p.otherAction(child[i])
				}
			}
			out, ok := p.play(child)
			if !ok {
				return rec.Finish(nil), nil
			}
			next = append(next, individual{child, out.score})
		}
		pop = next
	}
}

// tournament returns the best of k individuals drawn with replacement.
func (p *player) tournament(pop []individual, k int) individual {
	best := pop[p.rng.IntN(len(pop))]
	for range k - 1 {
		if c := pop[p.rng.IntN(len(pop))]; c.score > best.score {
			best = c
		}
	}
	return best
}
